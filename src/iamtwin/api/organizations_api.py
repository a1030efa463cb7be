"""AWS Organizations over the wire (JSON 1.1): each call authorized by the engine, then applied.

Where each call is authorized, and who may call it, is `organizations_scope`'s; the handlers here
follow each operation's page of https://docs.aws.amazon.com/organizations/latest/APIReference/.
Refusals of the store carry the Organizations exception in `IamError.reason`; it becomes `__type`.

Not kept (the schema has no place for them): account e-mail addresses, policy descriptions,
Organizations tags (a request with Tags is refused rather than silently losing them), and the dates
of account creation after CreateAccount has answered.
"""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Callable
from typing import Any

from ..errors import IamtwinError
from ..world.iam_errors import IamError, IamErrorCode
from ..world.model import OrgPolicyType
from ..world.store.org_reads import OrganizationStore
from .calls import ApiAccessDenied, CallContext, tag_keys
from .json_protocol import (
    UNKNOWN_OPERATION,
    JsonError,
    decode_json_request,
    encode_json_error,
    encode_json_response,
    find_json_operation,
)
from .organizations_scope import (
    POLICY_TYPES,
    Org,
    account_shape,
    allow,
    found_policy,
    no_tags,
    organization,
    ou_shape,
    page,
    policy_kind,
    policy_not_found,
    policy_shape,
    reading,
    refuse,
    root_shape,
    summary_shape,
    writing,
)
from .query_protocol import service_model
from .toolbox_api import record_denial, with_authorization_id

Handler = Callable[[CallContext, dict[str, Any]], dict[str, Any]]
_REQUEST_ID = re.compile(r"car-(\d{12})[a-z0-9]*")
_REASON_IN_MESSAGE = re.compile(r"\(([A-Z_]+)\)$")


# -- the organization and its roots ----------------------------------------------------------------


def describe_organization(ctx: CallContext, _: dict[str, Any]) -> dict[str, Any]:
    """DescribeOrganization: any member account may call it."""
    org = organization(ctx)
    ctx.authorize("organizations:DescribeOrganization", None)
    return {
        "Organization": {
            "Id": org.id,
            "Arn": org.arn("organization"),
            "FeatureSet": "ALL",
            "MasterAccountArn": org.arn("account", org.management),
            "MasterAccountId": org.management,
            "AvailablePolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}],
        }
    }


def create_organization(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """CreateOrganization: the caller's account becomes the management account, with all features."""
    if p.get("FeatureSet", "ALL") != "ALL":
        raise refuse("InvalidInputException", "iamtwin models organizations with all features only")
    ctx.authorize("organizations:CreateOrganization", None)
    with writing(ctx) as store:
        store.create_organization(ctx.account)
    return describe_organization(ctx, {})


def list_roots(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """ListRoots, with the policy types enabled in each."""
    org = organization(ctx)
    allow(ctx, org, "ListRoots")
    with reading(ctx) as store:
        roots, rest = page(p, [root_shape(org, store.root())])
    return {"Roots": roots, **rest}


def enable_policy_type(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """EnablePolicyType: RESOURCE_CONTROL_POLICY (SERVICE_CONTROL_POLICY is always enabled here)."""
    return _switch_policy_type(ctx, p, "EnablePolicyType")


def disable_policy_type(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """DisablePolicyType: RESOURCE_CONTROL_POLICY, detaching every RCP."""
    return _switch_policy_type(ctx, p, "DisablePolicyType")


def _switch_policy_type(ctx: CallContext, p: dict[str, Any], action: str) -> dict[str, Any]:
    org = organization(ctx)
    kind, enable = policy_kind(p["PolicyType"]), action == "EnablePolicyType"
    allow(ctx, org, action, org.node_arn(p["RootId"]), keys={"organizations:PolicyType": p["PolicyType"]})
    if p["RootId"] != org.root_id:
        raise refuse("RootNotFoundException", f"no root `{p['RootId']}`")
    enabled = kind is OrgPolicyType.SCP or org.rcps_enabled
    if enable and enabled:
        raise refuse("PolicyTypeAlreadyEnabledException", f"{p['PolicyType']} is already enabled")
    if not enable and kind is OrgPolicyType.SCP:
        raise refuse("InvalidInputException", "iamtwin keeps SERVICE_CONTROL_POLICY enabled")
    if not enable and not enabled:
        raise refuse("PolicyTypeNotEnabledException", f"{p['PolicyType']} is not enabled")
    with writing(ctx) as store:
        if enable:
            store.enable_resource_control_policies()
        else:
            store.disable_resource_control_policies()
        # The answer shows the types as they are after this call.
        return {"Root": root_shape(Org(org.id, org.management, enable, org.root_id), store.root())}


# -- organizational units and accounts --------------------------------------------------------------


def create_organizational_unit(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """CreateOrganizationalUnit under a root or OU, with FullAWSAccess attached."""
    org = organization(ctx)
    allow(ctx, org, "CreateOrganizationalUnit", org.node_arn(p["ParentId"]), keys=tag_keys(p.get("Tags")))
    no_tags(p)
    with writing(ctx) as store:
        ou_id = store.create_organizational_unit(p["ParentId"], p["Name"])
        return {"OrganizationalUnit": ou_shape(store, org, store.node(ou_id))}


def _ou_row(store: OrganizationStore, ou_id: str) -> Any:
    row = store.node(ou_id)
    if row is None or row.parent_id is None:
        raise refuse("OrganizationalUnitNotFoundException", f"no OU `{ou_id}`")
    return row


def describe_organizational_unit(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """DescribeOrganizationalUnit."""
    org = organization(ctx)
    allow(ctx, org, "DescribeOrganizationalUnit", org.node_arn(p["OrganizationalUnitId"]))
    with reading(ctx) as store:
        return {"OrganizationalUnit": ou_shape(store, org, _ou_row(store, p["OrganizationalUnitId"]))}


def delete_organizational_unit(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """DeleteOrganizationalUnit: refused while the OU holds accounts or OUs."""
    org = organization(ctx)
    allow(ctx, org, "DeleteOrganizationalUnit", org.node_arn(p["OrganizationalUnitId"]))
    with writing(ctx) as store:
        store.delete_organizational_unit(p["OrganizationalUnitId"])
    return {}


def _parent(store: OrganizationStore, parent_id: str) -> None:
    if store.node(parent_id) is None:
        raise refuse("ParentNotFoundException", f"no root or OU `{parent_id}`")


def list_organizational_units_for_parent(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """ListOrganizationalUnitsForParent."""
    org = organization(ctx)
    allow(ctx, org, "ListOrganizationalUnitsForParent", org.node_arn(p["ParentId"]))
    with reading(ctx) as store:
        _parent(store, p["ParentId"])
        units, rest = page(p, [ou_shape(store, org, row) for row in store.children(p["ParentId"])])
    return {"OrganizationalUnits": units, **rest}


def list_accounts(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """ListAccounts: every account of the organization."""
    org = organization(ctx)
    allow(ctx, org, "ListAccounts")
    with reading(ctx) as store:
        accounts, rest = page(p, [account_shape(org, row) for row in store.members()])
    return {"Accounts": accounts, **rest}


def list_accounts_for_parent(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """ListAccountsForParent: the accounts directly under a root or OU."""
    org = organization(ctx)
    allow(ctx, org, "ListAccountsForParent", org.node_arn(p["ParentId"]))
    with reading(ctx) as store:
        _parent(store, p["ParentId"])
        accounts, rest = page(p, [account_shape(org, row) for row in store.members(p["ParentId"])])
    return {"Accounts": accounts, **rest}


def create_account(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """CreateAccount, done at once: the status answered is already SUCCEEDED."""
    org = organization(ctx)
    allow(ctx, org, "CreateAccount", keys=tag_keys(p.get("Tags")))
    no_tags(p)
    with writing(ctx) as store:
        account_id = store.create_account(p["AccountName"], p.get("RoleName", "OrganizationAccountAccessRole"))
    # The request id carries the account id, so DescribeCreateAccountStatus needs no table of its own.
    suffix = "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(8))
    status = {
        "Id": f"car-{account_id}{suffix}",
        "AccountName": p["AccountName"],
        "State": "SUCCEEDED",
        "RequestedTimestamp": ctx.now,
        "CompletedTimestamp": ctx.now,
        "AccountId": account_id,
    }
    return {"CreateAccountStatus": status}


def describe_create_account_status(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """DescribeCreateAccountStatus of a CreateAccount request (always SUCCEEDED here)."""
    org = organization(ctx)
    allow(ctx, org, "DescribeCreateAccountStatus")
    request_id = p["CreateAccountRequestId"]
    found = _REQUEST_ID.fullmatch(request_id)
    with reading(ctx) as store:
        row = store.member(found.group(1)) if found else None
    if row is None:
        raise refuse("CreateAccountStatusNotFoundException", f"no CreateAccount request `{request_id}`")
    status = {"Id": request_id, "State": "SUCCEEDED", "AccountId": row.id}
    return {"CreateAccountStatus": status | ({"AccountName": row.name} if row.name else {})}


def move_account(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """MoveAccount between roots and OUs."""
    org = organization(ctx)
    resources = (org.arn("account", p["AccountId"]), org.node_arn(p["SourceParentId"]))
    allow(ctx, org, "MoveAccount", *resources, org.node_arn(p["DestinationParentId"]))
    with writing(ctx) as store:
        store.move_account(p["AccountId"], p["SourceParentId"], p["DestinationParentId"])
    return {}


# -- policies ------------------------------------------------------------------------------------------


def create_policy(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """CreatePolicy: an SCP, or an RCP once RESOURCE_CONTROL_POLICY is enabled."""
    org = organization(ctx)
    keys = {"organizations:PolicyType": p["Type"], **tag_keys(p.get("Tags"))}
    allow(ctx, org, "CreatePolicy", keys=keys)
    no_tags(p)
    kind = policy_kind(p["Type"])
    with writing(ctx) as store:
        policy_id = store.create_policy(p["Name"], kind, p["Content"])
        return policy_shape(store.policy(policy_id))


def describe_policy(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """DescribePolicy, with its content."""
    org = organization(ctx)
    row, arn, keys = found_policy(ctx, org, p["PolicyId"])
    allow(ctx, org, "DescribePolicy", arn, keys=keys)
    if row is None:
        raise policy_not_found(p["PolicyId"])
    return policy_shape(row)


def update_policy(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """UpdatePolicy: name and content (the description is not kept)."""
    org = organization(ctx)
    _, arn, keys = found_policy(ctx, org, p["PolicyId"])
    allow(ctx, org, "UpdatePolicy", arn, keys=keys)
    with writing(ctx) as store:
        store.update_policy(p["PolicyId"], p.get("Name"), p.get("Content"))
        return policy_shape(store.policy(p["PolicyId"]))


def delete_policy(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """DeletePolicy: refused while the policy is attached."""
    org = organization(ctx)
    _, arn, keys = found_policy(ctx, org, p["PolicyId"])
    allow(ctx, org, "DeletePolicy", arn, keys=keys)
    with writing(ctx) as store:
        store.delete_policy(p["PolicyId"])
    return {}


def list_policies(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """ListPolicies of one type (none for the types iamtwin does not model)."""
    org = organization(ctx)
    allow(ctx, org, "ListPolicies", keys={"organizations:PolicyType": p["Filter"]})
    kind = POLICY_TYPES.get(p["Filter"])
    with reading(ctx) as store:
        policies, rest = page(p, [summary_shape(row) for row in store.policies(kind)] if kind else [])
    return {"Policies": policies, **rest}


def attach_policy(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """AttachPolicy to a root, OU or account; the policy and the target are both authorized."""
    return _attachment(ctx, p, "AttachPolicy")


def detach_policy(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """DetachPolicy; a target's last SCP stays (ConstraintViolationException)."""
    return _attachment(ctx, p, "DetachPolicy")


def _attachment(ctx: CallContext, p: dict[str, Any], action: str) -> dict[str, Any]:
    org = organization(ctx)
    row, arn, keys = found_policy(ctx, org, p["PolicyId"])
    allow(ctx, org, action, arn, org.target_arn(p["TargetId"]), keys=keys)
    if action == "AttachPolicy" and row is not None and row.type == "rcp" and not org.rcps_enabled:
        raise refuse("PolicyTypeNotEnabledException", "RESOURCE_CONTROL_POLICY is not enabled")
    with writing(ctx) as store:
        if action == "AttachPolicy":
            store.attach_policy(p["PolicyId"], p["TargetId"])
        else:
            store.detach_policy(p["PolicyId"], p["TargetId"])
    return {}


def list_policies_for_target(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """ListPoliciesForTarget: the policies of one type attached directly to a root, OU or account."""
    org = organization(ctx)
    target = p["TargetId"]
    allow(ctx, org, "ListPoliciesForTarget", org.target_arn(target), keys={"organizations:PolicyType": p["Filter"]})
    kind = POLICY_TYPES.get(p["Filter"])
    with reading(ctx) as store:
        if not store.target_exists(target):
            raise refuse("TargetNotFoundException", f"no target `{target}`")
        policies, rest = page(p, [summary_shape(row) for row in store.policies(kind, target)] if kind else [])
    return {"Policies": policies, **rest}


def list_targets_for_policy(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """ListTargetsForPolicy: the roots, OUs and accounts a policy is attached to."""
    org = organization(ctx)
    row, arn, keys = found_policy(ctx, org, p["PolicyId"])
    allow(ctx, org, "ListTargetsForPolicy", arn, keys=keys)
    if row is None:
        raise policy_not_found(p["PolicyId"])
    targets: list[dict[str, Any]] = []
    with reading(ctx) as store:
        for target in store.targets(p["PolicyId"]):
            node = store.node(target)
            account = store.member(target) if node is None else None
            kind = "ACCOUNT" if account else "ROOT" if node.parent_id is None else "ORGANIZATIONAL_UNIT"
            name = account.name if account else node.name
            targets.append({"TargetId": target, "Arn": org.target_arn(target), "Name": name or "", "Type": kind})
    shown, rest = page(p, targets)
    return {"Targets": shown, **rest}


HANDLERS: dict[str, Handler] = {
    "DescribeOrganization": describe_organization,
    "CreateOrganization": create_organization,
    "ListRoots": list_roots,
    "EnablePolicyType": enable_policy_type,
    "DisablePolicyType": disable_policy_type,
    "CreateOrganizationalUnit": create_organizational_unit,
    "DescribeOrganizationalUnit": describe_organizational_unit,
    "DeleteOrganizationalUnit": delete_organizational_unit,
    "ListOrganizationalUnitsForParent": list_organizational_units_for_parent,
    "ListAccounts": list_accounts,
    "ListAccountsForParent": list_accounts_for_parent,
    "CreateAccount": create_account,
    "DescribeCreateAccountStatus": describe_create_account_status,
    "MoveAccount": move_account,
    "CreatePolicy": create_policy,
    "DescribePolicy": describe_policy,
    "UpdatePolicy": update_policy,
    "DeletePolicy": delete_policy,
    "ListPolicies": list_policies,
    "AttachPolicy": attach_policy,
    "DetachPolicy": detach_policy,
    "ListPoliciesForTarget": list_policies_for_target,
    "ListTargetsForPolicy": list_targets_for_policy,
}


def answer(ctx: CallContext, target: str, body: bytes) -> tuple[int, bytes]:
    """The HTTP status and JSON body for one Organizations request; every failure is AWS's error body."""
    try:
        operation = find_json_operation(service_model("organizations"), target)
        handler = HANDLERS.get(operation.name)
        if handler is None:
            raise JsonError(UNKNOWN_OPERATION, f"iamtwin does not implement {operation.name} yet")
        params = decode_json_request(operation, body, invalid_input="InvalidInputException")
        return 200, encode_json_response(operation, handler(ctx, params))
    except JsonError as err:
        return err.status, encode_json_error(err.code, err.message, reason=err.reason)
    except ApiAccessDenied as err:
        authorization_id = record_denial(ctx.world, ctx.caller, err.decision)
        return 400, encode_json_error(
            "AccessDeniedException", with_authorization_id(err.message, authorization_id, ctx.region)
        )
    except IamError as err:
        code, reason = _organizations_error(err)
        return 400, encode_json_error(code, err.message, reason=reason)
    except IamtwinError as err:
        return 400, encode_json_error("InvalidInputException", err.message)


def _organizations_error(err: IamError) -> tuple[str, str | None]:
    """The Organizations exception (and its Reason) for a refusal of the store."""
    found = _REASON_IN_MESSAGE.search(err.message)
    if err.reason and err.reason.endswith("Exception"):
        return err.reason, found.group(1) if found else None
    if err.iam_code is IamErrorCode.MALFORMED_POLICY_DOCUMENT:
        return "MalformedPolicyDocumentException", None
    if err.iam_code is IamErrorCode.LIMIT_EXCEEDED and err.reason == "ORGANIZATION_POLICY_TOO_LARGE":
        return "ConstraintViolationException", "POLICY_CONTENT_LIMIT_EXCEEDED"
    return "InvalidInputException", None

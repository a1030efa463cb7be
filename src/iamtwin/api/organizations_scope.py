"""What every AWS Organizations call works within: the organization, the caller's standing in it, shapes.

Roots, OUs, accounts and policies have ARNs under the management account, as the Service
Authorization Reference for Organizations gives them
(https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsorganizations.html):
`arn:aws:organizations::<management>:root/o-…/r-…`, `…:ou/o-…/ou-…`, `…:account/o-…/<id>`,
`…:policy/o-…/service_control_policy/p-…`. Only the management account may make most calls; any
other member gets `AccessDeniedException`, an account outside the organization
`AWSOrganizationsNotInUseException`
(https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListRoots.html,
https://docs.aws.amazon.com/organizations/latest/APIReference/CommonErrors.html).
The answer shapes are those of https://docs.aws.amazon.com/organizations/latest/APIReference/API_Types.html.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ..world.model import OrgPolicyType
from ..world.store.org_reads import OrganizationStore
from .calls import CallContext
from .json_protocol import JsonError

POLICY_TYPES = {"SERVICE_CONTROL_POLICY": OrgPolicyType.SCP, "RESOURCE_CONTROL_POLICY": OrgPolicyType.RCP}
POLICY_TYPE_NAMES = {kind: name for name, kind in POLICY_TYPES.items()}
_PATH_KIND = {OrgPolicyType.SCP: "service_control_policy", OrgPolicyType.RCP: "resource_control_policy"}
# AWS's own description of its managed SCP; customers' descriptions are not kept.
_FULL_ACCESS_DESCRIPTION = "Allows access to every operation"


@dataclass(frozen=True, slots=True)
class Org:
    """The organization as calls see it: its id, management account, root, and whether RCPs are on."""

    id: str
    management: str
    rcps_enabled: bool
    root_id: str

    def arn(self, kind: str, *ids: str) -> str:
        """The ARN of the organization (`organization`) or of one of its parts."""
        return "/".join((f"arn:aws:organizations::{self.management}:{kind}", self.id, *ids))

    def node_arn(self, node_id: str) -> str:
        """The ARN of a root (`r-…`) or an OU."""
        return self.arn("root" if node_id.startswith("r-") else "ou", node_id)

    def target_arn(self, target_id: str) -> str:
        """The ARN of a root, OU or account."""
        return self.arn("account", target_id) if target_id.isdigit() else self.node_arn(target_id)


def refuse(code: str, message: str, reason: str | None = None) -> JsonError:
    """An Organizations exception to raise: `code` becomes the answer's `__type`."""
    return JsonError(code, message, reason=reason)


@contextmanager
def reading(ctx: CallContext) -> Iterator[OrganizationStore]:
    """The organization's tables over a read-only connection."""
    with ctx.world.engine.connect() as conn:
        yield OrganizationStore(conn)


@contextmanager
def writing(ctx: CallContext) -> Iterator[OrganizationStore]:
    """The organization's tables inside one transaction: all of a call's changes happen, or none."""
    with ctx.world.transaction() as conn:
        yield OrganizationStore(conn, quotas=ctx.world.quotas, now=ctx.now)


def organization(ctx: CallContext) -> Org:
    """The organization, when the caller's account belongs to it."""
    with reading(ctx) as store:
        row = store.organization_row()
        member = store.member(ctx.account) if row is not None else None
        root = store.root()
    if row is None or member is None or root is None:
        raise refuse("AWSOrganizationsNotInUseException", "Your account is not a member of an organization.")
    return Org(row.id, row.management_account, bool(row.rcps_enabled), root.id)


def allow(ctx: CallContext, org: Org, action: str, *resources: str | None, keys: dict[str, Any] | None = None) -> None:
    """The engine's verdict on each resource, then AWS's rule that only the management account may call."""
    for resource in resources or (None,):
        ctx.authorize(f"organizations:{action}", resource, keys)
    if ctx.account != org.management:
        raise refuse("AccessDeniedException", "You don't have permissions to access this resource.")


def no_tags(p: dict[str, Any]) -> None:
    """Refuse Tags rather than lose them: the store keeps none for Organizations resources."""
    if p.get("Tags"):
        raise refuse("InvalidInputException", "iamtwin does not keep tags of Organizations resources")


def policy_kind(name: str, error: str = "PolicyTypeNotAvailableForOrganizationException") -> OrgPolicyType:
    """The policy type a request names, when iamtwin models it (SCPs and RCPs)."""
    kind = POLICY_TYPES.get(name)
    if kind is None:
        raise refuse(error, f"iamtwin models SCPs and RCPs only, not {name}")
    return kind


def page(p: dict[str, Any], items: list[Any]) -> tuple[list[Any], dict[str, Any]]:
    """One page of `items` by MaxResults and NextToken (an offset); the rest of the answer holds NextToken."""
    token = p.get("NextToken", "0")
    if not token.isdigit():
        raise refuse("InvalidInputException", "the NextToken is not one iamtwin issued", "INVALID_NEXT_TOKEN")
    start = int(token)
    end = start + p["MaxResults"] if "MaxResults" in p else len(items)
    return items[start:end], ({"NextToken": str(end)} if end < len(items) else {})


def root_shape(org: Org, row: Any) -> dict[str, Any]:
    """A `Root`, with the policy types enabled in it."""
    types = [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}]
    if org.rcps_enabled:
        types.append({"Type": "RESOURCE_CONTROL_POLICY", "Status": "ENABLED"})
    return {"Id": row.id, "Arn": org.node_arn(row.id), "Name": row.name, "PolicyTypes": types}


def ou_shape(store: OrganizationStore, org: Org, row: Any) -> dict[str, Any]:
    """An `OrganizationalUnit`, with its path from the organization down."""
    path = "/".join((org.id, *store.path(row.id))) + "/"
    return {"Id": row.id, "Arn": org.node_arn(row.id), "Name": row.name, "Path": path}


def account_shape(org: Org, row: Any) -> dict[str, Any]:
    """An `Account` (without the e-mail address, which is not kept)."""
    out = {"Id": row.id, "Arn": org.arn("account", row.id), "Status": "ACTIVE", "State": "ACTIVE"}
    return out | ({"Name": row.name} if row.name else {})


def summary_shape(row: Any) -> dict[str, Any]:
    """A `PolicySummary`."""
    return {
        "Id": row.id,
        "Arn": row.arn,
        "Name": row.name,
        "Description": _FULL_ACCESS_DESCRIPTION if row.aws_managed else "",
        "Type": POLICY_TYPE_NAMES[OrgPolicyType(row.type)],
        "AwsManaged": bool(row.aws_managed),
    }


def policy_shape(row: Any) -> dict[str, Any]:
    """The answer `{"Policy": …}` with the policy's content."""
    return {"Policy": {"PolicySummary": summary_shape(row), "Content": row.text}}


def found_policy(ctx: CallContext, org: Org, policy_id: str) -> tuple[Any, str, dict[str, Any]]:
    """The policy row (None when unknown), the ARN to authorize and its `organizations:PolicyType` key."""
    with reading(ctx) as store:
        row = store.policy(policy_id)
    kind = OrgPolicyType(row.type) if row is not None else OrgPolicyType.SCP
    arn = row.arn if row is not None else org.arn("policy", _PATH_KIND[kind], policy_id)
    return row, arn, {"organizations:PolicyType": POLICY_TYPE_NAMES[kind]}


def policy_not_found(policy_id: str) -> JsonError:
    """PolicyNotFoundException for `policy_id`."""
    return refuse("PolicyNotFoundException", f"no policy `{policy_id}`")

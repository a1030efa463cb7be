"""IAM's own authorization of each IAM call, observed through boto3 against `iamtwin serve`.

tests/api/cases/iam_authorization.yaml lists, for every IAM operation the server implements, each
authorization AWS makes: action, resource ARN and request-context keys, per the Service
Authorization Reference for IAM
(https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html).
Beyond the reference's table:
- a create with tags needs the Tag* action too, with the request's tags
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_iam-new-user-tag.html
  allows `iam:CreateUser` with `iam:TagUser` for that);
- AddRoleToInstanceProfile needs `iam:PassRole` on the role
  (https://docs.aws.amazon.com/IAM/latest/APIReference/API_AddRoleToInstanceProfile.html), passed to
  `ec2.amazonaws.com` with `iam:AssociatedResourceArn` `arn:aws:ec2:*:<account>:instance/*`, the
  value that page says policies must expect for this call.

Each case runs against a fresh server: a caller whose policy allows exactly the listed checks
succeeds; without any one check, with its resource changed, or with any one key's value changed,
it is refused with AccessDenied naming that action.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from botocore import xform_name
from botocore.exceptions import ClientError

from iamtwin.api import iam_api
from iamtwin.world.stored import World

from .conftest import RunningServer

ACCOUNT = "123456789012"
_CASES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "cases" / "iam_authorization.yaml").read_text(encoding="utf-8")
)["cases"]
_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
# An IdP's SAML metadata (IAM takes 1,000 to 10,000,000 characters).
SAML_METADATA = (
    '<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com">'
    '<IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
    '<KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data>'
    f"<X509Certificate>{'MIIC' + 'A' * 1200}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>"
    '<SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.com/sso"/>'
    "</IDPSSODescriptor></EntityDescriptor>"
)
# Something the caller may always do, so that a policy without the checked statements stays valid.
_FILLER = {"Effect": "Allow", "Action": "iam:GetAccountSummary", "Resource": "*"}


def _doc(action: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]})


def _estate(world: World) -> dict[str, str]:
    """The entities every case acts on (see the placeholders of the YAML file), written in one transaction."""
    arn = f"arn:aws:iam::{ACCOUNT}"
    trust = json.dumps(_TRUST)
    with world.changes() as iam:
        iam.create_policy(ACCOUNT, "boundary", _doc("s3:*"))
        iam.create_policy(ACCOUNT, "managed", _doc("s3:GetObject"), tags={"owner": "ops"})
        iam.create_policy_version(f"{arn}:policy/managed", _doc("s3:PutObject"))
        iam.create_policy(ACCOUNT, "spare", _doc("s3:ListBucket"), tags={"owner": "dev"})
        boundary = f"{arn}:policy/boundary"

        iam.create_user(ACCOUNT, "target", path="/t/", tags={"team": "blue"}, permissions_boundary=boundary)
        iam.put_inline_policy("user", ACCOUNT, "target", "inline", _doc("s3:ListBucket"))
        iam.attach_policy("user", ACCOUNT, "target", f"{arn}:policy/managed")
        key_id, _ = iam.create_access_key(ACCOUNT, "target", created_at=world.clock.now())
        iam.create_user(ACCOUNT, "spare-user", tags={"team": "grey"})

        iam.create_group(ACCOUNT, "crew", path="/g/")
        iam.add_user_to_group(ACCOUNT, "crew", "target")
        iam.put_inline_policy("group", ACCOUNT, "crew", "inline", _doc("s3:ListBucket"))
        iam.attach_policy("group", ACCOUNT, "crew", f"{arn}:policy/managed")
        iam.create_group(ACCOUNT, "spare-group")

        iam.create_role(ACCOUNT, "target-role", trust, path="/r/", tags={"team": "red"}, permissions_boundary=boundary)
        iam.put_inline_policy("role", ACCOUNT, "target-role", "inline", _doc("s3:ListBucket"))
        iam.attach_policy("role", ACCOUNT, "target-role", f"{arn}:policy/managed")
        iam.create_role(ACCOUNT, "spare-role", trust, tags={"team": "grey"}, permissions_boundary=boundary)
        iam.create_role(ACCOUNT, "profile-role", trust, tags={"team": "green"})

        iam.create_instance_profile(ACCOUNT, "profile", path="/p/", tags={"env": "prod"})
        iam.add_role_to_instance_profile(ACCOUNT, "profile", "profile-role")
        iam.create_instance_profile(ACCOUNT, "empty-profile", path="/p/", tags={"env": "dev"})
        oidc = iam.create_oidc_provider(ACCOUNT, "https://oidc.example.com", ["app"], tags={"team": "idp"})
        saml = iam.create_saml_provider(ACCOUNT, "corp-idp", SAML_METADATA, tags={"team": "idp"})
    return {
        "account": ACCOUNT,
        "boundary": boundary,
        "policy": f"{arn}:policy/managed",
        "spare_policy": f"{arn}:policy/spare",
        "user": f"{arn}:user/t/target",
        "role": f"{arn}:role/r/target-role",
        "group": f"{arn}:group/g/crew",
        "profile": f"{arn}:instance-profile/p/profile",
        "empty_profile": f"{arn}:instance-profile/p/empty-profile",
        "key_id": key_id,
        "oidc": oidc,
        "saml": saml,
        "saml_metadata": SAML_METADATA,
    }


def _fill(value: Any, names: dict[str, str]) -> Any:
    """A YAML value with its `{placeholder}`s replaced."""
    if isinstance(value, str):
        return re.sub(r"\{(\w+)\}", lambda m: names.get(m.group(1), m.group(0)), value)
    if isinstance(value, list):
        return [_fill(v, names) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, names) for k, v in value.items()}
    return value


def _statement(check: dict[str, Any], *, resource: str | None = None, wrong_key: str | None = None) -> dict[str, Any]:
    """A statement allowing one check exactly: its resource, each key's value, the absence of `absent` keys."""
    conditions: dict[str, dict[str, Any]] = {}
    for key, value in (check.get("keys") or {}).items():
        if key == wrong_key:
            value = ["no-such-value"] if isinstance(value, list) else "no-such-value"
        if isinstance(value, list):  # a multivalued key: every value among these, and at least one
            conditions.setdefault("ForAllValues:StringEquals", {})[key] = value
            conditions.setdefault("ForAnyValue:StringEquals", {})[key] = value
        else:
            conditions.setdefault("StringEquals", {})[key] = value
    for key in check.get("absent") or []:
        conditions.setdefault("Null", {})[key] = "true"
    out: dict[str, Any] = {"Effect": "Allow", "Action": check["action"], "Resource": resource or check["resource"]}
    if conditions:
        out["Condition"] = conditions
    return out


def _other_resource(resource: str) -> str:
    # A resource the call does not name: "*" is not an ARN; an ARN is not another one.
    return f"arn:aws:iam::{ACCOUNT}:*" if resource == "*" else f"{resource}-other"


def _variants(checks: list[dict[str, Any]]) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """(what is wrong, the action then refused, the statements) for every way of missing one check."""
    out = []
    for i, check in enumerate(checks):
        others = [_statement(c) for j, c in enumerate(checks) if j != i]
        out.append((f"without {check['action']}", check["action"], others))
        wrong = _statement(check, resource=_other_resource(check["resource"]))
        out.append((f"{check['action']} on another resource", check["action"], [*others, wrong]))
        for key in check.get("keys") or {}:
            out.append(
                (f"{check['action']} with another {key}", check["action"], [*others, _statement(check, wrong_key=key)])
            )
    return out


def _caller(server: RunningServer) -> Any:
    with server.world.changes() as iam:
        iam.create_user(ACCOUNT, "caller")
        key, secret = iam.create_access_key(ACCOUNT, "caller", created_at=server.world.clock.now())
    return server.client("iam", key=key, secret=secret)


def _grant(admin: Any, statements: list[dict[str, Any]]) -> None:
    document = {"Version": "2012-10-17", "Statement": [_FILLER, *statements]}
    admin.put_user_policy(UserName="caller", PolicyName="under-test", PolicyDocument=json.dumps(document))


def test_every_operation_has_a_case() -> None:
    """The table covers every IAM operation the server implements."""
    assert {case["operation"] for case in _CASES} == set(iam_api.HANDLERS)


@pytest.mark.parametrize("case", _CASES, ids=[c.get("id", c["operation"]) for c in _CASES])
def test_iam_call_is_authorized_as_aws_does(server: RunningServer, case: dict[str, Any]) -> None:
    """Exactly the case's checks let the call through; missing or changing any one refuses it."""
    admin = server.client("iam")
    names = _estate(server.world)
    caller = _caller(server)
    checks = _fill(case["checks"], names)
    params = _fill(case["params"], names)
    call = getattr(caller, xform_name(case["operation"]))
    for reason, action, statements in _variants(checks):
        _grant(admin, statements)
        with pytest.raises(ClientError) as caught:
            call(**params)
        error = caught.value.response["Error"]
        assert error["Code"] == "AccessDenied", reason
        assert f"is not authorized to perform: {action} on resource: " in error["Message"], reason
    _grant(admin, [_statement(c) for c in checks])
    call(**params)

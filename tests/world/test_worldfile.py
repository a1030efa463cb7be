"""World files: loading, validation errors by code and location, and the simulation input they build."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from iamtwin.world.errors import WorldErrorCode, WorldFileError
from iamtwin.world.worldfile import WorldFile, load_world, load_world_text

MGMT = "100000000000"
PROD = "200000000001"
DATA = "200000000002"
SAAS = "111122223333"

ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def _doc(action: str, effect: str = "Allow") -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{"Effect": effect, "Action": action, "Resource": "*"}]}


WORLD = f"""
organization:
  id: o-exampleorg1
  management_account: "{MGMT}"
  policies:
    DenyLeaveOrg:
      type: scp
      document:
        Version: "2012-10-17"
        Statement: [{{Effect: Deny, Action: "organizations:LeaveOrganization", Resource: "*"}}]
    OnlyS3:
      type: scp
      document: {{Version: "2012-10-17", Statement: [{{Effect: Allow, Action: "s3:*", Resource: "*"}}]}}
    DenyPublicShare:
      type: rcp
      document:
        Version: "2012-10-17"
        Statement:
          - {{Effect: Deny, Principal: "*", Action: "s3:PutBucketPolicy", Resource: "*"}}
  root:
    id: r-ex12
    scps: [FullAWSAccess, DenyLeaveOrg]
    accounts: ["{MGMT}"]
    ous:
      - name: Workloads
        id: ou-ex12-11111111
        ous:
          - name: Prod
            id: ou-ex12-22222222
            scps: [OnlyS3]
            accounts:
              - id: "{PROD}"
                scps: [FullAWSAccess]
      - name: Data
        id: ou-ex12-33333333
        rcps: [DenyPublicShare]
        accounts: ["{DATA}"]

accounts:
  - id: "{MGMT}"
    users:
      - name: admin
        managed_policies: [arn:aws:iam::aws:policy/AdministratorAccess]
  - id: "{PROD}"
    name: prod
    policies:
      - name: ReadLogs
        path: /team/
        document: {{Version: "2012-10-17", Statement: [{{Effect: Allow, Action: "logs:Get*", Resource: "*"}}]}}
        tags: {{owner: platform}}
      - name: Boundary
        document: {{Version: "2012-10-17", Statement: [{{Effect: Allow, Action: "s3:*", Resource: "*"}}]}}
    groups:
      - name: devs
        inline_policies:
          DevS3: {{Version: "2012-10-17", Statement: [{{Effect: Allow, Action: "s3:List*", Resource: "*"}}]}}
        managed_policies: [ReadLogs, arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess]
    users:
      - name: alice
        path: /people/
        tags: {{team: blue, Project: apollo}}
        groups: [devs]
        inline_policies:
          Own: {{Version: "2012-10-17", Statement: [{{Effect: Allow, Action: "s3:GetObject", Resource: "*"}}]}}
        managed_policies: ["arn:aws:iam::{PROD}:policy/team/ReadLogs"]
        permissions_boundary: Boundary
    roles:
      - name: app
        path: /apps/
        tags: {{team: red}}
        trust_policy:
          Version: "2012-10-17"
          Statement: [{{Effect: Allow, Principal: {{AWS: "arn:aws:iam::{MGMT}:root"}}, Action: "sts:AssumeRole"}}]
        inline_policies:
          AppInline: {{Version: "2012-10-17", Statement: [{{Effect: Allow, Action: "sqs:*", Resource: "*"}}]}}
        managed_policies: [ReadLogs]
        permissions_boundary: arn:aws:iam::{PROD}:policy/Boundary
      - name: AWSServiceRoleForSupport
        path: /aws-service-role/support.amazonaws.com/
        managed_policies: [arn:aws:iam::aws:policy/AdministratorAccess]
      - name: flagged-slr
        service_linked: true
    resources:
      - arn: arn:aws:s3:::prod-bucket
        tags: {{data: public}}
        policy:
          Version: "2012-10-17"
          Statement: [{{Effect: Allow, Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::prod-bucket/*"}}]
      - arn: arn:aws:sqs:us-east-1:{PROD}:jobs
        tags: {{tier: gold}}
  - id: "{DATA}"
    resources:
      - arn: arn:aws:s3:::data-lake
        policy: '{{"Version": "2012-10-17", "Statement": [{{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
          "Resource": "*", "Condition": {{"Bool": {{"aws:SecureTransport": "false"}}}}}}]}}'
"""

ALICE = f"arn:aws:iam::{PROD}:user/people/alice"
APP = f"arn:aws:iam::{PROD}:role/apps/app"
APP_SESSION = f"arn:aws:sts::{PROD}:assumed-role/app/session-1"
SCP = "arn:aws:organizations::100000000000:policy/o-exampleorg1/service_control_policy/"
RCP = "arn:aws:organizations::100000000000:policy/o-exampleorg1/resource_control_policy/"
FULL = "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess"
RCP_FULL = "arn:aws:organizations::aws:policy/resource_control_policy/p-RCPFullAWSAccess"


@pytest.fixture(scope="module")
def world() -> WorldFile:
    return load_world_text(WORLD)


def _ids(entries: list[dict[str, Any]] | None) -> list[str]:
    assert entries is not None
    return [entry["id"] for entry in entries]


# --- loading -------------------------------------------------------------------------------------


def test_loads_yaml_from_a_path_and_from_text(tmp_path: Path) -> None:
    path = tmp_path / "world.yaml"
    path.write_text(WORLD, encoding="utf-8")
    from_path = load_world(path)
    from_str_path = load_world(str(path))
    assert set(from_path.world.accounts) == {MGMT, PROD, DATA}
    assert from_str_path.world.accounts.keys() == from_path.world.accounts.keys()
    assert load_world(WORLD).world.organization is not None


def test_loads_json_and_a_mapping() -> None:
    data = yaml.safe_load(WORLD)
    from_json = load_world(json.dumps(data, indent=2))
    from_mapping = load_world(data)
    for loaded in (from_json, from_mapping):
        assert loaded.simulation_input(ALICE, "s3:GetObject", None) == load_world_text(WORLD).simulation_input(
            ALICE, "s3:GetObject", None
        )


def test_ids_are_derived_when_absent() -> None:
    loaded = load_world_text(f'organization: {{management_account: "{MGMT}"}}\naccounts: []\n')
    org = loaded.world.organization
    assert org is not None
    assert org.id.startswith("o-") and len(org.id) == 12
    assert org.root.id.startswith("r-") and len(org.root.id) == 6
    assert MGMT in org.placements


# --- validation errors ---------------------------------------------------------------------------

ACCOUNT = '  - id: "111122223333"\n'
ERRORS: list[tuple[WorldErrorCode, str, str]] = [
    (WorldErrorCode.SYNTAX, "accounts: [\n", ""),
    (WorldErrorCode.DUPLICATE_KEY, "accounts: []\naccounts: []\n", "accounts"),
    (WorldErrorCode.UNKNOWN_KEY, "accounts: []\nacounts: []\n", "acounts"),
    (
        WorldErrorCode.UNKNOWN_KEY,
        f"accounts:\n{ACCOUNT}    roles:\n      - name: r\n        trust: {{}}\n",
        "accounts[0].roles[0].trust",
    ),
    (WorldErrorCode.MISSING_KEY, "accounts:\n  - name: x\n", "accounts[0]"),
    (WorldErrorCode.MISSING_KEY, "{}\n", ""),
    (WorldErrorCode.WRONG_TYPE, "accounts: {}\n", "accounts"),
    (
        WorldErrorCode.WRONG_TYPE,
        f"accounts:\n{ACCOUNT}    users:\n      - name: u\n        tags: {{admin: true}}\n",
        "accounts[0].users[0].tags.admin",
    ),
    (
        WorldErrorCode.WRONG_TYPE,
        f"accounts:\n{ACCOUNT}    roles:\n      - name: r\n        trust_policy: 3\n",
        "accounts[0].roles[0].trust_policy",
    ),
    (
        WorldErrorCode.WRONG_TYPE,
        f"accounts:\n{ACCOUNT}    roles:\n      - name: r\n        service_linked: yes please\n",
        "accounts[0].roles[0].service_linked",
    ),
    (
        WorldErrorCode.INVALID_VALUE,
        f"accounts:\n{ACCOUNT}    users:\n      - name: u\n        path: people\n",
        "accounts[0].users[0].path",
    ),
    (
        WorldErrorCode.INVALID_VALUE,
        f"accounts:\n{ACCOUNT}    users:\n      - name: 'no spaces'\n",
        "accounts[0].users[0].name",
    ),
    (
        WorldErrorCode.INVALID_VALUE,
        f"accounts:\n{ACCOUNT}    roles:\n      - name: r\n        max_session_duration: 60\n",
        "accounts[0].roles[0].max_session_duration",
    ),
    (
        WorldErrorCode.INVALID_VALUE,
        f"accounts:\n{ACCOUNT}    resources:\n      - arn: bucket\n",
        "accounts[0].resources[0].arn",
    ),
    (
        WorldErrorCode.INVALID_VALUE,
        f"accounts:\n{ACCOUNT}    resources:\n      - arn: arn:aws:sqs:us-east-1:999999999999:q\n",
        "accounts[0].resources[0].arn",
    ),
    (
        WorldErrorCode.INVALID_VALUE,
        'organization:\n  management_account: "100000000000"\n  policies: {P: {type: tag, document: {}}}\n',
        "organization.policies.P.type",
    ),
    (WorldErrorCode.INVALID_ACCOUNT_ID, "accounts:\n  - id: '12345'\n", "accounts[0].id"),
    (
        WorldErrorCode.INVALID_ACCOUNT_ID,
        "organization:\n  management_account: abc\n",
        "organization.management_account",
    ),
    (WorldErrorCode.DUPLICATE_ACCOUNT, f"accounts:\n{ACCOUNT}{ACCOUNT}", "accounts[1].id"),
    (
        WorldErrorCode.DUPLICATE_NAME,
        f"accounts:\n{ACCOUNT}    users: [{{name: bob}}, {{name: Bob}}]\n",
        "accounts[0].users[1].name",
    ),
    (
        WorldErrorCode.DUPLICATE_RESOURCE,
        f"accounts:\n{ACCOUNT}    resources: [{{arn: 'arn:aws:s3:::b'}}, {{arn: 'arn:aws:s3:::b'}}]\n",
        "accounts[0].resources[1]",
    ),
    (
        WorldErrorCode.ACCOUNT_LISTED_TWICE,
        'organization:\n  management_account: "100000000000"\n  root:\n    accounts: ["111122223333"]\n'
        '    ous: [{name: A, accounts: ["111122223333"]}]\n',
        "organization.root.ous[0].accounts[0]",
    ),
    (
        WorldErrorCode.UNKNOWN_GROUP,
        f"accounts:\n{ACCOUNT}    users: [{{name: u, groups: [admins]}}]\n",
        "accounts[0].users[0].groups[0]",
    ),
    (
        WorldErrorCode.UNKNOWN_POLICY,
        f"accounts:\n{ACCOUNT}    users: [{{name: u, managed_policies: [Nope]}}]\n",
        "accounts[0].users[0].managed_policies[0]",
    ),
    (
        WorldErrorCode.UNKNOWN_POLICY,
        f"accounts:\n{ACCOUNT}    roles: [{{name: r, permissions_boundary: 'arn:aws:iam::111122223333:policy/B'}}]\n",
        "accounts[0].roles[0].permissions_boundary",
    ),
    (
        WorldErrorCode.UNKNOWN_POLICY,
        'organization:\n  management_account: "100000000000"\n  root: {scps: [Missing]}\n',
        "organization.root.scps[0]",
    ),
    (
        WorldErrorCode.UNKNOWN_AWS_MANAGED_POLICY,
        f"accounts:\n{ACCOUNT}    roles: [{{name: r, managed_policies: ['arn:aws:iam::aws:policy/NoSuchPolicy']}}]\n",
        "accounts[0].roles[0].managed_policies[0]",
    ),
    (
        WorldErrorCode.INVALID_VALUE,
        f"accounts:\n{ACCOUNT}    resources:\n      - arn: arn:aws:lambda:us-east-1:111122223333:function:f\n"
        "        runs_as: arn:aws:iam::111122223333:user/u\n",
        "accounts[0].resources[0].runs_as",
    ),
    (
        WorldErrorCode.UNKNOWN_INSTANCE_PROFILE,
        f"accounts:\n{ACCOUNT}    resources:\n      - arn: arn:aws:ec2:us-east-1:111122223333:instance/i-1\n"
        "        runs_as: arn:aws:iam::111122223333:instance-profile/missing\n",
        "accounts[0].resources[0].runs_as",
    ),
    (
        WorldErrorCode.POLICY_TYPE_MISMATCH,
        'organization:\n  management_account: "100000000000"\n  root: {rcps: [FullAWSAccess]}\n',
        "organization.root.rcps[0]",
    ),
    (
        WorldErrorCode.INVALID_POLICY_DOCUMENT,
        f"accounts:\n{ACCOUNT}    roles:\n      - name: r\n        trust_policy:\n          Version: '2012-10-17'\n"
        "          Statement:\n            - {Effect: Maybe, Principal: '*', Action: 'sts:AssumeRole'}\n",
        "accounts[0].roles[0].trust_policy.Statement[0].Effect",
    ),
    (
        WorldErrorCode.INVALID_POLICY_DOCUMENT,
        f"accounts:\n{ACCOUNT}    policies: [{{name: P, document: '{{\"Statement\": '}}]\n",
        "accounts[0].policies[0].document",
    ),
]


@pytest.mark.parametrize(("code", "text", "path"), ERRORS, ids=[f"{c.name}-{i}" for i, (c, _, _) in enumerate(ERRORS)])
def test_validation_errors_have_a_code_and_a_path(code: WorldErrorCode, text: str, path: str) -> None:
    with pytest.raises(WorldFileError) as caught:
        load_world_text(text)
    assert caught.value.code == code.value
    location = caught.value.location
    assert location is not None
    assert location.path == path


def test_errors_carry_yaml_line_numbers() -> None:
    text = f"accounts:\n{ACCOUNT}    roles:\n      - name: r\n        trust: {{}}\n"
    with pytest.raises(WorldFileError) as caught:
        load_world_text(text)
    assert caught.value.location is not None
    assert (caught.value.location.line, caught.value.location.column) == (5, 9)


def test_a_bad_policy_document_keeps_the_parser_code() -> None:
    text = ERRORS[-2][1]
    with pytest.raises(WorldFileError) as caught:
        load_world_text(text)
    assert caught.value.cause_code is not None
    assert caught.value.cause_code != caught.value.code
    assert caught.value.to_dict()["cause_code"] == caught.value.cause_code


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(WorldFileError) as caught:
        load_world(tmp_path / "absent.yaml")
    assert caught.value.code == WorldErrorCode.FILE_NOT_FOUND.value


def test_a_yaml_date_in_a_policy_must_be_quoted() -> None:
    text = (
        f"accounts:\n{ACCOUNT}    policies:\n      - name: P\n        document:\n"
        "          Statement: [{Effect: Allow, Action: '*', Resource: '*',\n"
        "                       Condition: {DateLessThan: {aws:CurrentTime: 2030-01-01}}}]\n"
    )
    with pytest.raises(WorldFileError) as caught:
        load_world_text(text)
    assert caught.value.code == WorldErrorCode.WRONG_TYPE.value


REQUEST_ERRORS = [
    (WorldErrorCode.INVALID_PRINCIPAL, "not-a-principal", {}),
    (WorldErrorCode.UNKNOWN_PRINCIPAL, f"arn:aws:iam::{PROD}:user/nobody", {}),
    (WorldErrorCode.UNKNOWN_PRINCIPAL, f"arn:aws:iam::{PROD}:user/alice", {}),  # wrong path
    (WorldErrorCode.UNKNOWN_PRINCIPAL, f"arn:aws:iam::{PROD}:role/app", {}),  # wrong path
    (WorldErrorCode.UNKNOWN_PRINCIPAL, "arn:aws:iam::999999999999:user/x", {}),
    (WorldErrorCode.UNSUPPORTED_PRINCIPAL, f"arn:aws:sts::{PROD}:federated-user/bob", {}),
    (WorldErrorCode.INVALID_CONTEXT, ALICE, {"aws:SourceIp": 3}),
    (WorldErrorCode.INVALID_CONTEXT, ALICE, {"aws:PrincipalTag/team": ["a", "b"]}),
]


@pytest.mark.parametrize(("code", "principal", "context"), REQUEST_ERRORS)
def test_request_errors(world: WorldFile, code: WorldErrorCode, principal: str, context: dict[str, Any]) -> None:
    with pytest.raises(WorldFileError) as caught:
        world.simulation_input(principal, "s3:GetObject", None, context)
    assert caught.value.code == code.value


# Codes raised by the export-format readers and the stored world, tested with them.
_ELSEWHERE = {
    WorldErrorCode.EXPIRED_SESSION,
    WorldErrorCode.ACCOUNT_ID_MISMATCH,
    WorldErrorCode.TRUNCATED_EXPORT,
    WorldErrorCode.UNKNOWN_TARGET,
    WorldErrorCode.UNKNOWN_ROLE,
}


def test_every_error_code_is_exercised() -> None:
    used = {code for code, _, _ in ERRORS} | {code for code, _, _ in REQUEST_ERRORS}
    used |= {WorldErrorCode.FILE_NOT_FOUND, WorldErrorCode.SYNTAX}
    assert used == set(WorldErrorCode) - _ELSEWHERE


# --- the simulation input ------------------------------------------------------------------------


def test_user_gets_own_and_group_policies_in_order(world: WorldFile) -> None:
    data = world.simulation_input(ALICE, "s3:GetObject", "arn:aws:s3:::prod-bucket/a.txt")
    assert _ids(data["identity_policies"]) == [
        f"{ALICE}#Own",
        f"arn:aws:iam::{PROD}:policy/team/ReadLogs",
        f"arn:aws:iam::{PROD}:group/devs#DevS3",
        "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
    ]
    assert data["permissions_boundary"]["id"] == f"arn:aws:iam::{PROD}:policy/Boundary"
    assert data["session_policies"] is None
    assert data["vpc_endpoint_policies"] is None
    assert data["request"]["principal_tags"] == {"team": "blue", "Project": "apollo"}
    json.dumps(data)  # the input is plain JSON data


def test_aws_managed_documents_are_the_published_ones(world: WorldFile) -> None:
    data = world.simulation_input(ALICE, "s3:GetObject", None)
    readonly = data["identity_policies"][-1]["document"]
    assert readonly["Statement"][0]["Action"][:2] == ["s3:Get*", "s3:List*"]


def test_role_and_session_get_the_role_policies(world: WorldFile) -> None:
    for principal in (APP, APP_SESSION):
        data = world.simulation_input(principal, "sqs:SendMessage", f"arn:aws:sqs:us-east-1:{PROD}:jobs")
        assert _ids(data["identity_policies"]) == [f"{APP}#AppInline", f"arn:aws:iam::{PROD}:policy/team/ReadLogs"]
        assert data["permissions_boundary"]["id"] == f"arn:aws:iam::{PROD}:policy/Boundary"
        assert data["request"]["principal_tags"] == {"team": "red"}
        assert data["request"]["resource_tags"] == {"tier": "gold"}
        assert data["principal_is_service_linked_role"] is False


def test_a_session_carries_the_role_path_in_principal_arn(world: WorldFile) -> None:
    session = world.simulation_input(APP_SESSION, "sqs:SendMessage", None)
    assert session["request"]["context"]["aws:PrincipalArn"] == APP
    role = world.simulation_input(APP, "sqs:SendMessage", None)
    assert "aws:PrincipalArn" not in role["request"]["context"]


def test_session_tags_and_context_tags_override_role_tags(world: WorldFile) -> None:
    data = world.simulation_input(APP_SESSION, "sqs:SendMessage", None, session_tags={"TEAM": "green"})
    assert data["request"]["principal_tags"] == {"TEAM": "green"}
    data = world.simulation_input(
        APP_SESSION,
        "sqs:SendMessage",
        f"arn:aws:sqs:us-east-1:{PROD}:jobs",
        {"aws:PrincipalTag/Team": "gold", "aws:ResourceTag/tier": "silver", "aws:SourceIp": "10.0.0.1"},
    )
    assert data["request"]["principal_tags"] == {"Team": "gold"}
    assert data["request"]["resource_tags"] == {"tier": "silver"}
    assert data["request"]["context"]["aws:SourceIp"] == "10.0.0.1"
    assert not any(key.lower().startswith("aws:principaltag/") for key in data["request"]["context"])


def test_session_tags_need_a_session(world: WorldFile) -> None:
    with pytest.raises(WorldFileError) as caught:
        world.simulation_input(ALICE, "s3:GetObject", None, session_tags={"a": "b"})
    assert caught.value.code == WorldErrorCode.INVALID_CONTEXT.value


def test_service_linked_roles_are_flagged_by_path_or_flag(world: WorldFile) -> None:
    by_path = world.simulation_input(
        f"arn:aws:iam::{PROD}:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport",
        "s3:ListBucket",
        None,
    )
    by_flag = world.simulation_input(f"arn:aws:sts::{PROD}:assumed-role/flagged-slr/x", "s3:ListBucket", None)
    assert by_path["principal_is_service_linked_role"] is True
    assert by_flag["principal_is_service_linked_role"] is True


def test_scp_chain_runs_root_to_account(world: WorldFile) -> None:
    scps = world.simulation_input(ALICE, "s3:GetObject", None)["scps"]
    assert [_ids(level) for level in scps] == [
        [FULL, SCP + "p-denyleaveorg"],  # root
        [FULL],  # Workloads: no scps listed, so AWS's default
        [SCP + "p-onlys3"],  # Prod
        [FULL],  # the account itself
    ]


def test_org_context_keys_are_derived(world: WorldFile) -> None:
    context = world.simulation_input(ALICE, "s3:GetObject", "arn:aws:s3:::data-lake/x")["request"]["context"]
    assert context["aws:PrincipalOrgID"] == "o-exampleorg1"
    assert context["aws:PrincipalOrgPaths"] == ["o-exampleorg1/r-ex12/ou-ex12-11111111/ou-ex12-22222222/"]
    assert context["aws:ResourceOrgID"] == "o-exampleorg1"
    assert context["aws:ResourceOrgPaths"] == ["o-exampleorg1/r-ex12/ou-ex12-33333333/"]


def test_given_org_context_keys_win(world: WorldFile) -> None:
    context = world.simulation_input(ALICE, "s3:GetObject", None, {"aws:principalorgid": "o-other00000"})
    assert context["request"]["context"] == {
        "aws:principalorgid": "o-other00000",
        "aws:PrincipalOrgPaths": ["o-exampleorg1/r-ex12/ou-ex12-11111111/ou-ex12-22222222/"],
    }


def test_rcp_chain_is_the_resource_accounts(world: WorldFile) -> None:
    data = world.simulation_input(ALICE, "s3:PutBucketPolicy", "arn:aws:s3:::data-lake")
    assert data["request"]["resource_account"] == DATA
    assert [_ids(level) for level in data["rcps"]] == [
        [RCP_FULL],  # root
        [RCP_FULL, RCP + "p-denypublicshare"],  # Data OU
        [RCP_FULL],  # the account
    ]
    # The bucket policy was JSON text in the file; it is passed on as written.
    assert data["resource_policy"]["id"] == "arn:aws:s3:::data-lake"
    assert isinstance(data["resource_policy"]["document"], str)


def test_no_rcps_for_a_resource_outside_the_organization(world: WorldFile) -> None:
    data = world.simulation_input(ALICE, "s3:GetObject", "arn:aws:s3:::someone-elses-bucket/x")
    assert data["rcps"] is None
    assert "resource_account" not in data["request"]
    assert "aws:ResourceOrgID" not in data["request"]["context"]


def test_management_account_flags(world: WorldFile) -> None:
    admin = world.simulation_input(
        f"arn:aws:iam::{MGMT}:user/admin", "s3:GetObject", f"arn:aws:sqs:us-east-1:{PROD}:jobs"
    )
    assert admin["principal_in_management_account"] is True
    assert admin["resource_in_management_account"] is False
    assert [_ids(level) for level in admin["scps"]] == [[FULL, SCP + "p-denyleaveorg"], [FULL]]
    member = world.simulation_input(ALICE, "sqs:GetQueueUrl", f"arn:aws:sqs:us-east-1:{MGMT}:q")
    assert member["principal_in_management_account"] is False
    assert member["resource_in_management_account"] is True


def test_resource_policy_exact_and_by_bucket(world: WorldFile) -> None:
    bucket = world.simulation_input(ALICE, "s3:ListBucket", "arn:aws:s3:::prod-bucket")
    obj = world.simulation_input(ALICE, "s3:GetObject", "arn:aws:s3:::prod-bucket/reports/q1.csv")
    assert bucket["resource_policy"]["id"] == obj["resource_policy"]["id"] == "arn:aws:s3:::prod-bucket"
    assert bucket["request"]["resource_tags"] == {"data": "public"}
    assert obj["request"]["resource_tags"] == {}  # object tags are not the bucket's
    assert obj["request"]["resource_account"] == PROD


def test_trust_policy_is_the_resource_policy_of_assume_role_only(world: WorldFile) -> None:
    admin = f"arn:aws:iam::{MGMT}:user/admin"
    assume = world.simulation_input(admin, "sts:AssumeRole", APP)
    assert assume["resource_policy"]["id"] == APP
    assert assume["resource_policy"]["document"]["Statement"][0]["Action"] == "sts:AssumeRole"
    tag = world.simulation_input(admin, "sts:TagSession", APP)
    assert tag["resource_policy"] is not None
    passrole = world.simulation_input(ALICE, "iam:PassRole", APP)
    assert passrole["resource_policy"] is None
    assert passrole["request"]["resource_tags"] == {"team": "red"}
    assert passrole["request"]["resource_account"] == PROD


def test_iam_entities_as_resources_have_their_tags(world: WorldFile) -> None:
    user = world.simulation_input(ALICE, "iam:TagUser", ALICE)
    policy = world.simulation_input(ALICE, "iam:GetPolicy", f"arn:aws:iam::{PROD}:policy/team/ReadLogs")
    assert user["request"]["resource_tags"] == {"team": "blue", "Project": "apollo"}
    assert policy["request"]["resource_tags"] == {"owner": "platform"}


def test_resource_account_from_the_arn_when_unknown(world: WorldFile) -> None:
    data = world.simulation_input(ALICE, "sqs:SendMessage", "arn:aws:sqs:us-east-1:999999999999:other")
    assert data["request"]["resource_account"] == "999999999999"


def test_service_principal_and_anonymous_have_no_identity_side(world: WorldFile) -> None:
    for principal in ("lambda.amazonaws.com", "*"):
        data = world.simulation_input(principal, "s3:GetObject", "arn:aws:s3:::prod-bucket/x")
        assert data["identity_policies"] == []
        assert data["scps"] is None
        assert "aws:PrincipalOrgID" not in data["request"]["context"]
        assert data["resource_policy"] is not None


def test_root_user_has_scps_but_no_policies(world: WorldFile) -> None:
    data = world.simulation_input(f"arn:aws:iam::{PROD}:root", "s3:GetObject", None)
    assert data["identity_policies"] == []
    assert data["scps"] is not None and len(data["scps"]) == 4


def test_no_organization_means_no_scps_or_rcps() -> None:
    loaded = load_world_text(
        f"accounts:\n{ACCOUNT}    users: [{{name: u, managed_policies: ['arn:aws:iam::aws:policy/IAMFullAccess']}}]\n"
    )
    data = loaded.simulation_input(f"arn:aws:iam::{SAAS}:user/u", "iam:ListUsers", None)
    assert data["scps"] is None and data["rcps"] is None
    assert data["principal_in_management_account"] is False
    assert data["request"]["context"] == {}


def test_a_policy_attached_twice_counts_once() -> None:
    loaded = load_world_text(
        f"accounts:\n{ACCOUNT}"
        "    groups: [{name: g, managed_policies: ['arn:aws:iam::aws:policy/PowerUserAccess']}]\n"
        "    users: [{name: u, groups: [g], managed_policies: ['arn:aws:iam::aws:policy/PowerUserAccess']}]\n"
    )
    data = loaded.simulation_input(f"arn:aws:iam::{SAAS}:user/u", "iam:ListRoles", None)
    assert _ids(data["identity_policies"]) == ["arn:aws:iam::aws:policy/PowerUserAccess"]


def test_json_problems_have_paths_and_lines() -> None:
    with pytest.raises(WorldFileError) as caught:
        load_world_text('{\n  "accounts": [],\n  "accounts": []\n}')
    assert caught.value.code == WorldErrorCode.DUPLICATE_KEY.value
    assert caught.value.location is not None and caught.value.location.line == 3
    with pytest.raises(WorldFileError) as caught:
        load_world_text('{"accounts": [\n  {"id": "111122223333", "userz": []}]}')
    assert caught.value.code == WorldErrorCode.UNKNOWN_KEY.value
    assert caught.value.location is not None
    assert (caught.value.location.path, caught.value.location.line) == ("accounts[0].userz", 2)
    with pytest.raises(WorldFileError) as caught:
        load_world_text('{"accounts": [}')
    assert caught.value.code == WorldErrorCode.SYNTAX.value


def test_a_policy_problem_points_at_its_line_in_the_file() -> None:
    text = (
        f"accounts:\n{ACCOUNT}    roles:\n      - name: r\n        trust_policy:\n"
        "          Version: '2012-10-17'\n          Statement:\n            - Effect: Allow\n"
        "              Principal: '*'\n              Action: sts:AssumeRole\n"
        "              Condition: {StringEqual: {aws:SourceIp: x}}\n"
    )
    with pytest.raises(WorldFileError) as caught:
        load_world_text(text)
    location = caught.value.location
    assert location is not None
    assert location.path == "accounts[0].roles[0].trust_policy.Statement[0].Condition.StringEqual"
    assert location.line == 11

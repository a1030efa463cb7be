"""boto3's `organizations` client against `iamtwin serve`: scenario 07 built over the wire, then decided.

AWS behaviour: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
(FullAWSAccess on the root, every OU and every account; an allow-list replaces it on an OU),
https://docs.aws.amazon.com/organizations/latest/APIReference/API_DetachPolicy.html (a target keeps
at least one SCP: ConstraintViolationException, MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED),
https://docs.aws.amazon.com/organizations/latest/APIReference/API_AttachPolicy.html
(DuplicatePolicyAttachmentException), https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListRoots.html
(only the management account may call it: AccessDeniedException) and
https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateAccount.html
(OrganizationAccountAccessRole in the new account).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError
from tests.conftest import example_path

from iamtwin.evaluate.decision import PolicyType
from iamtwin.world.worldfile import load_world

from .conftest import RunningServer

ADMIN_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"


def _trust(account: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "sts:AssumeRole"}
            ],
        }
    )


@dataclass
class Scenario07:
    """Ids of the organization built over the wire."""

    client: Any
    root: str
    ous: dict[str, str]
    accounts: dict[str, str]
    policies: dict[str, str]


def _error(caught: pytest.ExceptionInfo[ClientError]) -> dict[str, Any]:
    error: dict[str, Any] = caught.value.response["Error"]
    return error


@pytest.fixture
def org(server: RunningServer) -> Scenario07:
    """Scenario 07's organization, made with CreateOrganization, CreateAccount, MoveAccount, AttachPolicy, …"""
    client = server.client("organizations")
    client.create_organization(FeatureSet="ALL")
    root = client.list_roots()["Roots"][0]["Id"]
    ou_ids: dict[str, str] = {}
    for name, parent in (
        ("Workloads", None),
        ("Prod", "Workloads"),
        ("SDLC", "Workloads"),
        ("Sandbox", None),
        ("Security", None),
    ):
        made = client.create_organizational_unit(ParentId=ou_ids[parent] if parent else root, Name=name)
        ou_ids[name] = made["OrganizationalUnit"]["Id"]
    accounts: dict[str, str] = {}
    for ou in ("Prod", "SDLC", "Sandbox"):
        status = client.create_account(Email=f"{ou.lower()}@example.com", AccountName=ou.lower())["CreateAccountStatus"]
        assert status["State"] == "SUCCEEDED"
        accounts[ou] = status["AccountId"]
        client.move_account(AccountId=accounts[ou], SourceParentId=root, DestinationParentId=ou_ids[ou])
    model = load_world(example_path("scenario07-org-guardrails.yaml")).world.organization
    assert model is not None
    policies = {
        name: client.create_policy(
            Content=json.dumps(policy.document), Description=name, Name=name, Type="SERVICE_CONTROL_POLICY"
        )["Policy"]["PolicySummary"]["Id"]
        for name, policy in model.policies.items()
    }
    client.attach_policy(PolicyId=policies["DenyOtherRegions"], TargetId=ou_ids["Workloads"])
    client.attach_policy(PolicyId=policies["DenyStorageGateway"], TargetId=ou_ids["Sandbox"])
    client.attach_policy(PolicyId=policies["ProdAllowList"], TargetId=ou_ids["Prod"])
    client.detach_policy(PolicyId="p-FullAWSAccess", TargetId=ou_ids["Prod"])
    with server.world.changes() as iam:
        for ou, role in (("Prod", "app-admin"), ("Sandbox", "sandbox-dev")):
            iam.create_role(accounts[ou], role, _trust(accounts[ou]))
            iam.attach_policy("role", accounts[ou], role, ADMIN_ACCESS)
    return Scenario07(client, root, ou_ids, accounts, policies)


def test_the_tree_reads_back_as_built(org: Scenario07) -> None:
    """Roots, OUs, accounts and attachments read back through the List and Describe calls."""
    client = org.client
    described = client.describe_organization()["Organization"]
    assert described["FeatureSet"] == "ALL" and described["MasterAccountId"] == "123456789012"
    root = client.list_roots()["Roots"][0]
    assert root["PolicyTypes"] == [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}]
    units = client.list_organizational_units_for_parent(ParentId=org.ous["Workloads"])["OrganizationalUnits"]
    assert sorted(u["Name"] for u in units) == ["Prod", "SDLC"]
    prod = client.describe_organizational_unit(OrganizationalUnitId=org.ous["Prod"])["OrganizationalUnit"]
    assert prod["Path"] == f"{described['Id']}/{org.root}/{org.ous['Workloads']}/{org.ous['Prod']}/"
    assert prod["Arn"] == f"arn:aws:organizations::123456789012:ou/{described['Id']}/{org.ous['Prod']}"
    in_prod = client.list_accounts_for_parent(ParentId=org.ous["Prod"])["Accounts"]
    assert [a["Id"] for a in in_prod] == [org.accounts["Prod"]]
    all_ids = {
        a["Id"]
        for page in client.get_paginator("list_accounts").paginate(PaginationConfig={"PageSize": 2})
        for a in page["Accounts"]
    }
    assert all_ids == {"123456789012", *org.accounts.values()}
    on_prod = client.list_policies_for_target(TargetId=org.ous["Prod"], Filter="SERVICE_CONTROL_POLICY")["Policies"]
    assert [p["Name"] for p in on_prod] == ["ProdAllowList"]
    targets = client.list_targets_for_policy(PolicyId=org.policies["DenyOtherRegions"])["Targets"]
    assert targets == [
        {
            "TargetId": org.ous["Workloads"],
            "Arn": f"arn:aws:organizations::123456789012:ou/{described['Id']}/{org.ous['Workloads']}",
            "Name": "Workloads",
            "Type": "ORGANIZATIONAL_UNIT",
        }
    ]
    names = {p["Name"] for p in client.list_policies(Filter="SERVICE_CONTROL_POLICY")["Policies"]}
    assert names == {"FullAWSAccess", "DenyOtherRegions", "DenyStorageGateway", "ProdAllowList"}


def test_scenario_07_expected_1_3_4(server: RunningServer, org: Scenario07) -> None:
    """07 expected 1 (DenyOtherRegions denies), 3 (no allow at the Prod level), 4 (storage gateway denied)."""
    prod, sandbox = org.accounts["Prod"], org.accounts["Sandbox"]
    world = server.world
    first = world.authorize(
        f"arn:aws:iam::{prod}:role/app-admin",
        "ec2:RunInstances",
        f"arn:aws:ec2:ap-south-1:{prod}:instance/i-0abc123",
        {"aws:RequestedRegion": "ap-south-1"},
    )
    assert first.outcome.value == "ExplicitDeny"
    assert any("DenyOtherRegions" in p or org.policies["DenyOtherRegions"] in p for p in first.blocking_policies)
    third = world.authorize(
        f"arn:aws:iam::{prod}:role/app-admin",
        "dynamodb:PutItem",
        f"arn:aws:dynamodb:us-east-1:{prod}:table/orders",
        {"aws:RequestedRegion": "us-east-1"},
    )
    assert third.outcome.value == "ImplicitDeny"
    assert third.blocked_by == (PolicyType.SCP,)
    # Root, Workloads, Prod, the account: the Prod level (its allow-list) is the one with no allow.
    silent = [level for level in third.analyses[PolicyType.SCP].levels if not level.allows]
    assert [level.level for level in silent] == [2]
    assert any(org.policies["ProdAllowList"] in pid or "ProdAllowList" in pid for pid in silent[0].policy_ids)
    fourth = world.authorize(
        f"arn:aws:iam::{sandbox}:role/sandbox-dev",
        "storagegateway:ListGateways",
        None,
        {"aws:RequestedRegion": "us-east-1"},
    )
    assert fourth.outcome.value == "ExplicitDeny"
    # The same request in us-east-1 from Prod stays within the allow-list: EC2 is allowed there.
    allowed = world.authorize(
        f"arn:aws:iam::{prod}:role/app-admin",
        "ec2:RunInstances",
        f"arn:aws:ec2:us-east-1:{prod}:instance/i-0abc123",
        {"aws:RequestedRegion": "us-east-1"},
    )
    assert allowed.allowed


def test_attachment_errors(org: Scenario07) -> None:
    """A second attachment, detaching a target's last SCP, and an unknown parent are refused as AWS refuses them."""
    client = org.client
    with pytest.raises(ClientError) as caught:
        client.attach_policy(PolicyId="p-FullAWSAccess", TargetId=org.ous["SDLC"])
    assert _error(caught)["Code"] == "DuplicatePolicyAttachmentException"
    with pytest.raises(ClientError) as caught:
        client.detach_policy(PolicyId="p-FullAWSAccess", TargetId=org.accounts["SDLC"])
    assert _error(caught)["Code"] == "ConstraintViolationException"
    assert caught.value.response["Reason"] == "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"
    with pytest.raises(ClientError) as caught:
        client.create_organizational_unit(ParentId="ou-abcd-zzzzzzzz", Name="Lost")
    assert _error(caught)["Code"] == "ParentNotFoundException"
    with pytest.raises(ClientError) as caught:
        client.create_organizational_unit(ParentId="nowhere", Name="Lost")
    assert _error(caught)["Code"] == "InvalidInputException"
    with pytest.raises(ClientError) as caught:
        client.move_account(AccountId=org.accounts["Prod"], SourceParentId=org.root, DestinationParentId=org.root)
    assert _error(caught)["Code"] == "AccountNotFoundException"


def test_only_the_management_account_may_call(server: RunningServer, org: Scenario07) -> None:
    """A member's administrator may describe the organization but not change it; an outsider is not in it."""
    # SDLC keeps FullAWSAccess: its administrator may call Organizations as far as SCPs go.
    prod = org.accounts["SDLC"]
    with server.world.changes() as iam:
        iam.create_user(prod, "ops")
        iam.attach_policy("user", prod, "ops", ADMIN_ACCESS)
        key, secret = iam.create_access_key(prod, "ops", created_at=server.world.clock.now())
        iam.create_account("300000000001", "outside")
        iam.create_user("300000000001", "stranger")
        iam.attach_policy("user", "300000000001", "stranger", ADMIN_ACCESS)
        outside_key, outside_secret = iam.create_access_key(
            "300000000001", "stranger", created_at=server.world.clock.now()
        )
        iam.create_user("123456789012", "intern")
        intern_key, intern_secret = iam.create_access_key("123456789012", "intern", created_at=server.world.clock.now())
    member = server.client("organizations", key=key, secret=secret)
    assert member.describe_organization()["Organization"]["MasterAccountId"] == "123456789012"
    with pytest.raises(ClientError) as caught:
        member.create_organizational_unit(ParentId=org.root, Name="Rogue")
    assert _error(caught)["Code"] == "AccessDeniedException"
    with pytest.raises(ClientError) as caught:
        server.client("organizations", key=outside_key, secret=outside_secret).list_roots()
    assert _error(caught)["Code"] == "AWSOrganizationsNotInUseException"
    with pytest.raises(ClientError) as caught:
        server.client("organizations", key=intern_key, secret=intern_secret).list_roots()
    assert _error(caught)["Code"] == "AccessDeniedException"
    assert "organizations:ListRoots" in _error(caught)["Message"]
    # The engine's denial carries an authorization id for GetRequestAuthorizationDetails, as in IAM.
    assert (
        "call the GetRequestAuthorizationDetails API with the following authorization id" in _error(caught)["Message"]
    )


def test_ous_and_policies_change_and_go(org: Scenario07) -> None:
    """DeleteOrganizationalUnit needs an empty OU; UpdatePolicy renames; DeletePolicy needs no attachment."""
    client = org.client
    with pytest.raises(ClientError) as caught:
        client.delete_organizational_unit(OrganizationalUnitId=org.ous["Sandbox"])
    assert _error(caught)["Code"] == "OrganizationalUnitNotEmptyException"
    client.delete_organizational_unit(OrganizationalUnitId=org.ous["Security"])
    with pytest.raises(ClientError) as caught:
        client.describe_organizational_unit(OrganizationalUnitId=org.ous["Security"])
    assert _error(caught)["Code"] == "OrganizationalUnitNotFoundException"
    gateway = org.policies["DenyStorageGateway"]
    updated = client.update_policy(PolicyId=gateway, Name="NoStorageGateway")["Policy"]
    assert updated["PolicySummary"]["Name"] == "NoStorageGateway"
    assert json.loads(updated["Content"])["Statement"][0]["Effect"] == "Deny"
    with pytest.raises(ClientError) as caught:
        client.delete_policy(PolicyId=gateway)
    assert _error(caught)["Code"] == "PolicyInUseException"
    client.detach_policy(PolicyId=gateway, TargetId=org.ous["Sandbox"])
    client.delete_policy(PolicyId=gateway)
    with pytest.raises(ClientError) as caught:
        client.describe_policy(PolicyId=gateway)
    assert _error(caught)["Code"] == "PolicyNotFoundException"


def test_accounts_and_policy_types(server: RunningServer, org: Scenario07) -> None:
    """CreateAccount's status can be described again; RCPs are switched on and off at the root."""
    client = org.client
    status = client.create_account(Email="new@example.com", AccountName="newcomer")["CreateAccountStatus"]
    again = client.describe_create_account_status(CreateAccountRequestId=status["Id"])["CreateAccountStatus"]
    assert again["AccountId"] == status["AccountId"] and again["State"] == "SUCCEEDED"
    assert again["AccountName"] == "newcomer"
    access_role = f"arn:aws:iam::{status['AccountId']}:role/OrganizationAccountAccessRole"
    assert server.world.authorize(access_role, "iam:CreateUser", "*").allowed
    rcp = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": "*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }
    with pytest.raises(ClientError) as caught:
        client.create_policy(Content=json.dumps(rcp), Description="", Name="Tls", Type="RESOURCE_CONTROL_POLICY")
    assert _error(caught)["Code"] == "PolicyTypeNotEnabledException"
    root = client.enable_policy_type(RootId=org.root, PolicyType="RESOURCE_CONTROL_POLICY")["Root"]
    assert {"Type": "RESOURCE_CONTROL_POLICY", "Status": "ENABLED"} in root["PolicyTypes"]
    with pytest.raises(ClientError) as caught:
        client.enable_policy_type(RootId=org.root, PolicyType="RESOURCE_CONTROL_POLICY")
    assert _error(caught)["Code"] == "PolicyTypeAlreadyEnabledException"
    made = client.create_policy(Content=json.dumps(rcp), Description="", Name="Tls", Type="RESOURCE_CONTROL_POLICY")
    client.attach_policy(PolicyId=made["Policy"]["PolicySummary"]["Id"], TargetId=org.root)
    root = client.disable_policy_type(RootId=org.root, PolicyType="RESOURCE_CONTROL_POLICY")["Root"]
    assert root["PolicyTypes"] == [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}]
    assert client.list_targets_for_policy(PolicyId=made["Policy"]["PolicySummary"]["Id"])["Targets"] == []


def test_before_the_organization_and_with_bad_credentials(server: RunningServer) -> None:
    """No organization yet: AWSOrganizationsNotInUseException; bad signatures are answered in JSON.

    The shared Common Errors page (https://docs.aws.amazon.com/organizations/latest/APIReference/CommonErrors.html)
    lists the Query services' InvalidClientTokenId; AWS's JSON services answer UnrecognizedClientException
    and InvalidSignatureException, as botocore's models of them name these (e.g.
    https://docs.aws.amazon.com/botocore/latest/reference/services/logs/client/exceptions/UnrecognizedClientException.html).
    """
    with pytest.raises(ClientError) as caught:
        server.client("organizations").describe_organization()
    assert _error(caught)["Code"] == "AWSOrganizationsNotInUseException"
    with pytest.raises(ClientError) as caught:
        server.client("organizations", key=server.admin_key, secret="x" * 40).list_roots()
    assert _error(caught)["Code"] == "InvalidSignatureException"
    with pytest.raises(ClientError) as caught:
        server.client("organizations", key="AKIAAAAAAAAAAAAAAAAA", secret="x" * 40).list_roots()
    assert _error(caught)["Code"] == "UnrecognizedClientException"
    with pytest.raises(ClientError) as caught:
        server.client("organizations").create_organization(FeatureSet="CONSOLIDATED_BILLING")
    assert _error(caught)["Code"] == "InvalidInputException"

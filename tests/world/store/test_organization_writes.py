"""Scenario 07's organization built with Organizations' calls decides as the world file does.

AWS behaviour (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html,
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_attach.html):
FullAWSAccess is attached to the root, every new OU and every account; replacing it on an OU with an
allow-list narrows what the OU's accounts may do; a target cannot lose its last SCP.
"""

from __future__ import annotations

import pytest
from tests.conftest import example_path

from iamtwin.world.iam_errors import IamError
from iamtwin.world.model import OrgPolicyType
from iamtwin.world.stored import World
from iamtwin.world.worldfile import load_world

from .api_replay import replay


def _build(world: World) -> None:
    model = load_world(example_path("scenario07-org-guardrails.yaml")).world
    org = model.organization
    assert org is not None
    with world.changes() as iam:
        for account in model.accounts.values():
            replay(iam, account)
    with world.organization_changes() as orgs:
        orgs.create_organization("100000000000")
        root = orgs.root_id()
        workloads = orgs.create_organizational_unit(root, "Workloads")
        prod = orgs.create_organizational_unit(workloads, "Prod")
        sdlc = orgs.create_organizational_unit(workloads, "SDLC")
        sandbox = orgs.create_organizational_unit(root, "Sandbox")
        orgs.create_organizational_unit(root, "Security")
        ids = {name: orgs.create_policy(name, OrgPolicyType.SCP, p.document) for name, p in org.policies.items()}
        orgs.attach_policy(ids["DenyOtherRegions"], workloads)
        orgs.attach_policy(ids["DenyStorageGateway"], sandbox)
        orgs.attach_policy(ids["ProdAllowList"], prod)
        orgs.detach_policy("p-FullAWSAccess", prod)
        orgs.place_account("200000000001", prod)
        orgs.place_account("200000000002", sdlc)
        orgs.place_account("200000000003", sandbox)


@pytest.mark.parametrize(
    ("principal", "action", "resource", "region", "expected"),
    [
        (
            "arn:aws:iam::200000000001:role/app-admin",
            "ec2:RunInstances",
            "arn:aws:ec2:ap-south-1:200000000001:instance/i-0abc123",
            "ap-south-1",
            "ExplicitDeny",
        ),
        (
            "arn:aws:iam::200000000001:role/cloud-admin-role",
            "ec2:RunInstances",
            "arn:aws:ec2:ap-south-1:200000000001:instance/i-0abc123",
            "ap-south-1",
            "Allowed",
        ),
        (
            "arn:aws:iam::200000000001:role/app-admin",
            "dynamodb:PutItem",
            "arn:aws:dynamodb:us-east-1:200000000001:table/orders",
            "us-east-1",
            "ImplicitDeny",
        ),
        (
            "arn:aws:iam::200000000003:role/sandbox-dev",
            "storagegateway:ListGateways",
            None,
            "us-east-1",
            "ExplicitDeny",
        ),
    ],
)
def test_organization_built_by_calls_matches_scenario_07(
    world: World, principal: str, action: str, resource: str | None, region: str, expected: str
) -> None:
    """07 expected 1–4 over an organization made with CreateOrganizationalUnit, AttachPolicy, MoveAccount."""
    _build(world)
    decision = world.authorize(principal, action, resource, {"aws:RequestedRegion": region})
    assert decision.outcome.value == expected


def test_the_last_scp_of_a_target_cannot_be_detached(world: World) -> None:
    """DetachPolicy of a target's only SCP fails with ConstraintViolationException; nothing changes."""
    _build(world)
    with pytest.raises(IamError) as caught, world.organization_changes() as orgs:
        orgs.detach_policy("p-FullAWSAccess", "200000000001")
    assert caught.value.reason == "ConstraintViolationException"


def test_attaching_twice_is_refused(world: World) -> None:
    """AttachPolicy of an attached policy fails with DuplicatePolicyAttachmentException."""
    _build(world)
    with pytest.raises(IamError) as caught, world.organization_changes() as orgs:
        orgs.attach_policy("p-FullAWSAccess", "200000000002")
    assert caught.value.reason == "DuplicatePolicyAttachmentException"

"""Scenarios 07 and 08 over worlds built in the store, on SQLite and PostgreSQL.

07: SCPs by OU, exemptions, and identical SCP documents stored once (content addressing).
08: a permissions boundary on a role created through IAM's write calls caps what its policies grant.
"""

from __future__ import annotations

import dataclasses

from sqlalchemy import func, select
from tests.conftest import example_path

from iamtwin.world.model import OrgAccount, Organization, OrgNode
from iamtwin.world.model import World as WorldModel
from iamtwin.world.read_org import organizations_managed
from iamtwin.world.store.schema import documents, org_policies
from iamtwin.world.stored import World
from iamtwin.world.worldfile import load_world

S08 = "123456789012"


def test_identical_scps_across_thousands_of_accounts_are_stored_once(world: World) -> None:
    """07 expected 6: 2,000 accounts, each with its own copy of one SCP document, store one document.

    (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html)
    """
    model = load_world(example_path("scenario07-org-guardrails.yaml")).world
    org = model.organization
    assert org is not None
    deny = org.policies["DenyStorageGateway"]
    full = organizations_managed("FullAWSAccess")
    assert full is not None
    copies = [
        OrgAccount(f"3{n:011d}", (full, dataclasses.replace(deny, policy_id=f"p-copy{n:06d}", name=f"Copy{n}")), ())
        for n in range(2000)
    ]
    sandbox = OrgNode("ou-abcd-sandbox2", "Sandbox2", (full,), (), tuple(copies), ())
    root = dataclasses.replace(org.root, children=(*org.root.children, sandbox))
    grown = Organization(org.id, org.management_account, org.policies, root, {}, org.rcps_enabled)
    world.import_model(WorldModel(model.accounts, grown))
    with world.engine.connect() as conn:
        policy_rows = conn.execute(select(func.count()).select_from(org_policies)).scalar_one()
        stored = conn.execute(select(func.count()).select_from(documents)).scalar_one()
    assert policy_rows >= 2000
    assert stored < 40  # the 2,000 copies share one document row with the original


def test_placements_are_rebuilt_from_the_store(world: World) -> None:
    """07: a member account of the stored tree is governed by its OU's SCPs (explicit deny by DenyStorageGateway)."""
    world.import_model(load_world(example_path("scenario07-org-guardrails.yaml")).world)
    decision = world.authorize(
        "arn:aws:iam::200000000003:role/sandbox-dev",
        "storagegateway:ListGateways",
        None,
        {"aws:RequestedRegion": "us-east-1"},
    )
    assert decision.outcome.value == "ExplicitDeny"
    assert any("p-denystoragegateway" in p for p in decision.blocking_policies)


def _boundary_estate(world: World) -> None:
    with world.changes() as iam:
        iam.create_account(S08)
        iam.create_policy(
            S08,
            "S3ActionBoundary",
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": [
                            "s3:CreateBucket",
                            "s3:ListAllMyBuckets",
                            "s3:GetBucketLocation",
                            "s3:PutObject",
                            "s3:PutObjectAcl",
                        ],
                        "Resource": "arn:aws:s3:::Developer-*",
                        "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}},
                    }
                ],
            },
        )
        iam.create_policy(
            S08,
            "Developer-ApplicationS3Access",
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["s3:GetBucketLocation", "s3:PutObject", "s3:PutObjectAcl"],
                        "Resource": "arn:aws:s3:::Developer-*",
                    }
                ],
            },
            tags={"Owner": "JohnA"},
        )
        iam.create_role(
            S08,
            "Developer-EC2",
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
                ],
            },
            tags={"Owner": "JohnA"},
            permissions_boundary=f"arn:aws:iam::{S08}:policy/S3ActionBoundary",
        )
        iam.attach_policy("role", S08, "Developer-EC2", f"arn:aws:iam::{S08}:policy/Developer-ApplicationS3Access")


def test_a_boundary_on_a_created_role_caps_its_grants(world: World) -> None:
    """08 expected 4 (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html)."""
    _boundary_estate(world)
    role = f"arn:aws:iam::{S08}:role/Developer-EC2"
    put = ("s3:PutObject", "arn:aws:s3:::Developer-logs/x")
    assert world.authorize(role, *put, {"aws:RequestedRegion": "us-east-1"}).outcome.value == "Allowed"
    assert world.authorize(role, *put, {"aws:RequestedRegion": "eu-west-1"}).outcome.value == "ImplicitDeny"
    assert world.authorize(role, "s3:GetObject", "arn:aws:s3:::Developer-logs/x").outcome.value == "ImplicitDeny"
    with world.changes() as iam:
        iam.attach_policy("role", S08, "Developer-EC2", "arn:aws:iam::aws:policy/AdministratorAccess")
    decision = world.authorize(role, "s3:DeleteBucket", "arn:aws:s3:::Developer-logs")
    assert decision.outcome.value == "ImplicitDeny"
    assert [t.value for t in decision.blocked_by] == ["permissions_boundary"]


def test_changes_are_seen_by_the_next_decision(world: World) -> None:
    """Cached policy sets are dropped when the world changes: a detached policy stops granting at once."""
    _boundary_estate(world)
    role = f"arn:aws:iam::{S08}:role/Developer-EC2"
    request = ("s3:PutObject", "arn:aws:s3:::Developer-logs/x", {"aws:RequestedRegion": "us-east-1"})
    assert world.authorize(role, *request).outcome.value == "Allowed"
    with world.changes() as iam:
        iam.detach_policy("role", S08, "Developer-EC2", f"arn:aws:iam::{S08}:policy/Developer-ApplicationS3Access")
    assert world.authorize(role, *request).outcome.value == "ImplicitDeny"


def test_changes_by_another_process_are_seen_after_the_refresh_interval(world: World, db_url: str) -> None:
    """Two World objects on one database stand for two processes: a change by one reaches the other's
    decisions once its refresh interval has passed (IAM itself is eventually consistent:
    https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency).
    """
    _boundary_estate(world)
    role = f"arn:aws:iam::{S08}:role/Developer-EC2"
    request = ("s3:PutObject", "arn:aws:s3:::Developer-logs/x", {"aws:RequestedRegion": "us-east-1"})
    watching = World.open(db_url, refresh_seconds=0)
    patient = World.open(db_url, refresh_seconds=3600)
    try:
        assert watching.authorize(role, *request).allowed and patient.authorize(role, *request).allowed
        with world.changes() as iam:
            iam.detach_policy("role", S08, "Developer-EC2", f"arn:aws:iam::{S08}:policy/Developer-ApplicationS3Access")
        assert watching.authorize(role, *request).outcome.value == "ImplicitDeny"
        assert patient.authorize(role, *request).allowed  # still within its interval
        patient.refresh(force=True)
        assert patient.authorize(role, *request).outcome.value == "ImplicitDeny"
    finally:
        watching.close()
        patient.close()

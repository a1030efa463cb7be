"""Scenario 04: tenant isolation through a real AssumeRole with session tags.

AWS behaviour checked (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html):
passing session tags needs `sts:TagSession` in the trust policy; a session tag becomes a principal
tag and overrides a role tag of the same key, keys compared without case; policies that use
`${aws:PrincipalTag/TenantID}` scope every tenant without new roles or policies.
"""

from __future__ import annotations

import pytest
from tests.conftest import example_path

from iamtwin.sts.denied import StsAccessDenied
from iamtwin.sts.service import Sts
from iamtwin.world.stored import World
from iamtwin.world.worldfile import load_world

ACCOUNT = "111122223333"
SERVICE = f"arn:aws:iam::{ACCOUNT}:role/TrackingServiceRole"
ACCESS = f"arn:aws:iam::{ACCOUNT}:role/TrackingAccessRole"
TABLE = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/TrackingData"
BUCKET = "arn:aws:s3:::sample-bucket-12345678/"
KEY_YELLOW = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/11111111-aaaa-4aaa-8aaa-000000000001"
KEY_BLUE = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/22222222-bbbb-4bbb-8bbb-000000000002"
DOMAIN = f"arn:aws:es:us-east-1:{ACCOUNT}:domain/test/"


@pytest.fixture
def saas(world: World) -> World:
    """The SaaS account of scenario 04, imported from its example world file."""
    world.import_model(load_world(example_path("scenario04-tenant-isolation.yaml")).world)
    return world


def _tenant_session(world: World, tags: dict[str, str] | None, role: str = ACCESS) -> str:
    sts = Sts(world)
    service = sts.assume_role("ecs-tasks.amazonaws.com", SERVICE, "tracking-service")
    session = sts.assume_role(service.credentials.access_key_id, role, "tenant-session", tags=tags or {})
    return session.credentials.access_key_id


def _outcome(
    world: World, key: str, action: str, resource: str, context: dict[str, str | list[str]] | None = None
) -> str:
    return world.authorize(key, action, resource, context).outcome.value


def test_the_session_carries_its_tag_as_a_principal_tag(saas: World) -> None:
    """Expected 1: AssumeRole with TenantID=yellow succeeds and the session has the principal tag."""
    key = _tenant_session(saas, {"TenantID": "yellow"})
    assembly = saas.assemble(key, "s3:GetObject", BUCKET + "yellow/orders.json")
    assert assembly.principal_tags == {"TenantID": "yellow"}


@pytest.mark.parametrize(
    ("action", "resource", "context", "expected"),
    [
        ("dynamodb:GetItem", TABLE, {"dynamodb:LeadingKeys": ["yellow"]}, "Allowed"),
        ("dynamodb:GetItem", TABLE, {"dynamodb:LeadingKeys": ["yellow", "blue"]}, "ImplicitDeny"),
        ("dynamodb:Query", TABLE, {"dynamodb:LeadingKeys": ["blue"]}, "ImplicitDeny"),
        ("s3:GetObject", BUCKET + "yellow/orders.json", None, "Allowed"),
        ("s3:GetObject", BUCKET + "blue/orders.json", None, "ImplicitDeny"),
        ("kms:Decrypt", KEY_YELLOW, None, "Allowed"),
        ("kms:Decrypt", KEY_BLUE, None, "ImplicitDeny"),
        ("es:ESHttpGet", DOMAIN + "yellow-2024/_doc/1", None, "Allowed"),
        ("es:ESHttpGet", DOMAIN + "blue-2024/_doc/1", None, "ImplicitDeny"),
    ],
)
def test_the_yellow_session_reaches_only_yellow_data(
    saas: World, action: str, resource: str, context: dict[str, str | list[str]] | None, expected: str
) -> None:
    """Expected 2 and 3: every data path is scoped by the session's TenantID."""
    key = _tenant_session(saas, {"TenantID": "yellow"})
    assert _outcome(saas, key, action, resource, context) == expected


def test_without_tag_session_in_the_trust_policy_tags_are_refused(saas: World) -> None:
    """Expected 4: with no sts:TagSession statement, AssumeRole with tags is denied, without tags it succeeds."""
    no_tagging = f"arn:aws:iam::{ACCOUNT}:role/TrackingAccessRoleNoTagging"
    with pytest.raises(StsAccessDenied) as caught:
        _tenant_session(saas, {"TenantID": "yellow"}, no_tagging)
    assert caught.value.reason == "TAG_SESSION_DENIED"
    assert caught.value.decision.request.action == "sts:TagSession"
    assert _tenant_session(saas, None, no_tagging).startswith("ASIA")


def test_a_session_tag_overrides_a_role_tag_without_regard_to_case(saas: World) -> None:
    """Expected 5: a session tag `S3_HOME` replaces the role tag `s3_home`; an untagged session reaches nothing."""
    with saas.changes() as iam:
        iam.update_assume_role_policy(
            ACCOUNT,
            "assumeRole-tenant1",
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                        "Action": ["sts:AssumeRole", "sts:TagSession"],
                    }
                ],
            },
        )
        iam.put_inline_policy(
            "role",
            ACCOUNT,
            "TrackingServiceRole",
            "tenant1",
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["sts:AssumeRole", "sts:TagSession"],
                        "Resource": f"arn:aws:iam::{ACCOUNT}:role/assumeRole-tenant1",
                    }
                ],
            },
        )
    key = _tenant_session(saas, {"S3_HOME": "tenant2_home"}, f"arn:aws:iam::{ACCOUNT}:role/assumeRole-tenant1")
    home = "arn:aws:s3:::sts-ti-demo-111122223333/"
    assert _outcome(saas, key, "s3:GetObject", home + "tenant2_home/x") == "Allowed"
    assert _outcome(saas, key, "s3:GetObject", home + "tenant1_home/x") == "ImplicitDeny"
    untagged = _tenant_session(saas, None)
    assert _outcome(saas, untagged, "s3:GetObject", BUCKET + "yellow/orders.json") == "ImplicitDeny"


@pytest.mark.parametrize(
    ("resource", "action", "expected"),
    [
        ("arn:aws:s3:::sts-ti-demo-111122223333/tenant1_home/tenant.info-tenant1_home", "s3:GetObject", "Allowed"),
        ("arn:aws:s3:::sts-ti-demo-111122223333/tenant2_home/tenant.info-tenant2_home", "s3:GetObject", "ImplicitDeny"),
        ("arn:aws:rds-db:us-west-2:111122223333:dbuser:cluster-ABC/tenant1_dbuser", "rds-db:connect", "Allowed"),
        ("arn:aws:rds-db:us-west-2:111122223333:dbuser:cluster-ABC/tenant2_dbuser", "rds-db:connect", "ImplicitDeny"),
    ],
)
def test_tenant_roles_are_scoped_by_their_role_tags(saas: World, resource: str, action: str, expected: str) -> None:
    """Expected 6: tenant1's role reads its home and connects as its database user only."""
    assert _outcome(saas, f"arn:aws:iam::{ACCOUNT}:role/assumeRole-tenant1", action, resource) == expected


def test_tenants_need_no_new_policies(saas: World) -> None:
    """Expected 7: twenty tenant sessions later, the world holds the same policies."""
    before = saas.export_model()
    for tenant in range(20):
        key = _tenant_session(saas, {"TenantID": f"tenant{tenant}"})
        assert _outcome(saas, key, "s3:GetObject", BUCKET + f"tenant{tenant}/a") == "Allowed"
    assert saas.export_model() == before

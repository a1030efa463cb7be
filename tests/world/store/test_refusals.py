"""Bad input to a stored world gives a coded error naming the parameter, and writes nothing.

AWS behaviour: IAM refuses a duplicate name with EntityAlreadyExists, an oversized managed policy
with LimitExceeded, a trust policy naming a Resource or no Principal with MalformedPolicyDocument,
and a Principal in an identity policy likewise
(https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_policies.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from iamtwin.world.errors import WorldFileError
from iamtwin.world.iam_errors import IamError
from iamtwin.world.store.writes import IamWriter
from iamtwin.world.stored import World

ACCOUNT = "123456789012"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
ALLOW_S3 = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}


@pytest.fixture
def account(world: World) -> World:
    """A world with one account holding role `app` and policy `base`."""
    with world.changes() as iam:
        iam.create_account(ACCOUNT)
        iam.create_role(ACCOUNT, "app", TRUST)
        iam.create_policy(ACCOUNT, "base", ALLOW_S3)
    return world


def _big_policy() -> dict[str, Any]:
    actions = [f"s3:GetObjectVersionAttributes{n:04d}" for n in range(250)]
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}


CASES: list[tuple[str, Callable[[IamWriter], object], str, str | None, str]] = [
    (
        "duplicate role name, other case",
        lambda iam: iam.create_role(ACCOUNT, "APP", TRUST),
        "EntityAlreadyExists",
        "DUPLICATE_NAME",
        "RoleName",
    ),
    (
        "duplicate policy name",
        lambda iam: iam.create_policy(ACCOUNT, "base", ALLOW_S3),
        "EntityAlreadyExists",
        "DUPLICATE_NAME",
        "PolicyName",
    ),
    (
        "policy over 6,144 characters",
        lambda iam: iam.create_policy(ACCOUNT, "big", _big_policy()),
        "LimitExceeded",
        "POLICY_TOO_LARGE",
        "PolicyDocument",
    ),
    (
        "trust policy with a Resource",
        lambda iam: iam.create_role(
            ACCOUNT,
            "r2",
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole", "Resource": "*"}
                ],
            },
        ),
        "MalformedPolicyDocument",
        "RESOURCE_IN_TRUST_POLICY",
        "AssumeRolePolicyDocument.Statement[0]",
    ),
    (
        "trust policy without a Principal",
        lambda iam: iam.create_role(
            ACCOUNT, "r3", {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}
        ),
        "MalformedPolicyDocument",
        "MISSING_PRINCIPAL",
        "AssumeRolePolicyDocument.Statement[0]",
    ),
    (
        "identity policy with a Principal",
        lambda iam: iam.put_inline_policy("role", ACCOUNT, "app", "p", TRUST),
        "MalformedPolicyDocument",
        "PRINCIPAL_IN_IDENTITY_POLICY",
        "PolicyDocument.Statement[0]",
    ),
    (
        "policy that is not JSON",
        lambda iam: iam.create_policy(ACCOUNT, "bad", '{"Version": "2012-10-17",'),
        "MalformedPolicyDocument",
        None,
        "PolicyDocument",
    ),
    (
        "role name with a space",
        lambda iam: iam.create_role(ACCOUNT, "my role", TRUST),
        "ValidationError",
        None,
        "RoleName",
    ),
    (
        "attach a policy that does not exist",
        lambda iam: iam.attach_policy("role", ACCOUNT, "app", f"arn:aws:iam::{ACCOUNT}:policy/nope"),
        "NoSuchEntity",
        "NO_SUCH_POLICY",
        "PolicyArn",
    ),
    (
        "unknown AWS managed policy",
        lambda iam: iam.attach_policy("role", ACCOUNT, "app", "arn:aws:iam::aws:policy/NoSuchManagedPolicy"),
        "NoSuchEntity",
        "NO_SUCH_POLICY",
        "PolicyArn",
    ),
    (
        "resource with a malformed ARN",
        lambda iam: iam.put_resource("arn:aws:s3:::: bucket"),
        "ValidationError",
        None,
        "ResourceArn",
    ),
    (
        "user in an account the world lacks",
        lambda iam: iam.create_user("999999999999", "bob"),
        "NoSuchEntity",
        "NO_SUCH_ACCOUNT",
        "AccountId",
    ),
]


@pytest.mark.parametrize(("name", "change", "code", "reason", "where"), CASES, ids=[c[0] for c in CASES])
def test_refused_change_is_coded_and_writes_nothing(
    account: World, name: str, change: Callable[[IamWriter], object], code: str, reason: str | None, where: str
) -> None:
    """Each refusal carries AWS's code, a finer reason and the parameter at fault; the world is unchanged."""
    before = account.export_model()
    with pytest.raises(IamError) as caught, account.changes() as iam:
        iam.create_user(ACCOUNT, "written-first")  # an earlier write of the same transaction is rolled back
        change(iam)
    assert caught.value.code == code
    if reason is not None:
        assert caught.value.reason == reason
    assert caught.value.location is not None and caught.value.location.path.startswith(where)
    assert account.export_model() == before


def test_the_eleventh_managed_policy_on_a_role_exceeds_the_quota(account: World) -> None:
    """Managed policies per role: 10 by default; the 11th attach is LimitExceeded."""
    with account.changes() as iam:
        for n in range(10):
            iam.create_policy(ACCOUNT, f"p{n}", ALLOW_S3)
            iam.attach_policy("role", ACCOUNT, "app", f"arn:aws:iam::{ACCOUNT}:policy/p{n}")
    with pytest.raises(IamError) as caught, account.changes() as iam:
        iam.attach_policy("role", ACCOUNT, "app", f"arn:aws:iam::{ACCOUNT}:policy/base")
    assert (caught.value.code, caught.value.reason) == ("LimitExceeded", "MANAGED_POLICIES_PER_ROLE")


def test_read_only_access_attaches_and_just_works(account: World) -> None:
    """Attaching `arn:aws:iam::aws:policy/ReadOnlyAccess` grants reads from the catalogue, not writes."""
    with account.changes() as iam:
        iam.attach_policy("role", ACCOUNT, "app", "arn:aws:iam::aws:policy/ReadOnlyAccess")
    role = f"arn:aws:iam::{ACCOUNT}:role/app"
    assert account.authorize(role, "ec2:DescribeInstances").outcome.value == "Allowed"
    assert account.authorize(role, "ec2:RunInstances").outcome.value == "ImplicitDeny"


@pytest.mark.parametrize(
    ("principal", "code"),
    [
        ("arn:aws:iam::123456789012:user/nobody", "UNKNOWN_PRINCIPAL"),
        ("arn:aws:iam::999999999999:role/app", "UNKNOWN_PRINCIPAL"),
        ("arn:aws:iam:123456789012:role", "INVALID_PRINCIPAL"),
        ("AKIAIOSFODNN7EXAMPLE", "UNKNOWN_PRINCIPAL"),
    ],
)
def test_unknown_or_malformed_principal_is_a_coded_error(account: World, principal: str, code: str) -> None:
    """Deciding for a principal the world does not hold names the problem instead of guessing."""
    with pytest.raises(WorldFileError) as caught:
        account.authorize(principal, "s3:ListAllMyBuckets")
    assert caught.value.code == code

"""Resources of every kind the world models keep their type, tags and resource-based policy.

A resource-based policy grants cross-account access on its own only together with the caller's
identity policy (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html);
an S3 object is governed by its bucket's policy.
"""

from __future__ import annotations

import pytest

from iamtwin.world.stored import World

OWNER = "111111111111"
OTHER = "222222222222"
CALLER = f"arn:aws:iam::{OTHER}:role/reader"

KINDS = [
    (f"arn:aws:kms:us-east-1:{OWNER}:key/1234abcd-12ab-34cd-56ef-1234567890ab", "kms:key", "kms:Decrypt"),
    (f"arn:aws:lambda:us-east-1:{OWNER}:function:CacheSecret", "lambda:function", "lambda:InvokeFunction"),
    (f"arn:aws:sqs:us-east-1:{OWNER}:orders", "sqs:queue", "sqs:SendMessage"),
    (f"arn:aws:sns:us-east-1:{OWNER}:alerts", "sns:topic", "sns:Publish"),
    (
        f"arn:aws:secretsmanager:us-east-1:{OWNER}:secret:db-AbCdEf",
        "secretsmanager:secret",
        "secretsmanager:GetSecretValue",
    ),
    (f"arn:aws:dynamodb:us-east-1:{OWNER}:table/Orders", "dynamodb:table", "dynamodb:GetItem"),
    (f"arn:aws:states:us-east-1:{OWNER}:stateMachine:Flow", "states:stateMachine", "states:StartExecution"),
    (f"arn:aws:execute-api:us-east-1:{OWNER}:a1b2c3/prod/GET/items", "execute-api:a1b2c3", "execute-api:Invoke"),
]


def _policy(resource: str, action: str) -> dict[str, object]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": CALLER}, "Action": action, "Resource": resource}],
    }


@pytest.fixture
def estate(world: World) -> World:
    """Two accounts; the caller in the other account may do anything its resources allow."""
    with world.changes() as iam:
        iam.create_account(OWNER)
        iam.create_account(OTHER)
        iam.create_role(
            OTHER,
            "reader",
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
                ],
            },
        )
        iam.put_inline_policy(
            "role",
            OTHER,
            "reader",
            "all",
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
        )
    return world


@pytest.mark.parametrize(("arn", "kind", "action"), KINDS, ids=[k[1] for k in KINDS])
def test_resource_policy_of_each_kind_grants_cross_account(estate: World, arn: str, kind: str, action: str) -> None:
    """Stored with its type and tags; its policy lets the other account in; without it, denied."""
    assert estate.authorize(CALLER, action, arn).outcome.value == "ImplicitDeny"
    with estate.changes() as iam:
        iam.put_resource(arn, policy=_policy(arn, action), tags={"team": "data"})
    assert estate.authorize(CALLER, action, arn).outcome.value == "Allowed"
    resource = estate.view.resource(arn)
    assert resource is not None and resource.tags == {"team": "data"}
    with estate.engine.connect() as conn:
        from sqlalchemy import select

        from iamtwin.world.store.schema import resources

        assert conn.execute(select(resources.c.type).where(resources.c.arn == arn)).scalar_one() == kind


def test_an_object_is_governed_by_its_buckets_policy(estate: World) -> None:
    """S3 ARNs carry no account: the bucket is stored in its owner's account; objects follow its policy."""
    bucket = "arn:aws:s3:::shared-data"
    with estate.changes() as iam:
        iam.put_resource_in(OWNER, bucket, policy=_policy(bucket + "/*", "s3:GetObject"), tags=None, kind="s3:bucket")
    assert estate.authorize(CALLER, "s3:GetObject", bucket + "/reports/q1.csv").outcome.value == "Allowed"
    assert estate.authorize(CALLER, "s3:PutObject", bucket + "/reports/q1.csv").outcome.value == "ImplicitDeny"

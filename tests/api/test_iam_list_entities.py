"""ListEntitiesForPolicy through boto3 against `iamtwin serve`, on SQLite and PostgreSQL.

https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListEntitiesForPolicy.html: the users,
groups and roles a managed policy is attached to; EntityFilter limits the kind, PathPrefix the
entities' path, PolicyUsageFilter the use (`PermissionsPolicy` or `PermissionsBoundary`; without it
both), and the three lists page together with Marker and MaxItems.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from .conftest import RunningServer

ACCOUNT = "123456789012"
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)
DOC = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})


def _names(listed: dict[str, Any]) -> dict[str, list[str]]:
    return {
        "groups": [g["GroupName"] for g in listed["PolicyGroups"]],
        "users": [u["UserName"] for u in listed["PolicyUsers"]],
        "roles": [r["RoleName"] for r in listed["PolicyRoles"]],
    }


@pytest.fixture
def estate(server: RunningServer) -> tuple[Any, str, dict[str, str]]:
    """A policy attached to some entities and the boundary of others; the client, its ARN, the entities' ids."""
    iam = server.client("iam")
    arn = iam.create_policy(PolicyName="shared", PolicyDocument=DOC)["Policy"]["Arn"]
    ids: dict[str, str] = {}
    for name, path, boundary in (("u1", "/a/", None), ("u2", "/", arn), ("u3", "/a/", arn), ("u4", "/", None)):
        kwargs = {"PermissionsBoundary": boundary} if boundary else {}
        ids[name] = iam.create_user(UserName=name, Path=path, **kwargs)["User"]["UserId"]
    for name in ("u1", "u3"):
        iam.attach_user_policy(UserName=name, PolicyArn=arn)
    ids["g"] = iam.create_group(GroupName="g")["Group"]["GroupId"]
    iam.attach_group_policy(GroupName="g", PolicyArn=arn)
    iam.create_group(GroupName="unused")
    ids["r1"] = iam.create_role(RoleName="r1", Path="/svc/", AssumeRolePolicyDocument=TRUST)["Role"]["RoleId"]
    iam.attach_role_policy(RoleName="r1", PolicyArn=arn)
    ids["r2"] = iam.create_role(RoleName="r2", AssumeRolePolicyDocument=TRUST, PermissionsBoundary=arn)["Role"][
        "RoleId"
    ]
    return iam, arn, ids


def test_every_use_by_default_with_names_and_ids(estate: tuple[Any, str, dict[str, str]]) -> None:
    """Without filters: attached or boundary, each entity once, with IAM's name and id members."""
    iam, arn, ids = estate
    listed = iam.list_entities_for_policy(PolicyArn=arn)
    assert listed["PolicyGroups"] == [{"GroupName": "g", "GroupId": ids["g"]}]
    assert listed["PolicyUsers"] == [{"UserName": n, "UserId": ids[n]} for n in ("u1", "u2", "u3")]
    assert listed["PolicyRoles"] == [{"RoleName": n, "RoleId": ids[n]} for n in ("r1", "r2")]
    assert listed["IsTruncated"] is False and "Marker" not in listed


def test_filters(estate: tuple[Any, str, dict[str, str]]) -> None:
    """EntityFilter, PolicyUsageFilter and PathPrefix, alone and together."""
    iam, arn, _ = estate
    assert _names(iam.list_entities_for_policy(PolicyArn=arn, EntityFilter="Role")) == {
        "groups": [],
        "users": [],
        "roles": ["r1", "r2"],
    }
    assert _names(iam.list_entities_for_policy(PolicyArn=arn, PolicyUsageFilter="PermissionsPolicy")) == {
        "groups": ["g"],
        "users": ["u1", "u3"],
        "roles": ["r1"],
    }
    assert _names(iam.list_entities_for_policy(PolicyArn=arn, PolicyUsageFilter="PermissionsBoundary")) == {
        "groups": [],
        "users": ["u2", "u3"],
        "roles": ["r2"],
    }
    assert _names(iam.list_entities_for_policy(PolicyArn=arn, PathPrefix="/a/")) == {
        "groups": [],
        "users": ["u1", "u3"],
        "roles": [],
    }
    both = iam.list_entities_for_policy(
        PolicyArn=arn, EntityFilter="User", PolicyUsageFilter="PermissionsBoundary", PathPrefix="/a/"
    )
    assert _names(both) == {"groups": [], "users": ["u3"], "roles": []}
    # Policies are not entities a policy is attached to: those filters leave every list empty.
    assert _names(iam.list_entities_for_policy(PolicyArn=arn, EntityFilter="LocalManagedPolicy")) == {
        "groups": [],
        "users": [],
        "roles": [],
    }


def test_pages_across_the_three_lists(estate: tuple[Any, str, dict[str, str]]) -> None:
    """MaxItems and Marker page over groups, users and roles together; boto3's paginator joins them."""
    iam, arn, _ = estate
    first = iam.list_entities_for_policy(PolicyArn=arn, MaxItems=2)
    assert _names(first) == {"groups": ["g"], "users": ["u1"], "roles": []} and first["IsTruncated"]
    second = iam.list_entities_for_policy(PolicyArn=arn, MaxItems=2, Marker=first["Marker"])
    assert _names(second) == {"groups": [], "users": ["u2", "u3"], "roles": []} and second["IsTruncated"]
    joined = iam.get_paginator("list_entities_for_policy").paginate(PolicyArn=arn, PaginationConfig={"PageSize": 2})
    full = joined.build_full_result()
    assert _names(full) == {"groups": ["g"], "users": ["u1", "u2", "u3"], "roles": ["r1", "r2"]}


def test_aws_managed_policy_and_unknown_policies(server: RunningServer) -> None:
    """An AWS managed policy from the catalogue lists the account's entities; unknown ARNs are NoSuchEntity."""
    iam = server.client("iam")
    iam.create_user(UserName="reader")
    iam.attach_user_policy(UserName="reader", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    listed = iam.list_entities_for_policy(PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    assert _names(listed) == {"groups": [], "users": ["reader"], "roles": []}
    admin = iam.list_entities_for_policy(PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    assert [u["UserName"] for u in admin["PolicyUsers"]] == ["iamtwin-admin"]
    for unknown in (f"arn:aws:iam::{ACCOUNT}:policy/nope", "arn:aws:iam::aws:policy/NoSuchManagedPolicy"):
        with pytest.raises(ClientError) as caught:
            iam.list_entities_for_policy(PolicyArn=unknown)
        assert caught.value.response["Error"]["Code"] == "NoSuchEntity"
        assert caught.value.response["Error"]["Message"] == f"Policy {unknown} was not found."

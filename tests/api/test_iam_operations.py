"""IAM's core operations through boto3 against `iamtwin serve`, on SQLite and PostgreSQL.

Behaviour follows the IAM API Reference (https://docs.aws.amazon.com/IAM/latest/APIReference/):
pagination with `Marker`, `MaxItems` and `IsTruncated`; NoSuchEntity, EntityAlreadyExists,
DeleteConflict and LimitExceeded where IAM answers them; documents URL-encoded on the wire (boto3
decodes them back to objects).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from .conftest import RunningServer

ACCOUNT = "123456789012"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def _doc(action: str, resource: str = "*") -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]}


def _code(call: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return str(caught.value.response["Error"]["Code"])


@pytest.fixture
def iam(server: RunningServer) -> Any:
    """The administrator's IAM client."""
    return server.client("iam")


def test_users_list_in_pages_and_carry_tags_and_boundaries(iam: Any) -> None:
    """ListUsers pages; TagUser/UntagUser/ListUserTags; Put/DeleteUserPermissionsBoundary; DeleteUser."""
    for name in ("ann", "bea", "cid"):
        iam.create_user(UserName=name, Path="/team/")
    first = iam.list_users(PathPrefix="/team/", MaxItems=2)
    assert [u["UserName"] for u in first["Users"]] == ["ann", "bea"] and first["IsTruncated"]
    rest = iam.list_users(PathPrefix="/team/", MaxItems=2, Marker=first["Marker"])
    assert [u["UserName"] for u in rest["Users"]] == ["cid"] and not rest["IsTruncated"] and "Marker" not in rest
    assert {u["UserName"] for u in iam.list_users()["Users"]} >= {"ann", "bea", "cid", "iamtwin-admin"}

    iam.tag_user(UserName="ann", Tags=[{"Key": "team", "Value": "a"}, {"Key": "env", "Value": "dev"}])
    iam.untag_user(UserName="ann", TagKeys=["env"])
    assert iam.list_user_tags(UserName="ann")["Tags"] == [{"Key": "team", "Value": "a"}]
    assert iam.get_user(UserName="ann")["User"]["Tags"] == [{"Key": "team", "Value": "a"}]

    boundary = iam.create_policy(PolicyName="bound", PolicyDocument=json.dumps(_doc("s3:*")))["Policy"]["Arn"]
    iam.put_user_permissions_boundary(UserName="ann", PermissionsBoundary=boundary)
    assert iam.get_user(UserName="ann")["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary
    assert _code(iam.delete_policy, PolicyArn=boundary) == "DeleteConflict"
    iam.delete_user_permissions_boundary(UserName="ann")
    assert "PermissionsBoundary" not in iam.get_user(UserName="ann")["User"]

    iam.create_access_key(UserName="cid")
    assert _code(iam.delete_user, UserName="cid") == "DeleteConflict"
    iam.delete_user(UserName="bea")
    assert _code(iam.get_user, UserName="bea") == "NoSuchEntity"
    assert _code(iam.delete_user, UserName="bea") == "NoSuchEntity"


def test_groups_and_membership(iam: Any) -> None:
    """CreateGroup, GetGroup, ListGroups, Add/RemoveUserToGroup, ListGroupsForUser, DeleteGroup."""
    iam.create_user(UserName="dan")
    group = iam.create_group(GroupName="devs")["Group"]
    assert group["Arn"] == f"arn:aws:iam::{ACCOUNT}:group/devs" and group["GroupId"].startswith("AGPA")
    assert _code(iam.create_group, GroupName="DEVS") == "EntityAlreadyExists"
    iam.create_group(GroupName="ops", Path="/x/")
    iam.add_user_to_group(GroupName="devs", UserName="dan")
    iam.add_user_to_group(GroupName="ops", UserName="dan")
    got = iam.get_group(GroupName="devs")
    assert [u["UserName"] for u in got["Users"]] == ["dan"] and got["Group"]["GroupName"] == "devs"
    assert [g["GroupName"] for g in iam.list_groups()["Groups"]] == ["devs", "ops"]
    assert [g["GroupName"] for g in iam.list_groups(PathPrefix="/x/")["Groups"]] == ["ops"]
    page = iam.list_groups_for_user(UserName="dan", MaxItems=1)
    assert [g["GroupName"] for g in page["Groups"]] == ["devs"] and page["IsTruncated"]
    assert _code(iam.delete_group, GroupName="devs") == "DeleteConflict"
    iam.remove_user_from_group(GroupName="devs", UserName="dan")
    assert _code(iam.remove_user_from_group, GroupName="devs", UserName="dan") == "NoSuchEntity"
    iam.delete_group(GroupName="devs")
    assert _code(iam.get_group, GroupName="devs") == "NoSuchEntity"


def test_access_keys(server: RunningServer, iam: Any) -> None:
    """Create/List/Update/DeleteAccessKey; at most two keys; an inactive key no longer signs."""
    iam.create_user(UserName="eve")
    first = iam.create_access_key(UserName="eve")["AccessKey"]
    assert first["AccessKeyId"].startswith("AKIA") and first["Status"] == "Active" and first["SecretAccessKey"]
    iam.create_access_key(UserName="eve")
    assert _code(iam.create_access_key, UserName="eve") == "LimitExceeded"
    listed = iam.list_access_keys(UserName="eve")["AccessKeyMetadata"]
    assert len(listed) == 2 and all("SecretAccessKey" not in k for k in listed)
    eve = server.client("sts", key=first["AccessKeyId"], secret=first["SecretAccessKey"])
    assert eve.get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/eve"
    iam.update_access_key(UserName="eve", AccessKeyId=first["AccessKeyId"], Status="Inactive")
    assert {k["Status"] for k in iam.list_access_keys(UserName="eve")["AccessKeyMetadata"]} == {"Active", "Inactive"}
    assert _code(eve.get_caller_identity) == "InvalidClientTokenId"
    iam.delete_access_key(UserName="eve", AccessKeyId=first["AccessKeyId"])
    assert _code(iam.delete_access_key, UserName="eve", AccessKeyId=first["AccessKeyId"]) == "NoSuchEntity"
    assert len(iam.list_access_keys(UserName="eve")["AccessKeyMetadata"]) == 1
    assert len(iam.list_access_keys()["AccessKeyMetadata"]) == 1  # the administrator's own


def test_managed_policies_and_versions(iam: Any) -> None:
    """Get/List/DeletePolicy; Create/Get/List/SetDefault/DeletePolicyVersion; at most five versions."""
    arn = iam.create_policy(PolicyName="read", PolicyDocument=json.dumps(_doc("s3:GetObject")), Description="r")[
        "Policy"
    ]["Arn"]
    assert _code(iam.create_policy, PolicyName="read", PolicyDocument=json.dumps(_doc("s3:GetObject"))) == (
        "EntityAlreadyExists"
    )
    got = iam.get_policy(PolicyArn=arn)["Policy"]
    assert got["DefaultVersionId"] == "v1" and got["Description"] == "r" and got["AttachmentCount"] == 0
    assert [p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"]] == ["read"]
    v2 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(_doc("s3:PutObject")), SetAsDefault=True)
    assert v2["PolicyVersion"]["VersionId"] == "v2" and v2["PolicyVersion"]["IsDefaultVersion"]
    version = iam.get_policy_version(PolicyArn=arn, VersionId="v2")["PolicyVersion"]
    assert version["Document"] == _doc("s3:PutObject")  # URL-encoded on the wire, decoded by boto3
    for action in ("s3:A", "s3:B", "s3:C"):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(_doc(action)))
    assert _code(iam.create_policy_version, PolicyArn=arn, PolicyDocument=json.dumps(_doc("s3:D"))) == ("LimitExceeded")
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [v["VersionId"] for v in versions] == ["v5", "v4", "v3", "v2", "v1"]
    assert [v["IsDefaultVersion"] for v in versions] == [False, False, False, True, False]
    assert _code(iam.delete_policy_version, PolicyArn=arn, VersionId="v2") == "DeleteConflict"
    assert _code(iam.set_default_policy_version, PolicyArn=arn, VersionId="v9") == "NoSuchEntity"
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v5")
    assert _code(iam.delete_policy, PolicyArn=arn) == "DeleteConflict"  # other versions remain
    for version_id in ("v1", "v2", "v3", "v4"):
        iam.delete_policy_version(PolicyArn=arn, VersionId=version_id)
    assert _code(iam.get_policy_version, PolicyArn=arn, VersionId="v1") == "NoSuchEntity"
    iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "k", "Value": "v"}])
    assert iam.list_policy_tags(PolicyArn=arn)["Tags"] == [{"Key": "k", "Value": "v"}]
    iam.untag_policy(PolicyArn=arn, TagKeys=["K"])
    assert iam.list_policy_tags(PolicyArn=arn)["Tags"] == []
    iam.delete_policy(PolicyArn=arn)
    assert _code(iam.get_policy, PolicyArn=arn) == "NoSuchEntity"


@pytest.mark.parametrize("kind", ["user", "group", "role"])
def test_attached_and_inline_policies(iam: Any, kind: str) -> None:
    """Attach/Detach/ListAttached*Policies and Put/Get/List/Delete*Policy for each kind of owner."""
    name = f"owner-{kind}"
    Kind = kind.capitalize()
    if kind == "role":
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))
    else:
        getattr(iam, f"create_{kind}")(**{f"{Kind}Name": name})
    owner = {f"{Kind}Name": name}
    arn = iam.create_policy(PolicyName=f"p-{kind}", PolicyDocument=json.dumps(_doc("s3:GetObject")))["Policy"]["Arn"]
    aws = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    getattr(iam, f"attach_{kind}_policy")(PolicyArn=arn, **owner)
    getattr(iam, f"attach_{kind}_policy")(PolicyArn=aws, **owner)
    listed = getattr(iam, f"list_attached_{kind}_policies")(MaxItems=1, **owner)
    assert listed["AttachedPolicies"] == [{"PolicyName": f"p-{kind}", "PolicyArn": arn}] and listed["IsTruncated"]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 1
    assert _code(getattr(iam, f"delete_{kind}"), **owner) == "DeleteConflict"
    getattr(iam, f"detach_{kind}_policy")(PolicyArn=arn, **owner)
    getattr(iam, f"detach_{kind}_policy")(PolicyArn=aws, **owner)
    assert _code(getattr(iam, f"detach_{kind}_policy"), PolicyArn=arn, **owner) == "NoSuchEntity"
    assert getattr(iam, f"list_attached_{kind}_policies")(**owner)["AttachedPolicies"] == []

    getattr(iam, f"put_{kind}_policy")(PolicyName="inline", PolicyDocument=json.dumps(_doc("s3:ListBucket")), **owner)
    got = getattr(iam, f"get_{kind}_policy")(PolicyName="inline", **owner)
    assert got["PolicyDocument"] == _doc("s3:ListBucket") and got[f"{Kind}Name"] == name
    assert getattr(iam, f"list_{kind}_policies")(**owner)["PolicyNames"] == ["inline"]
    getattr(iam, f"delete_{kind}_policy")(PolicyName="inline", **owner)
    assert _code(getattr(iam, f"get_{kind}_policy"), PolicyName="inline", **owner) == "NoSuchEntity"
    assert _code(getattr(iam, f"delete_{kind}_policy"), PolicyName="inline", **owner) == "NoSuchEntity"
    getattr(iam, f"delete_{kind}")(**owner)


def test_roles_trust_boundaries_and_tags(iam: Any) -> None:
    """ListRoles, UpdateAssumeRolePolicy, Put/DeleteRolePermissionsBoundary, Tag/Untag/ListRoleTags."""
    iam.create_role(RoleName="r1", AssumeRolePolicyDocument=json.dumps(TRUST), Tags=[{"Key": "a", "Value": "1"}])
    iam.create_role(RoleName="r2", AssumeRolePolicyDocument=json.dumps(TRUST), Path="/svc/")
    assert [r["RoleName"] for r in iam.list_roles()["Roles"]] == ["r1", "r2"]
    assert [r["RoleName"] for r in iam.list_roles(PathPrefix="/svc/")["Roles"]] == ["r2"]
    trust = {**TRUST, "Statement": [{**TRUST["Statement"][0], "Principal": {"Service": "lambda.amazonaws.com"}}]}
    iam.update_assume_role_policy(RoleName="r1", PolicyDocument=json.dumps(trust))
    assert iam.get_role(RoleName="r1")["Role"]["AssumeRolePolicyDocument"] == trust
    boundary = iam.create_policy(PolicyName="b", PolicyDocument=json.dumps(_doc("s3:*")))["Policy"]["Arn"]
    iam.put_role_permissions_boundary(RoleName="r1", PermissionsBoundary=boundary)
    assert iam.get_role(RoleName="r1")["Role"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary
    assert iam.get_policy(PolicyArn=boundary)["Policy"]["PermissionsBoundaryUsageCount"] == 1
    iam.delete_role_permissions_boundary(RoleName="r1")
    assert "PermissionsBoundary" not in iam.get_role(RoleName="r1")["Role"]
    iam.tag_role(RoleName="r1", Tags=[{"Key": "b", "Value": "2"}])
    iam.untag_role(RoleName="r1", TagKeys=["a"])
    assert iam.list_role_tags(RoleName="r1")["Tags"] == [{"Key": "b", "Value": "2"}]
    tags = [{"Key": f"k{i}", "Value": "v"} for i in range(50)]
    assert _code(iam.tag_role, RoleName="r1", Tags=tags) == "LimitExceeded"
    assert _code(iam.put_role_permissions_boundary, RoleName="nope", PermissionsBoundary=boundary) == "NoSuchEntity"
    iam.delete_role(RoleName="r2")
    assert [r["RoleName"] for r in iam.list_roles()["Roles"]] == ["r1"]


def test_instance_profiles(iam: Any) -> None:
    """Create/Get/List/DeleteInstanceProfile, Add/RemoveRoleFromInstanceProfile, one role each, tags."""
    iam.create_role(RoleName="web", AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.create_role(RoleName="db", AssumeRolePolicyDocument=json.dumps(TRUST))
    made = iam.create_instance_profile(InstanceProfileName="web-profile", Tags=[{"Key": "o", "Value": "x"}])
    assert made["InstanceProfile"]["Arn"] == f"arn:aws:iam::{ACCOUNT}:instance-profile/web-profile"
    assert made["InstanceProfile"]["InstanceProfileId"].startswith("AIPA") and made["InstanceProfile"]["Roles"] == []
    assert _code(iam.create_instance_profile, InstanceProfileName="web-profile") == "EntityAlreadyExists"
    iam.create_instance_profile(InstanceProfileName="other", Path="/p/")
    iam.add_role_to_instance_profile(InstanceProfileName="web-profile", RoleName="web")
    assert _code(iam.add_role_to_instance_profile, InstanceProfileName="web-profile", RoleName="db") == (
        "LimitExceeded"
    )
    got = iam.get_instance_profile(InstanceProfileName="web-profile")["InstanceProfile"]
    assert [r["RoleName"] for r in got["Roles"]] == ["web"] and got["Roles"][0]["AssumeRolePolicyDocument"] == TRUST
    assert [p["InstanceProfileName"] for p in iam.list_instance_profiles()["InstanceProfiles"]] == [
        "web-profile",
        "other",
    ]
    assert len(iam.list_instance_profiles(PathPrefix="/p/")["InstanceProfiles"]) == 1
    for_role = iam.list_instance_profiles_for_role(RoleName="web")["InstanceProfiles"]
    assert [p["InstanceProfileName"] for p in for_role] == ["web-profile"]
    assert _code(iam.delete_role, RoleName="web") == "DeleteConflict"
    assert _code(iam.delete_instance_profile, InstanceProfileName="web-profile") == "DeleteConflict"
    iam.tag_instance_profile(InstanceProfileName="web-profile", Tags=[{"Key": "n", "Value": "1"}])
    iam.untag_instance_profile(InstanceProfileName="web-profile", TagKeys=["o"])
    assert iam.list_instance_profile_tags(InstanceProfileName="web-profile")["Tags"] == [{"Key": "n", "Value": "1"}]
    iam.remove_role_from_instance_profile(InstanceProfileName="web-profile", RoleName="web")
    assert _code(iam.remove_role_from_instance_profile, InstanceProfileName="web-profile", RoleName="web") == (
        "NoSuchEntity"
    )
    iam.delete_instance_profile(InstanceProfileName="web-profile")
    assert _code(iam.get_instance_profile, InstanceProfileName="web-profile") == "NoSuchEntity"
    iam.delete_role(RoleName="web")


def test_instance_profile_tags_are_resource_tags(server: RunningServer, iam: Any) -> None:
    """`aws:ResourceTag/*` of an instance profile comes from its stored tags."""
    iam.create_instance_profile(InstanceProfileName="tagged", Tags=[{"Key": "Owner", "Value": "me"}])
    policy = _doc("iam:GetInstanceProfile", f"arn:aws:iam::{ACCOUNT}:instance-profile/*")
    policy["Statement"][0]["Condition"] = {"StringEquals": {"aws:ResourceTag/Owner": "me"}}
    iam.create_user(UserName="reader")
    iam.put_user_policy(UserName="reader", PolicyName="p", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="reader")["AccessKey"]
    reader = server.client("iam", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    assert reader.get_instance_profile(InstanceProfileName="tagged")["InstanceProfile"]["InstanceProfileName"]
    iam.create_instance_profile(InstanceProfileName="untagged")
    assert _code(reader.get_instance_profile, InstanceProfileName="untagged") == "AccessDenied"


def test_account_authorization_details(iam: Any) -> None:
    """GetAccountAuthorizationDetails: every list, documents decoded by boto3, Filter and pages."""
    iam.create_user(UserName="fay")
    iam.put_user_policy(UserName="fay", PolicyName="own", PolicyDocument=json.dumps(_doc("s3:ListBucket")))
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps(TRUST), MaxSessionDuration=7200)
    iam.create_instance_profile(InstanceProfileName="app-profile")
    iam.add_role_to_instance_profile(InstanceProfileName="app-profile", RoleName="app")
    iam.create_group(GroupName="g")
    arn = iam.create_policy(PolicyName="pol", PolicyDocument=json.dumps(_doc("s3:GetObject")))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="app", PolicyArn=arn)
    details = iam.get_account_authorization_details()
    users = {u["UserName"]: u for u in details["UserDetailList"]}
    assert users["fay"]["UserPolicyList"] == [{"PolicyName": "own", "PolicyDocument": _doc("s3:ListBucket")}]
    role = details["RoleDetailList"][0]
    assert role["AssumeRolePolicyDocument"] == TRUST and role["AttachedManagedPolicies"][0]["PolicyArn"] == arn
    assert role["InstanceProfileList"][0]["InstanceProfileName"] == "app-profile"
    assert [g["GroupName"] for g in details["GroupDetailList"]] == ["g"]
    local = next(p for p in details["Policies"] if p["Arn"] == arn)
    assert local["PolicyVersionList"][0]["Document"] == _doc("s3:GetObject")
    only_roles = iam.get_account_authorization_details(Filter=["Role"])
    assert only_roles["UserDetailList"] == [] and len(only_roles["RoleDetailList"]) == 1
    first = iam.get_account_authorization_details(MaxItems=1)
    assert first["IsTruncated"] and len(first["UserDetailList"]) == 1
    second = iam.get_account_authorization_details(MaxItems=100, Marker=first["Marker"])
    assert not second["IsTruncated"] and len(second["UserDetailList"]) == 1  # the other user


def test_calls_are_authorized_as_the_caller(server: RunningServer, iam: Any) -> None:
    """A user without IAM permissions is refused each kind of call with AccessDenied."""
    iam.create_user(UserName="nobody")
    key = iam.create_access_key(UserName="nobody")["AccessKey"]
    nobody = server.client("iam", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    assert _code(nobody.list_users) == "AccessDenied"
    assert _code(nobody.create_group, GroupName="x") == "AccessDenied"
    assert _code(nobody.tag_user, UserName="nobody", Tags=[{"Key": "a", "Value": "b"}]) == "AccessDenied"
    assert _code(nobody.get_account_authorization_details) == "AccessDenied"
    assert _code(nobody.list_access_keys) == "AccessDenied"


def test_update_user_group_and_role(server: RunningServer, iam: Any) -> None:
    """UpdateUser and UpdateGroup rename and move, keeping keys, groups, policies and tags; UpdateRole."""
    iam.create_user(UserName="old", Tags=[{"Key": "t", "Value": "1"}])
    iam.create_group(GroupName="grp")
    iam.add_user_to_group(GroupName="grp", UserName="old")
    iam.put_user_policy(UserName="old", PolicyName="p", PolicyDocument=json.dumps(_doc("s3:ListBucket")))
    key = iam.create_access_key(UserName="old")["AccessKey"]
    iam.create_user(UserName="taken")
    assert _code(iam.update_user, UserName="old", NewUserName="TAKEN") == "EntityAlreadyExists"
    iam.update_user(UserName="old", NewUserName="new", NewPath="/moved/")
    user = iam.get_user(UserName="new")["User"]
    assert user["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/moved/new" and user["Tags"] == [{"Key": "t", "Value": "1"}]
    assert _code(iam.get_user, UserName="old") == "NoSuchEntity"
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="new")["Groups"]] == ["grp"]
    assert iam.list_user_policies(UserName="new")["PolicyNames"] == ["p"]
    signed = server.client("sts", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    assert signed.get_caller_identity()["Arn"] == user["Arn"]
    iam.update_group(GroupName="grp", NewGroupName="team")
    assert [u["UserName"] for u in iam.get_group(GroupName="team")["Users"]] == ["new"]

    iam.create_role(RoleName="svc", AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.update_role(RoleName="svc", Description="runs things", MaxSessionDuration=7200)
    role = iam.get_role(RoleName="svc")["Role"]
    assert role["Description"] == "runs things" and role["MaxSessionDuration"] == 7200
    assert iam.update_role_description(RoleName="svc", Description="d")["Role"]["Description"] == "d"
    assert _code(iam.update_role, RoleName="nope", Description="x") == "NoSuchEntity"


def test_list_policies_by_scope(iam: Any) -> None:
    """ListPolicies: Local, AWS managed from the catalogue, OnlyAttached, pages."""
    iam.create_policy(PolicyName="mine", PolicyDocument=json.dumps(_doc("s3:GetObject")))
    assert [p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"]] == ["mine"]
    aws = iam.list_policies(Scope="AWS", MaxItems=5)
    assert len(aws["Policies"]) == 5 and aws["IsTruncated"]
    assert all(p["Arn"].startswith("arn:aws:iam::aws:policy/") for p in aws["Policies"])
    attached = iam.list_policies(Scope="All", OnlyAttached=True)["Policies"]
    assert [p["Arn"] for p in attached] == ["arn:aws:iam::aws:policy/AdministratorAccess"]  # the administrator's
    assert attached[0]["AttachmentCount"] == 1

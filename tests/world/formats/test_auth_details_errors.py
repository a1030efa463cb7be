"""Every problem in get-account-authorization-details output gives its code and JSON path, never a traceback.

The sample and the changes follow the AWS CLI reference
(https://docs.aws.amazon.com/cli/latest/reference/iam/get-account-authorization-details.html) and
the API reference of its members (https://docs.aws.amazon.com/IAM/latest/APIReference/API_RoleDetail.html,
API_UserDetail.html, API_ManagedPolicyDetail.html); documents of the raw API are URL-encoded
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from iamtwin.world.errors import WorldErrorCode, WorldFileError
from iamtwin.world.formats.errors import ExportFileError

from .fixtures import AUTH_DETAILS, load_sample, pages, read

ACCOUNT = "123456789012"


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A change that sets the value at a dotted path (`RoleDetailList.0.RoleName`)."""

    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = data
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        if value is _DELETE:
            del target[int(last) if isinstance(target, list) else last]
        elif isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value

    return change


_DELETE = object()
_TRUST = "RoleDetailList.0.AssumeRolePolicyDocument"
_BAD_JSON = quote('{"Version": "2012-10-17", "Statement": [', safe="")
_TWICE = quote(
    '{"Version":"2012-10-17","Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
)

# (name, change, code, path, cause code)
ERRORS: list[tuple[str, Callable[[dict[str, Any]], None], WorldErrorCode, str, str | None]] = [
    (
        "bad effect in a trust policy",
        _set(f"{_TRUST}.Statement.0.Effect", "Allowed"),
        WorldErrorCode.INVALID_POLICY_DOCUMENT,
        "RoleDetailList[0].AssumeRolePolicyDocument.Statement[0].Effect",
        "INVALID_EFFECT",
    ),
    (
        "statement without action in an old version",
        _set("Policies.0.PolicyVersionList.1.Document.Statement.0.Action", _DELETE),
        WorldErrorCode.INVALID_POLICY_DOCUMENT,
        "Policies[0].PolicyVersionList[1].Document.Statement[0]",
        "MISSING_ACTION",
    ),
    (
        "URL-encoded text that is not JSON",
        _set("UserDetailList.0.UserPolicyList.0.PolicyDocument", _BAD_JSON),
        WorldErrorCode.INVALID_POLICY_DOCUMENT,
        "UserDetailList[0].UserPolicyList[0].PolicyDocument.Statement[0]",
        "JSON_SYNTAX_ERROR",
    ),
    (
        "URL-encoded text with a key twice",
        _set("GroupDetailList.0.GroupPolicyList.0.PolicyDocument", _TWICE),
        WorldErrorCode.INVALID_POLICY_DOCUMENT,
        "GroupDetailList[0].GroupPolicyList[0].PolicyDocument.Version",
        "DUPLICATE_KEY",
    ),
    (
        "a document that is a number",
        _set(_TRUST, 7),
        WorldErrorCode.WRONG_TYPE,
        "RoleDetailList[0].AssumeRolePolicyDocument",
        None,
    ),
    (
        "unknown group",
        _set("UserDetailList.1.GroupList.1", "Operators"),
        WorldErrorCode.UNKNOWN_GROUP,
        "UserDetailList[1].GroupList[1]",
        None,
    ),
    (
        "customer policy not in Policies",
        _set("RoleDetailList.0.AttachedManagedPolicies.0.PolicyArn", f"arn:aws:iam::{ACCOUNT}:policy/Gone"),
        WorldErrorCode.UNKNOWN_POLICY,
        "RoleDetailList[0].AttachedManagedPolicies[0].PolicyArn",
        None,
    ),
    (
        "AWS managed policy nobody knows",
        _set("GroupDetailList.1.AttachedManagedPolicies.0.PolicyArn", "arn:aws:iam::aws:policy/AmazonMadeUpAccess"),
        WorldErrorCode.UNKNOWN_AWS_MANAGED_POLICY,
        "GroupDetailList[1].AttachedManagedPolicies[0].PolicyArn",
        None,
    ),
    (
        "boundary that is not a policy ARN",
        _set("UserDetailList.0.PermissionsBoundary.PermissionsBoundaryArn", f"arn:aws:iam::{ACCOUNT}:role/EC2role"),
        WorldErrorCode.INVALID_VALUE,
        "UserDetailList[0].PermissionsBoundary.PermissionsBoundaryArn",
        None,
    ),
    (
        "role of another account",
        _set("RoleDetailList.2.Arn", "arn:aws:iam::210987654321:role/ci/github-deploy"),
        WorldErrorCode.ACCOUNT_ID_MISMATCH,
        "RoleDetailList[2].Arn",
        None,
    ),
    (
        "ARN of another name",
        _set("UserDetailList.1.Arn", f"arn:aws:iam::{ACCOUNT}:user/bob"),
        WorldErrorCode.INVALID_VALUE,
        "UserDetailList[1].Arn",
        None,
    ),
    (
        "not an ARN",
        _set("GroupDetailList.0.Arn", "developers"),
        WorldErrorCode.INVALID_VALUE,
        "GroupDetailList[0].Arn",
        None,
    ),
    (
        "missing role name",
        _set("RoleDetailList.1.RoleName", _DELETE),
        WorldErrorCode.MISSING_KEY,
        "RoleDetailList[1]",
        None,
    ),
    (
        "role name of the wrong type",
        _set("RoleDetailList.1.RoleName", 12),
        WorldErrorCode.WRONG_TYPE,
        "RoleDetailList[1].RoleName",
        None,
    ),
    (
        "invalid IAM name",
        _set("UserDetailList.0.UserName", "alice smith"),
        WorldErrorCode.INVALID_VALUE,
        "UserDetailList[0].UserName",
        None,
    ),
    (
        "path without slashes",
        _set("UserDetailList.1.Path", "engineering"),
        WorldErrorCode.INVALID_VALUE,
        "UserDetailList[1].Path",
        None,
    ),
    ("a list that is an object", _set("RoleDetailList", {}), WorldErrorCode.WRONG_TYPE, "RoleDetailList", None),
    (
        "an entry that is a string",
        _set("Policies.1", "DeveloperBoundary"),
        WorldErrorCode.WRONG_TYPE,
        "Policies[1]",
        None,
    ),
    (
        "tags that are an object",
        _set("UserDetailList.0.Tags", {"team": "finance"}),
        WorldErrorCode.WRONG_TYPE,
        "UserDetailList[0].Tags",
        None,
    ),
    (
        "a tag given twice",
        _set("UserDetailList.0.Tags.1.Key", "team"),
        WorldErrorCode.DUPLICATE_KEY,
        "UserDetailList[0].Tags[1].Key",
        None,
    ),
    (
        "default version not listed",
        lambda d: d["Policies"][1].update(
            DefaultVersionId="v4",
            PolicyVersionList=[{**d["Policies"][1]["PolicyVersionList"][0], "IsDefaultVersion": False}],
        ),
        WorldErrorCode.MISSING_KEY,
        "Policies[1].PolicyVersionList",
        None,
    ),
    (
        "no default version at all",
        lambda d: (
            d["Policies"][1].pop("DefaultVersionId"),
            d["Policies"][1]["PolicyVersionList"][0].pop("IsDefaultVersion"),
        ),
        WorldErrorCode.MISSING_KEY,
        "Policies[1]",
        None,
    ),
    (
        "default flag on another version",
        _set("Policies.0.PolicyVersionList.1.IsDefaultVersion", True),
        WorldErrorCode.INVALID_VALUE,
        "Policies[0].PolicyVersionList",
        None,
    ),
    (
        "version listed twice",
        _set("Policies.0.PolicyVersionList.1.VersionId", "v2"),
        WorldErrorCode.DUPLICATE_NAME,
        "Policies[0].PolicyVersionList[1].VersionId",
        None,
    ),
    (
        "role listed twice, other case",
        lambda d: d["RoleDetailList"][2].update(
            RoleName="ec2ROLE", Path="/", Arn=f"arn:aws:iam::{ACCOUNT}:role/ec2ROLE"
        ),
        WorldErrorCode.DUPLICATE_NAME,
        "RoleDetailList[2].RoleName",
        None,
    ),
    (
        "inline policy listed twice",
        lambda d: d["RoleDetailList"][0]["RolePolicyList"].append(
            copy.deepcopy(d["RoleDetailList"][0]["RolePolicyList"][0])
        ),
        WorldErrorCode.DUPLICATE_NAME,
        "RoleDetailList[0].RolePolicyList[1].PolicyName",
        None,
    ),
    (
        "session duration out of range",
        _set("RoleDetailList.0.MaxSessionDuration", 600),
        WorldErrorCode.INVALID_VALUE,
        "RoleDetailList[0].MaxSessionDuration",
        None,
    ),
    (
        "instance profile described twice differently",
        lambda d: d["RoleDetailList"][2]["InstanceProfileList"].append(
            {**d["RoleDetailList"][0]["InstanceProfileList"][0], "InstanceProfileId": "AIPAOTHEREXAMPLE00000"}
        ),
        WorldErrorCode.DUPLICATE_NAME,
        "RoleDetailList[2].InstanceProfileList[0].InstanceProfileName",
        None,
    ),
    ("truncated response", _set("IsTruncated", True), WorldErrorCode.TRUNCATED_EXPORT, "IsTruncated", None),
    (
        "CLI output of one page",
        _set("NextToken", "eyJNYXJrZXIiOiBudWxsfQ=="),
        WorldErrorCode.TRUNCATED_EXPORT,
        "NextToken",
        None,
    ),
]


@pytest.mark.parametrize(("change", "code", "path", "cause"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_errors_have_a_code_and_a_path(
    change: Callable[[dict[str, Any]], None], code: WorldErrorCode, path: str, cause: str | None, sample: dict[str, Any]
) -> None:
    change(sample)
    with pytest.raises(ExportFileError) as caught:
        read(sample)
    error = caught.value
    assert (error.code, error.location.path if error.location else None, error.cause_code) == (code.value, path, cause)
    assert error.file is None
    assert error.to_dict()["code"] == code.value
    assert str(error).startswith(code.value)


def test_a_duplicate_across_pages_names_the_page() -> None:
    first, second = pages(load_sample(), (5, 6))
    second["RoleDetailList"].insert(0, copy.deepcopy(second["RoleDetailList"][0]))
    with pytest.raises(ExportFileError) as caught:
        read([first, second])
    assert caught.value.code == WorldErrorCode.DUPLICATE_NAME.value
    assert caught.value.location is not None and caught.value.location.path == "[1].RoleDetailList[1].RoleName"


def test_a_missing_last_page_is_reported() -> None:
    first, _ = pages(load_sample(), (5, 6))
    with pytest.raises(ExportFileError) as caught:
        read([first])
    assert caught.value.code == WorldErrorCode.TRUNCATED_EXPORT.value
    assert caught.value.location is not None and caught.value.location.path == "[0].IsTruncated"


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        ("", WorldErrorCode.SYNTAX, 1),
        ('{"UserDetailList": [\n  {"UserName": }]}', WorldErrorCode.SYNTAX, 2),
        ("[1, 2]", WorldErrorCode.WRONG_TYPE, None),
        ('"text"', WorldErrorCode.WRONG_TYPE, None),
    ],
)
def test_file_problems_name_the_file(tmp_path: Path, text: str, code: WorldErrorCode, line: int | None) -> None:
    path = tmp_path / "details.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ExportFileError) as caught:
        read(path)
    assert (caught.value.code, caught.value.file) == (code.value, str(path))
    assert caught.value.location is not None and caught.value.location.line == line
    assert caught.value.to_dict()["file"] == str(path)
    assert str(path) in str(caught.value)


def test_missing_file_and_unknown_account(tmp_path: Path) -> None:
    with pytest.raises(ExportFileError) as caught:
        read(tmp_path / "nothing.json")
    assert caught.value.code == WorldErrorCode.FILE_NOT_FOUND.value
    with pytest.raises(ExportFileError) as caught:
        read({"RoleDetailList": []})
    assert caught.value.code == WorldErrorCode.MISSING_KEY.value
    with pytest.raises(ExportFileError) as caught:
        read(AUTH_DETAILS, account_id="111122223333")
    assert caught.value.code == WorldErrorCode.ACCOUNT_ID_MISMATCH.value
    assert caught.value.location is not None and caught.value.location.path == "UserDetailList[0].Arn"
    with pytest.raises(ExportFileError) as caught:
        read(AUTH_DETAILS, account_id="12345")
    assert caught.value.code == WorldErrorCode.INVALID_ACCOUNT_ID.value


def _mutations(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            out.extend(_mutations(item, (*path, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out.extend(_mutations(item, (*path, index)))
    return out


@pytest.mark.parametrize("replacement", [None, 0, "", [], {"": None}])
def test_any_value_replaced_gives_a_typed_error_or_an_account(replacement: Any) -> None:
    """Replacing any value of the sample never raises anything but a WorldFileError."""
    original = load_sample()
    for path in _mutations(original)[1:]:
        data = copy.deepcopy(original)
        target = data
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = copy.deepcopy(replacement)
        try:
            read(data)
        except WorldFileError as exc:
            assert exc.location is not None and isinstance(exc.to_dict(), dict)

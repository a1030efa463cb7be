"""Every problem in a directory of Organizations CLI outputs names its code, file and JSON path.

The files follow the AWS CLI reference (https://docs.aws.amazon.com/cli/latest/reference/organizations/
list-roots.html, list-accounts-for-parent.html, list-organizational-units-for-parent.html,
list-policies.html, describe-policy.html, list-targets-for-policy.html, describe-organization.html);
a CLI output cut short carries `NextToken`, as those pages describe for paginated commands.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iamtwin.world.errors import WorldErrorCode
from iamtwin.world.formats.errors import ExportFileError
from iamtwin.world.formats.organizations import read_organization_directory

from .fixtures import copy_organization

ROOT = "r-examplerootid111"
PRODUCTION = "ou-examplerootid111-exampleouid111"
SANDBOX = "ou-examplerootid111-exampleouid222"


def _edit(directory: Path, relative: str, change: object) -> None:
    path = directory / relative
    if change is None:
        path.unlink()
    elif isinstance(change, str):
        path.write_text(change)
    else:
        data = json.loads(path.read_text())
        change(data)  # type: ignore[operator]
        path.write_text(json.dumps(data))


def _content(text: str) -> object:
    def change(data: dict[str, object]) -> None:
        data["Policy"]["Content"] = text  # type: ignore[index]

    return change


_DESCRIBE_222 = "describe-policy/p-examplepolicyid222.json"
_TARGETS_222 = "list-targets-for-policy/p-examplepolicyid222.json"
_SCPS = "list-policies/SERVICE_CONTROL_POLICY.json"

# (name, file, change, code, path, cause code); a change None deletes the file, a str replaces it.
ERRORS: list[tuple[str, str, object, WorldErrorCode, str, str | None]] = [
    ("no list-roots", "list-roots.json", None, WorldErrorCode.FILE_NOT_FOUND, "", None),
    ("list-roots not JSON", "list-roots.json", "{\n  Roots: []\n}", WorldErrorCode.SYNTAX, "", None),
    (
        "two roots",
        "list-roots.json",
        lambda d: d["Roots"].append(d["Roots"][0]),
        WorldErrorCode.INVALID_VALUE,
        "Roots",
        None,
    ),
    (
        "root id that is a path",
        "list-roots.json",
        lambda d: d["Roots"][0].update(Id="../r-x"),
        WorldErrorCode.INVALID_VALUE,
        "Roots[0].Id",
        None,
    ),
    (
        "no account listing of an OU",
        f"list-accounts-for-parent/{SANDBOX}.json",
        None,
        WorldErrorCode.FILE_NOT_FOUND,
        "",
        None,
    ),
    (
        "no OU listing of the root",
        f"list-organizational-units-for-parent/{ROOT}.json",
        None,
        WorldErrorCode.FILE_NOT_FOUND,
        "",
        None,
    ),
    (
        "an account listed twice",
        f"list-accounts-for-parent/{SANDBOX}.json",
        lambda d: d["Accounts"][0].update(Id="222222222222"),
        WorldErrorCode.ACCOUNT_LISTED_TWICE,
        "Accounts[0].Id",
        None,
    ),
    (
        "an account id that is not one",
        f"list-accounts-for-parent/{SANDBOX}.json",
        lambda d: d["Accounts"][0].update(Id="3333"),
        WorldErrorCode.INVALID_VALUE,
        "Accounts[0].Id",
        None,
    ),
    (
        "an OU without a name",
        f"list-organizational-units-for-parent/{ROOT}.json",
        lambda d: d["OrganizationalUnits"][1].pop("Name"),
        WorldErrorCode.MISSING_KEY,
        "OrganizationalUnits[1]",
        None,
    ),
    (
        "a listing cut short",
        f"list-accounts-for-parent/{PRODUCTION}.json",
        lambda d: d.update(NextToken="AAEAAR"),
        WorldErrorCode.TRUNCATED_EXPORT,
        "NextToken",
        None,
    ),
    (
        "a bad effect in an SCP",
        _DESCRIBE_222,
        _content('{"Version": "2012-10-17", "Statement": [{"Effect": "Refuse", "Action": "*", "Resource": "*"}]}'),
        WorldErrorCode.INVALID_POLICY_DOCUMENT,
        "Policy.Content.Statement[0].Effect",
        "INVALID_EFFECT",
    ),
    (
        "SCP content that is not JSON",
        _DESCRIBE_222,
        _content('{"Version": "2012-10-17", "Statement": [}'),
        WorldErrorCode.INVALID_POLICY_DOCUMENT,
        "Policy.Content.Statement[0]",
        "JSON_SYNTAX_ERROR",
    ),
    ("no content", _DESCRIBE_222, lambda d: d["Policy"].pop("Content"), WorldErrorCode.MISSING_KEY, "Policy", None),
    ("no describe-policy of a customer SCP", _DESCRIBE_222, None, WorldErrorCode.FILE_NOT_FOUND, "", None),
    (
        "describe-policy of another policy",
        _DESCRIBE_222,
        lambda d: d["Policy"]["PolicySummary"].update(Id="p-examplepolicyid111"),
        WorldErrorCode.INVALID_VALUE,
        "Policy.PolicySummary.Id",
        None,
    ),
    ("no targets of an SCP", _TARGETS_222, None, WorldErrorCode.FILE_NOT_FOUND, "", None),
    (
        "a target outside the tree",
        _TARGETS_222,
        lambda d: d["Targets"][1].update(TargetId="555555555555"),
        WorldErrorCode.UNKNOWN_TARGET,
        "Targets[1].TargetId",
        None,
    ),
    (
        "a target of the wrong type",
        _TARGETS_222,
        lambda d: d["Targets"][0].update(Type="ACCOUNT"),
        WorldErrorCode.INVALID_VALUE,
        "Targets[0].Type",
        None,
    ),
    (
        "an RCP in the SCP listing",
        _SCPS,
        lambda d: d["Policies"][1].update(Type="RESOURCE_CONTROL_POLICY"),
        WorldErrorCode.POLICY_TYPE_MISMATCH,
        "Policies[1].Type",
        None,
    ),
    (
        "a policy name twice",
        _SCPS,
        lambda d: d["Policies"][2].update(Name="DenyLeaveOrganization"),
        WorldErrorCode.DUPLICATE_NAME,
        "Policies[2].Name",
        None,
    ),
    (
        "a policy id that is a path",
        _SCPS,
        lambda d: d["Policies"][1].update(Id="p-../../x"),
        WorldErrorCode.INVALID_VALUE,
        "Policies[1].Id",
        None,
    ),
    ("no SCP listing though SCPs are on", _SCPS, None, WorldErrorCode.FILE_NOT_FOUND, "", None),
    (
        "an organization id that is not one",
        "describe-organization.json",
        lambda d: d["Organization"].update(Id="org-1"),
        WorldErrorCode.INVALID_VALUE,
        "Organization.Id",
        None,
    ),
    (
        "policies that are not a list",
        _SCPS,
        lambda d: d.update(Policies={}),
        WorldErrorCode.WRONG_TYPE,
        "Policies",
        None,
    ),
]


@pytest.mark.parametrize(
    ("relative", "change", "code", "path", "cause"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS]
)
def test_errors_name_the_file_and_the_path(
    tmp_path: Path, relative: str, change: object, code: WorldErrorCode, path: str, cause: str | None
) -> None:
    directory = copy_organization(tmp_path)
    _edit(directory, relative, change)
    with pytest.raises(ExportFileError) as caught:
        read_organization_directory(directory)
    error = caught.value
    assert (error.code, error.location.path if error.location else None, error.cause_code) == (code.value, path, cause)
    assert error.file == str(directory / relative)
    assert error.to_dict()["file"] == error.file


def test_without_describe_organization_or_root_arn(tmp_path: Path) -> None:
    directory = copy_organization(tmp_path)
    _edit(directory, "describe-organization.json", None)
    _edit(directory, "list-roots.json", lambda d: d["Roots"][0].pop("Arn"))
    with pytest.raises(ExportFileError) as caught:
        read_organization_directory(directory)
    assert caught.value.code == WorldErrorCode.MISSING_KEY.value
    assert caught.value.location is not None and caught.value.location.path == "Roots[0].Arn"

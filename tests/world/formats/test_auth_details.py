"""Reading `aws iam get-account-authorization-details` output into an Account, and writing it back.

The sample in `samples/auth-details.json` is written by hand in the shape the AWS CLI reference
shows (https://docs.aws.amazon.com/cli/latest/reference/iam/get-account-authorization-details.html)
with the members of https://docs.aws.amazon.com/IAM/latest/APIReference/API_UserDetail.html,
API_GroupDetail.html, API_RoleDetail.html, API_ManagedPolicyDetail.html and API_PolicyVersion.html;
the raw API URL-encodes documents and pages with `Marker`/`IsTruncated`
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from iamtwin.world.formats.auth_details import read_auth_details, write_auth_details
from iamtwin.world.model import Account, PolicyVersion

from .fixtures import AUTH_DETAILS, catalogue, load_sample, pages, read

ACCOUNT = "123456789012"
_DOCUMENT_KEYS = ("Document", "PolicyDocument", "AssumeRolePolicyDocument")


def _url_encoded(value: Any) -> Any:
    """The response with every document URL-encoded (RFC 3986), as the raw API returns it."""
    if isinstance(value, dict):
        return {
            key: quote(json.dumps(item), safe="") if key in _DOCUMENT_KEYS else _url_encoded(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_url_encoded(item) for item in value]
    return value


def test_sample_reads_into_the_model() -> None:
    account = read(AUTH_DETAILS, account_name="finance")
    assert (account.id, account.name) == (ACCOUNT, "finance")
    alice, bob = account.users["alice"], account.users["bob"]
    assert alice.user_id == "AIDAJQABLZS4A3QDU576Q"
    assert alice.tags == {"team": "finance", "cost-center": "4711"}
    assert [g.name for g in alice.groups] == ["developers"]
    assert alice.groups[0] == account.groups["developers"]
    assert [p.name for p in alice.inline_policies] == ["OwnAccessKeys"]
    assert [p.arn for p in alice.managed_policies] == [
        f"arn:aws:iam::{ACCOUNT}:policy/ReadReports",
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
    ]
    assert alice.permissions_boundary == account.policies["DeveloperBoundary"]
    assert (bob.path, bob.arn) == ("/engineering/", f"arn:aws:iam::{ACCOUNT}:user/engineering/bob")
    assert [g.name for g in bob.groups] == ["developers", "Admins"]

    admins = account.groups["Admins"]
    assert admins.managed_policies == (catalogue("arn:aws:iam::aws:policy/AdministratorAccess"),)
    assert admins.group_id == "AGPAIEXAMPLEADMINS0001"

    ec2 = account.roles["EC2role"]
    assert ec2.trust_policy is not None and ec2.trust_policy["Statement"][0]["Principal"] == {
        "Service": "ec2.amazonaws.com"
    }
    assert (ec2.role_id, ec2.max_session_duration, ec2.service_linked) == ("AROA1234567890EXAMPLE", 3600, False)
    profile = account.instance_profiles["EC2role"]
    assert (profile.roles, profile.instance_profile_id) == (("EC2role",), "AIPA1234567890EXAMPLE")
    assert profile.arn == f"arn:aws:iam::{ACCOUNT}:instance-profile/EC2role"
    linked = account.roles["AWSServiceRoleForOrganizations"]
    assert linked.service_linked
    service_policy = linked.managed_policies[0]
    assert service_policy.aws_managed and service_policy.path == "/aws-service-role/"
    assert [v.version_id for v in service_policy.versions] == ["v2", "v1"]
    deploy = account.roles["github-deploy"]
    assert deploy.tags == {"owner": "platform"}
    assert deploy.permissions_boundary is not None and deploy.permissions_boundary.name == "DeveloperBoundary"
    assert deploy.managed_policies == (catalogue("arn:aws:iam::aws:policy/PowerUserAccess"),)


def test_managed_policies_keep_every_version_and_the_default() -> None:
    account = read(AUTH_DETAILS)
    # Only customer-managed policies are the account's; AWS managed ones hang off their attachments.
    assert sorted(account.policies) == ["DeveloperBoundary", "ReadReports"]
    reports = account.policies["ReadReports"]
    assert reports.default_version_id == "v2"
    assert [v.version_id for v in reports.versions] == ["v2", "v1"]
    assert reports.versions[1] == PolicyVersion(
        "v1",
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::finance-reports/*"}],
        },
        "2019-04-11T08:22:00+00:00",
    )
    assert reports.document == reports.versions[0].document
    assert (reports.policy_id, reports.description) == ("ANPAEXAMPLEREADREPORTS", "Read the finance reports bucket")
    boundary = account.policies["DeveloperBoundary"]
    assert (boundary.path, boundary.arn) == (
        "/boundaries/",
        f"arn:aws:iam::{ACCOUNT}:policy/boundaries/DeveloperBoundary",
    )


def test_url_encoded_documents_read_like_json_objects() -> None:
    """The raw API (and SDKs that do not decode) give each document as URL-encoded JSON text."""
    encoded = _url_encoded(load_sample())
    assert encoded["RoleDetailList"][0]["AssumeRolePolicyDocument"].startswith("%7B%22Version%22")
    assert read(encoded) == read(load_sample())


def test_a_hand_written_raw_api_page() -> None:
    page = {
        "RoleDetailList": [
            {
                "Path": "/",
                "RoleName": "lambda-exec",
                "Arn": f"arn:aws:iam::{ACCOUNT}:role/lambda-exec",
                "AssumeRolePolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect"
                "%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22lambda.amazonaws.com%22%7D%2C%22Action"
                "%22%3A%22sts%3AAssumeRole%22%7D%5D%7D",
                "RolePolicyList": [
                    {
                        "PolicyName": "literal-percent",
                        # Plain JSON text is accepted too, and a `%` in it is left alone.
                        "PolicyDocument": '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
                        '"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/100%/*"}]}',
                    }
                ],
            }
        ],
        "IsTruncated": False,
    }
    role = read(page).roles["lambda-exec"]
    assert role.trust_policy == {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    assert role.inline_policies[0].document["Statement"][0]["Resource"] == "arn:aws:s3:::b/100%/*"  # type: ignore[index]


@pytest.mark.parametrize("sizes", [(11,), (4, 7), (1, 1, 1, 8), (6, 0, 5)])
def test_pages_read_like_one_response(sizes: tuple[int, ...]) -> None:
    # Groups and policies may come on a later page than the users and roles that use them.
    assert read(pages(load_sample(), sizes)) == read(load_sample())


def test_pages_as_files_and_as_one_array_file(tmp_path: Path) -> None:
    split = pages(load_sample(), (3, 3, 5))
    files = []
    for number, page in enumerate(split):
        files.append(tmp_path / f"page-{number}.json")
        files[-1].write_text(json.dumps(page), encoding="utf-8")
    array = tmp_path / "pages.json"
    array.write_text(json.dumps(split), encoding="utf-8")
    expected = read(load_sample())
    assert read(files) == expected
    assert read([str(f) for f in files]) == expected
    assert read(array) == expected


def test_account_id_may_be_given() -> None:
    assert read(AUTH_DETAILS, account_id=ACCOUNT).id == ACCOUNT
    empty = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}
    assert read(empty, account_id="999988887777") == Account("999988887777", None, {}, {}, {}, {}, ())


def test_only_the_file_copy_of_an_aws_managed_policy_is_used() -> None:
    asked: list[str] = []

    def resolver(arn: str) -> Any:
        asked.append(arn)
        return catalogue(arn)

    read_auth_details(AUTH_DETAILS, aws_managed=resolver)
    # ReadOnlyAccess and the service-role policy are in `Policies`; each other ARN is asked once.
    assert sorted(asked) == ["arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::aws:policy/PowerUserAccess"]


def test_round_trip_of_the_sample() -> None:
    account = read(AUTH_DETAILS, account_name="finance")
    written = write_auth_details(account)
    assert read(written, account_name="finance") == account
    # The written response is JSON, with documents as objects, as the CLI prints them.
    reread = json.loads(json.dumps(written))
    assert isinstance(reread["RoleDetailList"][0]["AssumeRolePolicyDocument"], dict)
    reports = next(p for p in reread["Policies"] if p["PolicyName"] == "ReadReports")
    assert (reports["AttachmentCount"], reports["PermissionsBoundaryUsageCount"]) == (3, 0)
    assert read(reread, account_name="finance") == account


def test_round_trip_of_what_only_iamtwin_extensions_carry(sample: dict[str, Any]) -> None:
    sample["RoleDetailList"][0].update(MaxSessionDuration=7200, Description="web servers")
    sample["Policies"][1]["Tags"] = [{"Key": "owner", "Value": "security"}]
    # A single default version without a date is the model's implicit version.
    del sample["Policies"][1]["PolicyVersionList"][0]["CreateDate"]
    account = read(sample)
    role, boundary = account.roles["EC2role"], account.policies["DeveloperBoundary"]
    assert (role.max_session_duration, role.description) == (7200, "web servers")
    assert (boundary.tags, boundary.versions, boundary.default_version_id) == ({"owner": "security"}, (), "v1")
    assert read(write_auth_details(account)) == account

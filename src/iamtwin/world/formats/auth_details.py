"""Read the output of `aws iam get-account-authorization-details` into an Account.

The input is one response (the AWS CLI merges pages into one unless told otherwise) or a list of
pages, each a mapping or a JSON file; a file may also hold a JSON array of pages. Of each page
the reader uses `UserDetailList`, `GroupDetailList`, `RoleDetailList` and `Policies`; the last
page must not be truncated (`IsTruncated` true or a CLI `NextToken` means pages are missing).
Keys AWS adds that the model does not hold (`CreateDate`, `RoleLastUsed`, `AttachmentCount`, ...)
are ignored.

- Policy documents are JSON objects (CLI output) or URL-encoded JSON text (raw API output);
  each is checked by the policy parser (see `formats.documents`).
- Managed policies keep every version of `PolicyVersionList` and the default one; a list holding
  only the default version without a `CreateDate` is the model's implicit single version.
  Customer-managed policies go to `Account.policies`; AWS managed ones (`arn:aws:iam::aws:...`)
  are used for the attachments that name them. An attached AWS managed policy missing from
  `Policies` is looked up with `aws_managed(arn)`; unknown ones are an error.
- A role on the path `/aws-service-role/` is service-linked; the instance profiles listed under
  roles become `Account.instance_profiles`.
- iamtwin extensions, which AWS's response lacks but an exporter can merge in from other calls:
  `MaxSessionDuration` and `Description` on a role, `Tags` on a managed policy.
- The account id comes from the ARNs, which must all agree, or from `account_id`.

Every problem raises an ExportFileError (a WorldFileError) with a code, the file and a JSON path
such as `RoleDetailList[12].AssumeRolePolicyDocument.Statement[0]`; with several pages the path
starts with the page's index (`[1].RoleDetailList[0]`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import WorldErrorCode
from ..model import Account, Group, InlinePolicy, InstanceProfile, ManagedPolicy, PolicyVersion, Role, User
from ..source import item_path
from .auth_details_writer import write_auth_details
from .documents import decode_document
from .nodes import Node, fail, load_json_file

AwsManagedResolver = Callable[[str], ManagedPolicy | None]
AuthDetailsSource = Mapping[str, Any] | str | os.PathLike[str] | Sequence[Mapping[str, Any] | str | os.PathLike[str]]

SERVICE_ROLE_PATH = "/aws-service-role/"
_LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")
_IAM_ARN = re.compile(r"^arn:([\w-]+):iam::(\d{12}|aws):([a-z-]+)(/.*)$", re.ASCII)
_ACCOUNT_ID = re.compile(r"^\d{12}$", re.ASCII)
_IAM_NAME = re.compile(r"^[\w+=,.@-]{1,128}$", re.ASCII)
_IAM_PATH = re.compile(r"^/(?:[\x21-\x7e]*/)?$")


def read_auth_details(
    source: AuthDetailsSource,
    *,
    aws_managed: AwsManagedResolver | None = None,
    account_id: str | None = None,
    account_name: str | None = None,
) -> Account:
    """The Account described by get-account-authorization-details output (one response or its pages)."""
    pages = load_pages(source)
    _check_complete(pages)
    lists = {key: [entry for page in pages for entry in page.children(key)] for key in _LISTS}
    account = _account_id(pages, lists, account_id)
    return _AccountReader(account, aws_managed).read(lists, account_name)


def load_pages(source: AuthDetailsSource) -> list[Node]:
    """The response pages of `source`, each with its file and the path prefix of its values."""
    if isinstance(source, Mapping):
        return [Node(None, "", source)]
    if isinstance(source, str | os.PathLike):
        return _file_pages(Path(source))
    if not isinstance(source, Sequence):
        fail(WorldErrorCode.WRONG_TYPE, "expected a response, a list of pages or a file", None, "")
    pages: list[Node] = []
    for index, item in enumerate(source):
        if isinstance(item, str | os.PathLike):
            pages.extend(_file_pages(Path(item)))
        else:
            pages.append(Node(None, item_path("", index), item))
    return pages


def _file_pages(path: Path) -> list[Node]:
    value = load_json_file(path)
    if isinstance(value, list):
        return [Node(str(path), item_path("", i), item) for i, item in enumerate(value)]
    return [Node(str(path), "", value)]


def _check_complete(pages: list[Node]) -> None:
    if not pages:
        fail(WorldErrorCode.MISSING_KEY, "no response pages were given", None, "")
    last = pages[-1]
    token = last.text("NextToken")
    if token:
        last.fail(
            WorldErrorCode.TRUNCATED_EXPORT,
            f"the last page ends with a `NextToken`; rerun with `--starting-token {token}` for the rest",
            last.at("NextToken"),
        )
    if last.flag("IsTruncated"):
        marker = last.text("Marker") or ""
        last.fail(
            WorldErrorCode.TRUNCATED_EXPORT,
            f"the last page is truncated; the pages after marker `{marker[:40]}` are missing",
            last.at("IsTruncated"),
        )


def _account_id(pages: list[Node], lists: dict[str, list[Node]], given: str | None) -> str:
    if given is not None and not _ACCOUNT_ID.match(given):
        fail(WorldErrorCode.INVALID_ACCOUNT_ID, f"`{given}` is not a 12-digit account id", None, "")
    found = given
    for key in _LISTS:
        for entry in lists[key]:
            arn = entry.text("Arn")
            if arn is None:
                continue
            match = _IAM_ARN.match(arn)
            if match is None:
                entry.fail(WorldErrorCode.INVALID_VALUE, f"`{arn}` is not an IAM ARN", entry.at("Arn"))
            owner = match.group(2)
            if owner == "aws" and key == "Policies":
                continue
            if found is None:
                found = owner
            elif owner != found:
                entry.fail(
                    WorldErrorCode.ACCOUNT_ID_MISMATCH,
                    f"`{arn}` belongs to account `{owner}`, not `{found}`",
                    entry.at("Arn"),
                )
    if found is None:
        pages[0].fail(WorldErrorCode.MISSING_KEY, "no ARN in the export names the account; pass `account_id`")
    return found


class _AccountReader:
    def __init__(self, account_id: str, aws_managed: AwsManagedResolver | None) -> None:
        self.account_id = account_id
        self.aws_managed = aws_managed
        self.customer: dict[str, ManagedPolicy] = {}  # by ARN
        self.aws: dict[str, ManagedPolicy | None] = {}  # by ARN; None: the resolver does not know it
        self.profiles: dict[str, tuple[Node, InstanceProfile]] = {}

    def read(self, lists: dict[str, list[Node]], name: str | None) -> Account:
        policies: dict[str, ManagedPolicy] = {}
        seen: set[str] = set()
        for entry in lists["Policies"]:
            policy = self.policy(entry)
            if policy.aws_managed:
                self.aws[policy.arn] = policy
                continue
            _unique(entry, seen, policy.name, "PolicyName", "managed policy")
            policies[policy.name] = policy
            self.customer[policy.arn] = policy
        groups: dict[str, Group] = {}
        seen = set()
        for entry in lists["GroupDetailList"]:
            group = self.group(entry)
            _unique(entry, seen, group.name, "GroupName", "group")
            groups[group.name] = group
        users: dict[str, User] = {}
        seen = set()
        for entry in lists["UserDetailList"]:
            user = self.user(entry, groups)
            _unique(entry, seen, user.name, "UserName", "user")
            users[user.name] = user
        roles: dict[str, Role] = {}
        seen = set()
        for entry in lists["RoleDetailList"]:
            role = self.role(entry)
            _unique(entry, seen, role.name, "RoleName", "role")
            roles[role.name] = role
        profiles = {profile.name: profile for _, profile in self.profiles.values()}
        return Account(self.account_id, name, users, groups, roles, policies, (), profiles)

    def identity(self, entry: Node, kind: str, name_key: str) -> tuple[str, str, str]:
        """The name, path and ARN of an entity, checked against each other."""
        name = entry.required_text(name_key)
        if not _IAM_NAME.match(name):
            entry.fail(WorldErrorCode.INVALID_VALUE, f"`{name}` is not a valid IAM name", entry.at(name_key))
        path = entry.text("Path") or "/"
        if not _IAM_PATH.match(path):
            entry.fail(
                WorldErrorCode.INVALID_VALUE,
                f"`{path}` is not an IAM path (it must start and end with `/`)",
                entry.at("Path"),
            )
        arn = entry.text("Arn")
        if arn is None:
            return name, path, f"arn:aws:iam::{self.account_id}:{kind}{path}{name}"
        match = _IAM_ARN.match(arn)
        if match is None:
            entry.fail(WorldErrorCode.INVALID_VALUE, f"`{arn}` is not an IAM ARN", entry.at("Arn"))
        if match.group(2) not in (self.account_id, "aws" if kind == "policy" else self.account_id):
            entry.fail(
                WorldErrorCode.ACCOUNT_ID_MISMATCH,
                f"`{arn}` belongs to account `{match.group(2)}`, not `{self.account_id}`",
                entry.at("Arn"),
            )
        if match.group(3) != kind or match.group(4) != path + name:
            entry.fail(
                WorldErrorCode.INVALID_VALUE,
                f"`{arn}` is not the ARN of the {kind} `{path}{name}`",
                entry.at("Arn"),
            )
        return name, path, arn

    def policy(self, entry: Node) -> ManagedPolicy:
        name, path, arn = self.identity(entry, "policy", "PolicyName")
        versions: list[PolicyVersion] = []
        flagged: list[str] = []
        for item in entry.children("PolicyVersionList"):
            version_id = item.required_text("VersionId")
            if any(v.version_id == version_id for v in versions):
                item.fail(
                    WorldErrorCode.DUPLICATE_NAME, f"version `{version_id}` is listed twice", item.at("VersionId")
                )
            document = decode_document(item.file, item.at("Document"), item.raw("Document", required=True))
            versions.append(PolicyVersion(version_id, document, item.text("CreateDate")))
            if item.flag("IsDefaultVersion"):
                flagged.append(version_id)
        default_id = entry.text("DefaultVersionId")
        if default_id is None:
            if len(flagged) != 1:
                entry.fail(WorldErrorCode.MISSING_KEY, "missing key `DefaultVersionId`")
            default_id = flagged[0]
        elif flagged and flagged != [default_id]:
            entry.fail(
                WorldErrorCode.INVALID_VALUE,
                f"`IsDefaultVersion` marks `{flagged[0]}`, but `DefaultVersionId` is `{default_id}`",
                entry.at("PolicyVersionList"),
            )
        default = next((v for v in versions if v.version_id == default_id), None)
        if default is None:
            entry.fail(
                WorldErrorCode.MISSING_KEY,
                f"`PolicyVersionList` has no version `{default_id}`, the default version",
                entry.at("PolicyVersionList"),
            )
        stored = tuple(versions)
        if len(stored) == 1 and stored[0].create_date is None:
            stored = ()
        return ManagedPolicy(
            name,
            arn,
            default.document,
            path,
            entry.tags(),
            aws_managed=arn.split(":", 5)[4] == "aws",
            versions=stored,
            default_version_id=default_id,
            policy_id=entry.text("PolicyId"),
            description=entry.text("Description") or "",
        )

    def resolve(self, entry: Node, key: str, arn: str) -> ManagedPolicy:
        """The managed policy `arn` that an entity names at `key`."""
        match = _IAM_ARN.match(arn)
        if match is None or match.group(3) != "policy":
            entry.fail(WorldErrorCode.INVALID_VALUE, f"`{arn}` is not the ARN of a managed policy", entry.at(key))
        if match.group(2) != "aws":
            policy = self.customer.get(arn)
            if policy is None:
                entry.fail(WorldErrorCode.UNKNOWN_POLICY, f"`{arn}` is not in the export's `Policies`", entry.at(key))
            return policy
        if arn not in self.aws:
            self.aws[arn] = self.aws_managed(arn) if self.aws_managed is not None else None
        found = self.aws[arn]
        if found is None:
            entry.fail(
                WorldErrorCode.UNKNOWN_AWS_MANAGED_POLICY,
                f"the AWS managed policy `{arn}` is neither in the export's `Policies` nor known to iamtwin",
                entry.at(key),
            )
        return found

    def inline(self, entry: Node, key: str) -> tuple[InlinePolicy, ...]:
        out: list[InlinePolicy] = []
        for item in entry.children(key):
            name = item.required_text("PolicyName")
            if any(p.name == name for p in out):
                item.fail(
                    WorldErrorCode.DUPLICATE_NAME, f"inline policy `{name}` is listed twice", item.at("PolicyName")
                )
            document = decode_document(item.file, item.at("PolicyDocument"), item.raw("PolicyDocument", required=True))
            out.append(InlinePolicy(name, document))
        return tuple(out)

    def attached(self, entry: Node) -> tuple[ManagedPolicy, ...]:
        return tuple(
            self.resolve(item, "PolicyArn", item.required_text("PolicyArn"))
            for item in entry.children("AttachedManagedPolicies")
        )

    def boundary(self, entry: Node) -> ManagedPolicy | None:
        item = entry.child("PermissionsBoundary")
        if item is None:
            return None
        return self.resolve(item, "PermissionsBoundaryArn", item.required_text("PermissionsBoundaryArn"))

    def group(self, entry: Node) -> Group:
        name, path, arn = self.identity(entry, "group", "GroupName")
        return Group(
            name, arn, path, self.inline(entry, "GroupPolicyList"), self.attached(entry), entry.text("GroupId")
        )

    def user(self, entry: Node, groups: dict[str, Group]) -> User:
        name, path, arn = self.identity(entry, "user", "UserName")
        member_of: list[Group] = []
        for item_path_, group_name in entry.strings("GroupList"):
            group = groups.get(group_name)
            if group is None:
                entry.fail(
                    WorldErrorCode.UNKNOWN_GROUP, f"group `{group_name}` is not in `GroupDetailList`", item_path_
                )
            member_of.append(group)
        return User(
            name,
            arn,
            path,
            entry.tags(),
            tuple(member_of),
            self.inline(entry, "UserPolicyList"),
            self.attached(entry),
            self.boundary(entry),
            entry.text("UserId"),
        )

    def role(self, entry: Node) -> Role:
        name, path, arn = self.identity(entry, "role", "RoleName")
        trust_raw = entry.raw("AssumeRolePolicyDocument")
        trust = (
            None if trust_raw is None else decode_document(entry.file, entry.at("AssumeRolePolicyDocument"), trust_raw)
        )
        duration = entry.whole_number("MaxSessionDuration")
        if duration is None:
            duration = 3600
        elif not 3600 <= duration <= 43200:
            entry.fail(
                WorldErrorCode.INVALID_VALUE,
                "`MaxSessionDuration` must be between 3600 and 43200 seconds",
                entry.at("MaxSessionDuration"),
            )
        role = Role(
            name,
            arn,
            path,
            trust,
            entry.tags(),
            self.inline(entry, "RolePolicyList"),
            self.attached(entry),
            self.boundary(entry),
            duration,
            path.startswith(SERVICE_ROLE_PATH),
            entry.text("RoleId"),
            entry.text("Description") or "",
        )
        for item in entry.children("InstanceProfileList"):
            self.instance_profile(item, name)
        return role

    def instance_profile(self, entry: Node, role_name: str) -> None:
        name, path, arn = self.identity(entry, "instance-profile", "InstanceProfileName")
        roles = tuple(item.required_text("RoleName") for item in entry.children("Roles")) or (role_name,)
        profile = InstanceProfile(name, arn, path, roles, entry.tags(), entry.text("InstanceProfileId"))
        seen = self.profiles.get(name.lower())
        if seen is None:
            self.profiles[name.lower()] = (entry, profile)
        elif seen[1] != profile:
            entry.fail(
                WorldErrorCode.DUPLICATE_NAME,
                f"instance profile `{name}` is described differently at `{seen[0].path}`",
                entry.at("InstanceProfileName"),
            )


def _unique(entry: Node, seen: set[str], name: str, key: str, what: str) -> None:
    # IAM names are unique in an account without regard to case.
    lowered = name.lower()
    if lowered in seen:
        entry.fail(WorldErrorCode.DUPLICATE_NAME, f"{what} `{name}` is listed twice", entry.at(key))
    seen.add(lowered)


__all__ = ["AwsManagedResolver", "load_pages", "read_auth_details", "write_auth_details"]

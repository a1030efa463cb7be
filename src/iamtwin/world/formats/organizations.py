"""Read a directory of AWS Organizations CLI outputs into an Organization.

The layout (`scripts/export-organization.sh` writes it with the AWS CLI; `write_organization`
writes it from a model); each file is the command's JSON output, unchanged::

    describe-organization.json                          optional: aws organizations describe-organization
    list-roots.json                                     aws organizations list-roots
    list-organizational-units-for-parent/<parent>.json  ... list-organizational-units-for-parent --parent-id <parent>
    list-accounts-for-parent/<parent>.json              ... list-accounts-for-parent --parent-id <parent>
    list-policies/SERVICE_CONTROL_POLICY.json           ... list-policies --filter SERVICE_CONTROL_POLICY
    list-policies/RESOURCE_CONTROL_POLICY.json          ... list-policies --filter RESOURCE_CONTROL_POLICY
    describe-policy/<policy-id>.json                    ... describe-policy --policy-id <policy-id>
    list-targets-for-policy/<policy-id>.json            ... list-targets-for-policy --policy-id <policy-id>

`<parent>` is the root and every OU: both listings are needed for each, or accounts could go
missing unnoticed. The organization id and management account come from describe-organization,
or else from the root's ARN. A policy listing is needed when its type is enabled at the root
(`PolicyTypes` of list-roots); `rcps_enabled` is whether RCPs are. Each listed policy needs its
describe-policy (whose `Content` is JSON text) and list-targets-for-policy files; AWS's own
`FullAWSAccess` may lack describe-policy. `RCPFullAWSAccess`, which AWS attaches to every node
while RCPs are enabled and which cannot be detached, is implied by `rcps_enabled` and not listed
on the nodes. AWS managed policies iamtwin knows by name are not put in `Organization.policies`,
as in world files. A node's policies are in the order of the policy listing.

Every problem raises an ExportFileError naming the file and the JSON path in it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import WorldErrorCode
from ..model import OrgAccount, Organization, OrgNode, OrgPolicy, OrgPolicyType, Placement
from ..read_org import organizations_managed
from .documents import decode_document
from .nodes import Node, fail, load_json_file
from .organizations_writer import write_organization

FILTERS = {OrgPolicyType.SCP: "SERVICE_CONTROL_POLICY", OrgPolicyType.RCP: "RESOURCE_CONTROL_POLICY"}
KIND_PATH = {OrgPolicyType.SCP: "service_control_policy", OrgPolicyType.RCP: "resource_control_policy"}
RCP_FULL_ACCESS = "RCPFullAWSAccess"

ROOT_ID = re.compile(r"^r-[0-9a-z]{4,32}$")
OU_ID = re.compile(r"^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$")
ACCOUNT_ID = re.compile(r"^\d{12}$")
POLICY_ID = re.compile(r"^p-[0-9A-Za-z_]{1,128}$")
_ORG_ID = re.compile(r"^o-[a-z0-9]{10,32}$")
_ROOT_ARN = re.compile(r"^arn:[\w-]+:organizations::(\d{12}):root/(o-[a-z0-9]{10,32})/r-[0-9a-z]{4,32}$")
_TARGET_TYPES = {"ROOT": ROOT_ID, "ORGANIZATIONAL_UNIT": OU_ID, "ACCOUNT": ACCOUNT_ID}


@dataclass
class _Tree:
    """The nodes as listed, before policies are attached: children and accounts by parent id."""

    names: dict[str, str] = field(default_factory=dict)
    ous: dict[str, list[str]] = field(default_factory=dict)
    accounts: dict[str, list[str]] = field(default_factory=dict)
    account_names: dict[str, str] = field(default_factory=dict)
    seen_at: dict[str, str] = field(default_factory=dict)  # account or OU id -> the file listing it


class _Directory:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path(self, *parts: str) -> Path:
        return self.directory.joinpath(*parts)

    def node(self, *parts: str, required: bool = True) -> Node | None:
        path = self.path(*parts)
        if not required and not path.exists():
            return None
        node = Node(str(path), "", load_json_file(path))
        token = node.text("NextToken")
        if token:
            node.fail(
                WorldErrorCode.TRUNCATED_EXPORT,
                "the output ends with a `NextToken`: it is one page of several; export it without `--max-items`",
                node.at("NextToken"),
            )
        return node

    def required(self, *parts: str) -> Node:
        node = self.node(*parts)
        assert node is not None
        return node


def read_organization_directory(directory: str | os.PathLike[str]) -> Organization:
    """The Organization described by a directory of Organizations CLI outputs (layout above)."""
    files = _Directory(Path(directory))
    root_node = _root(files)
    root_id = root_node.required_text("Id")
    _check_id(root_node, "Id", root_id, ROOT_ID, "a root id")
    org_id, management = _organization_ids(files, root_node)
    enabled = _enabled_types(root_node)
    tree = _Tree()
    tree.names[root_id] = root_node.text("Name") or "Root"
    _walk(files, tree, root_id)
    policies: dict[str, OrgPolicy] = {}
    attached: dict[str, dict[OrgPolicyType, list[OrgPolicy]]] = {}
    rcps_enabled = enabled.get(OrgPolicyType.RCP, False)
    for kind in OrgPolicyType:
        listing = files.node("list-policies", f"{FILTERS[kind]}.json", required=enabled.get(kind, False))
        if listing is None:
            continue
        if kind is OrgPolicyType.RCP and OrgPolicyType.RCP not in enabled:
            rcps_enabled = True  # no PolicyTypes to say so; an RCP listing means RCPs are in use
        for summary in listing.children("Policies"):
            policy, aws_managed = _policy(files, summary, kind, org_id, management)
            if not aws_managed or organizations_managed(policy.name) is None:
                if policy.name in policies:
                    summary.fail(
                        WorldErrorCode.DUPLICATE_NAME, f"policy `{policy.name}` is listed twice", summary.at("Name")
                    )
                policies[policy.name] = policy
            if aws_managed and policy.name == RCP_FULL_ACCESS:
                continue
            for target in _targets(files, policy.policy_id, tree, root_id):
                attached.setdefault(target, {}).setdefault(kind, []).append(policy)
    placements: dict[str, Placement] = {}
    root = _build(tree, root_id, (), attached, placements)
    if management not in placements:
        placements[management] = Placement((root,), OrgAccount(management, root.scps, ()))
    return Organization(org_id, management, policies, root, placements, rcps_enabled)


def read_account_names(directory: str | os.PathLike[str]) -> dict[str, str]:
    """The name of every account of the organization in the directory, by account id."""
    files = _Directory(Path(directory))
    root_node = _root(files)
    tree = _Tree()
    _walk(files, tree, root_node.required_text("Id"))
    return tree.account_names


def _root(files: _Directory) -> Node:
    listing = files.required("list-roots.json")
    roots = listing.children("Roots")
    if len(roots) != 1:
        listing.fail(WorldErrorCode.INVALID_VALUE, f"expected one root, found {len(roots)}", listing.at("Roots"))
    return roots[0]


def _check_id(node: Node, key: str, value: str, pattern: re.Pattern[str], what: str) -> None:
    # Ids become file names, so anything else (`../x`) must not get that far.
    if not pattern.match(value):
        node.fail(WorldErrorCode.INVALID_VALUE, f"`{value}` is not {what}", node.at(key))


def _organization_ids(files: _Directory, root: Node) -> tuple[str, str]:
    described = files.node("describe-organization.json", required=False)
    if described is not None:
        org = described.child("Organization", required=True)
        assert org is not None
        org_id = org.required_text("Id")
        _check_id(org, "Id", org_id, _ORG_ID, "an organization id")
        management = org.required_text("MasterAccountId")
        _check_id(org, "MasterAccountId", management, ACCOUNT_ID, "a 12-digit account id")
        return org_id, management
    arn = root.text("Arn")
    match = _ROOT_ARN.match(arn or "")
    if match is None:
        root.fail(
            WorldErrorCode.MISSING_KEY,
            "without describe-organization.json the root's `Arn` must name the organization and management account",
            root.at("Arn"),
        )
    return match.group(2), match.group(1)


def _enabled_types(root: Node) -> dict[OrgPolicyType, bool]:
    """Which policy types the root says are enabled; empty when it does not say."""
    listed = root.raw("PolicyTypes")
    if listed is None:
        return {OrgPolicyType.SCP: True}
    out = {kind: False for kind in OrgPolicyType}
    for item in root.children("PolicyTypes"):
        for kind, name in FILTERS.items():
            if item.text("Type") == name and item.text("Status") == "ENABLED":
                out[kind] = True
    return out


def _walk(files: _Directory, tree: _Tree, parent: str) -> None:
    """Read the OUs and accounts under `parent`, depth first."""
    ous_file = files.required("list-organizational-units-for-parent", f"{parent}.json")
    accounts_file = files.required("list-accounts-for-parent", f"{parent}.json")
    tree.accounts[parent] = []
    for entry in accounts_file.children("Accounts"):
        account_id = entry.required_text("Id")
        _check_id(entry, "Id", account_id, ACCOUNT_ID, "a 12-digit account id")
        _place(tree, entry, account_id, WorldErrorCode.ACCOUNT_LISTED_TWICE, "account")
        tree.accounts[parent].append(account_id)
        name = entry.text("Name")
        if name is not None:
            tree.account_names[account_id] = name
    tree.ous[parent] = []
    for entry in ous_file.children("OrganizationalUnits"):
        ou_id = entry.required_text("Id")
        _check_id(entry, "Id", ou_id, OU_ID, "an OU id")
        _place(tree, entry, ou_id, WorldErrorCode.DUPLICATE_NAME, "OU")
        tree.ous[parent].append(ou_id)
        tree.names[ou_id] = entry.required_text("Name")
    for ou_id in tree.ous[parent]:
        _walk(files, tree, ou_id)


def _place(tree: _Tree, entry: Node, item_id: str, code: WorldErrorCode, what: str) -> None:
    where = f"{entry.file}: {entry.path}"
    if item_id in tree.seen_at:
        entry.fail(code, f"{what} `{item_id}` is already listed at `{tree.seen_at[item_id]}`", entry.at("Id"))
    tree.seen_at[item_id] = where


def _policy(
    files: _Directory, summary: Node, kind: OrgPolicyType, org_id: str, management: str
) -> tuple[OrgPolicy, bool]:
    """The policy of one list-policies entry, with its content, and whether AWS manages it."""
    policy_id = summary.required_text("Id")
    _check_id(summary, "Id", policy_id, POLICY_ID, "a policy id")
    name = summary.required_text("Name")
    listed_type = summary.text("Type")
    if listed_type is not None and listed_type != FILTERS[kind]:
        summary.fail(
            WorldErrorCode.POLICY_TYPE_MISMATCH,
            f"a `{listed_type}` in the {FILTERS[kind]} listing",
            summary.at("Type"),
        )
    aws_managed = bool(summary.flag("AwsManaged"))
    arn = summary.text("Arn")
    if arn is None:
        owner = "aws" if aws_managed else f"{management}"
        middle = "" if aws_managed else f"{org_id}/"
        arn = f"arn:aws:organizations::{owner}:policy/{middle}{KIND_PATH[kind]}/{policy_id}"
    described = files.node("describe-policy", f"{policy_id}.json", required=not aws_managed)
    if described is None:
        known = organizations_managed(name)
        if known is None or known.type is not kind:
            fail(
                WorldErrorCode.FILE_NOT_FOUND,
                f"the content of AWS managed policy `{name}` is needed: add describe-policy/{policy_id}.json",
                str(files.path("describe-policy", f"{policy_id}.json")),
                "",
            )
        return OrgPolicy(name, kind, policy_id, arn, known.document), True
    body = described.child("Policy", required=True)
    assert body is not None
    inner = body.child("PolicySummary")
    if inner is not None and inner.text("Id") not in (None, policy_id):
        inner.fail(
            WorldErrorCode.INVALID_VALUE, f"this file describes `{inner.text('Id')}`, not `{policy_id}`", inner.at("Id")
        )
    document = decode_document(described.file, body.at("Content"), body.raw("Content", required=True))
    return OrgPolicy(name, kind, policy_id, arn, document), aws_managed


def _targets(files: _Directory, policy_id: str, tree: _Tree, root_id: str) -> list[str]:
    listing = files.required("list-targets-for-policy", f"{policy_id}.json")
    out: list[str] = []
    for entry in listing.children("Targets"):
        target = entry.required_text("TargetId")
        target_type = entry.text("Type")
        pattern = _TARGET_TYPES.get(target_type or "")
        if target_type is not None and (pattern is None or not pattern.match(target)):
            entry.fail(
                WorldErrorCode.INVALID_VALUE, f"`{target}` is not a target of type `{target_type}`", entry.at("Type")
            )
        if target != root_id and target not in tree.seen_at:
            entry.fail(
                WorldErrorCode.UNKNOWN_TARGET,
                f"`{target}` is not the root, an OU or an account of the organization's listings",
                entry.at("TargetId"),
            )
        if target not in out:
            out.append(target)
    return out


def _build(
    tree: _Tree,
    node_id: str,
    above: tuple[OrgNode, ...],
    attached: dict[str, dict[OrgPolicyType, list[OrgPolicy]]],
    placements: dict[str, Placement],
) -> OrgNode:
    def policies(target: str, kind: OrgPolicyType) -> tuple[OrgPolicy, ...]:
        return tuple(attached.get(target, {}).get(kind, ()))

    accounts = tuple(
        OrgAccount(account, policies(account, OrgPolicyType.SCP), policies(account, OrgPolicyType.RCP))
        for account in tree.accounts[node_id]
    )
    scps, rcps = policies(node_id, OrgPolicyType.SCP), policies(node_id, OrgPolicyType.RCP)
    # Children are built before this node exists, so each placement is completed below.
    partial = OrgNode(node_id, tree.names[node_id], scps, rcps, accounts, ())
    children = tuple(_build(tree, child, (*above, partial), attached, placements) for child in tree.ous[node_id])
    full = OrgNode(node_id, tree.names[node_id], scps, rcps, accounts, children)
    for entry in accounts:
        placements[entry.id] = Placement((*above, full), entry)
    return full


__all__ = ["read_account_names", "read_organization_directory", "write_organization"]

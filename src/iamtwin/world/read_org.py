"""Read the `organization` section: ids, SCP/RCP policies by name, and the tree of OUs and accounts.

Ids are optional in the file and derived stably when absent (`o-` + 10, `r-` + 4, `ou-<root>-` + 8
characters from a hash of the management account and the OU's name path). A node that lists no
`scps` has AWS's default `FullAWSAccess` attached, as AWS attaches it to every new root, OU and
account. When RCPs are in use (an `rcp` policy is defined, any node lists `rcps`, or
`rcps_enabled: true`), `RCPFullAWSAccess` is attached to every node as AWS does, and cannot be
removed; `rcps_enabled` overrides what the policies suggest. The management
account sits under the root when the tree does not place it.
"""

from __future__ import annotations

import hashlib
import re

from .aws_managed import ORGANIZATIONS_MANAGED, plain_document
from .documents import read_document
from .errors import WorldErrorCode
from .fields import Fields, check_account_id
from .model import OrgAccount, Organization, OrgNode, OrgPolicy, OrgPolicyType, Placement
from .source import WorldSource

_ORG_KEYS = frozenset({"id", "management_account", "policies", "root", "rcps_enabled"})
_POLICY_KEYS = frozenset({"type", "document", "id"})
_ROOT_KEYS = frozenset({"id", "scps", "rcps", "accounts", "ous"})
_OU_KEYS = _ROOT_KEYS | {"name"}
_ACCOUNT_KEYS = frozenset({"id", "scps", "rcps"})

_ORG_ID = re.compile(r"^o-[a-z0-9]{10,32}$")
_ROOT_ID = re.compile(r"^r-[0-9a-z]{4,32}$")
_OU_ID = re.compile(r"^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$")
_POLICY_ID = re.compile(r"^p-[0-9A-Za-z_]{1,128}$")
_KIND_PATH = {OrgPolicyType.SCP: "service_control_policy", OrgPolicyType.RCP: "resource_control_policy"}


def _digest(text: str, size: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:size]


class _TreeReader:
    def __init__(self, source: WorldSource, org_id: str, root_id: str, policies: dict[str, OrgPolicy]) -> None:
        self.source = source
        self.org_id = org_id
        self.root_suffix = root_id[2:]
        self.policies = policies
        self.rcps_enabled = any(p.type is OrgPolicyType.RCP for p in policies.values())
        self.placements: dict[str, Placement] = {}
        self.seen_at: dict[str, str] = {}
        self.ou_ids: set[str] = set()

    def attached(self, fields: Fields, key: str, kind: OrgPolicyType) -> tuple[OrgPolicy, ...]:
        if kind is OrgPolicyType.RCP and fields.raw(key) is not None:
            self.rcps_enabled = True
        if fields.raw(key) is None:
            return self.default_scps() if kind is OrgPolicyType.SCP else ()
        names = fields.names(key)
        out: list[OrgPolicy] = []
        for path, name in names:
            policy = self.policies.get(name) or organizations_managed(name)
            if policy is None:
                fields.fail(WorldErrorCode.UNKNOWN_POLICY, f"no organization policy `{name}`", path)
            if policy.type is not kind:
                fields.fail(
                    WorldErrorCode.POLICY_TYPE_MISMATCH,
                    f"`{name}` is an {policy.type.value.upper()}, listed under `{key}`",
                    path,
                )
            if policy not in out:
                out.append(policy)
        return tuple(out)

    def default_scps(self) -> tuple[OrgPolicy, ...]:
        policy = self.policies.get("FullAWSAccess") or organizations_managed("FullAWSAccess")
        assert policy is not None
        return (policy,)

    def node(self, fields: Fields, node_id: str, name: str, above: tuple[OrgNode, ...]) -> OrgNode:
        scps = self.attached(fields, "scps", OrgPolicyType.SCP)
        rcps = self.attached(fields, "rcps", OrgPolicyType.RCP)
        accounts = []
        for path, raw in fields.items("accounts"):
            if isinstance(raw, dict):
                sub = Fields(self.source, path, raw, _ACCOUNT_KEYS)
                account_id = check_account_id(sub, sub.raw("id", required=True), sub.at("id"))
                entry = OrgAccount(
                    account_id,
                    self.attached(sub, "scps", OrgPolicyType.SCP),
                    self.attached(sub, "rcps", OrgPolicyType.RCP),
                )
            else:
                account_id = check_account_id(fields, raw, path)
                entry = OrgAccount(account_id, self.default_scps(), ())
            if account_id in self.seen_at:
                fields.fail(
                    WorldErrorCode.ACCOUNT_LISTED_TWICE,
                    f"account `{account_id}` is already placed at `{self.seen_at[account_id]}`",
                    path,
                )
            self.seen_at[account_id] = path
            accounts.append(entry)
        # Children are read before this node exists, so each placement is completed below.
        partial = OrgNode(node_id, name, scps, rcps, tuple(accounts), ())
        children = []
        for path, raw in fields.items("ous"):
            sub = Fields(self.source, path, raw, _OU_KEYS)
            ou_name = sub.required_text("name")
            where = "/".join(n.name for n in (*above, partial, OrgNode("", ou_name, (), (), (), ())))
            ou_id = sub.text("id") or f"ou-{self.root_suffix}-{_digest(self.org_id + where, 8)}"
            if not _OU_ID.match(ou_id):
                sub.fail(
                    WorldErrorCode.INVALID_VALUE,
                    f"`{ou_id}` is not an OU id (`ou-` root part `-` 8+ characters)",
                    sub.at("id"),
                )
            if ou_id in self.ou_ids:
                sub.fail(WorldErrorCode.DUPLICATE_NAME, f"OU id `{ou_id}` is used twice", sub.at("id"))
            self.ou_ids.add(ou_id)
            children.append(self.node(sub, ou_id, ou_name, (*above, partial)))
        full = OrgNode(node_id, name, scps, rcps, tuple(accounts), tuple(children))
        for entry in accounts:
            self.placements[entry.id] = Placement((*above, full), entry)
        return full


def organizations_managed(name: str) -> OrgPolicy | None:
    """The policy AWS Organizations manages under `name` (`FullAWSAccess`, `RCPFullAWSAccess`)."""
    managed = ORGANIZATIONS_MANAGED.get(name)
    if managed is None:
        return None
    kind, arn, document = managed
    return OrgPolicy(name, OrgPolicyType(kind), arn.rsplit("/", 1)[-1], arn, plain_document(document))


def read_organization(source: WorldSource, top: Fields) -> Organization | None:
    """The organization of the file, or None when it has none."""
    raw = top.raw("organization")
    if raw is None:
        return None
    fields = Fields(source, "organization", raw, _ORG_KEYS)
    management = check_account_id(
        fields, fields.raw("management_account", required=True), fields.at("management_account")
    )
    org_id = fields.text("id") or "o-" + _digest(management, 10)
    if not _ORG_ID.match(org_id):
        fields.fail(
            WorldErrorCode.INVALID_VALUE,
            f"`{org_id}` is not an organization id (`o-` and 10-32 characters)",
            fields.at("id"),
        )
    policies = _read_policies(fields, management, org_id)
    root_raw = fields.raw("root")
    root_fields = Fields(source, fields.at("root"), {} if root_raw is None else root_raw, _ROOT_KEYS)
    root_id = root_fields.text("id") or "r-" + _digest(org_id, 4)
    if not _ROOT_ID.match(root_id):
        root_fields.fail(
            WorldErrorCode.INVALID_VALUE,
            f"`{root_id}` is not a root id (`r-` and 4-32 characters)",
            root_fields.at("id"),
        )
    reader = _TreeReader(source, org_id, root_id, policies)
    root = reader.node(root_fields, root_id, "Root", ())
    placements = dict(reader.placements)
    if management not in placements:
        placements[management] = Placement((root,), OrgAccount(management, root.scps, ()))
    # `rcps_enabled` states what the file cannot show otherwise: RCPs on with only the default.
    rcps_enabled = reader.rcps_enabled if fields.raw("rcps_enabled") is None else fields.flag("rcps_enabled")
    return Organization(org_id, management, policies, root, placements, rcps_enabled)


def _read_policies(fields: Fields, management: str, org_id: str) -> dict[str, OrgPolicy]:
    policies: dict[str, OrgPolicy] = {}
    ids: set[str] = set()
    for path, name, raw in fields.entries("policies"):
        sub = Fields(fields.source, path, raw, _POLICY_KEYS)
        kind_text = sub.required_text("type").lower()
        if kind_text not in ("scp", "rcp"):
            sub.fail(
                WorldErrorCode.INVALID_VALUE,
                f"policy type `{kind_text}` is not `scp` or `rcp`",
                sub.at("type"),
            )
        kind = OrgPolicyType(kind_text)
        policy_id = sub.text("id") or "p-" + (re.sub(r"[^a-z0-9]", "", name.lower()) or _digest(name, 8))
        if not _POLICY_ID.match(policy_id):
            sub.fail(
                WorldErrorCode.INVALID_VALUE,
                f"`{policy_id}` is not a policy id (`p-` and letters or digits)",
                sub.at("id"),
            )
        if policy_id in ids:
            policy_id = f"{policy_id}_{_digest(name, 4)}"
        ids.add(policy_id)
        document = read_document(sub, sub.at("document"), sub.raw("document", required=True))
        arn = f"arn:aws:organizations::{management}:policy/{org_id}/{_KIND_PATH[kind]}/{policy_id}"
        policies[name] = OrgPolicy(name, kind, policy_id, arn, document)
    return policies

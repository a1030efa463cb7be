"""External access: which resource policies and role trust policies let principals outside the zone of trust in.

Access Analyzer reports each resource-based policy grant to a principal outside the zone of trust, the resource's
account (`ACCOUNT`) or organization (`ORGANIZATION`), with the actions, the condition and whether it is public
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html); one finding per principal and
condition. Per Allow statement of a resource or trust policy:

- Principal `*`, an ARN with a wildcard account, or NotPrincipal is everyone (`{"AWS": "*"}`); an account ID or
  IAM/STS ARN is that account, outside unless the resource's (or a member) account; unique IDs name no account.
  Federated and canonical-user principals are outside. A service in a trust policy acts for the role's account;
  in a resource policy iamtwin (not Access Analyzer) reports it unless a condition confines it, the confused
  deputy (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html).
- A condition admitting only the zone (`aws:PrincipalAccount`, `aws:SourceAccount`, `kms:CallerAccount` naming
  zone accounts, `aws:PrincipalArn`/`aws:SourceArn` their ARNs, and in the organization zone
  `aws:PrincipalOrgID`/`aws:SourceOrgID`/`…OrgPaths` naming it) confines the statement. The same keys negated in
  a Deny to everyone, or a Deny without condition, take away what that Deny covers.
- `condition` holds the keys Access Analyzer considers, those outsiders cannot set
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-filter-keys.html). Access to
  everyone is public unless one is fixed to concrete values (no wildcard or /0 range), or the policy's Deny
  statements leave everyone no access, as CheckNoPublicAccess decides exactly (`validate.symbolic`).
- Actions: those on the resource (a bucket's objects too) its Action or NotAction covers where its Resource
  reaches, with access levels from the catalogue; a role's are the trust actions. Only `RESOURCE_TYPES` are analyzed.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache

from .. import catalog
from ..catalog import AccessLevel
from ..errors import IamtwinError
from ..policy.arn import arn_matches
from ..policy.errors import PolicySyntaxError
from ..policy.model import Condition, Effect, PolicyDocument, PrincipalSet, SetQualifier, Statement
from ..policy.parse import parse_policy
from ..validate.checks.external_access import principal_account
from ..validate.symbolic import check_no_public_access
from ..validate.symbolic.public import RESTRICTING_KEYS
from ..world.assemble import TRUST_ACTIONS
from ..world.model import Document, World
from ..world.quotas import document_text
from ..world.store.save import resource_type as resource_kind


class AnalyzerError(IamtwinError):
    """The analyzer cannot do what was asked (no organization for the organization zone, a bad archive rule)."""

    code = "ANALYZER_ERROR"


class Zone(StrEnum):
    """The zone of trust of an analyzer (Access Analyzer's analyzer `type`)."""

    ACCOUNT = "ACCOUNT"
    ORGANIZATION = "ORGANIZATION"


class PolicyKind(StrEnum):
    """Which policy of a resource grants the access."""

    RESOURCE_POLICY = "resource-policy"
    TRUST_POLICY = "trust-policy"


# The world's resource kinds (`service:kind` of the ARN, as the store records them) Access Analyzer analyzes.
RESOURCE_TYPES: Mapping[str, str] = {
    "s3:bucket": "AWS::S3::Bucket", "s3express:bucket": "AWS::S3Express::DirectoryBucket",
    "sqs:queue": "AWS::SQS::Queue", "sns:topic": "AWS::SNS::Topic", "kms:key": "AWS::KMS::Key",
    "lambda:function": "AWS::Lambda::Function", "lambda:layer": "AWS::Lambda::LayerVersion",
    "secretsmanager:secret": "AWS::SecretsManager::Secret", "ecr:repository": "AWS::ECR::Repository",
    "dynamodb:table": "AWS::DynamoDB::Table", "elasticfilesystem:file-system": "AWS::EFS::FileSystem",
}  # fmt: skip
ROLE_TYPE = "AWS::IAM::Role"

# The condition keys a finding reports: the keys that fix who or where the caller is.
CONSIDERED_KEYS = RESTRICTING_KEYS | {"s3:dataaccesspointaccount", "s3:dataaccesspointarn"}
_ACCOUNT_KEYS = frozenset({"aws:principalaccount", "aws:sourceaccount", "kms:calleraccount", "aws:sourceowner"})
_ARN_KEYS = frozenset({"aws:principalarn", "aws:sourcearn"})
_ORG_KEYS = frozenset({"aws:principalorgid", "aws:sourceorgid"})
_PATH_KEYS = frozenset({"aws:principalorgpaths", "aws:sourceorgpaths"})
_ZONE_KEYS = _ACCOUNT_KEYS | _ARN_KEYS | _ORG_KEYS | _PATH_KEYS
_POSITIVE = frozenset({"StringEquals", "StringLike", "ArnEquals", "ArnLike", "StringEqualsIgnoreCase"})
_NEGATED = frozenset({"StringNotEquals", "StringNotLike", "ArnNotEquals", "ArnNotLike", "StringNotEqualsIgnoreCase"})
_FIXING = _POSITIVE | {"IpAddress"}
_LEVEL_ORDER = tuple(AccessLevel)
Pair = tuple[str, str]  # a principal (type, value) or a condition (key, values)
Candidate = tuple[str, bool]  # an action the policy can grant, and whether it acts on a bucket's objects


@dataclass(frozen=True, slots=True)
class GrantingStatement:
    """The statement that grants the access: which policy, its index and Sid."""

    policy: PolicyKind
    index: int
    sid: str | None


@dataclass(frozen=True, slots=True)
class ExternalAccessFinding:
    """Access to one resource by one principal outside the zone of trust, under one condition."""

    zone: Zone
    resource: str
    resource_type: str
    resource_owner_account: str
    principal: Pair  # (AWS | Service | Federated | CanonicalUser, value), Access Analyzer's map
    condition: tuple[Pair, ...]  # (key as written, values joined with `,`), sorted
    actions: tuple[str, ...]
    access_levels: tuple[AccessLevel, ...]
    is_public: bool
    statements: tuple[GrantingStatement, ...]

    def principal_map(self) -> dict[str, str]:
        """The principal as Access Analyzer writes it (`{"AWS": "111122223333"}`)."""
        return {self.principal[0]: self.principal[1]}

    def condition_map(self) -> dict[str, str]:
        """The condition as Access Analyzer writes it (`{"aws:SourceIp": "203.0.113.0/24"}`)."""
        return dict(self.condition)


@dataclass(frozen=True, slots=True)
class AnalysisProblem:
    """A policy that could not be analyzed (it does not parse); its resource gets no findings."""

    resource: str
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class ExternalAccessReport:
    """The findings of one zone over the whole world, and the policies that could not be analyzed."""

    zone: Zone
    findings: tuple[ExternalAccessFinding, ...]
    problems: tuple[AnalysisProblem, ...] = ()


@dataclass(frozen=True, slots=True)
class _Trust:
    """The zone of trust around one resource: its account, and the organization's accounts and id."""

    zone: Zone
    owner: str
    accounts: frozenset[str]
    org_id: str | None


@dataclass(slots=True)
class _Grant:
    actions: set[str] = field(default_factory=set)
    statements: list[GrantingStatement] = field(default_factory=list)
    is_public: bool = False  # some statement grants it to everyone with nothing fixing the caller


def analyze_external_access(world: World, zone: Zone) -> ExternalAccessReport:
    """Every external access finding of the zone over the world's resource and trust policies."""
    members, org_id = frozenset[str](), None
    if zone is Zone.ORGANIZATION:
        if world.organization is None:
            raise AnalyzerError("the world has no organization: use the account zone", code="NO_ORGANIZATION")
        members, org_id = frozenset(world.organization.placements), world.organization.id
    found: list[ExternalAccessFinding] = []
    problems: list[AnalysisProblem] = []
    for account in sorted(world.accounts.values(), key=lambda a: a.id):
        if zone is Zone.ORGANIZATION and account.id not in members:
            continue  # an organization's analyzer sees only its member accounts' resources
        trust = _Trust(zone, account.id, members if zone is Zone.ORGANIZATION else frozenset({account.id}), org_id)
        for role in account.roles.values():
            if role.trust_policy is not None and not role.service_linked:
                found.extend(_analyze(role.arn, ROLE_TYPE, PolicyKind.TRUST_POLICY, role.trust_policy, trust, problems))
        for resource in account.resources:
            kind = RESOURCE_TYPES.get(resource_kind(resource.arn))
            if kind is not None and resource.policy is not None:
                found.extend(_analyze(resource.arn, kind, PolicyKind.RESOURCE_POLICY, resource.policy, trust, problems))
    found.sort(key=lambda f: (f.resource, f.principal, f.condition))
    return ExternalAccessReport(zone, tuple(found), tuple(problems))


def _analyze(
    arn: str, resource_type: str, kind: PolicyKind, document: Document, trust: _Trust, problems: list[AnalysisProblem]
) -> Iterator[ExternalAccessFinding]:
    try:
        parsed = parse_policy(document_text(document))
    except PolicySyntaxError as err:
        problems.append(AnalysisProblem(arn, err.code, err.message))
        return
    candidates = _candidate_actions(arn, kind)
    grants: dict[tuple[Pair, tuple[Pair, ...]], _Grant] = {}
    for statement in parsed.statements:
        if statement.effect is not Effect.ALLOW or _confined(statement.conditions, trust, _POSITIVE):
            continue
        actions = _covered(statement, candidates, arn, everywhere=False)
        if not actions:
            continue
        for principal in _external_principals(statement, kind, trust):
            condition = _reported_condition(statement, principal)
            grant = grants.setdefault((principal, condition), _Grant())
            grant.actions |= actions
            grant.statements.append(GrantingStatement(kind, statement.index, statement.sid))
            grant.is_public |= principal == ("AWS", "*") and not _fixes_caller(statement.conditions)
    if any(grant.is_public for grant in grants.values()):
        maybe_public = _maybe_public_statements(parsed, resource_type)
        for grant in grants.values():
            grant.is_public = grant.is_public and any(s.index in maybe_public for s in grant.statements)
    for (principal, condition), grant in grants.items():
        remaining = grant.actions - _denied(parsed, principal, candidates, arn, trust)
        if not remaining:
            continue
        granted = tuple(sorted(remaining, key=str.lower))
        levels = {level for name in granted if (found := catalog.action_named(name)) for level in found.access_levels}
        yield ExternalAccessFinding(
            zone=trust.zone,
            resource=arn,
            resource_type=resource_type,
            resource_owner_account=trust.owner,
            principal=principal,
            condition=condition,
            actions=granted,
            access_levels=tuple(level for level in _LEVEL_ORDER if level in levels),
            is_public=grant.is_public,
            statements=tuple(grant.statements),
        )


def _maybe_public_statements(document: PolicyDocument, resource_type: str) -> frozenset[int]:
    """Statements that may grant everyone access: by CheckNoPublicAccess (undecided too), or all if it can't check."""
    checked = "AWS::IAM::AssumeRolePolicyDocument" if resource_type == ROLE_TYPE else resource_type
    try:  # a second at most: statements left undecided count as public
        result = check_no_public_access(document, checked, timeout_ms=1_000)
    except IamtwinError:  # a type it does not check, or a value it cannot encode: keep the statement-level answer
        return frozenset(statement.index for statement in document.statements)
    return frozenset(reason.statement_index for reason in result.reasons)


def _candidate_actions(arn: str, kind: PolicyKind) -> tuple[Candidate, ...]:
    """The actions a policy of this resource can grant, each with whether it acts on the bucket's objects."""
    if kind is PolicyKind.TRUST_POLICY:
        return tuple((a.full_name, False) for a in catalog.actions("sts") if a.full_name.lower() in TRUST_ACTIONS)
    service = arn.split(":", 3)[2]
    own = _types_of(service, arn)
    # A bucket policy also governs the bucket's objects.
    objects = _types_of(service, f"{arn}/object") - own if resource_kind(arn) == "s3:bucket" else frozenset()
    out: list[Candidate] = []
    for action in catalog.actions(service):
        names = {used.name.lower() for used in action.resource_types}
        if names & (own | objects):
            out.append((action.full_name, not names & own))
    return tuple(out)


def _types_of(service: str, arn: str) -> frozenset[str]:
    """The names of the service's resource types whose ARN format the ARN has."""
    return frozenset(n for n, formats in _formats(service) if any(catalog.matches_format(arn, f) for f in formats))


@cache
def _formats(service: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The service's own resource types (those its actions name), with their ARN formats."""
    names = sorted({used.name.lower() for action in catalog.actions(service) for used in action.resource_types})
    types = (catalog.resource_type(service, name) for name in names)
    return tuple((t.name.lower(), t.arn_formats) for t in types if t is not None and t.service == service)


def _covered(statement: Statement, candidates: Iterable[Candidate], arn: str, *, everywhere: bool) -> set[str]:
    """The candidate actions a statement names (Action, or not NotAction) on a resource its Resource reaches.

    An Allow grants an object action when its Resource reaches some object of the bucket; a Deny takes it away
    only when it reaches every object (`everywhere`).
    """
    if statement.action is not None:
        patterns, negated = statement.action, False
    elif statement.not_action is not None:
        patterns, negated = statement.not_action, True
    else:
        return set()
    return {
        name
        for name, objects in candidates
        if _any_matches(patterns, name) is not negated and _reaches(statement, arn, objects, everywhere)
    }


def _reaches(statement: Statement, arn: str, objects: bool, everywhere: bool) -> bool:
    """Whether the statement's Resource (or NotResource) covers the resource, or some (every) object of it."""
    if statement.resource is not None:
        return any((_every if everywhere else _some)(p, arn, objects) for p in statement.resource)
    if statement.not_resource is not None:
        return not any((_some if everywhere else _every)(p, arn, objects) for p in statement.not_resource)
    return True  # a trust policy names no resource: it is about its role


def _some(pattern: str, arn: str, objects: bool) -> bool:
    if not objects:
        return arn_matches(pattern, arn)
    # Object keys are free: try the pattern filled in, `key`, and the pattern's tail after each `*` as the key.
    filled = pattern.replace("*", "k").replace("?", "k")
    tails = [pattern[i + 1 :].replace("*", "k").replace("?", "k") for i, ch in enumerate(pattern) if ch == "*"]
    probes = [filled] if filled.startswith(f"{arn}/") else []
    return any(arn_matches(pattern, probe) for probe in (*probes, *(f"{arn}/{key}" for key in ("key", *tails))))


def _every(pattern: str, arn: str, objects: bool) -> bool:
    return arn_matches(pattern, f"{arn}/*" if objects else arn)


def _any_matches(patterns: Iterable[str], name: str) -> bool:
    lowered = name.lower()
    return any(lowered in _matched(p) for p in patterns)


@cache
def _matched(pattern: str) -> frozenset[str]:
    """The lower-case names of the actions an Action entry covers."""
    return frozenset(a.full_name.lower() for a in catalog.actions_matching(pattern))


def _external_principals(statement: Statement, kind: PolicyKind, trust: _Trust) -> Iterator[Pair]:
    """The principals of an Allow statement that lie outside the zone, as (type, value)."""
    if statement.not_principal is not None:
        yield ("AWS", "*")  # everyone except the few named
        return
    principals = statement.principal or PrincipalSet()
    if principals.everyone:
        yield ("AWS", "*")
    for value in principals.aws:
        account = principal_account(value)
        fields = value.split(":")
        if value == "*" or (account is None and len(fields) > 5 and "*" in fields[4]):  # any account
            yield ("AWS", "*")
        elif account is not None and account not in trust.accounts:
            yield ("AWS", value)
    if kind is PolicyKind.RESOURCE_POLICY:
        yield from (("Service", value) for value in principals.service)
    yield from (("Federated", value) for value in principals.federated)
    yield from (("CanonicalUser", value) for value in principals.canonical_user)


def _reported_condition(statement: Statement, principal: Pair) -> tuple[Pair, ...]:
    """The statement's conditions on keys Access Analyzer considers (for a federated principal, its own keys)."""
    provider = _provider_prefix(principal[1]) if principal[0] == "Federated" else None
    out: dict[str, list[str]] = {}
    for condition in statement.conditions:
        lowered = condition.key.lower()
        if lowered in CONSIDERED_KEYS or (provider is not None and lowered.startswith(provider)):
            out.setdefault(condition.key, []).extend(condition.values)
    return tuple(sorted((key, ",".join(values)) for key, values in out.items()))


def _provider_prefix(federated: str) -> str:
    """The prefix of the condition keys an identity provider sets (`token.actions.githubusercontent.com:`)."""
    if ":saml-provider/" in federated:
        return "saml:"
    # An OIDC provider ARN's host, or a web identity provider's name (accounts.google.com, graph.facebook.com).
    return federated.split(":oidc-provider/", 1)[-1].lower() + ":"


def _confined(conditions: Iterable[Condition], trust: _Trust, operators: frozenset[str]) -> bool:
    """Whether one condition admits (or, negated in a Deny, excludes) exactly the callers inside the zone.

    `IfExists`, and `ForAllValues` (true when the key is absent), confine nothing.
    """
    return any(
        c.base in operators and not c.if_exists and c.qualifier is not SetQualifier.FOR_ALL_VALUES
        and c.key.lower() in _ZONE_KEYS and c.values and all(_inside(trust, c.key.lower(), v) for v in c.values)
        for c in conditions
    )  # fmt: skip


def _inside(trust: _Trust, key: str, value: str) -> bool:
    """Whether a condition value names only callers inside the zone of trust."""
    if key in _ACCOUNT_KEYS:
        return value in trust.accounts
    if key in _ARN_KEYS:
        parts = value.split(":")
        return len(parts) >= 6 and parts[4] in trust.accounts
    if trust.zone is not Zone.ORGANIZATION or trust.org_id is None:
        return False
    if key in _ORG_KEYS:
        return value == trust.org_id
    return value.split("/", 1)[0] == trust.org_id and "/" in value


def _fixes_caller(conditions: Iterable[Condition]) -> bool:
    """Whether a condition fixes who or where the caller is to concrete values, so the access is not public."""
    return any(
        c.key.lower() in CONSIDERED_KEYS and c.base in _FIXING and not c.if_exists and c.values
        and c.qualifier is not SetQualifier.FOR_ALL_VALUES and all(_concrete(v) for v in c.values)
        for c in conditions
    )  # fmt: skip


def _concrete(value: str) -> bool:
    if "*" in value or "?" in value:
        return False
    try:
        return ipaddress.ip_network(value, strict=False).prefixlen > 0
    except ValueError:
        return True


def _denied(doc: PolicyDocument, principal: Pair, candidates: Iterable[Candidate], arn: str, trust: _Trust) -> set[str]:
    """The actions Deny statements surely take from this outside principal, whatever else the request holds."""
    out: set[str] = set()
    for statement in doc.statements:
        if statement.effect is not Effect.DENY or statement.principal is None:
            continue
        names = statement.principal
        if not (names.everyone or "*" in names.aws or principal[1] in (*names.aws, *names.service, *names.federated)):
            continue
        if statement.conditions and not all(_confined((c,), trust, _NEGATED) for c in statement.conditions):
            continue
        out |= _covered(statement, candidates, arn, everywhere=True)
    return out

"""A world kept in a database: the estate's entities, their sessions, and decisions over them.

`World.open(db)` opens (and migrates) the store. Writes go through `World.transaction()`: one
database transaction, and the caches of what was read are dropped when it commits. Decisions
(`authorize`) read principals, resources and the organization once per change of the world and
keep compiled policy sets per principal and resource owner, so repeated decisions run at engine
speed however large the world is.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, select

from ..clock import Clock, SystemClock
from ..evaluate.compiled import CompiledPolicy
from ..evaluate.context import ContextValue, RequestContext
from ..evaluate.decision import Decision, PolicyType
from ..evaluate.derive import build_request
from ..evaluate.engine import decide
from ..evaluate.policy_set import PolicySet
from ..evaluate.principal import Principal
from ..evaluate.request import check_action
from ..policy.model import PolicyDocument
from ..policy.parse import parse_policy
from ..simulate.input import context_entry
from .assemble import (
    TRUST_ACTIONS,
    Assembler,
    Assembly,
    ContextInput,
    PolicyEntry,
    SessionFacts,
    parse_world_principal,
    set_tag,
    split_context,
)
from .errors import WorldErrorCode, WorldFileError
from .model import World as WorldModel
from .quotas import DEFAULT_QUOTAS, Quotas, document_text
from .store.database import open_engine
from .store.load import StoreReader
from .store.org_writes import OrganizationWriter
from .store.save import Progress, count_entities, save_world, wipe
from .store.schema import meta
from .store.sessions import StoredKey, StoredSession, read_key, read_session
from .store.view import StoredView
from .store.writes import IamWriter

_CACHE_LIMIT = 50_000
# Where a session records when its user signed in with MFA; requests see aws:MultiFactorAuthAge.
MFA_AUTH_TIME = "iamtwin:MfaAuthTime"


@dataclass(frozen=True, slots=True)
class Caller:
    """Who makes a request: a principal ARN, and the session when it came from STS credentials."""

    arn: str
    session: StoredSession | None = None
    key: StoredKey | None = None


@dataclass(frozen=True, slots=True)
class _Prepared:
    """What a decision for one caller and resource needs before the request's own context keys."""

    policies: PolicySet
    principal: Principal
    resource_account: str | None
    entries: dict[str, ContextValue]
    principal_tags: Mapping[str, str]
    resource_tags: Mapping[str, str]
    mfa_auth_time: datetime | None


class World:
    """A stored AWS estate: accounts, organization, identities, resources and sessions."""

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Clock | None = None,
        quotas: Quotas = DEFAULT_QUOTAS,
        refresh_seconds: float = 1.0,
    ) -> None:
        self.engine = engine
        # Changes made by other processes (another server worker, the CLI) are noticed within this many
        # seconds, like IAM's own eventual consistency; changes made through this object at once.
        self.refresh_seconds = refresh_seconds
        self._seen_generation: str | None = None
        self._checked_at = float("-inf")
        self.quotas = quotas
        self.clock: Clock = clock or SystemClock()
        self.view = StoredView(engine)
        self.assembler = Assembler(self.view)
        self._parsed: dict[str, PolicyDocument] = {}
        self._compiled: dict[tuple[PolicyType, str, int | None, str], CompiledPolicy] = {}
        self._policy_sets: dict[tuple[Any, ...], PolicySet] = {}
        self._prepared: dict[tuple[Any, ...], _Prepared] = {}
        self._callers: dict[str, Caller] = {}
        self.generation = 0

    @classmethod
    def open(cls, db: str | None = None, *, clock: Clock | None = None, refresh_seconds: float = 1.0) -> World:
        """Open the world database (SQLite file, PostgreSQL URL), migrating it to the latest schema."""
        return cls(open_engine(db), clock=clock, refresh_seconds=refresh_seconds)

    def _stored_generation(self, conn: Connection) -> str | None:
        value = conn.execute(select(meta.c.value).where(meta.c.key == "generation")).scalar()
        return None if value is None else str(value)

    def refresh(self, *, force: bool = False) -> None:
        """Drop what was read if another process changed the world (checked at most every refresh_seconds)."""
        moment = time.monotonic()
        if not force and moment - self._checked_at < self.refresh_seconds:
            return
        self._checked_at = moment
        with self.engine.connect() as conn:
            stored = self._stored_generation(conn)
        if stored != self._seen_generation:
            self._seen_generation = stored
            self.changed()

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    # -- changes --------------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One database transaction for a change; caches are dropped when it commits."""
        with self.engine.begin() as conn:
            yield conn
            row = conn.execute(select(meta.c.value).where(meta.c.key == "generation")).first()
            value = str(int(row.value) + 1 if row else 1)
            if row is None:
                conn.execute(meta.insert().values(key="generation", value=value))
            else:
                conn.execute(meta.update().where(meta.c.key == "generation").values(value=value))
        self._seen_generation = value
        self.changed()

    @contextmanager
    def changes(self) -> Iterator[IamWriter]:
        """IAM's write calls inside one transaction: all of them happen, or none."""
        with self.transaction() as conn:
            yield IamWriter(conn, quotas=self.quotas, now=self.clock.now())

    @contextmanager
    def organization_changes(self) -> Iterator[OrganizationWriter]:
        """AWS Organizations' write calls inside one transaction."""
        with self.transaction() as conn:
            yield OrganizationWriter(conn, quotas=self.quotas, now=self.clock.now())

    def changed(self) -> None:
        """Forget everything read from the store (after a change, here or by another process)."""
        self.view.clear()
        self._policy_sets.clear()
        self._prepared.clear()
        self._callers.clear()
        self.generation += 1

    def import_model(self, world: WorldModel, *, replace: bool = False, progress: Progress | None = None) -> int:
        """Add a whole world model (from a file or an export) in one transaction; return entities written."""
        with self.transaction() as conn:
            if replace:
                wipe(conn)
            return save_world(conn, world, progress=progress)

    def export_model(self) -> WorldModel:
        """The whole stored world as a model."""
        with self.engine.connect() as conn:
            return StoreReader(conn).world()

    @staticmethod
    def entity_count(world: WorldModel) -> int:
        """How many entities importing `world` writes."""
        return count_entities(world)

    # -- callers --------------------------------------------------------------------------------

    def caller(self, principal: str) -> Caller:
        """The caller named by a principal ARN or by an access key id (`AKIA…`, `ASIA…`)."""
        self.refresh()
        if principal.startswith("arn:") or "." in principal or principal == "*":
            return Caller(principal)
        found = self._callers.get(principal)
        if found is None:  # keys and sessions never change once issued; status changes clear this
            with self.engine.connect() as conn:
                key = read_key(conn, principal)
                if key is None or key.status != "Active":
                    raise WorldFileError(
                        WorldErrorCode.UNKNOWN_PRINCIPAL, f"`{principal}` is not an active access key of this world"
                    )
                session = read_session(conn, key.session_id) if key.session_id else None
            found = Caller(session.arn if session else key.owner_arn, session, key)
            if len(self._callers) >= _CACHE_LIMIT:
                self._callers.clear()
            self._callers[principal] = found
        if found.session is not None and found.session.expires_at <= self.clock.now():
            raise WorldFileError(
                WorldErrorCode.EXPIRED_SESSION,
                f"the session of `{principal}` expired at {found.session.expires_at:%Y-%m-%dT%H:%M:%SZ}",
            )
        return found

    # -- decisions ------------------------------------------------------------------------------

    def assemble(
        self,
        principal: str | Caller,
        action: str,
        resource: str | None = None,
        context: ContextInput | None = None,
    ) -> Assembly:
        """What AWS evaluates for this request, gathered from the stored world."""
        self.refresh()
        who = principal if isinstance(principal, Caller) else self.caller(principal)
        facts = None
        if who.session is not None:
            facts = SessionFacts(who.session.tags, who.session.policies, self._session_keys(who.session))
        return self.assembler.assemble(who.arn, action, resource, context or {}, facts)

    def _session_keys(self, session: StoredSession) -> dict[str, str | list[str]]:
        """The keys a session's requests carry; the MFA age is counted from sign-in to now."""
        keys, signed_in = _session_context(session)
        if signed_in is not None:
            keys["aws:MultiFactorAuthAge"] = _age(signed_in, self.clock.now())
        return keys

    def simulation_input(
        self, principal: str | Caller, action: str, resource: str | None = None, context: ContextInput | None = None
    ) -> dict[str, Any]:
        """The public simulation input of this request (what `iamtwin simulate --input` reads)."""
        return self.assemble(principal, action, resource, context).to_input()

    def authorize(
        self,
        principal: str | Caller,
        action: str,
        resource: str | None = None,
        context: ContextInput | None = None,
        *,
        now: datetime | None = None,
    ) -> Decision:
        """Decide a request of a stored principal (ARN, access key id or Caller), as AWS would.

        What follows from the principal (and session) and the resource alone is gathered and compiled
        once per change of the world; a request adds only its own context keys.
        """
        self.refresh()
        who = principal if isinstance(principal, Caller) else self.caller(principal)
        check_action(action)
        session = who.session
        key = (who.arn, session.id if session else None, resource, action.lower() in TRUST_ACTIONS)
        prepared = self._prepared.get(key)
        if prepared is None:
            prepared = self._prepare(who, action, resource)
            if len(self._prepared) >= _CACHE_LIMIT:
                self._prepared.clear()
            self._prepared[key] = prepared
        at = now or self.clock.now()
        entries = prepared.entries
        principal_tags, resource_tags = prepared.principal_tags, prepared.resource_tags
        if context or prepared.mfa_auth_time is not None:
            entries = dict(entries)
            if prepared.mfa_auth_time is not None:
                age = _age(prepared.mfa_auth_time, at)
                entries["aws:multifactorauthage"] = ContextValue("aws:MultiFactorAuthAge", (age,), False)
            if context:
                given, principal_over, resource_over = split_context(context)
                if principal_over:
                    principal_tags = dict(principal_tags)
                    for tag, value in principal_over.items():
                        set_tag(principal_tags, tag, value)
                if resource_over:
                    resource_tags = dict(resource_tags)
                    for tag, value in resource_over.items():
                        set_tag(resource_tags, tag, value)
                for name, value in given.items():
                    entry = context_entry(name, value)
                    if entry is None:
                        raise WorldFileError(WorldErrorCode.INVALID_CONTEXT, f"`{name}` must be a string or a list")
                    entries[name.lower()] = entry
        built = build_request(
            prepared.principal,
            action,
            resource,
            prepared.resource_account,
            RequestContext.from_entries(entries),
            principal_tags,
            resource_tags,
            at,
        )
        return decide(prepared.policies, built)

    def _prepare(self, who: Caller, action: str, resource: str | None) -> _Prepared:
        """The request-independent part of deciding for this caller and resource."""
        facts = None
        mfa_auth_time = None
        if who.session is not None:
            keys, mfa_auth_time = _session_context(who.session)
            facts = SessionFacts(who.session.tags, who.session.policies, keys)
        assembly = self.assembler.assemble(who.arn, action, resource, {}, facts)
        entries: dict[str, ContextValue] = {}
        for name, value in assembly.context.items():
            entry = context_entry(name, value)
            assert entry is not None  # the world sets only strings and lists of strings
            entries[name.lower()] = entry
        return _Prepared(
            self._policy_set(assembly, who),
            parse_world_principal(assembly.principal),
            assembly.resource_account,
            entries,
            assembly.principal_tags,
            assembly.resource_tags,
            mfa_auth_time,
        )

    def _policy_set(self, a: Assembly, who: Caller) -> PolicySet:
        # Everything in a policy set follows from the principal (and session), the resource's policy
        # and the resource's account: the key needs nothing else.
        key = (
            a.principal,
            who.session.id if who.session else None,
            a.resource_policy[0] if a.resource_policy else None,
            a.resource_account,
        )
        found = self._policy_sets.get(key)
        if found is None:
            found = PolicySet(
                identity=tuple(self._compile(PolicyType.IDENTITY, e) for e in a.identity),
                permissions_boundary=None
                if a.boundary is None
                else self._compile(PolicyType.PERMISSIONS_BOUNDARY, a.boundary),
                session=None if a.session is None else tuple(self._compile(PolicyType.SESSION, e) for e in a.session),
                resource=None if a.resource_policy is None else self._compile(PolicyType.RESOURCE, a.resource_policy),
                scps=self._levels(PolicyType.SCP, a.scps),
                rcps=self._levels(PolicyType.RCP, a.rcps),
                principal_is_service_linked_role=a.service_linked,
                principal_in_management_account=a.in_management,
                resource_in_management_account=a.resource_in_management,
            )
            if len(self._policy_sets) >= _CACHE_LIMIT:
                self._policy_sets.clear()
            self._policy_sets[key] = found
        return found

    def _levels(
        self, kind: PolicyType, levels: list[list[PolicyEntry]] | None
    ) -> tuple[tuple[CompiledPolicy, ...], ...] | None:
        if levels is None:
            return None
        return tuple(tuple(self._compile(kind, e, i) for e in level) for i, level in enumerate(levels))

    def _compile(self, kind: PolicyType, entry: PolicyEntry, level: int | None = None) -> CompiledPolicy:
        policy_id, document = entry
        text = document_text(document)
        key = (kind, policy_id, level, text)
        found = self._compiled.get(key)
        if found is None:
            parsed = self._parsed.get(text)
            if parsed is None:
                parsed = parse_policy(text)
                self._parsed[text] = parsed
            found = CompiledPolicy(kind, policy_id, parsed, level)
            if len(self._compiled) >= _CACHE_LIMIT:
                self._compiled.clear()
                self._parsed.clear()
            self._compiled[key] = found
        return found


def _session_context(session: StoredSession) -> tuple[dict[str, str | list[str]], datetime | None]:
    """A session's request keys without the MFA sign-in time it records, and that time."""
    keys = dict(session.context)
    signed_in = keys.pop(MFA_AUTH_TIME, None)
    if not isinstance(signed_in, str):
        return keys, None
    return keys, datetime.strptime(signed_in, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _age(signed_in: datetime, now: datetime) -> str:
    """`aws:MultiFactorAuthAge`: whole seconds since the MFA sign-in."""
    return str(max(0, int((now - signed_in).total_seconds())))

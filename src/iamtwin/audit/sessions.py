"""Investigating a role session from the trail: who started it, its chain of sessions, what each did.

A role session is known by what CloudTrail keeps of it: the event that issued it (AssumeRole,
AssumeRoleWithWebIdentity, AssumeRoleWithSAML), whose `responseElements.credentials.accessKeyId`
is the key every later call of the session carries in `userIdentity.accessKeyId`, and whose
`userIdentity` is the caller that assumed the role
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html).
When that caller is itself an assumed role, the call was role chaining, and a chained session lasts
at most one hour
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining);
the walk goes up such callers to the original principal (a user's key, a web identity, a SAML
user, the broker) and down every AssumeRole the session made. A session's calls are the events of
its ARN in its lifetime with its access key (or, without a key, its creation date).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ..errors import IamtwinError
from .records import record_time
from .store import AuditStore, StoredEvent

ISSUING_EVENTS = ("AssumeRole", "AssumeRoleWithWebIdentity", "AssumeRoleWithSAML")
ROLE_CHAINING_MAX_SECONDS = 3600
# The longest a role session can last (DurationSeconds up to 43200): the window searched for a
# session's calls when the event that issued it, and so its expiration, is not in the trail.
LONGEST_SESSION = timedelta(hours=12)
# How far from a session's creationDate its issuing event may be recorded.
ISSUE_SLACK = timedelta(minutes=5)
# The session tag the elevated-access broker puts on every session it obtains (broker/issuance.py).
BROKER_TAG = "request-id"
MAX_DEPTH = 32


class EventNotFound(IamtwinError):
    """No event in the trail has the eventID asked for."""

    code = "AUDIT_EVENT_NOT_FOUND"


class SessionNotFound(IamtwinError):
    """No event in the trail names the session asked for."""

    code = "AUDIT_SESSION_NOT_FOUND"


class NotARoleSession(IamtwinError):
    """The event was not made with a role session's credentials."""

    code = "AUDIT_NOT_A_ROLE_SESSION"


@dataclass(frozen=True, slots=True)
class SessionKey:
    """What identifies one role session in events: its ARN, key and creation date."""

    arn: str
    principal_id: str | None
    access_key_id: str | None
    created: datetime

    def made(self, record: Mapping[str, Any]) -> bool:
        """Whether the record's call was made with this session's credentials."""
        other = key_of(record.get("userIdentity") or {})
        if other is None or other.arn != self.arn:
            return False
        if self.access_key_id and other.access_key_id:
            return other.access_key_id == self.access_key_id
        return other.created == self.created


@dataclass(frozen=True, slots=True)
class Origin:
    """The principal at the start of the chain, and how it obtained the first session."""

    kind: str  # user-key | user-session-token | root | federated-user | web-identity | saml | broker | unknown
    type: str | None = None
    principal_id: str | None = None
    arn: str | None = None
    user_name: str | None = None
    identity_provider: str | None = None
    access_key_id: str | None = None
    broker_request_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "kind": self.kind,
            "type": self.type,
            "principalId": self.principal_id,
            "arn": self.arn,
            "userName": self.user_name,
            "identityProvider": self.identity_provider,
            "accessKeyId": self.access_key_id,
            "brokerRequestId": self.broker_request_id,
        }

    @property
    def label(self) -> str:
        """A short name for the graph and the text report."""
        return self.arn or self.user_name or self.principal_id or self.identity_provider or self.kind


@dataclass
class RoleSession:
    """One session of the chain: the hop that issued it and everything done with it."""

    key: SessionKey
    role_arn: str | None
    session_name: str
    source_identity: str | None
    issuing: dict[str, Any] | None
    parent: int | None = None
    subject: bool = False
    expires: datetime | None = None
    requested_seconds: int | None = None
    events: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (seq, record)
    earlier_sessions: int = 0
    earlier_events: int = 0
    new_actions: list[str] = field(default_factory=list)
    new_addresses: list[str] = field(default_factory=list)

    @property
    def chained(self) -> bool:
        """Whether the session was assumed with another role session's credentials."""
        caller = (self.issuing or {}).get("userIdentity") or {}
        return self.parent is not None or caller.get("type") == "AssumedRole"

    @property
    def duration_seconds(self) -> int | None:
        """How long the credentials were valid for, from the issuing event's expiration."""
        return None if self.expires is None else int((self.expires - self.key.created).total_seconds())


@dataclass
class Investigation:
    """The chain of sessions around the subject, root first, and what the trail could not tell."""

    subject_event_id: str | None
    origin: Origin
    sessions: list[RoleSession]
    notes: list[str] = field(default_factory=list)

    @property
    def subject(self) -> RoleSession:
        """The session asked about."""
        return next(s for s in self.sessions if s.subject)


def parse(stored: StoredEvent) -> dict[str, Any]:
    """A stored event's CloudTrail record."""
    data = json.loads(stored.record)
    return data if isinstance(data, dict) else {}


def key_of(identity: Mapping[str, Any]) -> SessionKey | None:
    """The session key of an AssumedRole userIdentity (None for any other caller)."""
    if identity.get("type") != "AssumedRole" or not identity.get("arn"):
        return None
    attributes = (identity.get("sessionContext") or {}).get("attributes") or {}
    created = record_time(attributes.get("creationDate"), "sessionContext.attributes.creationDate")
    return SessionKey(str(identity["arn"]), identity.get("principalId"), identity.get("accessKeyId"), created)


def action_of(record: Mapping[str, Any]) -> str:
    """The IAM action of a call: the engine's, else `service:EventName` from eventSource."""
    decision = record.get("iamtwinDecision") or {}
    if decision.get("action"):
        return str(decision["action"])
    return f"{str(record.get('eventSource', '')).split('.', 1)[0]}:{record.get('eventName', '')}"


def _tags(parameters: Mapping[str, Any]) -> dict[str, str]:
    tags = parameters.get("tags") or parameters.get("Tags") or []
    out: dict[str, str] = {}
    for tag in tags if isinstance(tags, list) else []:
        if isinstance(tag, Mapping):
            out[str(tag.get("key", tag.get("Key", "")))] = str(tag.get("value", tag.get("Value", "")))
    return out


def origin_of(issuing: Mapping[str, Any]) -> Origin | None:
    """Who made the issuing call when it was not another role session (None when it was: the chain goes on)."""
    caller = issuing.get("userIdentity") or {}
    kind_of_caller = caller.get("type")
    broker = _tags(issuing.get("requestParameters") or {}).get(BROKER_TAG)
    if broker is None and kind_of_caller == "AssumedRole":
        return None
    if broker is not None:
        kind = "broker"
    elif issuing.get("eventName") == "AssumeRoleWithWebIdentity":
        kind = "web-identity"
    elif issuing.get("eventName") == "AssumeRoleWithSAML":
        kind = "saml"
    elif kind_of_caller == "IAMUser":
        kind = "user-session-token" if caller.get("sessionContext") else "user-key"
    else:
        kind = {"Root": "root", "FederatedUser": "federated-user"}.get(str(kind_of_caller), "unknown")
    return Origin(
        kind,
        caller.get("type"),
        caller.get("principalId"),
        caller.get("arn"),
        caller.get("userName"),
        caller.get("identityProvider"),
        caller.get("accessKeyId"),
        broker,
    )


def issued_key(record: Mapping[str, Any]) -> SessionKey | None:
    """The session a successful AssumeRole* event issued."""
    if record.get("errorCode") or record.get("eventName") not in ISSUING_EVENTS:
        return None
    response = record.get("responseElements") or {}
    user = response.get("assumedRoleUser") or {}
    if not user.get("arn"):
        return None
    key = (response.get("credentials") or {}).get("accessKeyId")
    return SessionKey(str(user["arn"]), user.get("assumedRoleId"), key, record_time(record["eventTime"], "eventTime"))


class Investigator:
    """Reads what it needs from the trail, by eventID, caller ARN, event name and time."""

    def __init__(self, store: AuditStore, baseline: timedelta = timedelta(days=90)) -> None:
        self.store = store
        self.baseline = baseline

    def from_event(self, event_id: str) -> Investigation:
        """The investigation of the session that made an event."""
        stored = self.store.find(event_id)
        if stored is None:
            raise EventNotFound(f"no event `{event_id}` in the audit trail")
        record = parse(stored)
        key = key_of(record.get("userIdentity") or {})
        if key is None:
            kind = (record.get("userIdentity") or {}).get("type")
            raise NotARoleSession(f"event `{event_id}` was made by a `{kind}` caller, not with a role session")
        return self._investigate(key, event_id)

    def from_session_arn(self, arn: str) -> Investigation:
        """The investigation of the newest session with this ARN (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/NAME`)."""
        keys = [k for e in self.store.events_matching(principal_arns=[arn]) if (k := key_of(parse(e))) is not None]
        if not keys:  # a session that made no call is known only from the event that issued it
            issued = self.store.events_matching(event_names=ISSUING_EVENTS)
            keys = [k for e in issued if (k := issued_key(parse(e))) is not None and k.arn == arn]
        if not keys:
            raise SessionNotFound(f"no event in the audit trail was made by or issued session `{arn}`")
        # Newest by creation date, then by chain order (creation dates are whole seconds).
        newest = max(range(len(keys)), key=lambda i: (keys[i].created, i))
        return self._investigate(keys[newest], None)

    def _investigate(self, key: SessionKey, event_id: str | None) -> Investigation:
        notes: list[str] = []
        subject = self._session(key, notes)
        subject.subject = True
        chain = [subject]
        origin: Origin | None = None
        while origin is None:
            top = chain[0]
            if top.issuing is None:
                origin = self._unknown_origin(top, notes)
                break
            origin = origin_of(top.issuing)
            if origin is not None:
                break
            parent_key = key_of(top.issuing.get("userIdentity") or {})
            if parent_key is None or len(chain) >= MAX_DEPTH:
                origin = Origin("unknown")
                break
            chain.insert(0, self._session(parent_key, notes))
        for index, session in enumerate(chain[1:]):
            session.parent = index
        sessions = list(chain)
        self._descend(sessions, len(sessions) - 1, notes, 0)
        for session in sessions:
            self._compare(session)
            if session.chained and (session.duration_seconds or 0) > ROLE_CHAINING_MAX_SECONDS:
                notes.append(
                    f"session {session.key.arn} was chained yet lasted {session.duration_seconds} s, "
                    f"beyond the {ROLE_CHAINING_MAX_SECONDS} s role chaining allows"
                )
        return Investigation(event_id, origin, sessions, notes)

    def _session(self, key: SessionKey, notes: list[str], issuing: dict[str, Any] | None = None) -> RoleSession:
        if issuing is None:
            issuing = self._issuing_event(key)
        role_arn, name, source_identity, expires, requested = None, key.arn.rsplit("/", 1)[-1], None, None, None
        if issuing is not None:
            response = issuing.get("responseElements") or {}
            parameters = issuing.get("requestParameters") or {}
            role_arn = parameters.get("roleArn")
            name = str(parameters.get("roleSessionName", name))
            source_identity = response.get("sourceIdentity") or parameters.get("sourceIdentity")
            expiration = (response.get("credentials") or {}).get("expiration")
            expires = record_time(expiration, "credentials.expiration") if expiration else None
            seconds = parameters.get("durationSeconds")
            requested = int(seconds) if seconds is not None and str(seconds).isdigit() else None
        else:
            head = self.store.head()
            cutoff = head.anchor_time
            pruned = f": events before {cutoff.isoformat()} were pruned" if cutoff and key.created < cutoff else ""
            notes.append(
                f"the event that issued {key.arn} (created {key.created.isoformat()}) is not in the trail{pruned}"
            )
        until = (expires or key.created + LONGEST_SESSION) + timedelta(seconds=1)
        events = [
            (e.seq, record)
            for e in self.store.events_matching(principal_arns=[key.arn], since=key.created, until=until)
            if key.made(record := parse(e))
        ]
        if role_arn is None and events:
            issuer = ((events[0][1]["userIdentity"].get("sessionContext") or {}).get("sessionIssuer")) or {}
            role_arn = issuer.get("arn")
        if source_identity is None and events:
            source_identity = (events[0][1]["userIdentity"].get("sessionContext") or {}).get("sourceIdentity")
        return RoleSession(
            key, role_arn, name, source_identity, issuing, expires=expires, requested_seconds=requested, events=events
        )

    def _issuing_event(self, key: SessionKey) -> dict[str, Any] | None:
        candidates = self.store.events_matching(
            event_names=ISSUING_EVENTS, since=key.created - ISSUE_SLACK, until=key.created + ISSUE_SLACK
        )
        best: tuple[float, dict[str, Any]] | None = None
        for stored in candidates:
            record = parse(stored)
            issued = issued_key(record)
            if issued is None or issued.arn != key.arn:
                continue
            if key.access_key_id and issued.access_key_id:
                if issued.access_key_id == key.access_key_id:
                    return record
                continue
            distance = abs((issued.created - key.created).total_seconds())
            if best is None or distance < best[0]:
                best = (distance, record)
        return None if best is None else best[1]

    def _unknown_origin(self, top: RoleSession, notes: list[str]) -> Origin:
        # Without the issuing event, the session's own calls may still name a web-identity provider.
        for _, record in top.events:
            federation = (record["userIdentity"].get("sessionContext") or {}).get("webIdFederationData") or {}
            if federation.get("federatedProvider"):
                return Origin("web-identity", identity_provider=str(federation["federatedProvider"]))
        notes.append(f"who assumed {top.key.arn} is unknown")
        return Origin("unknown")

    def _descend(self, sessions: list[RoleSession], index: int, notes: list[str], depth: int) -> None:
        if depth >= MAX_DEPTH:
            return
        for _, record in list(sessions[index].events):
            child_key = issued_key(record)
            if child_key is None:
                continue
            child = self._session(child_key, notes, issuing=record)
            child.parent = index
            sessions.append(child)
            self._descend(sessions, len(sessions) - 1, notes, depth + 1)

    def _compare(self, session: RoleSession) -> None:
        """What the session did that the same session principal did not do in the baseline before it."""
        # Times are whole seconds, so "before" is decided by chain order: events recorded before the
        # session's first call, up to the second it was created, not its own.
        first_seq = session.events[0][0] if session.events else None
        earlier = [
            record
            for e in self.store.events_matching(
                principal_arns=[session.key.arn],
                since=session.key.created - self.baseline,
                until=session.key.created + timedelta(seconds=1),
            )
            if (first_seq is None or e.seq < first_seq) and not session.key.made(record := parse(e))
        ]
        known_actions = {action_of(r) for r in earlier}
        known_addresses = {str(r.get("sourceIPAddress", "")) for r in earlier}
        session.earlier_events = len(earlier)
        session.earlier_sessions = len({k for r in earlier if (k := key_of(r.get("userIdentity") or {})) is not None})
        for _, record in session.events:
            action, address = action_of(record), str(record.get("sourceIPAddress", ""))
            if action not in known_actions and action not in session.new_actions:
                session.new_actions.append(action)
            if address not in known_addresses and address not in session.new_addresses:
                session.new_addresses.append(address)

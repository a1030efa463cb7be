"""The broker: every call reads the current rules, applies one transition and stores it in one transaction.

Every stored transition is appended to the world's hash-chained audit trail (`trail` builds the
events) in the same transaction as the change, so the two commit or roll back together; a refused
call, whose transaction rolled back, is recorded afterwards with its errorCode.

The person making a call is passed in by the edge that authenticated them (the CLI resolves the
rules' people directory until OIDC sign-in exists); nothing a client sends decides an approval, a
duration or a window: those come from the stored request and the current rules.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from ..audit.store import AuditStore
from ..clock import Clock
from . import outbox, store, transitions
from .channels import Channel
from .console import ConsoleSignIn, console_sign_in, federation_endpoint
from .defaults import AWS_CONSOLE, DEFAULT_ISSUER, DEFAULT_MANAGER_ROLE
from .errors import BrokerError, BrokerErrorCode
from .issuance import CHAINED_MAXIMUM_SECONDS, BrokerPrincipal, SessionCredentials, assume_target_role
from .notifications import notifications_for
from .outbox import DispatchReport, OutboxEntry
from .requests import GRANTED_STATES, Ask, ElevationRequest, RequestEvent, RequestState
from .reviews import BreakGlassReview, BreakGlassUse, ReviewOutcome
from .revocation import policy_name, put_deny, remove_deny, revocation_cutoff, target_iam
from .rules import BrokerRules, Person
from .store import IssuedSession, Revocation
from .trail import CallOrigin, ask_parameters, new_call_id, refusal_event, rules_event, transition_events
from .transitions import Change


def new_request_id() -> str:
    """A request id: `r-` and 16 random hex digits."""
    return "r-" + secrets.token_hex(8)


@dataclass(frozen=True, slots=True)
class SweepReport:
    """What a sweep did: requests expired or ended, deny policies removed."""

    expired: tuple[str, ...]
    ended: tuple[str, ...]
    policies_removed: tuple[str, ...]
    notifications: DispatchReport = field(default_factory=DispatchReport)


class Broker:
    """Requests, approvals, sessions and revocations over the world database and an STS/IAM endpoint."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        principal: BrokerPrincipal | None = None,
        *,
        manager_role: str | None = DEFAULT_MANAGER_ROLE,
        new_id: Callable[[], str] = new_request_id,
        audit: AuditStore | None = None,
        origin: CallOrigin | None = None,
        channels: Mapping[str, Channel] | None = None,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.principal = principal
        self.manager_role = manager_role
        self.new_id = new_id
        self.audit = audit if audit is not None else AuditStore(engine)
        self.origin = origin if origin is not None else CallOrigin()
        # Notification channels; None builds them from the current rules' `notifications` section.
        self.channels = channels

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    def _record(self, conn: Connection, change: Change, session: IssuedSession | None = None) -> None:
        """Append a change's events to the audit trail, and its notifications to the outbox, in its own transaction."""
        events = transition_events(change, call_id=new_call_id(), origin=self.origin, session=session)
        self.audit.append_in(conn, events)
        rules = store.load_rules(conn)
        outbox.enqueue(conn, rules.notifications, notifications_for(rules, change), self.clock.now())

    @contextmanager
    def _refusals(self, event_name: str, person: Person | None, parameters: Mapping[str, Any]) -> Iterator[None]:
        """Record a refused call (after its transaction rolled back) with its errorCode, then let it go on."""
        try:
            yield
        except BrokerError as error:
            actor = None if person is None else person.subject
            event = refusal_event(
                event_name,
                actor,
                error,
                now=self.clock.now(),
                call_id=new_call_id(),
                origin=self.origin,
                parameters=parameters,
            )
            self.audit.append([event])
            raise

    def _principal(self) -> BrokerPrincipal:
        if self.principal is None:
            raise BrokerError(BrokerErrorCode.NO_BROKER_CREDENTIALS, "the broker has no credentials for STS and IAM")
        return self.principal

    # -- rules ----------------------------------------------------------------------------------

    def load_rules(self, text: str) -> BrokerRules:
        """Validate rules (YAML text) and make them current."""
        with self._transaction() as conn:
            rules = store.save_rules(conn, text, self.clock.now())
            self.audit.append_in(conn, [rules_event(rules, rules.to_json(), now=self.clock.now(), origin=self.origin)])
            return rules

    def rules(self) -> BrokerRules:
        """The current rules."""
        with self.engine.connect() as conn:
            return store.load_rules(conn)

    def person(self, subject: str) -> Person:
        """A person of the rules' directory."""
        return self.rules().person(subject)

    # -- requests -------------------------------------------------------------------------------

    def request(self, person: Person, ask: Ask) -> ElevationRequest:
        """File a request (approved at once when auto-approved or break-glass)."""
        with self._refusals("CreateRequest", person, ask_parameters(ask)):
            now = self.clock.now()
            with self._transaction() as conn:
                rules = store.load_rules(conn)
                path = store.account_path(conn, ask.account_id)
                change = transitions.create(rules, person, ask, request_id=self.new_id(), account_path=path, now=now)
                stored = store.insert_request(conn, change)
                self._record(conn, change)
        return stored

    def _visible(
        self, conn: Connection, rules: BrokerRules, request_id: str, person: Person, *, for_update: bool = False
    ) -> ElevationRequest:
        """The request, when this person may see it; else the answer a missing request gets."""
        request = store.read_request(conn, request_id, for_update=for_update)
        if not rules.may_see(person, request.requester, request.approval_rule):
            # The same answer as for a request that does not exist: ids reveal nothing.
            raise BrokerError(BrokerErrorCode.UNKNOWN_REQUEST, f"there is no request `{request_id}`")
        return request

    def _settle(self, request_id: str) -> None:
        """Store what time alone changed (expiry of a pending request, end of a window) before acting."""
        now = self.clock.now()
        with self._transaction() as conn:
            request = store.read_request(conn, request_id, for_update=True)
            change = transitions.due(request, now)
            if change is None:
                return
            if change.request.state == RequestState.ENDED:
                self._cut_sessions(conn, change.request, now)
            store.apply_change(conn, change)
            self._record(conn, change)

    def approve(self, request_id: str, person: Person) -> ElevationRequest:
        """One approval by `person`."""
        with self._refusals("ApproveRequest", person, {"requestId": request_id}):
            self._settle(request_id)
            now = self.clock.now()
            with self._transaction() as conn:
                rules = store.load_rules(conn)
                request = self._visible(conn, rules, request_id, person, for_update=True)
                change = transitions.approve(rules, request, store.read_approvals(conn, request_id), person, now)
                stored = store.apply_change(conn, change)
                self._record(conn, change)
        return stored

    def reject(self, request_id: str, person: Person, reason: str = "") -> ElevationRequest:
        """A reviewer rejects a pending request."""
        with self._refusals("RejectRequest", person, {"requestId": request_id, "reason": reason}):
            self._settle(request_id)
            now = self.clock.now()
            with self._transaction() as conn:
                rules = store.load_rules(conn)
                request = self._visible(conn, rules, request_id, person, for_update=True)
                change = transitions.reject(rules, request, person, now, reason)
                stored = store.apply_change(conn, change)
                self._record(conn, change)
        return stored

    def cancel(self, request_id: str, person: Person) -> ElevationRequest:
        """The requester withdraws a request."""
        with self._refusals("CancelRequest", person, {"requestId": request_id}):
            self._settle(request_id)
            now = self.clock.now()
            with self._transaction() as conn:
                request = self._visible(conn, store.load_rules(conn), request_id, person, for_update=True)
                change = transitions.cancel(request, person, now)
                stored = store.apply_change(conn, change)
                self._record(conn, change)
        return stored

    def revoke(self, request_id: str, person: Person, reason: str = "") -> ElevationRequest:
        """End granted access now; sessions already issued are denied from this moment (the deny is put first)."""
        with self._refusals("RevokeRequest", person, {"requestId": request_id, "reason": reason}):
            self._settle(request_id)
            now = self.clock.now()
            with self._transaction() as conn:
                rules = store.load_rules(conn)
                request = self._visible(conn, rules, request_id, person, for_update=True)
                change = transitions.revoke(rules, request, person, now, reason)
                self._cut_sessions(conn, request, now)
                stored = store.apply_change(conn, change)
                self._record(conn, change)
        return stored

    def _cut_sessions(self, conn: Connection, request: ElevationRequest, now: datetime) -> Revocation | None:
        """Deny the request's sessions still unexpired; nothing to do when none are."""
        live = [s for s in store.read_sessions(conn, request.id) if s.expires_at > now]
        if not live or store.read_revocation(conn, request.id) is not None:
            return None
        principal = self._principal()
        cutoff = revocation_cutoff(now)
        iam = target_iam(principal, request.ask.account_id, self.manager_role, request.id)
        put_deny(iam, request.role_arn, request.requester, request.id, cutoff)
        revocation = Revocation(
            request.id, request.role_arn, policy_name(request.id), cutoff, max(s.expires_at for s in live), None
        )
        store.record_revocation(conn, revocation)
        return revocation

    # -- sessions -------------------------------------------------------------------------------

    def start_session(self, request_id: str, person: Person | None) -> SessionCredentials:
        """Check (authenticated requester, still eligible, approved and inside the window) and issue a session."""
        with self._refusals("StartSession", person, {"requestId": request_id}):
            if person is None:
                raise BrokerError(BrokerErrorCode.NOT_AUTHENTICATED, "sign in to start a session")
            self._settle(request_id)
            now = self.clock.now()
            with self._transaction() as conn:
                rules = store.load_rules(conn)
                request = self._visible(conn, rules, request_id, person, for_update=True)
                path = store.account_path(conn, request.ask.account_id)
                seconds = transitions.session_seconds(rules, request, person, path, now)
                principal = self._principal()
                if principal.chained:
                    seconds = min(seconds, CHAINED_MAXIMUM_SECONDS)
                rule = rules.eligible_rule(
                    person, request.ask.account_id, path, request.ask.role_name, request.ask.scope
                )
                policy = rule.scopes[request.ask.scope] if request.ask.scope is not None else None
                creds = assume_target_role(
                    principal,
                    request.role_arn,
                    person=person.subject,
                    request_id=request.id,
                    seconds=seconds,
                    session_policy=policy,
                )
                issued = IssuedSession(
                    creds.access_key_id,
                    request.id,
                    request.role_arn,
                    creds.session_name,
                    creds.source_identity,
                    now,
                    creds.expiration,
                )
                store.record_session(conn, issued)
                detail = f"{creds.session_name} until {creds.expiration:%Y-%m-%dT%H:%M:%SZ} ({seconds} s)"
                change = transitions.started(request, person, now, detail)
                store.apply_change(conn, change)
                self._record(conn, change, issued)
        return creds

    def console_url(
        self,
        request_id: str,
        person: Person | None,
        *,
        endpoint: str | None = None,
        issuer: str = DEFAULT_ISSUER,
        destination: str = AWS_CONSOLE,
    ) -> ConsoleSignIn:
        """Start a session (the same checks as `start_session`) and turn it into a console sign-in URL.

        `endpoint` is the federation endpoint; by default the one next to the broker's STS endpoint.
        """
        creds = self.start_session(request_id, person)
        principal = self._principal()
        chosen = endpoint if endpoint is not None else federation_endpoint(principal.endpoint_url)
        with self._refusals("ConsoleSignIn", person, {"requestId": request_id}):
            return console_sign_in(
                chosen,
                creds,
                now=self.clock.now(),
                chained=principal.chained,
                issuer=issuer,
                destination=destination,
            )

    # -- break-glass ----------------------------------------------------------------------------

    def break_glass(self, person: Person, ask: Ask) -> ElevationRequest:
        """Emergency access now, where the approval rule allows it; it leaves a review task for someone else."""
        return self.request(person, replace(ask, break_glass=True))

    def review_break_glass(
        self, request_id: str, person: Person, outcome: ReviewOutcome, comment: str
    ) -> BreakGlassReview:
        """Complete the review of a break-glass use (one who could have approved it, never its user)."""
        parameters = {"requestId": request_id, "outcome": outcome.value, "comment": comment}
        with self._refusals("ReviewBreakGlass", person, parameters):
            now = self.clock.now()
            with self._transaction() as conn:
                rules = store.load_rules(conn)
                request = self._visible(conn, rules, request_id, person, for_update=True)
                review = store.read_review(conn, request_id)
                change = transitions.review_break_glass(rules, request, review, person, now, outcome, comment)
                store.apply_change(conn, change)
                self._record(conn, change)
        assert change.review is not None
        return change.review

    def break_glass_review(self, request_id: str, person: Person) -> BreakGlassReview | None:
        """The review of a break-glass request, for someone allowed to see it; None if it was not break-glass."""
        with self.engine.connect() as conn:
            self._visible(conn, store.load_rules(conn), request_id, person)
            return store.read_review(conn, request_id)

    def unreviewed_break_glass(self, person: Person) -> list[BreakGlassUse]:
        """The break-glass uses nobody has reviewed yet that this person may see, the longest-waiting first."""
        with self.engine.connect() as conn:
            rules = store.load_rules(conn)
            found = [(store.read_request(conn, r.request_id), r) for r in store.list_reviews(conn, open_only=True)]
        return [
            BreakGlassUse(request, review)
            for request, review in found
            if rules.may_see(person, request.requester, request.approval_rule)
        ]

    # -- notifications --------------------------------------------------------------------------

    def deliver_notifications(self, limit: int = 100) -> DispatchReport:
        """Send the outbox's due notifications; best effort: a failure is logged and reported, never raised."""
        return outbox.deliver_due(self.engine, self.clock, self.channels, limit)

    def notifications(self, request_id: str, person: Person) -> list[OutboxEntry]:
        """The notifications of a request and how their delivery went, for someone allowed to see it."""
        with self.engine.connect() as conn:
            self._visible(conn, store.load_rules(conn), request_id, person)
            return outbox.entries(conn, request_id=request_id)

    # -- reading --------------------------------------------------------------------------------

    def list_for(self, person: Person, *, states: tuple[RequestState, ...] = ()) -> list[ElevationRequest]:
        """The requests this person may see, newest first."""
        with self.engine.connect() as conn:
            rules = store.load_rules(conn)
            found = store.list_requests(conn, states=states)
        return [r for r in found if rules.may_see(person, r.requester, r.approval_rule)]

    def history(self, request_id: str, person: Person) -> tuple[ElevationRequest, list[RequestEvent]]:
        """A request and its events, for someone allowed to see it."""
        with self.engine.connect() as conn:
            rules = store.load_rules(conn)
            return self._visible(conn, rules, request_id, person), store.read_events(conn, request_id)

    def sessions(self, request_id: str, person: Person) -> list[IssuedSession]:
        """The sessions issued for a request, for someone allowed to see it."""
        with self.engine.connect() as conn:
            self._visible(conn, store.load_rules(conn), request_id, person)
            return store.read_sessions(conn, request_id)

    # -- time -----------------------------------------------------------------------------------

    def sweep(self) -> SweepReport:
        """Expire unreviewed requests, end passed windows, remove deny policies no longer needed."""
        with self.engine.connect() as conn:
            open_requests = store.list_requests(conn, states=(RequestState.PENDING, *sorted(GRANTED_STATES)))
        expired: list[str] = []
        ended: list[str] = []
        for request in open_requests:
            self._settle(request.id)
            with self.engine.connect() as conn:
                state = store.read_request(conn, request.id).state
            if state == RequestState.EXPIRED:
                expired.append(request.id)
            elif state == RequestState.ENDED:
                ended.append(request.id)
        removed: list[str] = []
        now = self.clock.now()
        with self.engine.connect() as conn:
            due = store.revocations_to_remove(conn, now)
        for revocation in due:
            account = revocation.role_arn.split(":")[4]
            iam = target_iam(self._principal(), account, self.manager_role, revocation.request_id)
            remove_deny(iam, revocation.role_arn, revocation.request_id)
            with self._transaction() as conn:
                store.mark_removed(conn, revocation.request_id, now)
            removed.append(revocation.policy_name)
        return SweepReport(tuple(expired), tuple(ended), tuple(removed), self.deliver_notifications())

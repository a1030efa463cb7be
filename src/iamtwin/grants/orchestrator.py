"""The permission orchestrator: the one component that changes the target resources' policies.

A call is decided in this order: the request is checked (`model`), the requester's scope and the
admission policy are evaluated on the authenticated requester (`admission`), the statement is built
(`statement`), the whole new policy is validated (`validation`), and the orchestrator's own role must
be allowed by the engine to change the policy (`lambda:AddPermission` to add, `lambda:RemovePermission`
to remove, for a Lambda function), as AWS would decide it for that role. Only then is the policy
written, with its ledger row and its audit event, in one transaction; a refusal changes nothing and
is recorded afterwards.

Asking again for what is already granted changes nothing and says so (`changed: false`). Revoking
puts back the exact stored text the policy had before the grant when the policy is still as the
grant left it; when later grants changed it since, only the grant's own statement is removed.

Concurrent calls are serialized by locking the audit trail's head row first: it is the first write
of the transaction (SQLite's write lock, a row lock on PostgreSQL), so no two calls read the same
policy and both write after it.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from ..audit.identity import identity_of, unknown_identity
from ..audit.store import AuditStore
from ..errors import IamtwinError
from ..evaluate.decision import Decision
from ..policy.arn import parse_arn
from ..world.store import schema as t
from ..world.store.codec import document_text
from ..world.store.documents import DocumentRole, checked_document
from ..world.stored import Caller, World
from . import store
from .admission import REQUEST_ACTION, REVOKE_ACTION, Requester, admit, requester_of, require_admission
from .errors import GrantError, GrantErrorCode
from .model import Grant, GrantOutcome, GrantRequest, GrantState, Restoration
from .settings import GrantSettings
from .statement import find_statement, grant_sid, grant_statement, with_statement, without_statement
from .trail import COMMAND_LINE, OPERATOR, CallOrigin, GrantCall, policy_digest, settings_parameters
from .validation import require_valid

# The calls that add and remove a statement of each service's resource policies, which the
# orchestrator's role must be allowed to make.
POLICY_WRITE_ACTIONS: dict[str, tuple[str, str]] = {
    "lambda": ("lambda:AddPermission", "lambda:RemovePermission"),
    "sns": ("sns:AddPermission", "sns:RemovePermission"),
    "sqs": ("sqs:AddPermission", "sqs:RemovePermission"),
    "s3": ("s3:PutBucketPolicy", "s3:PutBucketPolicy"),
    "kms": ("kms:PutKeyPolicy", "kms:PutKeyPolicy"),
    "secretsmanager": ("secretsmanager:PutResourcePolicy", "secretsmanager:PutResourcePolicy"),
}


def new_grant_id() -> str:
    """A grant id: `g-` and 16 random hex digits."""
    return "g-" + secrets.token_hex(8)


@dataclass(frozen=True, slots=True)
class GrantPlan:
    """What applying a request would do: the statement, whether the policy changes, the texts before and after."""

    sid: str
    statement: dict[str, Any]
    changed: bool
    policy_before: str | None
    policy_after: str
    existing: Grant | None

    def to_json(self) -> dict[str, Any]:
        """The plan as the CLI shows it."""
        return {
            "sid": self.sid,
            "statement": self.statement,
            "changed": self.changed,
            "existingGrant": None if self.existing is None else self.existing.id,
            "policyBefore": None if self.policy_before is None else json.loads(self.policy_before),
            "policyAfter": json.loads(self.policy_after),
        }


@dataclass(frozen=True, slots=True)
class _Admitted:
    settings: GrantSettings
    requester: Requester
    decision: Decision


def _write_actions(resource: str) -> tuple[str, str]:
    arn = parse_arn(resource)
    service = arn.service if arn is not None else ""
    found = POLICY_WRITE_ACTIONS.get(service)
    if found is None:
        raise GrantError(
            GrantErrorCode.OUT_OF_SCOPE, f"the orchestrator does not change the resource policies of `{service}`"
        )
    return found


class GrantOrchestrator:
    """Grants, revocations and listings over one world, acting as the configured orchestrator role."""

    def __init__(self, world: World, *, new_id: Callable[[], str] = new_grant_id) -> None:
        self.world = world
        self.audit = AuditStore(world.engine)
        self.new_id = new_id

    # -- settings -------------------------------------------------------------------------------

    def configure(self, text: str, origin: CallOrigin = COMMAND_LINE) -> GrantSettings:
        """Check and store new settings (YAML text), recorded as PutGrantSettings by the local operator."""
        now = self.world.clock.now()
        with self.world.transaction() as conn:
            settings = store.save_settings(conn, text, now)
            call = GrantCall("PutGrantSettings", OPERATOR, origin, now, settings_parameters(settings))
            self.audit.append_in(conn, [call.event(response={"settings": policy_digest(text)})])
        return settings

    def settings(self) -> GrantSettings:
        """The stored settings."""
        with self.world.engine.connect() as conn:
            return store.load_settings(conn)

    # -- calls ----------------------------------------------------------------------------------

    def _call(
        self,
        name: str,
        caller: Caller,
        origin: CallOrigin,
        parameters: dict[str, Any],
        resource: str | None,
        *,
        read_only: bool = False,
    ) -> GrantCall:
        arn = parse_arn(resource) if resource else None
        return GrantCall(
            name,
            identity_of(self.world, caller),
            origin,
            self.world.clock.now(),
            parameters,
            region=(arn.region if arn is not None and arn.region else "us-east-1"),
            account=arn.account if arn is not None and arn.account else None,
            read_only=read_only,
        )

    def refuse(
        self,
        name: str,
        caller: Caller | None,
        origin: CallOrigin,
        err: IamtwinError,
        *,
        access_key_id: str | None = None,
    ) -> None:
        """Record a call refused before it could be read: unauthenticated (no caller), or not a grant request."""
        identity = identity_of(self.world, caller) if caller is not None else unknown_identity(access_key_id)
        self._refused(GrantCall(name, identity, origin, self.world.clock.now(), {}), err)

    def _refused(self, call: GrantCall, err: IamtwinError) -> None:
        """Record a refused call (its transaction, if any, rolled back)."""
        self.audit.append([call.event(error=err, decision=getattr(err, "decision", None))])

    def _admit(self, caller: Caller, action: str, request: GrantRequest) -> _Admitted:
        settings = self.settings()
        requester = requester_of(caller)
        if action == REQUEST_ACTION:
            decision = admit(self.world, requester, action, request, settings)
        else:  # a revocation is judged on who asks, even if the grantable set no longer holds the grant
            decision = require_admission(self.world, requester, action, request, settings)
        return _Admitted(settings, requester, decision)

    def _orchestrator_may(self, settings: GrantSettings, action: str, resource: str) -> None:
        decision = self.world.authorize(settings.orchestrator, action, resource)
        if not decision.allowed:
            raise GrantError(
                GrantErrorCode.ORCHESTRATOR_DENIED,
                f"the orchestrator `{settings.orchestrator}` may not perform `{action}` on `{resource}`",
            )

    def _org_id(self, conn: Connection) -> str | None:
        found = conn.execute(select(t.organizations.c.id)).scalar()
        return None if found is None else str(found)

    def _plan(self, conn: Connection, request: GrantRequest, *, lock: bool = False) -> GrantPlan:
        """The statement and the new policy text, validated; GRANT_CONFLICT when the Sid is held otherwise."""
        sid = grant_sid(request)
        statement = grant_statement(request)
        existing = store.active_grant(conn, request.resource, sid)
        before = store.resource_policy_text(conn, request.resource, for_update=lock)
        current = json.loads(before) if before is not None else None
        found = find_statement(current, sid)
        if found is not None:
            if existing is not None and dict(found) == statement:
                return GrantPlan(sid, statement, False, before, before or "", existing)
            raise GrantError(
                GrantErrorCode.CONFLICT,
                f"the policy of `{request.resource}` holds a statement `{sid}` the ledger did not write as it is",
            )
        if existing is not None:
            raise GrantError(
                GrantErrorCode.CONFLICT,
                f"grant `{existing.id}` is active but its statement left the policy of `{request.resource}`; "
                "revoke it first",
            )
        policy = with_statement(current, statement)
        after = document_text(policy)
        try:
            checked_document(after, DocumentRole.RESOURCE, "Policy")
        except IamtwinError as err:
            raise GrantError(GrantErrorCode.INVALID, f"the new policy would not be accepted: {err.message}") from err
        require_valid(request.resource, policy, after, self._org_id(conn))
        return GrantPlan(sid, statement, True, before, after, None)

    def plan(self, caller: Caller, request: GrantRequest, origin: CallOrigin = COMMAND_LINE) -> GrantPlan:
        """What `apply` would do for this caller, checked in full, changing nothing (recorded as PlanGrant)."""
        call = self._call("PlanGrant", caller, origin, request.to_json(), request.resource, read_only=True)
        try:
            admitted = self._admit(caller, REQUEST_ACTION, request)
            with self.world.engine.connect() as conn:
                plan = self._plan(conn, request)
        except IamtwinError as err:
            self._refused(call, err)
            raise
        response = {"sid": plan.sid, "changed": plan.changed, "statement": plan.statement}
        self.audit.append([call.event(response=response, decision=admitted.decision)])
        return plan

    def apply(self, caller: Caller, request: GrantRequest, origin: CallOrigin = COMMAND_LINE) -> GrantOutcome:
        """Add the request's statement to the target's policy (nothing when it is there already)."""
        call = self._call("RequestGrant", caller, origin, request.to_json(), request.resource)
        try:
            admitted = self._admit(caller, REQUEST_ACTION, request)
            self._orchestrator_may(admitted.settings, _write_actions(request.resource)[0], request.resource)
            with self.world.transaction() as conn:
                self.audit.lock_head(conn)
                plan = self._plan(conn, request, lock=True)
                if not plan.changed:
                    assert plan.existing is not None
                    outcome = GrantOutcome(plan.existing, changed=False)
                else:
                    store.write_resource_policy(conn, request.resource, plan.policy_after)
                    requester = admitted.requester
                    grant = Grant(
                        self.new_id(),
                        plan.sid,
                        request,
                        requester.principal_arn,
                        requester.account,
                        caller.arn,
                        plan.statement,
                        plan.policy_before,
                        plan.policy_after,
                        GrantState.ACTIVE,
                        call.at,
                    )
                    store.insert_grant(conn, grant)
                    outcome = GrantOutcome(grant, changed=True)
                response = {
                    "grantId": outcome.grant.id,
                    "sid": plan.sid,
                    "changed": outcome.changed,
                    "statement": plan.statement,
                    "policyBefore": policy_digest(plan.policy_before),
                    "policyAfter": policy_digest(plan.policy_after),
                }
                self.audit.append_in(conn, [call.event(response=response, decision=admitted.decision)])
        except IamtwinError as err:
            self._refused(call, err)
            raise
        return outcome

    def _own_grant(self, requester: Requester, grant_id: str) -> Grant:
        with self.world.engine.connect() as conn:
            grant = store.find_grant(conn, grant_id)
        if grant is None or grant.requester != requester.principal_arn:
            raise GrantError(GrantErrorCode.NOT_FOUND, f"`{grant_id}` is not a grant of `{requester.principal_arn}`")
        return grant

    def revoke(self, caller: Caller, grant_id: str, origin: CallOrigin = COMMAND_LINE) -> GrantOutcome:
        """Remove a grant: the exact previous policy when nothing changed it since, else just its statement."""
        call = self._call("RevokeGrant", caller, origin, {"grantId": grant_id}, None)
        try:
            requester = requester_of(caller)
            grant = self._own_grant(requester, grant_id)
            call = self._call("RevokeGrant", caller, origin, {"grantId": grant_id}, grant.request.resource)
            admitted = self._admit(caller, REVOKE_ACTION, grant.request)
            resource = grant.request.resource
            self._orchestrator_may(admitted.settings, _write_actions(resource)[1], resource)
            with self.world.transaction() as conn:
                self.audit.lock_head(conn)
                locked = store.find_grant(conn, grant_id, for_update=True)
                if locked is None or locked.state is not GrantState.ACTIVE:
                    raise GrantError(GrantErrorCode.ALREADY_REVOKED, f"grant `{grant_id}` is revoked already")
                before = store.resource_policy_text(conn, resource, for_update=True)
                if before == grant.applied_policy:
                    after, restoration = grant.previous_policy, Restoration.EXACT
                else:
                    current = json.loads(before) if before is not None else None
                    remaining = None if current is None else without_statement(current, grant.sid)
                    after = None if remaining is None else document_text(remaining)
                    restoration = Restoration.STATEMENT_REMOVED
                changed = after != before
                if changed:
                    store.write_resource_policy(conn, resource, after)
                store.mark_revoked(conn, grant_id, call.at, caller.arn)
                revoked = store.find_grant(conn, grant_id)
                assert revoked is not None
                response = {
                    "grantId": grant_id,
                    "sid": grant.sid,
                    "changed": changed,
                    "restoration": restoration.value,
                    "policyBefore": policy_digest(before),
                    "policyAfter": policy_digest(after),
                }
                self.audit.append_in(conn, [call.event(response=response, decision=admitted.decision)])
        except IamtwinError as err:
            self._refused(call, err)
            raise
        return GrantOutcome(revoked, changed, restoration)

    def list_grants(
        self, caller: Caller, origin: CallOrigin = COMMAND_LINE, *, include_revoked: bool = False
    ) -> list[Grant]:
        """The grants the caller's principal (its `aws:PrincipalArn`) asked for (recorded as ListGrants)."""
        call = self._call("ListGrants", caller, origin, {"includeRevoked": include_revoked}, None, read_only=True)
        try:
            requester = requester_of(caller)
            with self.world.engine.connect() as conn:
                found = store.grants_of(conn, requester.principal_arn, include_revoked=include_revoked)
        except IamtwinError as err:
            self._refused(call, err)
            raise
        self.audit.append([call.event(response={"grants": [g.id for g in found]})])
        return found

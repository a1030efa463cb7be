"""The orchestrator's events in the audit trail: every call, applied, unchanged or refused.

Each call becomes one CloudTrail-shaped record of source `grants.iamtwin` (iamtwin's own service, as
`broker.iamtwin` is the broker's), named after the call: RequestGrant, RevokeGrant, PlanGrant (a
request checked without changing anything) and ListGrants. `userIdentity` is the authenticated
requester, as for any API call, and `iamtwinDecision` is the admission policy's decision. Loading
settings is PutGrantSettings, by the command line's operator (type `IamtwinOperator`): it changes
who may ask, so the trail keeps the settings loaded.

A change is recorded in the transaction that makes it: `responseElements` name the grant, say
whether the policy changed, and give the SHA-256 of the policy's stored text before and after (the
ledger keeps the texts). A refusal is recorded with its stable code as `errorCode` and no
`responseElements`, as CloudTrail records calls that fail
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..audit.decisions import summarize
from ..audit.event import AuditEvent, UserIdentity
from ..errors import IamtwinError
from ..evaluate.decision import Decision
from .settings import GrantSettings

GRANTS_SOURCE = "grants.iamtwin"


@dataclass(frozen=True, slots=True)
class CallOrigin:
    """Where a call came from, as the trail's sourceIPAddress and userAgent show it."""

    source_ip: str = "iamtwin-cli"
    user_agent: str = "iamtwin-cli"


COMMAND_LINE = CallOrigin()
# Who loads settings: the operator of the command line, who is not an IAM principal (no ARN).
OPERATOR = UserIdentity(type="IamtwinOperator", principal_id="iamtwin-cli", user_name="iamtwin-cli")


def settings_parameters(settings: GrantSettings) -> dict[str, Any]:
    """What a settings change records: the orchestrator, the grantable set and the admission policy."""
    return {
        "orchestrator": settings.orchestrator,
        "resources": list(settings.resources),
        "principals": dict(settings.principals),
        "actions": list(settings.actions),
        "admission": dict(settings.admission),
    }


def policy_digest(text: str | None) -> str | None:
    """The SHA-256 of a policy's stored text (None for no policy), as the trail names it."""
    return None if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class GrantCall:
    """One call to the orchestrator: what it was, who made it, from where, about which resource."""

    name: str
    identity: UserIdentity
    origin: CallOrigin
    at: datetime
    parameters: Mapping[str, Any]
    region: str = "us-east-1"
    account: str | None = None
    read_only: bool = False
    request_id: str = ""

    def event(
        self,
        *,
        response: Mapping[str, Any] | None = None,
        error: IamtwinError | None = None,
        decision: Decision | None = None,
    ) -> AuditEvent:
        """The call's event: its response, or the error it ended with; the admission decision if one was made."""
        return AuditEvent(
            event_id=str(uuid.uuid4()),
            event_time=self.at,
            event_source=GRANTS_SOURCE,
            event_name=self.name,
            aws_region=self.region,
            source_ip_address=self.origin.source_ip,
            user_agent=self.origin.user_agent,
            user_identity=self.identity,
            request_id=self.request_id or str(uuid.uuid4()),
            read_only=self.read_only,
            recipient_account_id=self.account,
            request_parameters=dict(self.parameters),
            response_elements=None if response is None else dict(response),
            error_code=None if error is None else error.code,
            error_message=None if error is None else error.message,
            decision=None if decision is None else summarize(decision),
        )

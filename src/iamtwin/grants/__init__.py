"""The permission orchestrator: grants on shared resources' policies, asked for by trusted pipelines.

`GrantOrchestrator` (orchestrator.py) is the only component that changes the target resources'
policies, acting as its own role. Requests (`model`) are admitted by a policy over the
authenticated requester (`admission`), turned into one statement with a deterministic Sid
(`statement`), validated (`validation`), and written with a ledger row (`store`) and an audit event
(`trail`) in one transaction. Settings come from YAML (`settings`).
"""

from .errors import GrantError, GrantErrorCode, GrantNotPermitted
from .model import Grant, GrantOutcome, GrantRequest, GrantState, Restoration
from .orchestrator import GrantOrchestrator, GrantPlan
from .settings import GrantSettings, read_settings
from .trail import CallOrigin

__all__ = [
    "CallOrigin",
    "Grant",
    "GrantError",
    "GrantErrorCode",
    "GrantNotPermitted",
    "GrantOrchestrator",
    "GrantOutcome",
    "GrantPlan",
    "GrantRequest",
    "GrantSettings",
    "GrantState",
    "Restoration",
    "read_settings",
]

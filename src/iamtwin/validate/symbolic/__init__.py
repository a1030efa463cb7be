"""Offline custom policy checks (Access Analyzer's CheckNoNewAccess, CheckAccessNotGranted and
CheckNoPublicAccess), decided exactly by z3 over symbolic requests rather than by sampling.

The encoding: request.py (variables), actions.py (the action domain), patterns.py and
templates.py (wildcards and policy variables), conditions.py (operators), statements.py
(statements and the Deny-wins decision), public.py (what public means), checks.py (the queries).
"""

from __future__ import annotations

from .checks import DEFAULT_TIMEOUT_MS, check_access_not_granted, check_no_new_access, check_no_public_access
from .errors import CustomCheckError
from .public import RESOURCE_TYPE_SERVICES
from .result import CheckResult, Reason, Verdict, Witness

__all__ = [
    "DEFAULT_TIMEOUT_MS",
    "RESOURCE_TYPE_SERVICES",
    "CheckResult",
    "CustomCheckError",
    "Reason",
    "Verdict",
    "Witness",
    "check_access_not_granted",
    "check_no_new_access",
    "check_no_public_access",
]

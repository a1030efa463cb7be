"""Offline custom policy checks (Access Analyzer's CheckNoNewAccess, CheckAccessNotGranted and
CheckNoPublicAccess), decided exactly by z3 over symbolic requests rather than by sampling.

The encoding: request.py (variables), actions.py (the action domain), patterns.py and
templates.py (wildcards and policy variables), conditions.py (operators), statements.py
(statements and the Deny-wins decision), public.py (what public means), checks.py (the queries).
The three checks are imported on first use: they bring z3, which the parameters, results and
errors do not need (the command line shows the parameters in `--help`).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .errors import CustomCheckError
from .parameters import DEFAULT_TIMEOUT_MS, RESOURCE_TYPE_SERVICES
from .result import CheckResult, Reason, Verdict, Witness

if TYPE_CHECKING:
    from .checks import check_access_not_granted, check_no_new_access, check_no_public_access

_CHECKS = frozenset({"check_access_not_granted", "check_no_new_access", "check_no_public_access"})

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


def __getattr__(name: str) -> Any:
    """One of the three checks, imported from checks.py (and z3 with it) when first asked for."""
    if name in _CHECKS:
        return getattr(import_module(".checks", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""Offline policy validation for CI: Access Analyzer's checks over policy files, templates and plans.

`validate(paths, options)` loads every policy the paths hold, runs every check in
`checks.CHECKS` and returns a Report of findings split into blocking and non-blocking.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .context import ValidateOptions
from .findings import Finding, FindingType, IssueCode, PolicyType, SourceLocation
from .source import PolicySource

if TYPE_CHECKING:
    from .run import Report, Suppressions, all_codes, check_policy, validate

# Imported on first use: run.py brings every check and the service catalogue, which a command that
# needs only the findings' types (and `iamtwin --help`) should not load.
_RUN = frozenset({"Report", "Suppressions", "all_codes", "check_policy", "validate"})

__all__ = [
    "Finding",
    "FindingType",
    "IssueCode",
    "PolicySource",
    "PolicyType",
    "Report",
    "SourceLocation",
    "Suppressions",
    "ValidateOptions",
    "all_codes",
    "check_policy",
    "validate",
]


def __getattr__(name: str) -> Any:
    """One of run.py's names, imported (with every check) when first asked for."""
    if name in _RUN:
        return getattr(import_module(".run", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

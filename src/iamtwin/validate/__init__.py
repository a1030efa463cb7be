"""Offline policy validation for CI: Access Analyzer's checks over policy files, templates and plans.

`validate(paths, options)` loads every policy the paths hold, runs every check in
`checks.CHECKS` and returns a Report of findings split into blocking and non-blocking.
"""

from __future__ import annotations

from .context import ValidateOptions
from .findings import Finding, FindingType, IssueCode, PolicyType, SourceLocation
from .run import Report, Suppressions, all_codes, check_policy, validate
from .source import PolicySource

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

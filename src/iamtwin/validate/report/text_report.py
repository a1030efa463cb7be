"""The report as text: one line per finding with `file:line:column`, grouped by file and resource.

`styled_text` is the same text with Rich styles (finding types in colour, headers in bold) for a
terminal; `render_text` its plain form, for files and pipes.
"""

from __future__ import annotations

from itertools import groupby

from rich.text import Text

from ..findings import Finding
from ..run import Report
from .sarif_report import catalogue_version


def _group(finding: Finding) -> tuple[str, str, str]:
    return finding.location.file, finding.resource, finding.policy


_STYLES = {"ERROR": "bold red", "SECURITY_WARNING": "bold magenta", "WARNING": "yellow", "SUGGESTION": "cyan"}


def styled_text(report: Report) -> Text:
    """Readable lines: a header per file and resource, then each finding with its position."""
    out = Text()
    blocking = {id(f) for f in report.blocking}
    ordered = sorted(report.findings, key=lambda f: (_group(f), f.location.line or 0, f.location.column or 0))
    for (file, resource, policy), group in groupby(ordered, key=_group):
        title = file if not resource else f"{file} — {resource}" + (f" / {policy}" if policy else "")
        out.append(title + "\n", style="bold")
        for finding in group:
            mark = "BLOCKING" if id(finding) in blocking else "note"
            kind = finding.finding_type.value
            path = f" [{finding.location.path}]" if finding.location.path else ""
            out.append(f"  {finding.location}: ")
            out.append(kind, style=_STYLES.get(kind, ""))
            out.append(f" {finding.code}{path}: {finding.message} ")
            out.append(f"({mark})\n", style="bold" if mark == "BLOCKING" else "dim")
    out.append(
        f"{report.policies} policies checked, {len(report.blocking)} blocking and "
        f"{len(report.non_blocking)} non-blocking findings (service data: {catalogue_version()})"
    )
    return out


def render_text(report: Report) -> str:
    """The text report without styles."""
    return styled_text(report).plain

"""The report as text: one line per finding with `file:line:column`, grouped by file and resource."""

from __future__ import annotations

from itertools import groupby

from ..findings import Finding
from ..run import Report
from .sarif_report import catalogue_version


def _group(finding: Finding) -> tuple[str, str, str]:
    return finding.location.file, finding.resource, finding.policy


def render_text(report: Report) -> str:
    """Readable lines: a header per file and resource, then each finding with its position."""
    lines: list[str] = []
    blocking = {id(f) for f in report.blocking}
    ordered = sorted(report.findings, key=lambda f: (_group(f), f.location.line or 0, f.location.column or 0))
    for (file, resource, policy), group in groupby(ordered, key=_group):
        title = file if not resource else f"{file} — {resource}" + (f" / {policy}" if policy else "")
        lines.append(title)
        for finding in group:
            mark = "BLOCKING" if id(finding) in blocking else "note"
            where = str(finding.location)
            path = f" [{finding.location.path}]" if finding.location.path else ""
            lines.append(f"  {where}: {finding.finding_type.value} {finding.code}{path}: {finding.message} ({mark})")
    summary = (
        f"{report.policies} policies checked, {len(report.blocking)} blocking and "
        f"{len(report.non_blocking)} non-blocking findings (service data: {catalogue_version()})"
    )
    lines.append(summary)
    return "\n".join(lines)

"""A decision as a readable explanation in the terminal (colour when it is one, plain otherwise)."""

from __future__ import annotations

from collections.abc import Iterable

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..evaluate.decision import (
    ConditionExplanation,
    Decision,
    Outcome,
    PolicyType,
    PolicyTypeAnalysis,
    StatementRef,
)
from ..evaluate.message import denial_message, policy_type_phrase

_OUTCOME_STYLE = {
    Outcome.ALLOWED: "bold green",
    Outcome.EXPLICIT_DENY: "bold red",
    Outcome.IMPLICIT_DENY: "bold yellow",
}

# The contract's policy type order (the order blocked_by is listed in).
_TYPE_ORDER = (
    PolicyType.RCP,
    PolicyType.SCP,
    PolicyType.VPC_ENDPOINT,
    PolicyType.RESOURCE,
    PolicyType.IDENTITY,
    PolicyType.PERMISSIONS_BOUNDARY,
    PolicyType.SESSION,
)


def statement_label(ref: StatementRef) -> str:
    """A statement as `policy-id[index] Sid` (without the Sid when it has none)."""
    label = f"{ref.policy_id}[{ref.index}]"
    return f"{label} {ref.sid}" if ref.sid else label


def render_decision_text(decision: Decision, console: Console) -> None:
    """Print a readable explanation of `decision`: outcome, request, message and reasons."""
    # Text objects throughout: policy ids, Sids and values are user text, never rich markup.
    console.print(Text.assemble("Decision: ", _outcome(decision.outcome)))
    _print_request(decision, console)
    message = denial_message(decision)
    if message is not None:
        console.print()
        style = "red" if decision.outcome is Outcome.EXPLICIT_DENY else "yellow"
        console.print(Text(message, style=style), soft_wrap=True)  # one line, to copy and search
    _print_analyses(decision, console)
    _print_conditions(decision.explanations, console)
    if decision.missing_context_keys:
        console.print()
        console.print(Text("Missing context keys", style="bold"))
        for key in sorted(decision.missing_context_keys):
            console.print(Text(f"  {key}"))
    if decision.errors:
        console.print()
        console.print(Text("Errors", style="bold red"))
        for error in decision.errors:
            where = (
                error.policy_id if error.statement_index is None else (f"{error.policy_id}[{error.statement_index}]")
            )
            path = f" at {error.path}" if error.path else ""
            line = f"  {error.policy_type.value} {where}{path}: {error.code}: {error.message}"
            console.print(Text(line), soft_wrap=True)


def _outcome(outcome: Outcome, width: int = 0) -> Text:
    return Text(outcome.value.ljust(width), style=_OUTCOME_STYLE[outcome])


def _print_request(decision: Decision, console: Console) -> None:
    request = decision.request
    principal = request.principal
    rows = [
        ("principal", f"{principal.display} ({principal.kind.value})"),
        ("action", request.action),
        ("resource", request.resource if request.resource is not None else "(none)"),
    ]
    account = principal.account or "-"
    if request.resource_account is not None:
        account += f" -> resource account {request.resource_account}"
        account += " (same account)" if request.same_account else " (cross-account)"
    rows.append(("account", account))
    for name, value in rows:
        console.print(Text.assemble(("  " + name.ljust(10), "dim"), value))


def _ordered_analyses(decision: Decision) -> list[PolicyTypeAnalysis]:
    known = [decision.analyses[t] for t in _TYPE_ORDER if t in decision.analyses]
    others = [a for t, a in decision.analyses.items() if t not in _TYPE_ORDER]
    return known + others


def _statements(refs: Iterable[StatementRef]) -> str:
    return ", ".join(statement_label(ref) for ref in refs) or "-"


def _print_analyses(decision: Decision, console: Console) -> None:
    analyses = _ordered_analyses(decision)
    if not analyses:
        return
    console.print()
    console.print(Text("Policy types", style="bold"))
    for analysis in analyses:
        name_style = "bold" if analysis.policy_type in decision.blocked_by else ""
        line = Text.assemble(
            "  ",
            (policy_type_phrase(analysis.policy_type).ljust(24), name_style),
            _outcome(analysis.outcome, width=13),
        )
        if analysis.exempt_reason:
            line.append(f"  exempt: {analysis.exempt_reason}", style="dim")
        if analysis.allows:
            line.append(f"  allow: {_statements(analysis.allows)}")
        if analysis.denies:
            line.append(f"  deny: {_statements(analysis.denies)}")
        if analysis.grant_kinds:
            line.append("  granted to: " + ", ".join(g.value for g in analysis.grant_kinds))
        if not analysis.allows and not analysis.denies and not analysis.exempt_reason:
            line.append("  no statement matched", style="dim")
        console.print(line, soft_wrap=True)
    for analysis in analyses:
        if analysis.levels:
            _print_levels(analysis, console)


def _print_levels(analysis: PolicyTypeAnalysis, console: Console) -> None:
    title = f"{policy_type_phrase(analysis.policy_type)} levels (root first; every level must allow)"
    table = Table(title=Text(title), title_justify="left", box=box.SIMPLE)
    for column in ("level", "policies", "outcome", "allows", "denies"):
        table.add_column(column, overflow="fold")
    for level in analysis.levels:
        table.add_row(
            Text(str(level.level)),
            Text(", ".join(level.policy_ids) or "-"),
            _outcome(level.outcome),
            Text(_statements(level.allows)),
            Text(_statements(level.denies)),
        )
    console.print()
    console.print(table)


def _values(values: tuple[str, ...] | None) -> str:
    if values is None:
        return "(missing)"
    return ", ".join(values) if values else "(empty)"


def _print_conditions(explanations: Iterable[ConditionExplanation], console: Console) -> None:
    failed = [e for e in explanations if not e.result]
    if not failed:
        return
    console.print()
    console.print(Text("Conditions that did not match", style="bold"))
    for e in failed:
        console.print(
            Text(f"  {e.statement.policy_type.value} {statement_label(e.statement)}: {e.operator} {e.key}"),
            soft_wrap=True,
        )
        console.print(
            Text.assemble(
                ("      policy: ", "dim"),
                _values(e.policy_values),
                ("  context: ", "dim"),
                _values(e.context_values),
                ("  reason: ", "dim"),
                (e.reason.value, "yellow"),
            ),
            soft_wrap=True,
        )

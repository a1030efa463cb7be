"""`iamtwin analyzer …`: external access findings of a stored world, and the archive rules that archive them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from ..errors import IamtwinError
from .options import DbOption, FormatOption, check_format, fail, print_json
from .world_command import opened

# The analysis is imported by the commands that run it, so that `iamtwin --help` does not load it.
if TYPE_CHECKING:
    from ..analyze.external_access import Zone
    from ..analyze.findings_store import FindingStatus, StoredFinding, UpdateSummary

analyzer_app = typer.Typer(
    help="Access Analyzer's external access findings: who outside the account or organization can get in.",
    no_args_is_help=True,
)
archive_rule_app = typer.Typer(help="Archive rules: findings they match are archived.", no_args_is_help=True)
analyzer_app.add_typer(archive_rule_app, name="archive-rule")

ZoneOption = Annotated[str, typer.Option("--zone", help="The zone of trust: account or organization.")]
StatusOption = Annotated[
    str | None, typer.Option("--status", help="List only findings of this status: ACTIVE, ARCHIVED or RESOLVED.")
]


def parse_zone(value: str) -> Zone:
    """The zone named on the command line (`account`, `organization`, any case)."""
    from ..analyze.external_access import AnalyzerError, Zone

    try:
        return Zone(value.upper())
    except ValueError:
        raise AnalyzerError(f"`{value}` is not one of account, organization", code="INVALID_ZONE") from None


def parse_status(value: str | None) -> FindingStatus | None:
    """The finding status named on the command line, or None for all."""
    from ..analyze.external_access import AnalyzerError
    from ..analyze.findings_store import FindingStatus

    if value is None:
        return None
    try:
        return FindingStatus(value.upper())
    except ValueError:
        raise AnalyzerError(f"`{value}` is not one of ACTIVE, ARCHIVED, RESOLVED", code="INVALID_STATUS") from None


@analyzer_app.command("findings")
def findings(
    db: DbOption = None,
    zone: ZoneOption = "account",
    status: StatusOption = None,
    output_format: FormatOption = "text",
) -> None:
    """Analyze every resource and trust policy, update the stored findings, and list them."""
    from ..analyze.external_access import analyze_external_access
    from ..analyze.findings_store import FindingsStore

    try:
        check_format(output_format)
        chosen, wanted = parse_zone(zone), parse_status(status)
        with opened(db) as world:
            report = analyze_external_access(world.export_model(), chosen)
            store = FindingsStore(world.engine, world.clock)
            summary = store.update(report)
            listed = store.findings(chosen, wanted)
    except IamtwinError as err:
        raise fail(err) from err
    if output_format == "json":
        print_json(
            {
                "zone": chosen.value,
                "findings": [f.to_dict() for f in listed],
                "changes": _changes(summary),
                "problems": [{"resource": p.resource, "code": p.code, "message": p.message} for p in report.problems],
            }
        )
        return
    console = Console(highlight=False)
    for stored in listed:
        console.print(_line(stored), soft_wrap=True)
    for problem in report.problems:
        console.print(f"not analyzed {problem.resource}: {problem.code}: {problem.message}", soft_wrap=True)
    counts = ", ".join(f"{len(ids)} {name}" for name, ids in _changes(summary).items())
    console.print(f"{len(listed)} finding(s) listed; this analysis: {counts}", soft_wrap=True)


def _changes(summary: UpdateSummary) -> dict[str, list[str]]:
    return {
        "new": list(summary.new),
        "archived": list(summary.archived),
        "resolved": list(summary.resolved),
        "reactivated": list(summary.reactivated),
    }


def _line(stored: StoredFinding) -> str:
    """One finding on one line: status, resource, who, what access, under which condition."""
    f = stored.finding
    who = "everyone (public)" if f.is_public else f"{f.principal[0]} {f.principal[1]}"
    levels = ", ".join(level.value for level in f.access_levels)
    condition = " when " + ", ".join(f"{k}={v}" for k, v in f.condition) if f.condition else ""
    archived = f" (archive rule {stored.archived_by})" if stored.archived_by else ""
    actions = ", ".join(f.actions) if len(f.actions) <= 3 else f"{len(f.actions)} actions"
    return f"{stored.status.value:<8} {stored.id} {f.resource}: {who} — {levels} ({actions}){condition}{archived}"


@archive_rule_app.command("create")
def create_rule(
    name: Annotated[str, typer.Argument(help="The rule name.")],
    filter_json: Annotated[
        str, typer.Option("--filter", help='Filter criteria as JSON, e.g. {"principal.AWS": {"eq": ["111122223333"]}}.')
    ],
    apply: Annotated[bool, typer.Option("--apply", help="Archive the ACTIVE findings it matches now as well.")] = False,
    db: DbOption = None,
    output_format: FormatOption = "text",
) -> None:
    """Create an archive rule: findings found from now on that it matches are archived."""
    from ..analyze.archive_rules import parse_archive_rule
    from ..analyze.findings_store import FindingsStore

    try:
        check_format(output_format)
        rule = parse_archive_rule(name, filter_json)
        with opened(db) as world:
            archived = FindingsStore(world.engine, world.clock).create_rule(rule, apply=apply)
    except IamtwinError as err:
        raise fail(err) from err
    if output_format == "json":
        print_json({"ruleName": rule.name, "filter": rule.filter_dict(), "archived": list(archived)})
    else:
        Console(highlight=False).print(f"created {rule.name}; archived {len(archived)} finding(s)", soft_wrap=True)


@archive_rule_app.command("apply")
def apply_rule(
    name: Annotated[str, typer.Argument(help="The rule name.")],
    db: DbOption = None,
    output_format: FormatOption = "text",
) -> None:
    """Archive the ACTIVE findings an archive rule matches (Access Analyzer's ApplyArchiveRule)."""
    from ..analyze.archive_rules import parse_rule_name
    from ..analyze.findings_store import FindingsStore

    try:
        check_format(output_format)
        parse_rule_name(name)
        with opened(db) as world:
            archived = FindingsStore(world.engine, world.clock).apply_rule(name)
    except IamtwinError as err:
        raise fail(err) from err
    if output_format == "json":
        print_json({"ruleName": name, "archived": list(archived)})
    else:
        Console(highlight=False).print(f"applied {name}; archived {len(archived)} finding(s)", soft_wrap=True)


@archive_rule_app.command("list")
def list_rules(db: DbOption = None, output_format: FormatOption = "text") -> None:
    """List the archive rules and their filters."""
    from ..analyze.findings_store import FindingsStore

    try:
        check_format(output_format)
        with opened(db) as world:
            rules = FindingsStore(world.engine, world.clock).rules()
    except IamtwinError as err:
        raise fail(err) from err
    if output_format == "json":
        print_json([{"ruleName": r.name, "filter": r.filter_dict()} for r in rules])
        return
    console = Console(highlight=False)
    for rule in rules:
        console.print(f"{rule.name} {rule.filter_json()}", soft_wrap=True)


@archive_rule_app.command("delete")
def delete_rule(
    name: Annotated[str, typer.Argument(help="The rule name.")],
    db: DbOption = None,
) -> None:
    """Delete an archive rule; the findings it archived stay archived."""
    from ..analyze.archive_rules import parse_rule_name
    from ..analyze.findings_store import FindingsStore

    try:
        parse_rule_name(name)
        with opened(db) as world:
            FindingsStore(world.engine, world.clock).delete_rule(name)
    except IamtwinError as err:
        raise fail(err) from err
    Console(highlight=False).print(f"deleted {name}", soft_wrap=True)

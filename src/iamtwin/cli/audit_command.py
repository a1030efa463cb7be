"""`iamtwin audit …`: check the audit trail, export it as JSON lines, prune old events, investigate sessions."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.tree import Tree

from ..errors import IamtwinError
from .options import DbOption, FormatOption, check_format, fail, print_json
from .world_command import opened

# The audit store brings SQLAlchemy: each command imports what it runs, so that `iamtwin --help` does not.
if TYPE_CHECKING:
    from ..audit.sessions import Investigation

audit_app = typer.Typer(
    help="The audit trail: verify its hash chain, export it, prune it, investigate role sessions.",
    no_args_is_help=True,
)

TimeOption = Annotated[str | None, typer.Option(help="An ISO 8601 time with a zone, e.g. 2026-11-23T12:00:00Z.")]


def parse_time(value: str | None, option: str) -> datetime | None:
    """An ISO 8601 time with a time zone, or a coded error naming the option."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise IamtwinError(f"{option} `{value}` is not an ISO 8601 time", code="INVALID_TIME") from exc
    if parsed.tzinfo is None:
        raise IamtwinError(f"{option} `{value}` needs a time zone, e.g. `Z`", code="INVALID_TIME")
    return parsed


@audit_app.command("verify")
def verify(db: DbOption = None, output_format: FormatOption = "text") -> None:
    """Check that no event was altered, removed or reordered; exit 1 naming each one that was."""
    from ..audit.chain import verify as verify_chain
    from ..audit.store import AuditStore

    try:
        check_format(output_format)
        with opened(db) as world:
            result = verify_chain(AuditStore(world.engine))
    except IamtwinError as err:
        raise fail(err) from err
    if output_format == "json":
        print_json(
            {
                "ok": result.ok,
                "checked": result.checked,
                "headSeq": result.head.seq,
                "headHash": result.head.hash,
                "anchorSeq": result.head.anchor_seq,
                "problems": [p.to_dict() for p in result.problems],
            }
        )
    else:
        console = Console(highlight=False)
        for problem in result.problems:
            event = f" (eventID {problem.event_id})" if problem.event_id else ""
            console.print(f"{problem.kind.value:<13} {problem.message}{event}", soft_wrap=True)
        status = "ok" if result.ok else f"{len(result.problems)} problem(s)"
        console.print(
            f"{status}: {result.checked} events checked, head {result.head.seq} {result.head.hash}", soft_wrap=True
        )
    if not result.ok:
        raise typer.Exit(1)


@audit_app.command("export")
def export(
    db: DbOption = None,
    since: TimeOption = None,
    until: TimeOption = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")] = None,
) -> None:
    """Write the events (eventTime >= --since and < --until) as JSON lines, oldest first."""
    from ..audit.store import AuditStore

    try:
        start, end = parse_time(since, "--since"), parse_time(until, "--until")
        with opened(db) as world:
            stream = output.open("w", encoding="utf-8") if output is not None else sys.stdout
            try:
                for event in AuditStore(world.engine).events(start, end):
                    stream.write(event.record + "\n")
            finally:
                if output is not None:
                    stream.close()
    except OSError as exc:
        raise fail(IamtwinError(f"cannot write `{output}`: {exc.strerror}", code="FILE_NOT_WRITABLE")) from exc
    except IamtwinError as err:
        raise fail(err) from err


@audit_app.command("prune")
def prune(
    before: Annotated[str | None, typer.Option(help="Remove events older than this ISO 8601 time.")] = None,
    older_than_days: Annotated[
        int | None, typer.Option("--older-than-days", help="Remove events older than this many days.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Remove events older than --before or --older-than-days; the chain keeps an anchor so what remains verifies."""
    from ..audit.chain import prune as prune_chain
    from ..audit.retention import Retention
    from ..audit.store import AuditStore

    try:
        if (before is None) == (older_than_days is None):
            raise IamtwinError("give exactly one of `--before` and `--older-than-days`", code="INVALID_ARGUMENTS")
        with opened(db) as world:
            now = world.clock.now()
            cutoff = parse_time(before, "--before") if before is not None else None
            if cutoff is None:
                cutoff = Retention(older_than_days or 0).cutoff(now)
            removed = prune_chain(AuditStore(world.engine), cutoff, now)
    except IamtwinError as err:
        raise fail(err) from err
    Console(highlight=False).print(f"removed {removed} events older than {cutoff.isoformat()}")


SESSION_FORMATS = ("text", "json", "jsonl", "dot", "mermaid")


@audit_app.command("sessions")
def sessions(
    event_id: Annotated[
        str | None, typer.Option("--event-id", help="The eventID of a call made in the session.")
    ] = None,
    session_arn: Annotated[
        str | None,
        typer.Option("--session-arn", help="arn:aws:sts::ACCOUNT:assumed-role/ROLE/NAME (its newest session)."),
    ] = None,
    db: DbOption = None,
    output_format: Annotated[
        str, typer.Option("--format", "-f", help="text, json, jsonl (the calls' records), dot or mermaid.")
    ] = "text",
    baseline_days: Annotated[
        int, typer.Option(help="How many days before each session its earlier sessions are compared over.")
    ] = 90,
) -> None:
    """Who assumed the role, the chain of sessions to the original principal, what each did, and what is new."""
    from ..audit.event import canonical
    from ..audit.session_report import investigation_dict, to_dot, to_mermaid
    from ..audit.sessions import Investigator
    from ..audit.store import AuditStore

    try:
        if output_format not in SESSION_FORMATS:
            raise IamtwinError(f"`{output_format}` is not one of {', '.join(SESSION_FORMATS)}", code="INVALID_FORMAT")
        if (event_id is None) == (session_arn is None):
            raise IamtwinError("give exactly one of --event-id and --session-arn", code="INVALID_ARGUMENTS")
        if baseline_days < 0:
            raise IamtwinError(f"--baseline-days `{baseline_days}` is negative", code="INVALID_ARGUMENTS")
        with opened(db) as world:
            investigator = Investigator(AuditStore(world.engine), timedelta(days=baseline_days))
            found = (
                investigator.from_event(event_id)
                if event_id is not None
                else investigator.from_session_arn(str(session_arn))
            )
    except IamtwinError as err:
        raise fail(err) from err
    if output_format == "json":
        print_json(investigation_dict(found))
    elif output_format == "jsonl":
        calls = sorted((seq, record) for session in found.sessions for seq, record in session.events)
        sys.stdout.writelines(canonical(record) + "\n" for _, record in calls)
    elif output_format == "dot":
        sys.stdout.write(to_dot(found))
    elif output_format == "mermaid":
        sys.stdout.write(to_mermaid(found))
    else:
        _print_investigation(found)


def _print_investigation(found: Investigation) -> None:
    from ..audit.session_report import investigation_dict

    data = investigation_dict(found)
    console = Console(highlight=False, width=max(Console().width, 120))
    origin = data["origin"]
    started = f" at {origin['time']} from {origin['sourceIPAddress'] or '?'}"
    console.print(f"[bold]origin[/] {origin['kind']}: {found.origin.label}{started}", soft_wrap=True)
    if data["sourceIdentity"]:
        console.print(f"[bold]source identity[/] {data['sourceIdentity']}")
    tree = Tree("[bold]chain[/]")
    nodes: dict[int, Tree] = {}
    for hop in data["sessions"]:
        duration = f"{hop['durationSeconds']} s" if hop["durationSeconds"] is not None else "unknown duration"
        limit = f" (chained: max {hop['maxDurationSeconds']} s)" if hop["chained"] else ""
        mark = " [bold](subject)[/]" if hop["subject"] else ""
        label = (
            f"{hop['sessionArn']}{mark} — {hop['issuedWith'] or 'issuing event not in trail'} at {hop['issueTime']} "
            f"from {hop['sourceIPAddress'] or '?'}, {duration}{limit}, until {hop['expiration'] or '?'}"
        )
        parent = tree if hop["parent"] is None else nodes[hop["parent"]]
        nodes[hop["index"]] = parent.add(label)
    console.print(tree)
    table = Table(title="calls, in time order")
    for column in ("time", "session", "action", "resource", "result", "from"):
        table.add_column(column, overflow="fold")
    calls = sorted((event["seq"], hop["index"], event) for hop in data["sessions"] for event in hop["events"])
    for _, index, event in calls:
        result = event["errorCode"] or "ok"
        if event["outcome"] and event["outcome"] != "Allowed":
            result = f"{result} ({event['outcome']})"
        table.add_row(
            event["eventTime"], f"s{index}", event["action"], event["resource"] or "", result, event["sourceIPAddress"]
        )
    console.print(table)
    for hop in data["sessions"]:
        new = hop["newActivity"]
        actions, addresses = ", ".join(new["newActions"]) or "none", ", ".join(new["newSourceAddresses"]) or "none"
        console.print(
            f"[bold]new in s{hop['index']}[/] (vs {new['earlierSessions']} earlier session(s)): "
            f"actions {actions}; addresses {addresses}",
            soft_wrap=True,
        )
    for note in data["notes"]:
        console.print(f"[yellow]note[/] {note}", soft_wrap=True)


@audit_app.command("last-accessed")
def last_accessed(
    principal: Annotated[str, typer.Option(help="A user, role or role-session ARN.")],
    since: TimeOption = None,
    db: DbOption = None,
    output_format: FormatOption = "text",
) -> None:
    """When the principal last tried each service and action (any authenticated attempt, as IAM's access
    advisor counts), and when it was last allowed."""
    from ..audit.last_accessed import last_accessed as usage_of
    from ..audit.last_accessed import usage_dict
    from ..audit.store import AuditStore

    try:
        check_format(output_format)
        start = parse_time(since, "--since")
        with opened(db) as world:
            report = usage_dict(principal, start, usage_of(AuditStore(world.engine), principal, start))
    except IamtwinError as err:
        raise fail(err) from err
    if output_format == "json":
        print_json(report)
        return
    table = Table(title=f"last accessed by {principal}")
    for column in ("service / action", "last attempt", "region", "by", "last allowed", "attempts", "denied"):
        table.add_column(column, overflow="fold", no_wrap=column != "by")
    for service in report["services"]:
        rows = [(f"[bold]{service['serviceNamespace']}[/]", service)]
        rows += [(f"  {a['actionName']}", a) for a in service["actions"]]
        for name, usage in rows:
            table.add_row(
                name,
                usage["lastAuthenticated"] or "",
                usage["lastAuthenticatedRegion"] or "",
                usage["lastAuthenticatedEntity"] or "",
                usage["lastAllowed"] or "never",
                str(usage["attempts"]),
                str(usage["denied"]),
            )
    Console(highlight=False, width=max(Console().width, 120)).print(table)

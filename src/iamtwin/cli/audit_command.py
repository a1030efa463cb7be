"""`iamtwin audit …`: check the audit trail, export it as JSON lines, prune old events."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ..audit.chain import prune as prune_chain
from ..audit.chain import verify as verify_chain
from ..audit.store import AuditStore
from ..errors import IamtwinError
from .options import DbOption, FormatOption, check_format, fail, print_json
from .world_command import opened

audit_app = typer.Typer(help="The audit trail: verify its hash chain, export it, prune it.", no_args_is_help=True)

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
    before: Annotated[str, typer.Option(help="Remove events older than this ISO 8601 time.")],
    db: DbOption = None,
) -> None:
    """Remove events older than --before; the chain keeps an anchor so what remains still verifies."""
    try:
        cutoff = parse_time(before, "--before")
        assert cutoff is not None
        with opened(db) as world:
            removed = prune_chain(AuditStore(world.engine), cutoff, world.clock.now())
    except IamtwinError as err:
        raise fail(err) from err
    Console(highlight=False).print(f"removed {removed} events older than {cutoff.isoformat()}")

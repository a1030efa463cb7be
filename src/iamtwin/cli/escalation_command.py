"""`iamtwin escalation --from PRINCIPAL`: shortest privilege escalation paths to administrator-equivalent principals.

The world is the stored one (`--db`) or a world file (`--world`), loaded into a temporary SQLite
database so that both are decided by the same code. Exit 0 with or without paths; 2 on an error
(unknown principal, unreadable world, bad option).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from ..errors import IamtwinError
from .options import DbOption, fail
from .render import statement_label

# The analysis and the world store are imported where used, so that `iamtwin --help` does not load them.
if TYPE_CHECKING:
    from ..analyze.escalation import Edge, Evidence
    from ..analyze.escalation_paths import EscalationPath
    from ..world.stored import World

_FORMATS = ("text", "json", "dot")


@contextmanager
def _open_world(db: str | None, world_file: Path | None) -> Iterator[World]:
    """The stored world, or a world file loaded into a temporary database."""
    from ..world.stored import World

    if world_file is None:
        world = World.open(db)
        try:
            yield world
        finally:
            world.close()
        return
    from ..world.worldfile import load_world

    model = load_world(world_file).world
    with tempfile.TemporaryDirectory(prefix="iamtwin-escalation-") as folder:
        world = World.open(f"sqlite:///{Path(folder) / 'world.db'}")
        try:
            world.import_model(model)
            yield world
        finally:
            world.close()


def escalation_command(
    principal: Annotated[str, typer.Option("--from", help="ARN of the user or role to start from.")],
    db: DbOption = None,
    world_file: Annotated[Path | None, typer.Option("--world", help="A world file (YAML or JSON).")] = None,
    output_format: Annotated[str, typer.Option("--format", "-f", help="text, json or dot.")] = "text",
) -> None:
    """List the shortest privilege escalation paths from a principal to administrator-equivalent ones.

    Each step names the method (assume a role, pass a role to a service, create an access key,
    attach a policy, …) and the statements that allow it.
    """
    from ..analyze.escalation import EscalationGraph
    from ..analyze.escalation_paths import escalation_paths

    try:
        if output_format not in _FORMATS:
            raise IamtwinError(f"`{output_format}` is not one of text, json, dot", code="INVALID_FORMAT")
        if db is not None and world_file is not None:
            raise IamtwinError("use either --db or --world, not both", code="CONFLICTING_OPTIONS")
        with _open_world(db, world_file) as world:
            paths = escalation_paths(EscalationGraph(world), principal)
    except IamtwinError as err:
        raise fail(err) from err
    console = Console(highlight=False, soft_wrap=True)
    if output_format == "json":
        typer.echo(json.dumps({"from": principal, "paths": [p.to_dict() for p in paths]}, indent=2))
    elif output_format == "dot":
        typer.echo(render_dot(principal, paths))
    else:
        render_text(principal, paths, console)


def render_text(start: str, paths: tuple[EscalationPath, ...], console: Console) -> None:
    """The paths as numbered steps, each with the statements that allow it."""
    from ..analyze.escalation_paths import AdminReason

    if not paths:
        console.print(f"no escalation path from {escape(start)} to an administrator-equivalent principal")
        return
    console.print(f"[bold]{len(paths)} escalation path(s) from {escape(start)}[/]")
    for number, path in enumerate(paths, 1):
        why = "has full access" if path.reason is AdminReason.FULL_ACCESS else "is made administrator"
        console.print(f"\n[bold]{number}.[/] {escape(path.admin)} {why} ({len(path.edges)} step(s))")
        for edge in path.edges:
            _print_edge(edge, console)
        for evidence in path.admin_evidence:
            console.print(
                f"   full access: {escape(evidence.action)} on {escape(evidence.resource)}: {_labels(evidence)}"
            )


def _print_edge(edge: Edge, console: Console) -> None:
    via = f" via {escape(edge.via)}" if edge.via else ""
    step = f"={edge.kind.value}=>" if edge.grants_admin else f"-{edge.kind.value}->"
    console.print(f"   {escape(edge.source)} {step} {escape(edge.target)}{via}")
    for evidence in edge.evidence:
        given = f" assuming {escape(evidence.assuming)}" if evidence.assuming else ""
        who = "" if evidence.principal == edge.source else f"{escape(evidence.principal)}: "
        request = f"{who}{escape(evidence.action)} on {escape(evidence.resource)}{given}"
        console.print(f"     {request}: {_labels(evidence)}")


def _labels(evidence: Evidence) -> str:
    return escape(", ".join(statement_label(s) for s in evidence.statements) or "(no statement)")


def render_dot(start: str, paths: tuple[EscalationPath, ...]) -> str:
    """The paths as a Graphviz digraph: administrator-equivalent principals drawn with a double circle."""
    lines = ["digraph escalation {", "  rankdir=LR;", f"  {_quote(start)} [shape=box];"]
    admins = sorted({p.admin for p in paths})
    lines += [f"  {_quote(admin)} [shape=doublecircle];" for admin in admins if admin != start]
    seen: set[tuple[str, str, str]] = set()
    for path in paths:
        for edge in path.edges:
            key = (edge.source, edge.target, edge.kind.value)
            if key in seen:
                continue
            seen.add(key)
            style = ", style=dashed" if edge.grants_admin else ""
            lines.append(f"  {_quote(edge.source)} -> {_quote(edge.target)} [label={_quote(edge.kind.value)}{style}];")
    lines.append("}")
    return "\n".join(lines)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

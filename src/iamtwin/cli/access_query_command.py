"""`iamtwin who-can` and `iamtwin what-can`: who may do an action on a resource, and what a principal may do.

Both read the stored world (`--db`) or a world file (`--world`), index its principals, and answer
with each principal's verdict and the conditions under which (text: a table; json: the answer's data).
Exit 0 with an answer, 2 on bad input (unknown action, malformed resource, unknown principal).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from ..clock import SystemClock
from ..errors import IamtwinError
from .options import DbOption, FormatOption, check_format, fail, print_json

# The analysis is imported by the commands that run it, so that `iamtwin --help` does not load it.
if TYPE_CHECKING:
    from ..analyze.access_model import Access, WhatCanAnswer, WhoCanAnswer
    from ..analyze.access_world import AccessWorld
    from ..world.model import World as WorldModel

WorldOption = Annotated[
    Path | None, typer.Option("--world", help="A world file (YAML or JSON) instead of the stored world.")
]


def _open_world(db: str | None, world_file: Path | None) -> AccessWorld:
    """The world asked about: a world file when given, else the stored world."""
    from ..analyze.access_world import AccessWorld

    model: WorldModel
    if world_file is not None:
        from ..world.worldfile import load_world

        model = load_world(world_file).world
    else:
        from ..world.stored import World

        stored = World.open(db)
        try:
            model = stored.export_model()
        finally:
            stored.close()
    return AccessWorld(model, now=SystemClock().now(), freeze_heap=True)


def _notes(access: Access) -> str:
    from ..analyze.conditions_text import note_text

    return "\n".join(note_text(n, access.action) for n in access.notes)


def render_who_can(answer: WhoCanAnswer, console: Console) -> None:
    """The who-can answer as a table with a summary line."""
    from ..analyze.conditions_text import access_text, principal_text

    table = Table(title=f"who can {answer.action} on {answer.resource or '*'}", title_justify="left")
    table.add_column("Principal", overflow="fold")
    table.add_column("Access", overflow="fold")
    table.add_column("Notes", overflow="fold")
    for access in answer.accesses:
        table.add_row(principal_text(access.principal), access_text(access), _notes(access))
    console.print(table)
    console.print(
        f"{len(answer.accesses)} allowed; {answer.considered} principals decided "
        f"(the world has {answer.total_principals} users and roles)"
    )


def render_what_can(answer: WhatCanAnswer, console: Console) -> None:
    """The what-can answer as a table of actions and resources."""
    from ..analyze.conditions_text import access_text, principal_text

    table = Table(title=f"what {principal_text(answer.principal)} can do", title_justify="left")
    table.add_column("Action", overflow="fold")
    table.add_column("Resource", overflow="fold")
    table.add_column("Access", overflow="fold")
    table.add_column("Notes", overflow="fold")
    for access in answer.accesses:
        table.add_row(access.action, access.resource or "*", access_text(access), _notes(access))
    console.print(table)
    console.print(f"{len(answer.accesses)} allowed of {answer.pairs_considered} action and resource pairs decided")


def who_can_command(
    action: Annotated[str, typer.Option("--action", help="The action, e.g. lambda:InvokeFunction.")],
    resource: Annotated[str, typer.Option("--resource", help="The resource ARN.")],
    db: DbOption = None,
    world_file: WorldOption = None,
    output_format: FormatOption = "text",
) -> None:
    """List every principal allowed an action on a resource, with the conditions under which."""
    from ..analyze.who_can import who_can

    try:
        check_format(output_format)
        answer = who_can(_open_world(db, world_file), action, resource)
    except IamtwinError as err:
        raise fail(err) from err
    if output_format == "json":
        print_json(answer.to_dict())
    else:
        render_who_can(answer, Console(highlight=False))


def what_can_command(
    principal: Annotated[str, typer.Option("--principal", help="A user or role ARN of the world.")],
    service: Annotated[
        str | None, typer.Option("--service", help="Only actions of this service prefix, e.g. s3.")
    ] = None,
    db: DbOption = None,
    world_file: WorldOption = None,
    output_format: FormatOption = "text",
) -> None:
    """List the actions and resources a principal is allowed, with the conditions under which."""
    from ..analyze.what_can import what_can

    try:
        check_format(output_format)
        answer = what_can(_open_world(db, world_file), principal, service=service)
    except IamtwinError as err:
        raise fail(err) from err
    if output_format == "json":
        print_json(answer.to_dict())
    else:
        render_what_can(answer, Console(highlight=False))

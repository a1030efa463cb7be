"""`iamtwin world …`, `iamtwin import …` and `iamtwin export`: a stored world, filled and read back."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..errors import IamtwinError
from ..world.model import World as WorldModel
from .options import DbOption, FormatOption, check_format, fail, print_json

# The world store brings SQLAlchemy and Alembic: imported where used, so that `iamtwin --help` does not load them.
if TYPE_CHECKING:
    import sqlalchemy

    from ..world.stored import World

world_app = typer.Typer(help="Create, inspect and fill a stored world.", no_args_is_help=True)
import_app = typer.Typer(help="Import AWS exports into the stored world.", no_args_is_help=True)

_LISTED_KINDS = ("accounts", "users", "groups", "roles", "policies", "resources")


def _tables() -> dict[str, sqlalchemy.Table]:
    """The tables `world show` counts, by the name it shows (`world ls` lists those of `_LISTED_KINDS`)."""
    from ..world.store import schema

    return {
        "accounts": schema.accounts,
        "users": schema.users,
        "groups": schema.groups,
        "roles": schema.roles,
        "policies": schema.managed_policies,
        "resources": schema.resources,
        "identity_providers": schema.identity_providers,
        "org_policies": schema.org_policies,
        "documents": schema.documents,
        "sessions": schema.sessions,
    }


@contextmanager
def opened(db: str | None) -> Iterator[World]:
    """The world of `--db`, closed afterwards."""
    from ..world.stored import World

    world = World.open(db)
    try:
        yield world
    finally:
        world.close()


def _run(action: Callable[[], None]) -> None:
    try:
        action()
    except IamtwinError as err:
        raise fail(err) from err


@world_app.command("init")
def init(db: DbOption = None, output_format: FormatOption = "text") -> None:
    """Create the world database (or migrate it to this version's schema)."""
    from ..world.store.database import current_revision, resolve_url

    def go() -> None:
        check_format(output_format)
        with opened(db) as world:
            revision = current_revision(world.engine)
        url = resolve_url(db)
        if output_format == "json":
            print_json({"db": url, "revision": revision})
        else:
            Console(highlight=False).print(f"world database ready: {url} (schema {revision})")

    _run(go)


def _counts(world: World) -> dict[str, int]:
    from sqlalchemy import func, select

    from ..world.store import schema

    with world.engine.connect() as conn:
        counts = {
            name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
            for name, table in _tables().items()
        }
        org = conn.execute(select(schema.organizations)).first()
    counts["organization"] = 1 if org is not None else 0
    return counts


@world_app.command("show")
def show(db: DbOption = None, output_format: FormatOption = "text") -> None:
    """How much the stored world holds."""
    from ..world.store.database import resolve_url

    def go() -> None:
        check_format(output_format)
        with opened(db) as world:
            counts = _counts(world)
        if output_format == "json":
            print_json(counts)
            return
        table = Table("entity", "count", title=f"world {resolve_url(db)}")
        for name, count in counts.items():
            table.add_row(name, str(count))
        Console(highlight=False).print(table)

    _run(go)


@world_app.command("ls")
def ls(
    kind: Annotated[str, typer.Argument(help="accounts, users, groups, roles, policies or resources.")] = "accounts",
    account: Annotated[str | None, typer.Option("--account", help="Only this account.")] = None,
    db: DbOption = None,
    output_format: FormatOption = "text",
) -> None:
    """List the entities of one kind."""
    from sqlalchemy import select

    def go() -> None:
        check_format(output_format)
        if kind not in _LISTED_KINDS:
            raise IamtwinError(f"`{kind}` is not one of {', '.join(_LISTED_KINDS)}", code="INVALID_KIND")
        table = _tables()[kind]
        column = table.c.id if kind == "accounts" else table.c.account_id
        query = select(table).order_by(column)
        if account is not None:
            query = query.where(column == account)
        with opened(db) as world, world.engine.connect() as conn:
            rows = [dict(row._mapping) for row in conn.execute(query)]
        shown = [
            {k: v for k, v in row.items() if k in ("id", "arn", "name", "path", "account_id", "type")} for row in rows
        ]
        if output_format == "json":
            print_json(shown)
            return
        out = Table(*(shown[0].keys() if shown else ["(none)"]))
        for row in shown:
            out.add_row(*(str(v) if v is not None else "" for v in row.values()))
        Console(highlight=False).print(out)

    _run(go)


def import_model(world: World, model: WorldModel, what: str, replace: bool = False) -> int:
    """Import a model in one transaction with a progress bar on stderr; the entities written."""
    from ..world.stored import World

    total = World.entity_count(model)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(f"importing {what}", total=total)
        return world.import_model(model, replace=replace, progress=lambda n: progress.advance(task, n))


def _report(written: int, what: str, output_format: str) -> None:
    if output_format == "json":
        print_json({"imported": what, "entities": written})
    else:
        Console(highlight=False).print(f"imported {written} entities from {what}")


@world_app.command("import")
def import_world(
    path: Annotated[Path, typer.Argument(help="A world file (YAML or JSON).")],
    replace: Annotated[bool, typer.Option("--replace", help="Empty the world first.")] = False,
    db: DbOption = None,
    output_format: FormatOption = "text",
) -> None:
    """Import a world file into the stored world (one transaction)."""

    def go() -> None:
        check_format(output_format)
        from ..world.worldfile import load_world

        model = load_world(path).world
        with opened(db) as world:
            _report(import_model(world, model, str(path), replace), str(path), output_format)

    _run(go)


@import_app.command("aws-auth-details")
def import_auth_details(
    paths: Annotated[list[Path], typer.Argument(help="get-account-authorization-details output (pages allowed).")],
    account_id: Annotated[str | None, typer.Option("--account-id", help="The account, if no ARN names it.")] = None,
    db: DbOption = None,
    output_format: FormatOption = "text",
) -> None:
    """Import the output of `aws iam get-account-authorization-details` as one account."""

    def go() -> None:
        check_format(output_format)
        from ..world.aws_managed import aws_managed_policy
        from ..world.formats.auth_details import read_auth_details

        source = [str(p) for p in paths] if len(paths) > 1 else str(paths[0])
        account = read_auth_details(source, aws_managed=aws_managed_policy, account_id=account_id)
        with opened(db) as world:
            written = import_model(world, WorldModel({account.id: account}, None), f"account {account.id}")
        _report(written, ", ".join(str(p) for p in paths), output_format)

    _run(go)


@import_app.command("organizations")
def import_organizations(
    directory: Annotated[Path, typer.Argument(help="A directory of AWS Organizations CLI outputs.")],
    db: DbOption = None,
    output_format: FormatOption = "text",
) -> None:
    """Import an organization (tree, SCPs, RCPs, attachments) from AWS Organizations CLI outputs."""

    def go() -> None:
        check_format(output_format)
        from ..world.formats.organizations import read_organization_directory

        org = read_organization_directory(directory)
        with opened(db) as world:
            written = import_model(world, WorldModel({}, org), f"organization {org.id}")
        _report(written, str(directory), output_format)

    _run(go)


def export(
    to: Annotated[str, typer.Option("--to", help="world (YAML), aws-auth-details or organizations.")] = "world",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File (or directory for organizations).")
    ] = None,
    account: Annotated[str | None, typer.Option("--account", help="The account (aws-auth-details).")] = None,
    db: DbOption = None,
) -> None:
    """Export the stored world as a world file, get-account-authorization-details JSON or Organizations outputs."""

    def go() -> None:
        import json

        with opened(db) as world:
            model = world.export_model()
        if to == "world":
            from ..world.formats.worldfile_writer import dump_world_yaml

            _write(output, dump_world_yaml(model))
        elif to == "aws-auth-details":
            from ..world.formats.auth_details_writer import write_auth_details

            chosen = account or (next(iter(model.accounts)) if len(model.accounts) == 1 else None)
            if chosen is None or chosen not in model.accounts:
                raise IamtwinError(
                    "give --account: the world holds " + (", ".join(model.accounts) or "no account"),
                    code="MISSING_OPTION",
                )
            _write(output, json.dumps(write_auth_details(model.accounts[chosen]), indent=2) + "\n")
        elif to == "organizations":
            from ..world.formats.organizations_writer import write_organization

            if model.organization is None:
                raise IamtwinError("the world has no organization", code="NO_ORGANIZATION")
            if output is None:
                raise IamtwinError("--to organizations needs --output DIRECTORY", code="MISSING_OPTION")
            names = {a.id: a.name for a in model.accounts.values() if a.name}
            write_organization(model.organization, output, account_names=names)
        else:
            raise IamtwinError(f"`{to}` is not one of world, aws-auth-details, organizations", code="INVALID_FORMAT")

    _run(go)


def _write(output: Path | None, text: str) -> None:
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")

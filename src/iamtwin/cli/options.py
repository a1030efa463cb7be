"""Options shared by the commands that work on a stored world: `--db`, `--format`, tags and context."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console

from ..errors import IamtwinError

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="World database URL (default: $IAMTWIN_DB, else sqlite:///iamtwin.db here)."),
]
FormatOption = Annotated[str, typer.Option("--format", "-f", help="text or json.")]


def check_format(output_format: str) -> None:
    """Refuse an output format other than text and json."""
    if output_format not in ("text", "json"):
        raise IamtwinError(f"`{output_format}` is not one of text, json", code="INVALID_FORMAT")


def fail(err: IamtwinError) -> typer.Exit:
    """Print a coded error on stderr; the exit to raise."""
    Console(stderr=True, highlight=False).print(f"[bold red]error[/] {err}", markup=True, soft_wrap=True)
    return typer.Exit(2)


def print_json(data: Any) -> None:
    """Print JSON on stdout, indented."""
    Console(highlight=False).print_json(json.dumps(data, default=str))


def parse_pairs(pairs: list[str] | None, what: str) -> dict[str, str]:
    """`K=V` arguments as a mapping (tags)."""
    out: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise IamtwinError(f"`{pair}` is not `key=value`", code=f"INVALID_{what}_ARGUMENT")
        out[key] = value
    return out

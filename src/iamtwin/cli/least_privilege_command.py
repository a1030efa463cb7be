"""`iamtwin generate-policy` and `iamtwin unused-access`: least privilege from the activity in the audit trail."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from ..audit.event import cloudtrail_time
from ..errors import IamtwinError
from .audit_command import TimeOption, parse_time
from .options import DbOption, FormatOption, check_format, fail, print_json
from .world_command import opened

# The analysis and the audit store are imported by the commands, so that `iamtwin --help` does not load them.
if TYPE_CHECKING:
    from ..analyze.generate_policy import GeneratedPolicy
    from ..analyze.unused import UnusedAccessReport


def generate_policy_command(
    principal: Annotated[str, typer.Option(help="The IAM user or role ARN whose activity the policy grants.")],
    since: TimeOption = None,
    until: TimeOption = None,
    db: DbOption = None,
    output_format: FormatOption = "text",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Also write the policy document to this file.")
    ] = None,
) -> None:
    """Write an identity policy granting exactly the allowed calls the principal made (eventTime >= --since and
    < --until): exact resources, `*` only where the action has no resource type; validated, findings shown."""
    from ..analyze.generate_policy import generate_policy
    from ..audit.store import AuditStore

    try:
        check_format(output_format)
        start, end = parse_time(since, "--since"), parse_time(until, "--until")
        with opened(db) as world:
            generated = generate_policy(world, AuditStore(world.engine), principal, start, end)
        if output is not None:
            output.write_text(json.dumps(generated.document, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise fail(IamtwinError(f"cannot write `{output}`: {exc.strerror}", code="FILE_NOT_WRITABLE")) from exc
    except IamtwinError as err:
        raise fail(err) from err
    if output_format == "json":
        print_json(generated.to_dict())
    else:
        _print_generated(generated)
    if not generated.valid:
        raise typer.Exit(1)


def _print_generated(generated: GeneratedPolicy) -> None:
    # The policy alone goes to stdout, so it can be redirected to a file; the summary goes to stderr.
    sys.stdout.write(json.dumps(generated.document, indent=2) + "\n")
    notes = Console(stderr=True, highlight=False)
    window = f"{_when(generated.since, 'the start')} to {_when(generated.until, 'now')}"
    notes.print(
        f"{len(generated.document['Statement'])} statement(s) from {generated.allowed_calls} allowed call(s) of "
        f"{generated.principal}, {window}; {generated.denied_calls} denied call(s) left out",
        soft_wrap=True,
    )
    if generated.unknown_actions:
        notes.print(f"not in the catalogue, left out: {', '.join(generated.unknown_actions)}", soft_wrap=True)
    for finding in generated.findings:
        notes.print(f"{finding.finding_type.value} {finding.code}: {finding.message}", soft_wrap=True)
    notes.print("valid: no ERROR finding" if generated.valid else "[bold red]invalid[/]: the validator found an ERROR")


def _when(moment: datetime | None, default: str) -> str:
    return default if moment is None else cloudtrail_time(moment)


def unused_access_command(
    days: Annotated[
        int, typer.Option("--days", help="The usage window in days (unusedAccessAge, 1 to 365).")
    ] = 90,
    account: Annotated[str | None, typer.Option(help="Only this account's users and roles.")] = None,
    db: DbOption = None,
    output_format: FormatOption = "text",
) -> None:
    """Roles unused for --days, and the granted services and actions active users and roles did not use."""
    from ..analyze.unused import unused_access
    from ..audit.store import AuditStore

    try:
        check_format(output_format)
        with opened(db) as world:
            report = unused_access(world, AuditStore(world.engine), days, account)
    except IamtwinError as err:
        raise fail(err) from err
    if output_format == "json":
        print_json(report.to_dict())
    else:
        _print_unused(report)


def _print_unused(report: UnusedAccessReport) -> None:
    data = report.to_dict()
    console = Console(highlight=False, width=max(Console().width, 120))
    console.print(f"usage window: {data['windowStart']} to {data['now']} ({report.unused_access_age} days)")
    roles = Table(title="unused roles")
    roles.add_column("role", overflow="fold")
    roles.add_column("last accessed")
    for role in data["unusedRoles"]:
        roles.add_row(role["arn"], role["lastAccessed"] or "never")
    console.print(roles)
    permissions = Table(title="unused permissions")
    for column in ("principal", "service", "unused", "last accessed"):
        permissions.add_column(column, overflow="fold")
    for principal in data["unusedPermissions"]:
        for service in principal["services"]:
            if service["usedInWindow"]:
                unused = ", ".join(a["action"] for a in service["unusedActions"])
            else:
                unused = f"the whole service ({service['grantedActions']} granted action(s))"
            permissions.add_row(
                principal["principal"], service["serviceNamespace"], unused, service["lastAccessed"] or "never"
            )
    console.print(permissions)
    for skipped in data["notAnalyzed"]:
        console.print(f"not analyzed: {skipped['arn']} ({skipped['reason']})", soft_wrap=True)

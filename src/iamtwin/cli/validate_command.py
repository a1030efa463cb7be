"""`iamtwin validate`: check policies, templates and plans offline, as a CI step.

Exit codes: 0 without blocking findings, 2 with blocking findings, 1 when an input cannot be
read (a missing or unreadable file, a template that is not YAML or JSON, a file that is no
policy, template or plan) or a flag has a bad value.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ..validate.context import ValidateOptions
from ..validate.findings import FindingType, PolicyType
from ..validate.inputs.codes import FILE_NOT_READABLE, TEMPLATE_SYNTAX_ERROR, UNRECOGNIZED_INPUT, WORLD_NOT_READABLE

_FORMATS = ("text", "json", "sarif")
_INPUT_CODES = {FILE_NOT_READABLE.code, TEMPLATE_SYNTAX_ERROR.code, UNRECOGNIZED_INPUT.code, WORLD_NOT_READABLE.code}
EXIT_BLOCKING = 2
EXIT_INPUT = 1


def _usage(message: str) -> typer.Exit:
    Console(stderr=True, highlight=False).print(f"[bold red]error[/] {message}", markup=True, soft_wrap=True)
    return typer.Exit(EXIT_INPUT)


def _split(values: list[str] | None) -> list[str]:
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def _blocking_types(values: list[str] | None) -> frozenset[FindingType]:
    from ..validate.run import DEFAULT_BLOCKING

    names = _split(values)
    if not names:
        return DEFAULT_BLOCKING
    if names == ["NONE"]:
        return frozenset()
    known = {t.value: t for t in FindingType}
    unknown = [n for n in names if n.upper() not in known]
    if unknown:
        raise _usage(f"`{unknown[0]}` is not a finding type; use {', '.join(known)} or NONE")
    return frozenset(known[n.upper()] for n in names)


def validate_command(
    paths: Annotated[
        list[str] | None, typer.Argument(help="Policy files, directories, templates or plans; `-` for stdin.")
    ] = None,
    output_format: Annotated[str, typer.Option("--format", "-f", help="text, json or sarif.")] = "text",
    region: Annotated[str, typer.Option("--region", help="Region the policies are deployed in.")] = "us-east-1",
    account_id: Annotated[
        str, typer.Option("--account-id", help="Account the policies are deployed in.")
    ] = "123456789012",
    policy_type: Annotated[
        str | None,
        typer.Option("--policy-type", help="identity, resource, trust, scp or rcp (plain policy files only)."),
    ] = None,
    blocking: Annotated[
        list[str] | None,
        typer.Option(
            "--treat-finding-type-as-blocking",
            "--fail-on",
            help="Finding types that block (comma-separated; default ERROR,SECURITY_WARNING; NONE for none).",
        ),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option(
            "--ignore-finding", "--ignore", help="Leave out a CODE, a RESOURCE or RESOURCE.CODE (repeatable)."
        ),
    ] = None,
    allow_external: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-external-principals",
            help="Account IDs or principal ARNs outside --account-id that may be granted access (`*` for any).",
        ),
    ] = None,
    zone: Annotated[
        str, typer.Option("--zone", help="Zone of trust for EXTERNAL_PRINCIPAL: account or organization.")
    ] = "account",
    org_id: Annotated[str, typer.Option("--org-id", help="Organization ID (o-…) of the organization zone.")] = "",
    parameters: Annotated[
        list[str] | None,
        typer.Option("--parameters", help="CloudFormation parameter value KEY=VALUE (repeatable)."),
    ] = None,
    template_configuration: Annotated[
        Path | None,
        typer.Option(
            "--template-configuration-file",
            help="CodePipeline template configuration JSON whose `Parameters` give parameter values.",
        ),
    ] = None,
    exclude_types: Annotated[
        list[str] | None,
        typer.Option("--exclude-resource-types", help="CloudFormation resource types to skip (comma-separated)."),
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report to this file.")] = None,
    db: Annotated[
        str | None,
        typer.Option(
            "--db", help="Also validate every policy of the world stored at this SQLite path or database URL."
        ),
    ] = None,
    skip_unrecognized: Annotated[
        bool,
        typer.Option(
            "--skip-unrecognized",
            help="Skip named JSON/YAML files that are no policy, template or plan (for pre-commit hooks).",
        ),
    ] = False,
) -> None:
    """Validate IAM policies offline with Access Analyzer's checks; exit 2 on blocking findings."""
    # The checks (and the service catalogue they read) are imported when a validation runs, not by `iamtwin --help`.
    from ..validate.report.json_report import render_json
    from ..validate.report.sarif_report import render_sarif
    from ..validate.report.text_report import render_text, styled_text
    from ..validate.run import Suppressions, validate

    if not paths and db is None:
        raise _usage("give a PATH to validate or `--db URL`")
    if output_format not in _FORMATS:
        raise _usage(f"`{output_format}` is not one of text, json, sarif")
    kind: PolicyType | None = None
    if policy_type is not None:
        try:
            kind = PolicyType(policy_type.lower())
        except ValueError:
            raise _usage(f"`{policy_type}` is not one of identity, resource, trust, scp, rcp") from None
    if zone not in ("account", "organization"):
        raise _usage(f"`{zone}` is not a zone; use account or organization")
    if zone == "organization" and not re.fullmatch(r"o-[a-z0-9]{10,32}", org_id):
        raise _usage("`--zone organization` needs `--org-id o-…` (o- and 10 to 32 lowercase letters or digits)")
    if not (len(account_id) == 12 and account_id.isdigit()):
        raise _usage(f"`{account_id}` is not a 12-digit account ID")
    options = ValidateOptions(
        region=region,
        account_id=account_id,
        partition=_partition(region),
        allowed_external_principals=frozenset(_split(allow_external)),
        zone=zone,
        org_id=org_id,
        parameters=_parameters(parameters, template_configuration),
        excluded_resource_types=frozenset(_split(exclude_types)),
    )
    report = validate(
        paths or [],
        options,
        policy_type=kind,
        blocking_types=_blocking_types(blocking),
        suppressions=Suppressions(frozenset(_split(ignore))),
        db=db,
        skip_unrecognized=skip_unrecognized,
    )
    renderers = {"text": render_text, "json": render_json, "sarif": render_sarif}
    rendered = renderers[output_format](report)
    if output is not None:
        try:
            output.write_text(rendered + "\n", encoding="utf-8")
        except OSError as exc:
            raise _usage(f"cannot write `{output}`: {exc.strerror}") from exc
    elif output_format == "text":
        # Colours in a terminal; plain text, never wrapped, anywhere else.
        Console(highlight=False, soft_wrap=True).print(styled_text(report))
    else:
        typer.echo(rendered)
    if any(f.code in _INPUT_CODES for f in report.findings):
        raise typer.Exit(EXIT_INPUT)
    if report.failed:
        raise typer.Exit(EXIT_BLOCKING)


def _parameters(pairs: list[str] | None, configuration: Path | None) -> tuple[tuple[str, str], ...]:
    """Parameter values from a template configuration file, then from `--parameters` (which win)."""
    # https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/continuous-delivery-codepipeline-cfn-artifacts.html
    values: dict[str, str] = {}
    if configuration is not None:
        try:
            data = json.loads(configuration.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise _usage(f"cannot read `{configuration}`: {exc}") from None
        except json.JSONDecodeError as exc:
            raise _usage(f"`{configuration}`:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}") from None
        given = data.get("Parameters", {}) if isinstance(data, dict) else None
        if not isinstance(given, dict) or not all(isinstance(v, str | int | float) for v in given.values()):
            raise _usage(f"`{configuration}`: `Parameters` must be an object of strings")
        values.update({str(k): str(v) for k, v in given.items()})
    for pair in pairs or []:
        key, equals, value = pair.partition("=")
        if not equals or not key:
            raise _usage(f"`{pair}` is not KEY=VALUE")
        values[key] = value
    return tuple(values.items())


def _partition(region: str) -> str:
    """The partition of a Region code (`cn-north-1` → `aws-cn`)."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"

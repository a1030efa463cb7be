"""`iamtwin check-no-new-access`, `check-access-not-granted` and `check-no-public-access`.

Access Analyzer's custom policy checks, offline and decided exactly by z3 (validate/symbolic).
Exit codes: 0 PASS, 2 FAIL, 3 UNKNOWN (a solver query timed out), 1 when an input cannot be
read or is not a valid policy, or a flag has a bad value; errors are printed as `error CODE: …`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ..errors import IamtwinError
from ..policy.model import PolicyDocument
from ..policy.parse import parse_policy
from ..validate.findings import PolicyType
from ..validate.symbolic import DEFAULT_TIMEOUT_MS, RESOURCE_TYPE_SERVICES, CheckResult, Verdict
from .options import print_json

EXIT_CODES = {Verdict.PASS: 0, Verdict.FAIL: 2, Verdict.UNKNOWN: 3}
EXIT_INPUT = 1

FormatOption = Annotated[str, typer.Option("--format", "-f", help="text or json.")]
PolicyTypeOption = Annotated[
    str, typer.Option("--policy-type", help="identity, resource, trust, scp or rcp (default identity).")
]
TimeoutOption = Annotated[
    float, typer.Option("--timeout", help="Seconds the solver may spend on each query before answering UNKNOWN.")
]


def _error(err: IamtwinError) -> typer.Exit:
    Console(stderr=True, highlight=False).print(f"[bold red]error[/] {err}", markup=True, soft_wrap=True)
    return typer.Exit(EXIT_INPUT)


def _read_policy(path: str, what: str) -> PolicyDocument:
    """A policy from a file (`-` for stdin), parsed with the project's parser."""
    try:
        raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise IamtwinError(f"cannot read the {what} `{path}`: {exc.strerror}", code="FILE_NOT_READABLE") from exc
    return parse_policy(raw)


def _settings(output_format: str, policy_type: str, timeout: float) -> tuple[PolicyType, int]:
    if output_format not in ("text", "json"):
        raise IamtwinError(f"`{output_format}` is not one of text, json", code="INVALID_FORMAT")
    try:
        kind = PolicyType(policy_type.lower())
    except ValueError:
        raise IamtwinError(
            f"`{policy_type}` is not one of identity, resource, trust, scp, rcp", code="INVALID_POLICY_TYPE"
        ) from None
    if not timeout > 0:
        raise IamtwinError(f"`{timeout}` is not a positive number of seconds", code="INVALID_TIMEOUT")
    return kind, max(1, int(timeout * 1000))


def _split(values: list[str] | None) -> list[str]:
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def _finish(result: CheckResult, output_format: str) -> None:
    if output_format == "json":
        print_json(result.to_dict())
    else:
        typer.echo(render_text(result))
    code = EXIT_CODES[result.verdict]
    if code:
        raise typer.Exit(code)


def render_text(result: CheckResult) -> str:
    """The result as plain text: the verdict, the message, and each reason with its witness request."""
    lines = [f"{result.check}: {result.verdict.value}", result.message]
    for reason in result.reasons:
        lines.append(f"  - {reason.description}")
        witness = reason.witness
        if witness is None:
            continue
        lines.append(f"      action     {witness.action}")
        lines.append(f"      resource   {witness.resource!r}")
        if witness.principal is not None:
            shown = ", ".join(f"{k}={v}" for k, v in witness.principal.items())
            lines.append(f"      principal  {shown}")
        for key, values in witness.context.items():
            lines.append(f"      context    {key} = {', '.join(values)}")
    return "\n".join(lines)


def check_no_new_access_command(
    existing: Annotated[str, typer.Option("--existing", help="The existing (reference) policy file; `-` for stdin.")],
    new: Annotated[str, typer.Option("--new", help="The updated policy file.")],
    policy_type: PolicyTypeOption = "identity",
    output_format: FormatOption = "text",
    timeout: TimeoutOption = DEFAULT_TIMEOUT_MS / 1000,
) -> None:
    """Does the new policy grant any access the existing one does not? Exit 0 PASS, 2 FAIL, 3 UNKNOWN."""
    # Each check brings z3 when it runs; `iamtwin --help` and the other commands do not load it.
    from ..validate.symbolic import check_no_new_access

    try:
        kind, timeout_ms = _settings(output_format, policy_type, timeout)
        result = check_no_new_access(
            _read_policy(existing, "existing policy"), _read_policy(new, "new policy"), kind, timeout_ms
        )
    except IamtwinError as err:
        raise _error(err) from None
    _finish(result, output_format)


def check_access_not_granted_command(
    policy: Annotated[str, typer.Argument(help="The policy file; `-` for stdin.")],
    actions: Annotated[
        list[str] | None, typer.Option("--actions", help="Actions that must not be allowed (comma-separated).")
    ] = None,
    resources: Annotated[
        list[str] | None,
        typer.Option("--resources", help="Resource ARNs they must not be allowed on (comma-separated)."),
    ] = None,
    policy_type: PolicyTypeOption = "identity",
    output_format: FormatOption = "text",
    timeout: TimeoutOption = DEFAULT_TIMEOUT_MS / 1000,
) -> None:
    """Does the policy allow any of the actions (on any of the resources)? Exit 0 PASS, 2 FAIL, 3 UNKNOWN."""
    from ..validate.symbolic import check_access_not_granted

    try:
        kind, timeout_ms = _settings(output_format, policy_type, timeout)
        document = _read_policy(policy, "policy")
        result = check_access_not_granted(document, _split(actions), _split(resources), kind, timeout_ms)
    except IamtwinError as err:
        raise _error(err) from None
    _finish(result, output_format)


def check_no_public_access_command(
    policy: Annotated[str, typer.Argument(help="The resource policy file; `-` for stdin.")],
    resource_type: Annotated[
        str, typer.Option("--resource-type", help=f"One of {', '.join(sorted(RESOURCE_TYPE_SERVICES))}.")
    ],
    output_format: FormatOption = "text",
    timeout: TimeoutOption = DEFAULT_TIMEOUT_MS / 1000,
) -> None:
    """Can the resource policy grant access to anyone? Exit 0 PASS, 2 FAIL, 3 UNKNOWN."""
    from ..validate.symbolic import check_no_public_access

    try:
        _, timeout_ms = _settings(output_format, "resource", timeout)
        result = check_no_public_access(_read_policy(policy, "policy"), resource_type, timeout_ms)
    except IamtwinError as err:
        raise _error(err) from None
    _finish(result, output_format)

"""`iamtwin sts …`: STS calls against the stored world, as a principal of it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ..errors import IamtwinError
from ..simulate.output import decision_to_json
from ..sts.denied import StsAccessDenied
from .options import DbOption, FormatOption, check_format, fail, parse_pairs, print_json
from .render import render_decision_text
from .world_command import opened

sts_app = typer.Typer(
    help="STS calls (AssumeRole, GetCallerIdentity, GetSessionToken) on the stored world.", no_args_is_help=True
)

PrincipalOption = Annotated[str, typer.Option("--principal", help="The caller: an ARN or an access key id.")]


def _account_of(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 and parts[4] else None


def _denied(err: StsAccessDenied, output_format: str) -> typer.Exit:
    if output_format == "json":
        print_json({"error": err.to_dict(), "decision": decision_to_json(err.decision)})
    else:
        console = Console(stderr=True, highlight=False)
        console.print(f"[bold red]error[/] {err}", markup=True, soft_wrap=True)
        render_decision_text(err.decision, console)
    return typer.Exit(1)


@sts_app.command("assume-role")
def assume_role(
    principal: PrincipalOption,
    role_arn: Annotated[str, typer.Option("--role-arn", help="The role to assume.")],
    session_name: Annotated[str, typer.Option("--session-name", help="RoleSessionName.")],
    external_id: Annotated[str | None, typer.Option("--external-id")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="Session tag K=V; repeat.")] = None,
    transitive_tag_key: Annotated[list[str] | None, typer.Option("--transitive-tag-key")] = None,
    duration: Annotated[int | None, typer.Option("--duration-seconds")] = None,
    source_identity: Annotated[str | None, typer.Option("--source-identity")] = None,
    policy: Annotated[Path | None, typer.Option("--policy", help="Session policy JSON file.")] = None,
    policy_arn: Annotated[
        list[str] | None, typer.Option("--policy-arn", help="Managed session policy; repeat.")
    ] = None,
    serial_number: Annotated[str | None, typer.Option("--serial-number")] = None,
    token_code: Annotated[str | None, typer.Option("--token-code")] = None,
    db: DbOption = None,
    output_format: FormatOption = "text",
) -> None:
    """AssumeRole as PRINCIPAL: the trust policy, identity policies, tags and limits decide, as in AWS."""
    # STS and the audit trail bring SQLAlchemy: imported by each command, so that `iamtwin --help` does not.
    from ..audit.local_call import LocalCall
    from ..sts.service import Sts

    try:
        check_format(output_format)
        tags = parse_pairs(tag, "TAG")
        policy_text = policy.read_text(encoding="utf-8") if policy is not None else None
        with opened(db) as world:
            call = LocalCall(
                world,
                "sts",
                "AssumeRole",
                principal,
                {
                    "RoleArn": role_arn,
                    "RoleSessionName": session_name,
                    "ExternalId": external_id,
                    "DurationSeconds": duration,
                    "SourceIdentity": source_identity,
                    "Tags": [{"Key": k, "Value": v} for k, v in tags.items()],
                    "TransitiveTagKeys": list(transitive_tag_key or ()),
                    "Policy": policy_text,
                    "PolicyArns": [{"arn": arn} for arn in policy_arn or ()],
                    "SerialNumber": serial_number,
                    "TokenCode": token_code,
                },
            )
            try:
                result = Sts(world).assume_role(
                    principal,
                    role_arn,
                    session_name,
                    external_id=external_id,
                    tags=tags,
                    transitive_tag_keys=tuple(transitive_tag_key or ()),
                    duration_seconds=duration,
                    source_identity=source_identity,
                    policy=policy_text,
                    policy_arns=tuple(policy_arn or ()),
                    serial_number=serial_number,
                    token_code=token_code,
                )
            except IamtwinError as err:
                call.record(error=err, account=_account_of(role_arn))
                raise
            call.record(result.to_dict(), account=_account_of(role_arn))
    except StsAccessDenied as err:
        raise _denied(err, output_format) from err
    except IamtwinError as err:
        raise fail(err) from err
    except OSError as exc:
        raise fail(IamtwinError(f"cannot read `{policy}`: {exc.strerror}", code="FILE_NOT_READABLE")) from exc
    if output_format == "json":
        print_json(result.to_dict())
        return
    console = Console(highlight=False)
    console.print(f"[bold green]assumed[/] {result.arn}")
    console.print(f"  AssumedRoleId   {result.assumed_role_id}")
    console.print(f"  AccessKeyId     {result.credentials.access_key_id}")
    console.print(f"  Expiration      {result.credentials.expiration:%Y-%m-%dT%H:%M:%SZ}")
    console.print(f"  PackedPolicySize {result.packed_policy_size}%")
    console.print("  (use the AccessKeyId as --principal to act as this session)")


@sts_app.command("get-caller-identity")
def get_caller_identity(principal: PrincipalOption, db: DbOption = None, output_format: FormatOption = "text") -> None:
    """GetCallerIdentity of a principal or access key."""
    from ..sts.service import Sts

    try:
        check_format(output_format)
        with opened(db) as world:
            identity = Sts(world).get_caller_identity(principal)
    except IamtwinError as err:
        raise fail(err) from err
    if output_format == "json":
        print_json(identity.to_dict())
    else:
        for key, value in identity.to_dict().items():
            Console(highlight=False).print(f"{key:8} {value}")


@sts_app.command("get-session-token")
def get_session_token(
    principal: PrincipalOption,
    duration: Annotated[int | None, typer.Option("--duration-seconds")] = None,
    serial_number: Annotated[str | None, typer.Option("--serial-number")] = None,
    token_code: Annotated[str | None, typer.Option("--token-code")] = None,
    db: DbOption = None,
    output_format: FormatOption = "text",
) -> None:
    """GetSessionToken for an IAM user."""
    from ..audit.local_call import LocalCall
    from ..sts.service import Sts

    try:
        check_format(output_format)
        with opened(db) as world:
            parameters = {"DurationSeconds": duration, "SerialNumber": serial_number, "TokenCode": token_code}
            call = LocalCall(world, "sts", "GetSessionToken", principal, parameters)
            try:
                credentials = Sts(world).get_session_token(
                    principal, duration_seconds=duration, serial_number=serial_number, token_code=token_code
                )
            except IamtwinError as err:
                call.record(error=err)
                raise
            call.record({"Credentials": credentials.to_dict()})
    except IamtwinError as err:
        raise fail(err) from err
    if output_format == "json":
        print_json({"Credentials": credentials.to_dict()})
    else:
        Console(highlight=False).print(
            f"AccessKeyId {credentials.access_key_id} expires {credentials.expiration:%Y-%m-%dT%H:%M:%SZ}"
        )

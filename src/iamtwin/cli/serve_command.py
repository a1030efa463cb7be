"""`iamtwin serve` and `iamtwin credentials bootstrap`: the wire API, and keys to call it with."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ..errors import IamtwinError
from .options import DbOption, FormatOption, check_format, fail, print_json
from .world_command import opened

credentials_app = typer.Typer(help="Credentials for calling `iamtwin serve`.", no_args_is_help=True)


def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8777,
    world_file: Annotated[Path | None, typer.Option("--world", help="Import this world file first.")] = None,
    demo: Annotated[
        bool, typer.Option("--demo", help="Load the example organization; print admin credentials.")
    ] = False,
    authorizer_file: Annotated[
        Path | None, typer.Option("--authorizer", help="OIDC provider and group-to-policy map for /v1/authorize.")
    ] = None,
    workers: Annotated[int, typer.Option("--workers", help="Worker processes (use 1 with SQLite).")] = 1,
    allow_sampling: Annotated[
        float,
        typer.Option(
            "--audit-allow-sampling",
            min=0.0,
            max=1.0,
            help="Share of /v1/authorize allows recorded in the audit trail (denials always are).",
        ),
    ] = 1.0,
    retention_days: Annotated[
        int,
        typer.Option(
            "--audit-retention-days",
            min=0,
            help="Prune audit events older than this many days, at start and hourly (0: keep everything).",
        ),
    ] = 0,
) -> None:
    """Serve the AWS IAM and STS APIs (Query protocol, SigV4) for boto3 and the AWS CLI."""
    import uvicorn

    from ..api.bootstrap import bootstrap_credentials
    from ..world.stored import World
    from ..world.worldfile import load_world

    try:
        world = World.open(db)
        if world_file is not None or demo:
            from .demo import load_example

            model = load_world(world_file).world if world_file is not None else load_example().world
            if not world.export_model().accounts:
                world.import_model(model)
        if demo:
            key, secret, user = bootstrap_credentials(world)
            # Plain lines, never wrapped: they are meant to be copied into a shell.
            typer.echo(f"administrator {user}")
            typer.echo(f"  aws configure set aws_access_key_id {key} --profile iamtwin")
            typer.echo(f"  aws configure set aws_secret_access_key {secret} --profile iamtwin")
            typer.echo(
                f"  aws --profile iamtwin --region us-east-1 --endpoint-url http://{host}:{port} "
                "sts get-caller-identity"
            )
    except IamtwinError as err:
        raise fail(err) from err
    from ..api.authorizer import Authorizer, AuthorizerConfig

    try:
        authorizer = Authorizer(world, AuthorizerConfig.read(authorizer_file)) if authorizer_file else None
    except IamtwinError as err:
        raise fail(err) from err
    from ..api.factory import configure_logging, serving_app, settle_heap
    from ..audit.decisions import AllowSampling
    from ..audit.retention import Retention, RetentionKeeper
    from ..audit.store import AuditStore

    configure_logging()
    try:
        keeper = (
            RetentionKeeper(AuditStore(world.engine), Retention(retention_days), world.clock)
            if retention_days
            else None
        )
    except IamtwinError as err:
        raise fail(err) from err
    if keeper is not None:
        keeper.start()  # in this process, whatever the number of workers
    if workers > 1:
        import os

        from ..world.store.database import resolve_url

        os.environ["IAMTWIN_DB"] = resolve_url(db)
        if authorizer_file is not None:
            os.environ["IAMTWIN_AUTHORIZER"] = str(authorizer_file.resolve())
        os.environ["IAMTWIN_AUDIT_ALLOW_SAMPLING"] = str(allow_sampling)
        from ..audit.recorder import AuditRecorder
        from ..audit.writer import AuditWriter

        # This process only supervises the workers: it writes the audit trail for all of them.
        # Small, frequent batches spread the writing evenly between the workers' requests.
        writer = AuditWriter.start(AuditRecorder(AuditStore(world.engine), interval=0.02))
        os.environ.update(writer.endpoint.environment())
        try:
            uvicorn.run(
                "iamtwin.api.factory:app", factory=True, host=host, port=port, workers=workers, log_level="warning"
            )
        finally:
            writer.stop()
            if keeper is not None:
                keeper.stop()
            world.close()
        return
    app = serving_app(world, authorizer, AllowSampling(allow_sampling))
    settle_heap()
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        if keeper is not None:
            keeper.stop()


@credentials_app.command("bootstrap")
def bootstrap(db: DbOption = None, output_format: FormatOption = "json") -> None:
    """Print an access key of the management account's administrator (created if needed)."""
    from ..api.bootstrap import bootstrap_credentials

    try:
        check_format(output_format)
        with opened(db) as world:
            key, secret, user = bootstrap_credentials(world)
    except IamtwinError as err:
        raise fail(err) from err
    if output_format == "json":
        print_json({"AccessKeyId": key, "SecretAccessKey": secret, "UserArn": user})
    else:
        Console(highlight=False).print(f"{user}\n  AccessKeyId     {key}\n  SecretAccessKey {secret}")

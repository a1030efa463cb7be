"""`iamtwin broker web`: the broker's web pages and REST API, with OpenID Connect sign-in.

People sign in at the OIDC provider (`--oidc-issuer`, `--client-id`, the secret from
`IAMTWIN_BROKER_CLIENT_SECRET`); their groups and attributes come from the ID token. The broker's
own credentials and STS/IAM endpoint are those of the other `iamtwin broker` commands. Sessions are
kept in the process, so it runs as one worker; serve it behind HTTPS and keep `--secure-cookies`
(turn it off only for a plain-HTTP address on this machine). The process also does the broker's
periodic work: every `--sweep-interval` seconds what `iamtwin broker sweep` does, and after each
action the notifications it queued.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ..broker.defaults import DEFAULT_ENDPOINT, DEFAULT_MANAGER_ROLE
from ..broker.web.config import DEFAULT_SWEEP_SECONDS
from ..clock import SystemClock
from ..errors import IamtwinError
from .broker_command import EndpointOption, KeyOption, ManagerOption, SecretOption, TokenOption, optional_principal
from .options import DbOption, fail


def broker_web(
    oidc_issuer: Annotated[str, typer.Option("--oidc-issuer", envvar="IAMTWIN_BROKER_OIDC_ISSUER", help="Issuer URL.")],
    client_id: Annotated[str, typer.Option("--client-id", envvar="IAMTWIN_BROKER_CLIENT_ID", help="OIDC client id.")],
    client_secret: Annotated[
        str, typer.Option("--client-secret", envvar="IAMTWIN_BROKER_CLIENT_SECRET", help="OIDC client secret.")
    ],
    db: DbOption = None,
    rules: Annotated[Path | None, typer.Option("--rules", help="Load this YAML rules file first.")] = None,
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8778,
    public_url: Annotated[
        str | None, typer.Option("--public-url", help="The URL people reach it at (default http://HOST:PORT).")
    ] = None,
    secure_cookies: Annotated[
        bool, typer.Option("--secure-cookies/--insecure-cookies", help="Mark the session cookie Secure (HTTPS).")
    ] = True,
    groups_claim: Annotated[str, typer.Option(help="The ID token claim listing the person's groups.")] = "groups",
    attribute_claims: Annotated[
        list[str] | None, typer.Option("--attribute-claim", help="An ID token claim read as an attribute; repeat.")
    ] = None,
    sweep_interval: Annotated[
        float,
        typer.Option(
            "--sweep-interval",
            min=0,
            help="Seconds between sweeps (expiries, window ends, deny policies) and notification runs; 0: never.",
        ),
    ] = DEFAULT_SWEEP_SECONDS,
    endpoint: EndpointOption = DEFAULT_ENDPOINT,
    manager_role: ManagerOption = DEFAULT_MANAGER_ROLE,
    key: KeyOption = None,
    secret: SecretOption = None,
    token: TokenOption = None,
) -> None:
    """Serve the broker's web pages and REST API (/api/v1, OpenAPI at /api/v1/openapi.json)."""
    import uvicorn

    from ..broker.service import Broker
    from ..broker.web.app import broker_web_app
    from ..broker.web.config import OidcConfig, WebConfig
    from ..world.stored import World

    try:
        if rules is not None:
            try:
                text = rules.read_text(encoding="utf-8")
            except OSError as exc:
                raise IamtwinError(f"cannot read `{rules}`: {exc.strerror}", code="FILE_NOT_READABLE") from exc
        world = World.open(db)
        clock = SystemClock()
        principal = optional_principal(endpoint, key, secret, token)
        broker = Broker(world.engine, clock, principal, manager_role=manager_role)
        if rules is not None:
            broker.load_rules(text)
        oidc = OidcConfig(
            oidc_issuer,
            client_id,
            client_secret,
            groups_claim=groups_claim,
            attribute_claims=tuple(attribute_claims) if attribute_claims else ("department",),
        )
        url = public_url or f"http://{host}:{port}"
        config = WebConfig(url, secure_cookies=secure_cookies, sweep_seconds=sweep_interval)
        app = broker_web_app(broker, oidc, clock, config, world=world)
    except IamtwinError as err:
        raise fail(err) from err
    Console(highlight=False, stderr=True).print(f"broker web at {url} (sign-in at {oidc_issuer})", markup=False)
    # One worker: the web sessions live in this process.
    uvicorn.run(app, host=host, port=port, log_level="warning", workers=1)

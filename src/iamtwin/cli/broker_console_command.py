"""`iamtwin broker console --request ID`: a console sign-in URL for a session of an approved request.

The URL follows AWS's federation endpoint protocol (getSigninToken, then login), against the twin's
`/federation` next to the STS endpoint by default, or real AWS's for `--endpoint-url aws`.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ..broker.defaults import AWS_CONSOLE, DEFAULT_ENDPOINT, DEFAULT_ISSUER, DEFAULT_MANAGER_ROLE
from ..errors import IamtwinError
from .broker_command import (
    AsOption,
    EndpointOption,
    KeyOption,
    ManagerOption,
    SecretOption,
    TokenOption,
    _broker,
    _principal,
    broker_app,
)
from .options import DbOption, FormatOption, check_format, fail, print_json
from .world_command import opened


@broker_app.command("console")
def console(
    person: AsOption,
    request_id: Annotated[str, typer.Option("--request", help="The approved request.")],
    federation_url: Annotated[
        str | None,
        typer.Option(help="The federation endpoint; by default `/federation` of the STS endpoint, AWS's for `aws`."),
    ] = None,
    issuer: Annotated[str, typer.Option(help="The Issuer named in the sign-in URL (your sign-in page).")] = (
        DEFAULT_ISSUER
    ),
    destination: Annotated[str, typer.Option(help="Where the console opens.")] = AWS_CONSOLE,
    endpoint_url: EndpointOption = DEFAULT_ENDPOINT,
    manager_role: ManagerOption = DEFAULT_MANAGER_ROLE,
    key: KeyOption = None,
    secret: SecretOption = None,
    token: TokenOption = None,
    db: DbOption = None,
    output_format: FormatOption = "text",
) -> None:
    """Start a session of an approved request and print a console sign-in URL for it (valid 15 minutes)."""
    from ..broker.web.presenting import iso

    try:
        check_format(output_format)
        with opened(db) as world:
            broker = _broker(world, _principal(endpoint_url, key, secret, token), manager_role)
            signin = broker.console_url(
                request_id, broker.person(person), endpoint=federation_url, issuer=issuer, destination=destination
            )
    except IamtwinError as err:
        raise fail(err) from err
    if output_format == "json":
        print_json({"url": signin.url, "sessionName": signin.session_name, "expiration": iso(signin.expiration)})
        return
    typer.echo(signin.url)

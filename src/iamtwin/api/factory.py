"""The server app as `iamtwin serve` runs it, and its factory for uvicorn's worker processes.

`serving_app` puts the decision API's direct ASGI path (`decision_asgi.py`) in front of `create_app`.
`app()` builds it from the environment for `iamtwin serve --workers N`: `IAMTWIN_DB` names the world
database; `IAMTWIN_AUTHORIZER`, if set, the authorizer configuration file of the decision API. Each
worker opens its own connections; changes one worker makes reach the others within
`World.refresh_seconds`.
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.types import ASGIApp

from ..world.stored import World
from .app import create_app
from .authorizer import Authorizer, AuthorizerConfig
from .decision_api import DecisionEndpoint
from .decision_asgi import FastDecisions


def serving_app(world: World, authorizer: Authorizer | None = None) -> ASGIApp:
    """The whole server over one world: `create_app`, with decisions answered ahead of its routing."""
    return FastDecisions(create_app(world, authorizer), DecisionEndpoint(world, authorizer))


def app() -> ASGIApp:
    """A server app over the world of `IAMTWIN_DB`."""
    world = World.open(os.environ.get("IAMTWIN_DB"))
    config_file = os.environ.get("IAMTWIN_AUTHORIZER")
    authorizer = Authorizer(world, AuthorizerConfig.read(Path(config_file))) if config_file else None
    return serving_app(world, authorizer)

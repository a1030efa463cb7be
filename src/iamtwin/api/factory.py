"""The server app built from the environment, for uvicorn's worker processes (`iamtwin serve --workers N`).

`IAMTWIN_DB` names the world database; `IAMTWIN_AUTHORIZER`, if set, the authorizer configuration
file of the decision API. Each worker opens its own connections; changes one worker makes reach the
others within `World.refresh_seconds`.
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.applications import Starlette

from ..world.stored import World
from .app import create_app
from .authorizer import Authorizer, AuthorizerConfig


def app() -> Starlette:
    """A server app over the world of `IAMTWIN_DB`."""
    world = World.open(os.environ.get("IAMTWIN_DB"))
    config_file = os.environ.get("IAMTWIN_AUTHORIZER")
    authorizer = Authorizer(world, AuthorizerConfig.read(Path(config_file))) if config_file else None
    return create_app(world, authorizer)

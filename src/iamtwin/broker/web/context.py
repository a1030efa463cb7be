"""What the routes share: the broker, the world it simulates, the provider, sessions, templates, background work."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import jinja2
from starlette.requests import Request

from ...clock import Clock
from ...world.stored import World
from ..service import Broker
from .background import BackgroundWork
from .config import WebConfig
from .oidc import OidcClient
from .sessions import SessionStore

TEMPLATES = Path(__file__).parent / "templates"


def template_environment() -> jinja2.Environment:
    """Jinja2 with autoescaping on for every template, so a justification can never become markup."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined
    )


@dataclass(frozen=True, slots=True)
class WebContext:
    """The web app's collaborators, built once by `broker_web_app`."""

    broker: Broker
    world: World
    oidc: OidcClient
    sessions: SessionStore
    config: WebConfig
    clock: Clock
    templates: jinja2.Environment
    background: BackgroundWork


def context_of(request: Request) -> WebContext:
    """The app's context, from a request."""
    found: WebContext = request.app.state.web
    return found

"""The broker's web application: pages, the REST API and sign-in, as one Starlette app.

    app = broker_web_app(broker, OidcConfig(issuer, client_id, secret), SystemClock(),
                         WebConfig("https://broker.example.com"))

Sessions are kept in this process (see `sessions`), so serve it with one worker. Its lifespan runs the
broker's periodic work (see `background`): serve it with the ASGI lifespan on, as uvicorn does by default.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from ...clock import Clock
from ...world.stored import World
from ..service import Broker
from . import auth, pages
from .api import api_routes
from .background import BackgroundWork
from .config import OidcConfig, WebConfig
from .context import TEMPLATES, WebContext, template_environment
from .oidc import OidcClient
from .security import SecurityHeaders
from .sessions import SessionStore


async def stylesheet(request: Request) -> Response:
    """The one stylesheet (styles come from this origin only, as the CSP says)."""
    return FileResponse(TEMPLATES / "style.css", media_type="text/css")


def broker_web_app(
    broker: Broker, oidc_config: OidcConfig, clock: Clock, web_config: WebConfig, *, world: World | None = None
) -> Starlette:
    """The web app over a broker; `world` (the broker's database by default) is what simulations read."""
    context = WebContext(
        broker=broker,
        world=world if world is not None else World(broker.engine, clock=clock),
        oidc=OidcClient(oidc_config, web_config.redirect_uri, clock),
        sessions=SessionStore(clock, web_config.session_seconds),
        config=web_config,
        clock=clock,
        templates=template_environment(),
        background=BackgroundWork(broker, web_config.sweep_seconds),
    )
    routes = [
        Route("/", pages.home, methods=["GET"]),
        Route("/style.css", stylesheet, methods=["GET"]),
        Route("/login", auth.login, methods=["GET"]),
        Route("/auth/callback", auth.callback, methods=["GET"]),
        Route("/logout", auth.logout, methods=["POST"]),
        Route("/requests/new", pages.new_request, methods=["GET"]),
        Route("/requests", pages.create_request, methods=["POST"]),
        Route("/requests/{request_id}", pages.request_detail, methods=["GET"]),
        Route("/requests/{request_id}/approve", pages.approve, methods=["POST"]),
        Route("/requests/{request_id}/reject", pages.reject, methods=["POST"]),
        Route("/requests/{request_id}/cancel", pages.cancel, methods=["POST"]),
        Route("/requests/{request_id}/revoke", pages.revoke, methods=["POST"]),
        Route("/requests/{request_id}/session", pages.start_session, methods=["POST"]),
        Route("/requests/{request_id}/console", pages.console, methods=["POST"]),
        Route("/requests/{request_id}/review", pages.review_break_glass, methods=["POST"]),
        Route("/review", pages.review, methods=["GET"]),
        Route("/audit", pages.audit, methods=["GET"]),
        Route("/audit/export", pages.export, methods=["GET"]),
        *api_routes(),
    ]

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        running = asyncio.create_task(context.background.run())
        try:
            yield
        finally:
            context.background.stop()
            await running

    middleware = [Middleware(SecurityHeaders, https=web_config.secure_cookies)]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.web = context
    return app

"""The server app as `iamtwin serve` runs it, and its factory for uvicorn's worker processes.

`serving_app` puts the decision API's direct ASGI path (`decision_asgi.py`) in front of `create_app`.
`app()` builds it from the environment for `iamtwin serve --workers N`: `IAMTWIN_DB` names the world
database; `IAMTWIN_AUTHORIZER`, if set, the authorizer configuration file of the decision API;
`IAMTWIN_AUDIT_WRITER` and its key, the audit writer of the supervising process, which writes the
trail for every worker (audit/writer.py). Each worker opens its own connections; changes one
worker makes reach the others within `World.refresh_seconds`.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
from pathlib import Path

from starlette.types import ASGIApp

from ..audit.decisions import EVERY_ALLOW, AllowSampling
from ..audit.recorder import AuditRecorder, Recorder
from ..audit.remote import RemoteRecorder
from ..audit.store import AuditStore
from ..audit.writer import WriterEndpoint
from ..world.stored import World
from .app import create_app
from .authorizer import Authorizer, AuthorizerConfig
from .decision_api import DecisionEndpoint
from .decision_asgi import FastDecisions


def serving_app(
    world: World,
    authorizer: Authorizer | None = None,
    allow_sampling: AllowSampling = EVERY_ALLOW,
    recorder: Recorder | None = None,
) -> ASGIApp:
    """The whole server over one world: `create_app`, with decisions answered ahead of its routing."""
    app = create_app(world, authorizer, recorder, allow_sampling)
    return FastDecisions(app, DecisionEndpoint(world, authorizer, app.state.audit, allow_sampling))


def settle_heap() -> None:
    """Keep the cyclic garbage collector off the request path of a long-running server process."""
    # Everything built by now (the world, the catalogue, the app) lives as long as the process: move
    # it out of the collector's sight, and collect young objects less often. Otherwise a server
    # creating an audit event per request runs full collections over all of it often enough to stall
    # its slowest requests by tens of milliseconds (benchmarks/bench_serve.py: p99 40-70 ms -> 6-8 ms).
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


def configure_logging() -> None:
    """Server logs on stderr; the access log as bare JSON lines, one per request, for log shippers to parse."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    access = logging.getLogger("iamtwin.access")
    if not access.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        access.addHandler(handler)
        access.propagate = False


def app() -> ASGIApp:
    """A server app over the world of `IAMTWIN_DB` (a worker process of `iamtwin serve --workers N`)."""
    configure_logging()  # worker processes do not inherit the parent's logging set-up
    world = World.open(os.environ.get("IAMTWIN_DB"))
    config_file = os.environ.get("IAMTWIN_AUTHORIZER")
    authorizer = Authorizer(world, AuthorizerConfig.read(Path(config_file))) if config_file else None
    sampling = AllowSampling(float(os.environ.get("IAMTWIN_AUDIT_ALLOW_SAMPLING", "1")))
    endpoint = WriterEndpoint.from_environment()
    in_process = AuditRecorder(AuditStore(world.engine))
    recorder: Recorder = in_process if endpoint is None else RemoteRecorder(endpoint, in_process)
    served = serving_app(world, authorizer, sampling, recorder)
    settle_heap()
    return served

"""A real `iamtwin` server on a free 127.0.0.1 port, and boto3 clients signed with credentials it issued."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
import uvicorn
from botocore.config import Config

from iamtwin.api.app import create_app
from iamtwin.api.bootstrap import bootstrap_credentials
from iamtwin.clock import SystemClock
from iamtwin.world.stored import World


@dataclass
class RunningServer:
    """The server's URL, its world, and the administrator's key."""

    url: str
    world: World
    admin_key: str
    admin_secret: str

    def client(self, service: str, key: str | None = None, secret: str | None = None, token: str | None = None) -> Any:
        """A boto3 client of `service` pointed at the server (the administrator's by default)."""
        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id=key or self.admin_key,
            aws_secret_access_key=secret or self.admin_secret,
            aws_session_token=token,
            config=Config(retries={"max_attempts": 1}),
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """Run an ASGI app under uvicorn in a thread on a free port; its base URL."""
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not instance.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        instance.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def server(world: World) -> Iterator[RunningServer]:
    """`create_app(world)` under uvicorn in a thread, on each database kind.

    boto3 signs with the machine's clock, so the server reads the same clock (AWS allows 15 minutes).
    """
    world.clock = SystemClock()
    key, secret, _ = bootstrap_credentials(world)
    with serving(create_app(world)) as url:
        yield RunningServer(url, world, key, secret)


ClientFactory = Callable[..., Any]

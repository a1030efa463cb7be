"""The decision API answered in front of Starlette, to keep the server's busiest path short.

`FastDecisions` wraps the ASGI app that `create_app` returns. A `POST` to `/v1/authorize` or
`/v1/authorize/batch` is answered by `DecisionEndpoint` straight from the ASGI scope and messages,
without building a Request, walking the routing table or the middleware stack; everything else goes
to the wrapped app. The answers are byte for byte those of the Starlette routes (both call
`DecisionEndpoint.answer`), so the wrapper changes the cost of a decision, not its result. Each
request it answers writes one access-log line, a JSON object, to the `iamtwin.access` logger.
"""

from __future__ import annotations

import json
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .access_log import log_access
from .decision_api import MAX_BODY, DecisionEndpoint

_PATHS = {"/v1/authorize": False, "/v1/authorize/batch": True}  # path -> batch form
_OPERATIONS = {False: "Authorize", True: "AuthorizeBatch"}
_JSON_HEADERS = [(b"content-type", b"application/json")]


async def _read_body(receive: Receive) -> bytes:
    """The request body, or its first MAX_BODY + 1 bytes when it is larger (then answered 413)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message: Message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        if chunk:
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_BODY:
                break
        if not message.get("more_body", False):
            break
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


class FastDecisions:
    """An ASGI app: the decision API's endpoints answered directly, the rest by the wrapped app."""

    def __init__(self, app: ASGIApp, endpoint: DecisionEndpoint) -> None:
        self.app = app
        self.endpoint = endpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer a decision request, or hand the request to the wrapped app."""
        batch = _PATHS.get(scope["path"]) if scope["type"] == "http" and scope["method"] == "POST" else None
        if batch is None:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        body = await _read_body(receive)
        # ASGI servers give header names in lower case; a repeated header keeps its last value.
        headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}
        query = scope.get("query_string", b"").decode("latin-1")
        client = scope.get("client")
        status, payload = self.endpoint.answer(
            "POST", scope["path"], query, headers, body, batch=batch, client=client[0] if client else "127.0.0.1"
        )
        error = json.loads(payload).get("code") if status >= 400 else None
        # Logged before the answer leaves, so a client that has its answer finds the line written.
        log_access(
            self.endpoint.world.clock.now(),
            str(uuid.uuid4()),
            client[0] if client else None,
            scope["method"],
            scope["path"],
            "iamtwin",
            status,
            started,
            operation=_OPERATIONS[batch],
            caller=None,
            errorCode=error,
        )
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [*_JSON_HEADERS, (b"content-length", str(len(payload)).encode("ascii"))],
            }
        )
        await send({"type": "http.response.body", "body": payload})

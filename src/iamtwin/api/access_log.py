"""The structured access log: one JSON object per request on the `iamtwin.access` logger.

Written by the AWS-protocol routes of `app.py` and by the direct decision path of `decision_asgi.py`
with the same fields: time, requestId, client, method, path, service, status, durationMs, and what
the caller adds (operation, caller, errorCode).
"""

from __future__ import annotations

import json
import logging
import time
from datetime import datetime
from typing import Any

log = logging.getLogger("iamtwin.access")


def log_access(
    now: datetime,
    request_id: str,
    client: str | None,
    method: str,
    path: str,
    service: str | None,
    status: int,
    started: float,
    **fields: Any,
) -> None:
    """Write one request's access-log line (nothing is built when the logger is off)."""
    if not log.isEnabledFor(logging.INFO):
        return
    record = {
        "time": now.isoformat(timespec="milliseconds"),
        "requestId": request_id,
        "client": client,
        "method": method,
        "path": path,
        "service": service,
        "status": status,
        "durationMs": round((time.perf_counter() - started) * 1000, 2),
        **fields,
    }
    log.info(json.dumps(record))

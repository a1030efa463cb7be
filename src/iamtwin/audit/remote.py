"""A worker's recorder when the server has an audit writer: events handed over, not written here.

The request path only appends to a buffer; a background thread sends the buffer to the writer
(writer.py) every `interval` seconds as one message. A change is sent with everything buffered
before it and waits for the writer's acknowledgement that it is written, so, as with the
in-process recorder, no change answers before its event is in the trail.

If the writer cannot be reached (not started, gone, or silent past `timeout`), the events are
written by the worker itself through `fallback`, an in-process recorder over the same store: the
trail may then hold an event twice (an acknowledgement lost after the write), never lose one.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections import deque
from multiprocessing.connection import Client, Connection

from .event import AuditEvent
from .periodic import Periodic
from .recorder import AuditRecorder
from .writer import BUFFERED, SYNC, WRITTEN, WriterEndpoint

log = logging.getLogger("iamtwin.audit")


class RemoteRecorder:
    """Hands a worker's events to the audit writer, writing them itself only when the writer is away."""

    def __init__(
        self,
        endpoint: WriterEndpoint,
        fallback: AuditRecorder,
        *,
        interval: float = 0.05,
        max_pending: int = 100_000,
        timeout: float = 10.0,
    ) -> None:
        self.endpoint = endpoint
        self.fallback = fallback
        self.interval = interval
        self.max_pending = max_pending
        self.timeout = timeout
        self._pending: deque[AuditEvent] = deque()
        self._lock = threading.Lock()  # guards _pending
        self._send_lock = threading.Lock()  # one message at a time, in record order
        self._conn: Connection | None = None
        self._handing_over = Periodic(self.flush, interval, "iamtwin-audit-handover")

    def record(self, event: AuditEvent, *, durable: bool = False) -> None:
        """Record an event; with `durable`, written (with everything pending) before this returns."""
        if not durable:
            with self._lock:
                self._pending.append(event)
                full = len(self._pending) >= self.max_pending
            if full:
                self.flush()
            return
        with self._send_lock:
            self._send(SYNC, [*self._take(), event])

    def flush(self) -> None:
        """Hand every pending event to the writer now."""
        with self._send_lock:
            batch = self._take()
            if batch:
                self._send(BUFFERED, batch)

    @property
    def pending(self) -> int:
        """How many events wait to be handed over."""
        with self._lock:
            return len(self._pending)

    def _take(self) -> list[AuditEvent]:
        with self._lock:
            batch = list(self._pending)
            self._pending.clear()
        return batch

    def _send(self, kind: str, batch: list[AuditEvent]) -> None:
        try:
            conn = self._connection()
            conn.send((kind, batch))
            if kind == SYNC:
                if not conn.poll(self.timeout):
                    raise TimeoutError(f"no acknowledgement from the audit writer in {self.timeout} s")
                answer = conn.recv()
                if not (isinstance(answer, tuple) and answer[:1] == (WRITTEN,)):
                    raise OSError(f"unexpected answer from the audit writer: {answer!r}")
        except Exception:  # the writer is away: write here rather than lose events
            log.warning("audit writer unreachable; writing %d events in this process", len(batch), exc_info=True)
            self._disconnect()
            self.fallback.record_all(batch, durable=kind == SYNC)

    def _connection(self) -> Connection:
        if self._conn is None:
            self._conn = Client(self.endpoint.address, family="AF_UNIX", authkey=self.endpoint.authkey)
        return self._conn

    def _disconnect(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(OSError):
                self._conn.close()
            self._conn = None

    def start(self) -> None:
        """Start handing over in the background (idempotent)."""
        self.fallback.start()
        self._handing_over.start()

    def stop(self) -> None:
        """Stop the background thread, have what is pending written (waiting for it), and disconnect."""
        self._handing_over.stop()
        with self._send_lock:
            batch = self._take()
            if batch or self._conn is not None:
                # Acknowledged once everything this worker handed over is written: a worker that
                # exits leaves nothing in flight.
                self._send(SYNC, batch)
            self._disconnect()
        self.fallback.stop()

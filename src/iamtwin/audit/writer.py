"""The audit writer of a server with several workers: one process writes the trail for all of them.

Serializing, hashing and inserting events inside a worker takes that worker's GIL away from the
requests it is serving: under load, the background writes of allowed decisions stretched the
slowest requests tenfold. So `iamtwin serve --workers N` runs an `AuditWriter` in its supervising
process, which otherwise only watches the workers: it listens on a Unix socket in a private
directory (connections must pass `multiprocessing.connection`'s challenge with a random key the
workers receive in their environment), and each worker's `RemoteRecorder` (remote.py) hands its
events over in batches. The writer records them on one `AuditRecorder`, so there is a single
appender of the chain and each worker's events keep their order (one connection, read in order).
A worker's change is acknowledged only once it is written, as the in-process recorder does.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Client, Connection, Listener
from pathlib import Path

from ..errors import IamtwinError
from .recorder import AuditRecorder

log = logging.getLogger("iamtwin.audit")

ADDRESS_VARIABLE = "IAMTWIN_AUDIT_WRITER"
KEY_VARIABLE = "IAMTWIN_AUDIT_WRITER_KEY"

# Messages on a connection: ("events", [AuditEvent, ...]) is buffered; ("sync", [...]) is written
# with everything pending before the writer answers ("written", count).
BUFFERED = "events"
SYNC = "sync"
WRITTEN = "written"


@dataclass(frozen=True, slots=True)
class WriterEndpoint:
    """Where a worker reaches the writer: the socket's path and the key of its challenge."""

    address: str
    authkey: bytes

    def environment(self) -> dict[str, str]:
        """The variables that pass the endpoint to worker processes."""
        return {ADDRESS_VARIABLE: self.address, KEY_VARIABLE: self.authkey.hex()}

    @classmethod
    def from_environment(cls, environ: dict[str, str] | None = None) -> WriterEndpoint | None:
        """The endpoint the supervising process passed down, if any."""
        env = os.environ if environ is None else environ
        address, key = env.get(ADDRESS_VARIABLE), env.get(KEY_VARIABLE)
        if not address or not key:
            return None
        try:
            return cls(address, bytes.fromhex(key))
        except ValueError as err:
            raise IamtwinError(f"`{KEY_VARIABLE}` is not a hexadecimal key", code="INVALID_AUDIT_WRITER_KEY") from err


class AuditWriter:
    """Receives workers' events on a Unix socket and writes them to the trail through one recorder."""

    def __init__(self, recorder: AuditRecorder, directory: Path, listener: Listener, authkey: bytes) -> None:
        self.recorder = recorder
        self._directory = directory
        self._listener = listener
        self.endpoint = WriterEndpoint(str(listener.address), authkey)
        self._connections: list[Connection] = []
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._closing = False
        self._accepting = threading.Thread(target=self._accept, name="iamtwin-audit-accept", daemon=True)

    @classmethod
    def start(cls, recorder: AuditRecorder) -> AuditWriter:
        """Listen on a new socket in a private directory; `recorder` writes what arrives (at its interval)."""
        directory = Path(tempfile.mkdtemp(prefix="iamtwin-audit-"))  # mode 0700: only this user connects
        authkey = secrets.token_bytes(32)
        listener = Listener(str(directory / "writer.sock"), family="AF_UNIX", authkey=authkey)
        writer = cls(recorder, directory, listener, authkey)
        recorder.start()
        writer._accepting.start()
        return writer

    def _accept(self) -> None:
        while True:
            try:
                conn = self._listener.accept()
            except Exception:  # a peer that failed the challenge or hung up during it
                if self._closing:
                    return
                log.warning("refused a connection to the audit writer", exc_info=True)
                continue
            with self._lock:
                if self._closing:
                    conn.close()
                    return
                self._connections.append(conn)
                thread = threading.Thread(target=self._serve, args=(conn,), name="iamtwin-audit-conn", daemon=True)
                self._threads.append(thread)
            thread.start()

    def _serve(self, conn: Connection) -> None:
        try:
            while True:
                kind, events = conn.recv()
                if kind == SYNC:
                    self.recorder.record_all(events, durable=True)
                    conn.send((WRITTEN, len(events)))
                else:
                    self.recorder.record_all(events)
        except (EOFError, OSError):  # the worker went away (or stop() closed the connection)
            pass
        except Exception:
            log.exception("audit writer: unreadable message; closing that worker's connection")
        finally:
            with self._lock:
                if conn in self._connections:
                    self._connections.remove(conn)
            conn.close()

    def stop(self, *, grace: float = 5.0) -> None:
        """Stop listening, write everything received, and remove the socket.

        Workers that are still connected get `grace` seconds to hand over their last events (their
        connections end when they exit), then are cut off.
        """
        with self._lock:
            self._closing = True
            threads = list(self._threads)
        # accept() is not interrupted by closing its socket from another thread: wake it with a
        # connection of our own, which it closes now that we are closing.
        with contextlib.suppress(OSError, EOFError):
            Client(self.endpoint.address, family="AF_UNIX", authkey=self.endpoint.authkey).close()
        self._accepting.join(timeout=grace)
        self._listener.close()
        deadline = time.monotonic() + grace
        for thread in threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            conn.close()
        self.recorder.stop()
        shutil.rmtree(self._directory, ignore_errors=True)


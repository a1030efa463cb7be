"""A daemon thread that calls one function every `interval` seconds until stopped: the recorders' flushing."""

from __future__ import annotations

import threading
from collections.abc import Callable


class Periodic:
    """Calls `work` every `interval` seconds in a daemon thread, between `start()` and `stop()`."""

    def __init__(self, work: Callable[[], None], interval: float, name: str) -> None:
        self.work = work
        self.interval = interval
        self.name = name
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start calling (idempotent)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.work()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop calling, waiting up to `timeout` seconds for a call in progress to end."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=timeout)
            self._thread = None

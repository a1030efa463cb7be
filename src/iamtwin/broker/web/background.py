"""The broker's periodic work inside the web process: sweeps on a timer, notifications right after each action.

Every `interval` seconds (of the event loop's monotonic time; 0 turns the timer off) a round runs
`Broker.sweep` — expiries of requests nobody reviewed, ends of windows, deny policies no longer
needed, all decided on the broker's own clock — then `Broker.deliver_notifications`. A web action
that changed something calls `nudge`, which wakes the loop to deliver what is due at once, so the
person acting never waits for a mail server or a webhook. Each part runs in a worker thread; a
failure is logged on `iamtwin.broker` and the loop goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

from starlette.concurrency import run_in_threadpool

log = logging.getLogger("iamtwin.broker")


class PeriodicBroker(Protocol):
    """What the loop needs of a broker (`Broker` is one)."""

    def sweep(self) -> object:
        """Settle what time alone changed."""

    def deliver_notifications(self, limit: int = 100) -> object:
        """Send the outbox's due notifications."""


class BackgroundWork:
    """The loop run by the web app's lifespan, and the counters tests wait on."""

    def __init__(self, broker: PeriodicBroker, interval: float) -> None:
        if interval < 0:
            raise ValueError("the sweep interval cannot be negative")
        self.broker = broker
        self.interval = interval
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._stopping = False
        self._rounds = 0
        self._finished = threading.Condition()

    @property
    def rounds(self) -> int:
        """How many rounds (a sweep and a delivery, or a delivery alone) have finished."""
        with self._finished:
            return self._rounds

    async def run(self) -> None:
        """Loop until `stop`: a sweep when the interval is up (the first at once), deliveries when nudged."""
        loop = asyncio.get_running_loop()
        self._loop, self._wake = loop, asyncio.Event()
        next_sweep = loop.time() if self.interval > 0 else None
        while not self._stopping:
            timeout = None if next_sweep is None else max(0.0, next_sweep - loop.time())
            with contextlib.suppress(TimeoutError):  # the interval is up
                await asyncio.wait_for(self._wake.wait(), timeout)
            self._wake.clear()
            if self._stopping:
                break
            if next_sweep is not None and loop.time() >= next_sweep:
                await self._attempt("the periodic sweep", self.broker.sweep)
                next_sweep = loop.time() + self.interval
            await self._attempt("the delivery of notifications", self.broker.deliver_notifications)
            with self._finished:
                self._rounds += 1
                self._finished.notify_all()

    async def _attempt(self, what: str, work: Callable[[], object]) -> None:
        try:
            await run_in_threadpool(work)
        except Exception:  # the next round tries again; one failure never ends the loop
            log.exception("%s failed", what)

    def nudge(self) -> None:
        """Deliver due notifications now (from any thread); a no-op before the loop runs or after it stopped."""
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None and not loop.is_closed():
            loop.call_soon_threadsafe(wake.set)

    def stop(self) -> None:
        """End the loop once the round in progress (if any) is finished."""
        self._stopping = True
        self.nudge()

    def wait_until(self, condition: Callable[[], bool], timeout: float) -> bool:
        """Whether `condition` holds, checked now and after each finished round, within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            seen = self.rounds
            if condition():
                return True
            with self._finished:
                while self._rounds == seen:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        return False
                    self._finished.wait(remaining)

"""The per-process recorder: reads buffered, changes durable, a background writer, flushed at shutdown."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime

from iamtwin.api.app import create_app
from iamtwin.audit.chain import verify
from iamtwin.audit.event import AuditEvent
from iamtwin.audit.recorder import AuditRecorder
from iamtwin.audit.store import AuditStore
from iamtwin.world.stored import World

from .events import call

T = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_reads_wait_and_a_change_writes_them_first_in_order(world: World) -> None:
    """A durable write carries the pending reads before it, so the chain keeps the order of recording."""
    store = AuditStore(world.engine)
    recorder = AuditRecorder(store)
    first, second, change = call(T, "GetUser"), call(T, "ListRoles"), call(T, "CreateUser")
    recorder.record(first)
    recorder.record(second)
    assert store.count() == 0 and recorder.pending == 2
    recorder.record(change, durable=True)
    assert [e.event_id for e in store.events()] == [first.event_id, second.event_id, change.event_id]
    assert recorder.pending == 0


def test_a_full_buffer_is_written_on_the_request_path(world: World) -> None:
    """The buffer is bounded: reaching max_pending writes it."""
    store = AuditStore(world.engine)
    recorder = AuditRecorder(store, max_pending=3)
    for _ in range(3):
        recorder.record(call(T))
    assert store.count() == 3


def test_the_background_writer_flushes_without_being_asked(world: World) -> None:
    """Started, the writer thread writes buffered events on its own within its interval."""
    store = AuditStore(world.engine)
    written = threading.Event()

    class Watched(AuditStore):
        def append(self, events: list[AuditEvent]) -> int:  # type: ignore[override]
            seq = store.append(events)
            written.set()
            return seq

    recorder = AuditRecorder(Watched(world.engine), interval=0.01)
    recorder.start()
    try:
        recorder.record(call(T))
        assert written.wait(timeout=10)  # waits for the event, not for a guessed time
    finally:
        recorder.stop()
    assert store.count() == 1


def test_a_failed_write_keeps_the_events_for_the_next_attempt(world: World) -> None:
    """The database going away loses nothing that fits in the buffer."""
    store = AuditStore(world.engine)

    class Failing(AuditStore):
        fail = True

        def append(self, events: list[AuditEvent]) -> int:  # type: ignore[override]
            if self.fail:
                raise OSError("database is away")
            return store.append(events)

    failing = Failing(world.engine)
    recorder = AuditRecorder(failing)
    recorder.record(call(T), durable=True)
    assert recorder.pending == 1 and store.count() == 0
    failing.fail = False
    recorder.flush()
    assert store.count() == 1 and verify(store).ok


def test_the_apps_lifespan_writes_what_is_buffered_at_shutdown(world: World) -> None:
    """Starlette's lifespan starts the writer and, on shutdown, writes the rest."""
    app = create_app(world)
    recorder: AuditRecorder = app.state.audit
    recorder.interval = 3600  # the thread would not write during this test: only shutdown does

    async def serve_once() -> None:
        async with app.router.lifespan_context(app):
            recorder.record(call(T))
            assert AuditStore(world.engine).count() == 0

    asyncio.run(serve_once())
    assert AuditStore(world.engine).count() == 1

"""The audit writer of a multi-worker server and the workers' recorders that hand events to it.

Real Unix sockets and the real store (SQLite and PostgreSQL); the writer runs in this process, as
it does in `iamtwin serve`'s supervising process, and the recorders stand for the workers.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from iamtwin.audit.chain import verify
from iamtwin.audit.event import AuditEvent
from iamtwin.audit.recorder import AuditRecorder
from iamtwin.audit.remote import RemoteRecorder
from iamtwin.audit.store import AuditStore
from iamtwin.audit.writer import AuditWriter, WriterEndpoint
from iamtwin.errors import IamtwinError
from iamtwin.world.stored import World

from .events import call

T = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture
def writer(world: World) -> AuditWriter:
    running = AuditWriter.start(AuditRecorder(AuditStore(world.engine), interval=3600))
    yield running  # type: ignore[misc]
    running.stop(grace=1)


def _worker(writer: AuditWriter, world: World) -> RemoteRecorder:
    return RemoteRecorder(writer.endpoint, AuditRecorder(AuditStore(world.engine)), interval=3600)


def _ids(world: World) -> list[str]:
    return [e.event_id for e in AuditStore(world.engine).events()]


def test_a_change_is_written_with_everything_before_it_when_record_returns(writer: AuditWriter, world: World) -> None:
    """A durable event is acknowledged only once written, with the worker's buffered events first."""
    worker = _worker(writer, world)
    reads = [call(T, "GetUser"), call(T, "ListRoles")]
    for event in reads:
        worker.record(event)
    assert AuditStore(world.engine).count() == 0  # buffered in the worker
    change = call(T, "CreateUser")
    worker.record(change, durable=True)
    assert _ids(world) == [reads[0].event_id, reads[1].event_id, change.event_id]
    worker.stop()


def test_buffered_events_of_several_workers_keep_each_workers_order(writer: AuditWriter, world: World) -> None:
    """Two workers hand over concurrently; the chain is linear and each worker's events stay in order."""
    workers = [_worker(writer, world), _worker(writer, world)]
    recorded: list[list[AuditEvent]] = [[], []]

    def run(index: int) -> None:
        for n in range(200):
            event = call(T, "GetUser")
            recorded[index].append(event)
            workers[index].record(event)
            if n % 50 == 49:
                workers[index].flush()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for worker in workers:
        worker.stop()  # has what is left written before it returns
    ids = _ids(world)
    assert len(ids) == 400
    for events in recorded:
        mine = [event.event_id for event in events]
        assert [i for i in ids if i in set(mine)] == mine
    assert verify(AuditStore(world.engine)).ok


def test_without_a_writer_the_worker_writes_itself_and_loses_nothing(world: World, tmp_path: Path) -> None:
    """An unreachable writer (no socket) falls back to writing in the worker, buffered and durable."""
    worker = RemoteRecorder(
        WriterEndpoint(str(tmp_path / "absent.sock"), b"k" * 32), AuditRecorder(AuditStore(world.engine)), interval=3600
    )
    read, change = call(T, "GetUser"), call(T, "CreateUser")
    worker.record(read)
    worker.record(change, durable=True)
    assert _ids(world) == [read.event_id, change.event_id]
    worker.stop()


def test_a_worker_with_the_wrong_key_is_refused_and_writes_itself(writer: AuditWriter, world: World) -> None:
    """The socket's challenge refuses a peer without the key; that peer's events still reach the trail."""
    intruder = RemoteRecorder(
        WriterEndpoint(writer.endpoint.address, b"x" * 32), AuditRecorder(AuditStore(world.engine)), interval=3600
    )
    change = call(T, "CreateUser")
    intruder.record(change, durable=True)
    assert _ids(world) == [change.event_id]
    # The writer still serves the real workers afterwards.
    worker = _worker(writer, world)
    other = call(T, "DeleteUser")
    worker.record(other, durable=True)
    assert _ids(world) == [change.event_id, other.event_id]
    worker.stop()
    intruder.stop()


def test_stopping_the_writer_writes_what_it_received(world: World) -> None:
    """Events handed over but not yet written are written when the writer stops."""
    running = AuditWriter.start(AuditRecorder(AuditStore(world.engine), interval=3600))
    worker = _worker(running, world)
    events = [call(T, "GetUser") for _ in range(5)]
    for event in events:
        worker.record(event)
    worker.stop()  # has its events written, closes its connection
    running.stop(grace=5)
    assert _ids(world) == [e.event_id for e in events]
    assert not Path(running.endpoint.address).exists()


def test_the_endpoint_travels_in_the_environment() -> None:
    """Workers find the writer through two variables; a malformed key is a clear error."""
    endpoint = WriterEndpoint("/tmp/x.sock", bytes(range(32)))
    assert WriterEndpoint.from_environment(endpoint.environment()) == endpoint
    assert WriterEndpoint.from_environment({}) is None
    with pytest.raises(IamtwinError) as err:
        WriterEndpoint.from_environment({"IAMTWIN_AUDIT_WRITER": "/tmp/x.sock", "IAMTWIN_AUDIT_WRITER_KEY": "zz"})
    assert err.value.code == "INVALID_AUDIT_WRITER_KEY"

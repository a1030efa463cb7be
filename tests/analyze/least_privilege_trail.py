"""The world and trail of the least-privilege tests: session_trail.yaml's calls and least_privilege_world.yaml's."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import yaml
from tests.audit.conftest import SESSION_TRAIL

from iamtwin.audit.records import event_from_record
from iamtwin.audit.store import AuditStore
from iamtwin.clock import FixedClock
from iamtwin.world.stored import World
from iamtwin.world.worldfile import load_world

WORLD_FILE = Path(__file__).with_name("least_privilege_world.yaml")
ACCOUNT = "111122223333"
# Created the day before the tests' clock (2026-11-23T12:00Z): inside any usage window.
FRESH_ROLE_CREATED = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
TRUST_EC2 = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def store_world_and_trail(world: World) -> AuditStore:
    """Import the world, create the role `Fresh` a day ago, and append both trails in time order."""
    data = yaml.safe_load(WORLD_FILE.read_text())
    world.import_model(load_world(data["world"]).world)
    now = world.clock.now()
    world.clock = FixedClock(FRESH_ROLE_CREATED)
    with world.changes() as iam:
        iam.create_role(ACCOUNT, "Fresh", TRUST_EC2)
    world.clock = FixedClock(now)
    records = yaml.safe_load(SESSION_TRAIL.read_text())["events"] + data["events"]
    records.sort(key=lambda r: r["eventTime"])  # sorted() is stable: same-second records keep their order
    store = AuditStore(world.engine)
    store.append([event_from_record(r) for r in records])
    return store

"""A world imported into the store decides every request as the world file does, on both databases."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest
from tests.conftest import example_path
from tests.world.test_examples import CASES, EXAMPLES, Case

from iamtwin.simulate import simulate
from iamtwin.simulate.output import decision_to_json
from iamtwin.world.iam_errors import IamError
from iamtwin.world.model import Group, InstanceProfile, ManagedPolicy, Placement, Role, User
from iamtwin.world.stored import World
from iamtwin.world.worldfile import load_world

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


_GENERATED_IDS = {
    ManagedPolicy: "policy_id",
    User: "user_id",
    Group: "group_id",
    Role: "role_id",
    InstanceProfile: "instance_profile_id",
}


def _without_ids(value: Any) -> Any:
    """A model value with the unique ids the store generates cleared, to compare imports with exports."""
    if isinstance(value, Placement):  # the nodes above an account, by id: children are not its concern
        return (tuple(node.id for node in value.nodes), _without_ids(value.account))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _without_ids(getattr(value, f.name)) for f in dataclasses.fields(value)}
        generated = _GENERATED_IDS.get(type(value))
        if generated is not None:
            changes[generated] = None
        return dataclasses.replace(value, **changes)
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(_without_ids(v) for v in value)
    return value


@pytest.mark.parametrize("example", EXAMPLES)
def test_export_gives_back_what_was_imported(world: World, example: str) -> None:
    """Importing a world file and exporting it again gives the same model, ids aside."""
    model = load_world(example_path(example)).world
    world.import_model(model)
    assert _without_ids(world.export_model()) == _without_ids(model)


def _stored_cases() -> list[Case]:
    return [c for c in CASES if c.session_tags is None]


@pytest.mark.parametrize("case", _stored_cases(), ids=lambda c: f"{c.world}:{c.name}")
def test_stored_world_decides_like_the_world_file(world: World, case: Case) -> None:
    """Decisions over the stored world equal the world file's, reasons included."""
    model = load_world(example_path(case.world))
    world.import_model(model.world)
    stored = world
    expected = simulate(model.simulation_input(case.principal, case.action, case.resource, case.context), now=NOW)
    got = stored.authorize(case.principal, case.action, case.resource, case.context, now=NOW)
    assert got.outcome.value == case.expect
    assert decision_to_json(got) == decision_to_json(expected)


def test_importing_an_account_twice_writes_nothing(world: World) -> None:
    """A second import of the same account is refused whole: EntityAlreadyExists, nothing written."""
    model = load_world(example_path("scenario08-delegated-admin.yaml")).world
    world.import_model(model)
    before = world.export_model()
    with pytest.raises(IamError) as caught:
        world.import_model(model)
    assert caught.value.code == "EntityAlreadyExists"
    assert world.export_model() == before


def test_replace_swaps_the_whole_world(world: World) -> None:
    """`replace=True` removes what was there before adding the new world."""
    world.import_model(load_world(example_path("scenario08-delegated-admin.yaml")).world)
    world.import_model(load_world(example_path("scenario04-tenant-isolation.yaml")).world, replace=True)
    assert sorted(world.export_model().accounts) == ["111122223333"]

"""`runs_as` on a resource: the role (or, for an EC2 instance, the instance profile) whose credentials it holds.

A Lambda function runs as its execution role, an EC2 instance as its instance profile's role; a role is
passed only within its account:
https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2_instance-profiles.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
"""

from __future__ import annotations

import pytest

from iamtwin.world.errors import WorldErrorCode, WorldFileError
from iamtwin.world.formats.worldfile_writer import dump_world, dump_world_yaml
from iamtwin.world.iam_errors import IamError
from iamtwin.world.model import Resource
from iamtwin.world.stored import World
from iamtwin.world.worldfile import load_world, load_world_text

A = "111122223333"
FUNCTION = f"arn:aws:lambda:us-east-1:{A}:function:nightly"
INSTANCE = f"arn:aws:ec2:us-east-1:{A}:instance/i-0abc"
ROLE = f"arn:aws:iam::{A}:role/service/fn"
PROFILE = f"arn:aws:iam::{A}:instance-profile/box-profile"


def _world(resources: str) -> str:
    return f"""
accounts:
  - id: "{A}"
    roles:
      - {{name: fn, path: /service/}}
      - {{name: box}}
    instance_profiles: [{{name: box-profile, roles: [box]}}]
    resources:
{resources}"""


WORLD = _world(
    f"""      - {{arn: "{FUNCTION}", runs_as: "{ROLE}"}}
      - {{arn: "{INSTANCE}", runs_as: "{PROFILE}", tags: {{team: ops}}}}
      - {{arn: "arn:aws:s3:::reports"}}
"""
)


def test_a_world_file_names_the_identity_a_resource_runs_as() -> None:
    """A function runs as a role ARN (with its path), an instance as a profile ARN; other resources as nothing."""
    resources = load_world_text(WORLD).world.accounts[A].resources
    assert [(r.arn, r.runs_as) for r in resources] == [
        (FUNCTION, ROLE),
        (INSTANCE, PROFILE),
        ("arn:aws:s3:::reports", None),
    ]


def test_runs_as_round_trips_through_the_world_file_writer() -> None:
    """World → world file (mapping and YAML) → World keeps `runs_as`; absent, the key is left out."""
    world = load_world_text(WORLD).world
    dumped = dump_world(world)
    assert [r.get("runs_as") for r in dumped["accounts"][0]["resources"]] == [ROLE, PROFILE, None]
    assert load_world(dumped).world == world
    assert load_world_text(dump_world_yaml(world)).world == world


def test_runs_as_round_trips_through_the_store(world: World) -> None:
    """Import then export keeps every resource's `runs_as`, on SQLite and PostgreSQL."""
    model = load_world_text(WORLD).world
    world.import_model(model)
    assert world.export_model().accounts[A].resources == model.accounts[A].resources


def test_put_resource_stores_runs_as_and_replaces_it(world: World) -> None:
    """IAM-style writes set `runs_as` (like a function's role, it may outlive the role); a put without it clears it."""
    with world.changes() as iam:
        iam.create_account(A)
        iam.put_resource(FUNCTION, runs_as=ROLE)
    assert world.export_model().accounts[A].resources == (Resource(FUNCTION, A, {}, None, ROLE),)
    with world.changes() as iam:
        iam.put_resource(FUNCTION)
    assert world.export_model().accounts[A].resources[0].runs_as is None


@pytest.mark.parametrize(
    ("resource", "runs_as"),
    [
        (FUNCTION, "fn"),  # a name, not an ARN
        (FUNCTION, PROFILE),  # a function runs as a role
        (INSTANCE, f"arn:aws:iam::{A}:role/box"),  # an instance runs as an instance profile
        (FUNCTION, "arn:aws:iam::444455556666:role/fn"),  # another account's role
        (FUNCTION, f"arn:aws:iam::{A}:role/*"),  # a pattern
    ],
    ids=["name", "profile-for-function", "role-for-instance", "other-account", "wildcard"],
)
def test_put_resource_refuses_a_bad_runs_as(world: World, resource: str, runs_as: str) -> None:
    """The store refuses what the world file refuses, as a ValidationError with reason INVALID_RUNS_AS."""
    with world.changes() as iam:
        iam.create_account(A)
    with pytest.raises(IamError) as caught, world.changes() as iam:
        iam.put_resource(resource, runs_as=runs_as)
    assert (caught.value.code, caught.value.reason) == ("ValidationError", "INVALID_RUNS_AS")
    assert world.export_model().accounts[A].resources == ()


ERRORS = [
    (WorldErrorCode.INVALID_VALUE, f'      - {{arn: "{FUNCTION}", runs_as: fn}}\n'),
    (WorldErrorCode.INVALID_VALUE, f'      - {{arn: "{FUNCTION}", runs_as: "{PROFILE}"}}\n'),
    (WorldErrorCode.INVALID_VALUE, f'      - {{arn: "{INSTANCE}", runs_as: "arn:aws:iam::{A}:role/box"}}\n'),
    (WorldErrorCode.INVALID_VALUE, f'      - {{arn: "{FUNCTION}", runs_as: "arn:aws:iam::444455556666:role/fn"}}\n'),
    (WorldErrorCode.UNKNOWN_ROLE, f'      - {{arn: "{FUNCTION}", runs_as: "arn:aws:iam::{A}:role/fn"}}\n'),
    (WorldErrorCode.UNKNOWN_INSTANCE_PROFILE, f'      - {{arn: "{INSTANCE}", runs_as: "{PROFILE}x"}}\n'),
    (WorldErrorCode.WRONG_TYPE, f'      - {{arn: "{FUNCTION}", runs_as: [fn]}}\n'),
]


@pytest.mark.parametrize(
    ("code", "resource"),
    ERRORS,
    ids=["name", "profile-for-function", "role-for-instance", "other-account", "role-path", "unknown-profile", "list"],
)
def test_a_bad_runs_as_is_a_coded_error_at_its_path(code: WorldErrorCode, resource: str) -> None:
    """Not an ARN, the wrong kind, another account, or an identity the account lacks: a coded error at `runs_as`."""
    with pytest.raises(WorldFileError) as caught:
        load_world_text(_world(resource))
    assert caught.value.code == code.value
    assert caught.value.location is not None
    assert caught.value.location.path == "accounts[0].resources[0].runs_as"

"""Long-term access keys of users, and the database the store keeps (WAL, migrations, no drift).

https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html: a user has at most
two access keys (`AKIA…`); an inactive key cannot be used.
"""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from iamtwin.sts.service import Sts
from iamtwin.world.errors import WorldFileError
from iamtwin.world.iam_errors import IamError
from iamtwin.world.store.database import current_revision, head_revision
from iamtwin.world.store.schema import metadata
from iamtwin.world.stored import World

ACCOUNT = "123456789012"


def test_a_users_access_key_acts_as_the_user_until_deactivated(world: World) -> None:
    """CreateAccessKey gives an AKIA key; requests signed with it are the user's; a third key is refused."""
    with world.changes() as iam:
        iam.create_account(ACCOUNT)
        iam.create_user(ACCOUNT, "bob")
        iam.put_inline_policy(
            "user",
            ACCOUNT,
            "bob",
            "list",
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}],
            },
        )
        key, secret = iam.create_access_key(ACCOUNT, "bob", created_at=world.clock.now())
        iam.create_access_key(ACCOUNT, "bob", created_at=world.clock.now())
    assert key.startswith("AKIA") and len(key) == 20 and len(secret) == 40
    assert world.authorize(key, "s3:ListAllMyBuckets").allowed
    assert Sts(world).get_caller_identity(key).arn == f"arn:aws:iam::{ACCOUNT}:user/bob"
    with pytest.raises(IamError) as caught, world.changes() as iam:
        iam.create_access_key(ACCOUNT, "bob", created_at=world.clock.now())
    assert caught.value.reason == "ACCESS_KEYS_PER_USER"
    with world.changes() as iam:
        iam.set_access_key_status(key, "Inactive")
    with pytest.raises(WorldFileError) as refused:
        world.authorize(key, "s3:ListAllMyBuckets")
    assert refused.value.code == "UNKNOWN_PRINCIPAL"


def test_the_database_is_at_the_latest_migration_and_matches_the_tables(world: World) -> None:
    """Opening migrates to head; the migrations create exactly the tables the code declares."""
    assert current_revision(world.engine) == head_revision()
    with world.engine.connect() as conn:
        drift = compare_metadata(MigrationContext.configure(conn), metadata)
    assert drift == []


def test_sqlite_runs_in_wal_mode(db_url: str) -> None:
    """A SQLite world uses write-ahead logging, so readers do not wait for a writer."""
    if not db_url.startswith("sqlite"):
        pytest.skip("a SQLite setting")
    world = World.open(db_url)
    try:
        with world.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
    finally:
        world.close()

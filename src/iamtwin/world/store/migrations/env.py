"""Alembic environment: migrations run on the connection iamtwin hands over, never from a config file."""

from __future__ import annotations

from alembic import context

from iamtwin.world.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("iamtwin runs its migrations through iamtwin.world.store.database.upgrade()")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()

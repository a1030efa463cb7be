"""Credentials to start with: an administrator of the management account and its access key."""

from __future__ import annotations

from sqlalchemy import select

from ..world.store import schema as t
from ..world.stored import World

DEFAULT_ACCOUNT = "123456789012"
ADMIN = "iamtwin-admin"
_ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"


def bootstrap_credentials(world: World) -> tuple[str, str, str]:
    """(access key id, secret, user ARN) of the administrator, created (with its account) if needed.

    The account is the organization's management account, else the first account, else
    123456789012. Each call issues a new key; a user holds at most two, so older ones are retired.
    """
    with world.engine.connect() as conn:
        org = conn.execute(select(t.organizations.c.management_account)).first()
        first = conn.execute(select(t.accounts.c.id).order_by(t.accounts.c.id)).first()
    account = org.management_account if org else first.id if first else DEFAULT_ACCOUNT
    user_arn = f"arn:aws:iam::{account}:user/{ADMIN}"
    with world.changes() as iam:
        if first is None and org is None:
            iam.create_account(account, "iamtwin")
        exists = iam.conn.execute(select(t.users.c.arn).where(t.users.c.arn == user_arn)).first()
        if exists is None:
            iam.create_user(account, ADMIN)
            iam.attach_policy("user", account, ADMIN, _ADMINISTRATOR_ACCESS)
        keys = list(
            iam.conn.execute(
                select(t.access_keys.c.access_key_id)
                .where(t.access_keys.c.owner_arn == user_arn)
                .where(t.access_keys.c.session_id.is_(None))
                .order_by(t.access_keys.c.created_at)
            )
        )
        for row in keys[: max(0, len(keys) - 1)]:
            iam.conn.execute(t.access_keys.delete().where(t.access_keys.c.access_key_id == row.access_key_id))
        key, secret = iam.create_access_key(account, ADMIN, created_at=world.clock.now())
    return key, secret, user_arn

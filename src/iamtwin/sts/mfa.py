"""Virtual MFA devices: registering a TOTP seed for a user and checking a code at sign-in or AssumeRole."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ..evaluate.principal import PrincipalKind, parse_principal
from ..world.store.schema import mfa_devices
from ..world.stored import Caller, World
from .denied import refused
from .totp import verify_totp


def enable_virtual_mfa(world: World, user_arn: str, serial_number: str, seed_base32: str) -> None:
    """Register a virtual MFA device (its TOTP seed) for a user."""
    with world.engine.begin() as conn:
        conn.execute(
            mfa_devices.insert().values(
                serial_number=serial_number, user_arn=user_arn, seed_base32=seed_base32, enabled_at=world.clock.now()
            )
        )


def _owner_user(caller: Caller) -> str | None:
    # A session minted by GetSessionToken acts as its user; a role session has no MFA device.
    if caller.session is not None and caller.session.kind == "session-token":
        return caller.session.base_arn
    principal = parse_principal(caller.arn)
    return caller.arn if principal.kind is PrincipalKind.USER else None


def verify_mfa(world: World, caller: Caller, serial_number: str, token_code: str, now: datetime) -> None:
    """Refuse unless the device belongs to the calling user and the code is current."""
    user = _owner_user(caller)
    with world.engine.connect() as conn:
        row = conn.execute(select(mfa_devices).where(mfa_devices.c.serial_number == serial_number)).first()
    if row is None or user is None or row.user_arn != user or not verify_totp(row.seed_base32, token_code, now):
        raise refused("MultiFactorAuthentication failed with invalid MFA one time pass code.", "MFA_FAILED")

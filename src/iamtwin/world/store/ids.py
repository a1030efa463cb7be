"""Unique ids for entities that arrive without one (world files), derived from their ARN.

AWS assigns random ids; a world read from a file gets ids that are the same on every import, so
`aws:userid` and `AssumedRoleId` stay stable between runs. The form is AWS's: a four-letter prefix
for the entity kind and 17 characters of upper-case letters and digits.
"""

from __future__ import annotations

import hashlib

from ..ids import ID_ALPHABET, UNIQUE_ID_LENGTH, IdKind

PREFIXES = {
    "user": IdKind.USER.prefix,
    "group": IdKind.GROUP.prefix,
    "role": IdKind.ROLE.prefix,
    "policy": IdKind.MANAGED_POLICY.prefix,
    "instance-profile": IdKind.INSTANCE_PROFILE.prefix,
}


def derived_unique_id(kind: str, arn: str) -> str:
    """A stable AWS-style unique id for the entity of this kind and ARN."""
    digest = hashlib.sha256(arn.encode()).digest()
    return PREFIXES[kind] + "".join(ID_ALPHABET[b % 32] for b in digest[: UNIQUE_ID_LENGTH - 4])

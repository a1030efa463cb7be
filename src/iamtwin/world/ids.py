"""AWS's identifier formats: unique IDs of IAM entities, access key IDs, secrets and session tokens.

A unique ID is a four-letter prefix naming the kind of entity (`AIDA` user, `AROA` role, …, from
"Unique identifiers" in the IAM identifiers reference) followed by 17 characters of upper-case
letters and the digits 2–7 (the base32 alphabet AWS's IDs are drawn from), 21 in all. An access
key ID is `AKIA` (long-term) or `ASIA` (temporary) and 16 more such characters, 20 in all. A
secret access key is 40 characters of the base64 alphabet; a session token is base64 text.

Values come from `secrets` unless a `random.Random` is passed, which only tests and generators of
reproducible worlds should do: a seeded generator makes credentials anyone can recompute.
"""

from __future__ import annotations

import base64
import random
import re
import secrets
from enum import StrEnum

ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_ACCESS_KEY_ID = re.compile(r"A[KS]IA[A-Z0-9]{16}")
# Older IDs may carry other digits; recognising them costs nothing.
_ID_BODY = re.compile(r"[A-Z0-9]{16,124}")

UNIQUE_ID_LENGTH = 21
ACCESS_KEY_ID_LENGTH = 20
SECRET_ACCESS_KEY_LENGTH = 40
SESSION_TOKEN_BYTES = 512


class IdKind(StrEnum):
    """The kind of entity a unique ID names; the value is AWS's four-letter prefix."""

    USER = "AIDA"
    GROUP = "AGPA"
    ROLE = "AROA"
    MANAGED_POLICY = "ANPA"
    POLICY_VERSION = "ANVA"
    INSTANCE_PROFILE = "AIPA"
    CERTIFICATE = "ASCA"
    PUBLIC_KEY = "APKA"
    CONTEXT_CREDENTIAL = "ACCA"
    BEARER_TOKEN = "ABIA"
    ACCESS_KEY = "AKIA"
    TEMPORARY_ACCESS_KEY = "ASIA"

    @property
    def prefix(self) -> str:
        """The four letters every ID of this kind begins with."""
        return self.value

    @property
    def is_access_key(self) -> bool:
        """Whether IDs of this kind are access key IDs (20 characters rather than 21)."""
        return self in (IdKind.ACCESS_KEY, IdKind.TEMPORARY_ACCESS_KEY)


_KINDS = {kind.value: kind for kind in IdKind}


def _draw(alphabet: str, count: int, rng: random.Random | None) -> str:
    if rng is None:
        return "".join(secrets.choice(alphabet) for _ in range(count))
    return "".join(rng.choice(alphabet) for _ in range(count))


def new_unique_id(kind: IdKind, rng: random.Random | None = None) -> str:
    """A fresh unique ID of this kind: its prefix and 17 base32 characters (16 for access keys)."""
    length = ACCESS_KEY_ID_LENGTH if kind.is_access_key else UNIQUE_ID_LENGTH
    return kind.prefix + _draw(ID_ALPHABET, length - 4, rng)


def new_access_key_id(temporary: bool, rng: random.Random | None = None) -> str:
    """A fresh access key ID: `ASIA…` for temporary credentials, `AKIA…` otherwise; 20 characters."""
    return new_unique_id(IdKind.TEMPORARY_ACCESS_KEY if temporary else IdKind.ACCESS_KEY, rng)


def new_secret_access_key(rng: random.Random | None = None) -> str:
    """A fresh secret access key: 40 characters of the base64 alphabet."""
    return _draw(_SECRET_ALPHABET, SECRET_ACCESS_KEY_LENGTH, rng)


def new_session_token(rng: random.Random | None = None) -> str:
    """A fresh session token: base64 text of 512 random bytes (AWS's tokens are opaque base64)."""
    raw = secrets.token_bytes(SESSION_TOKEN_BYTES) if rng is None else rng.randbytes(SESSION_TOKEN_BYTES)
    return base64.b64encode(raw).decode("ascii")


def is_access_key_id(text: str) -> bool:
    """Whether `text` has the form of an access key ID (`AKIA` or `ASIA` and 16 characters)."""
    return _ACCESS_KEY_ID.fullmatch(text) is not None


def id_kind(unique_id: str) -> IdKind | None:
    """The kind named by a unique ID's prefix, or None when it is not an AWS unique ID.

    An assumed-role ID (`AROA…:session-name`) is the role's ID followed by the session name, so it
    is read as a role's.
    """
    head = unique_id.split(":", 1)[0]
    kind = _KINDS.get(head[:4])
    if kind is None or _ID_BODY.fullmatch(head[4:]) is None:
        return None
    return kind

"""Time-based one-time passwords (RFC 6238) as IAM virtual MFA devices use them.

A virtual MFA device holds a secret that IAM hands out base32-encoded (`Base32StringSeed`, RFC 3548)
and in an `otpauth://totp/...` URI; authenticator apps derive 6-digit codes from it with HMAC-SHA1
over 30-second steps counted from the Unix epoch. The clock is always passed in.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct
from datetime import datetime

STEP_SECONDS = 30
DIGITS = 6


def _secret_bytes(secret_base32: str) -> bytes:
    # Apps show the seed in groups, in lower case and without padding; all of those are the same secret.
    text = "".join(secret_base32.split()).upper().rstrip("=")
    if not text:
        raise ValueError("the MFA seed is empty")
    text += "=" * (-len(text) % 8)
    try:
        return base64.b32decode(text, casefold=False)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("the MFA seed is not base32") from exc


def _step(at: datetime) -> int:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("the time must be timezone-aware")
    return int(at.timestamp()) // STEP_SECONDS


def _code_for_step(key: bytes, step: int) -> str:
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**DIGITS).zfill(DIGITS)


def totp_code(secret_base32: str, at: datetime) -> str:
    """The 6-digit code a virtual MFA device with this base32 seed shows at `at`."""
    return _code_for_step(_secret_bytes(secret_base32), _step(at))


def verify_totp(secret_base32: str, code: str, at: datetime, *, window: int = 1) -> bool:
    """Whether `code` is the device's code at `at` or within `window` steps before or after it."""
    if window < 0:
        raise ValueError("the window must not be negative")
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return False
    key = _secret_bytes(secret_base32)
    current = _step(at)
    matched = False
    # Every candidate is compared, so the time taken does not tell which step (if any) matched.
    for step in range(current - window, current + window + 1):
        if step >= 0 and hmac.compare_digest(_code_for_step(key, step), code):
            matched = True
    return matched

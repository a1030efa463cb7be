"""TOTP codes of IAM virtual MFA devices, checked against RFC 6238's own test vectors."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from iamtwin.sts.totp import totp_code, verify_totp

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode("ascii")

# RFC 6238 Appendix B, the SHA1 rows; a 6-digit code is the 8-digit value mod 10^6.
RFC_SHA1_VECTORS = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]


def _at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


@pytest.mark.parametrize(("seconds", "eight_digits"), RFC_SHA1_VECTORS)
def test_rfc_6238_sha1_vectors(seconds: int, eight_digits: str) -> None:
    """https://www.rfc-editor.org/rfc/rfc6238#appendix-B — HMAC-SHA1, 30 s steps from T0 = 0, truncated to
    the 6 digits IAM virtual MFA devices show (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable_virtual.html)."""
    assert totp_code(RFC_SECRET, _at(seconds)) == eight_digits[-6:]
    assert verify_totp(RFC_SECRET, eight_digits[-6:], _at(seconds))


def test_seed_is_read_as_authenticator_apps_show_it() -> None:
    """https://docs.aws.amazon.com/IAM/latest/APIReference/API_VirtualMFADevice.html — `Base32StringSeed` is
    base32 (RFC 3548); lower case, spaces and missing padding are the same seed."""
    spaced = " ".join(RFC_SECRET[i : i + 4] for i in range(0, len(RFC_SECRET), 4)).lower().rstrip("=")
    assert totp_code(spaced, _at(59)) == "287082"


def test_window_accepts_neighbouring_steps_only() -> None:
    """https://www.rfc-editor.org/rfc/rfc6238#section-5.2 — a verifier may accept codes of adjacent steps
    to allow for clock drift; one step either side by default."""
    now = _at(1111111111)
    previous = totp_code(RFC_SECRET, now - timedelta(seconds=30))
    following = totp_code(RFC_SECRET, now + timedelta(seconds=30))
    two_back = totp_code(RFC_SECRET, now - timedelta(seconds=60))
    assert verify_totp(RFC_SECRET, previous, now)
    assert verify_totp(RFC_SECRET, following, now)
    assert not verify_totp(RFC_SECRET, two_back, now)
    assert verify_totp(RFC_SECRET, two_back, now, window=2)
    assert not verify_totp(RFC_SECRET, previous, now, window=0)


@pytest.mark.parametrize("code", ["28708", "2870822", "28708a", "", " 287082", "２８７０８２", "94287082"])
def test_codes_that_are_not_six_digits_are_refused(code: str) -> None:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable_virtual.html — a virtual
    MFA device's code is six digits; anything else never matches."""
    assert not verify_totp(RFC_SECRET, code, _at(59))


def test_wrong_code_is_refused() -> None:
    """https://www.rfc-editor.org/rfc/rfc6238#section-5.2 — only the device's code for the time validates."""
    assert not verify_totp(RFC_SECRET, "287083", _at(59))


def test_bad_seed_and_naive_time_are_programming_errors() -> None:
    """https://docs.aws.amazon.com/IAM/latest/APIReference/API_VirtualMFADevice.html — seeds are base32;
    time must be an aware instant because steps count from the Unix epoch in UTC."""
    with pytest.raises(ValueError):
        totp_code("not base32 !", _at(59))
    with pytest.raises(ValueError):
        totp_code(RFC_SECRET, datetime(2026, 1, 1))

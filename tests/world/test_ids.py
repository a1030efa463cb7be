"""AWS identifier formats: unique IDs, access key IDs, secret keys and session tokens.

The prefixes are those of "Unique identifiers" in the IAM identifiers reference
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids);
the lengths and alphabets are those of AWS's documented examples (`AIDACKCEVSQ6C2EXAMPLE`,
`AKIAIOSFODNN7EXAMPLE`, `wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`).
"""

from __future__ import annotations

import base64
import random
import re

import pytest

from iamtwin.world.ids import (
    IdKind,
    id_kind,
    is_access_key_id,
    new_access_key_id,
    new_secret_access_key,
    new_session_token,
    new_unique_id,
)

BASE32 = re.compile(r"[A-Z2-7]+")
AWS_PREFIXES = {
    IdKind.USER: "AIDA",
    IdKind.GROUP: "AGPA",
    IdKind.ROLE: "AROA",
    IdKind.MANAGED_POLICY: "ANPA",
    IdKind.POLICY_VERSION: "ANVA",
    IdKind.INSTANCE_PROFILE: "AIPA",
    IdKind.CERTIFICATE: "ASCA",
    IdKind.PUBLIC_KEY: "APKA",
    IdKind.CONTEXT_CREDENTIAL: "ACCA",
    IdKind.BEARER_TOKEN: "ABIA",
    IdKind.ACCESS_KEY: "AKIA",
    IdKind.TEMPORARY_ACCESS_KEY: "ASIA",
}


def test_every_documented_prefix_has_a_kind() -> None:
    """The kinds cover AWS's table of unique ID prefixes, one prefix each."""
    assert {kind: kind.prefix for kind in IdKind} == AWS_PREFIXES


@pytest.mark.parametrize("kind", [k for k in IdKind if not k.is_access_key])
def test_unique_id_is_prefix_and_17_base32_characters(kind: IdKind) -> None:
    """A unique ID is its kind's prefix and 17 characters of A–Z and 2–7, like AIDACKCEVSQ6C2EXAMPLE."""
    unique_id = new_unique_id(kind)
    assert len(unique_id) == 21
    assert unique_id.startswith(kind.prefix)
    assert BASE32.fullmatch(unique_id[4:])
    assert id_kind(unique_id) is kind


@pytest.mark.parametrize("temporary, prefix", [(False, "AKIA"), (True, "ASIA")])
def test_access_key_id_is_20_characters(temporary: bool, prefix: str) -> None:
    """Long-term keys begin AKIA, temporary (STS) keys ASIA; both are 20 characters."""
    key_id = new_access_key_id(temporary)
    assert len(key_id) == 20
    assert key_id.startswith(prefix)
    assert BASE32.fullmatch(key_id[4:])
    assert is_access_key_id(key_id)
    assert id_kind(key_id) is (IdKind.TEMPORARY_ACCESS_KEY if temporary else IdKind.ACCESS_KEY)


def test_access_key_kind_through_new_unique_id_is_20_characters() -> None:
    """Asking new_unique_id for an access key gives an access key ID's length."""
    assert len(new_unique_id(IdKind.ACCESS_KEY)) == 20


def test_secret_access_key_is_40_base64_characters() -> None:
    """A secret access key is 40 characters of the base64 alphabet."""
    secret = new_secret_access_key()
    assert len(secret) == 40
    assert re.fullmatch(r"[A-Za-z0-9+/]{40}", secret)


def test_session_token_is_base64_text() -> None:
    """A session token is opaque base64 text that decodes."""
    token = new_session_token()
    assert len(base64.b64decode(token, validate=True)) == 512


def test_values_differ_between_calls() -> None:
    """Without an injected generator every value is fresh."""
    assert len({new_unique_id(IdKind.ROLE) for _ in range(50)}) == 50
    assert len({new_secret_access_key() for _ in range(50)}) == 50
    assert new_session_token() != new_session_token()


def test_injected_generator_makes_values_reproducible() -> None:
    """The same seed gives the same IDs, keys and tokens; another seed gives others."""

    def draw(seed: int) -> tuple[str, ...]:
        rng = random.Random(seed)
        return (
            new_unique_id(IdKind.USER, rng),
            new_access_key_id(True, rng),
            new_secret_access_key(rng),
            new_session_token(rng),
        )

    assert draw(7) == draw(7)
    assert draw(7) != draw(8)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("AKIAIOSFODNN7EXAMPLE", True),
        ("ASIAQNZGKIQY56JQ7WML", True),
        ("AKIAIOSFODNN7EXAMPL", False),
        ("AKIAIOSFODNN7EXAMPLEX", False),
        ("AIDACKCEVSQ6C2EXAMPL", False),
        ("akiaiosfodnn7example", False),
        ("", False),
    ],
)
def test_is_access_key_id(text: str, expected: bool) -> None:
    """Only AKIA or ASIA followed by 16 upper-case letters or digits is an access key ID."""
    assert is_access_key_id(text) is expected


@pytest.mark.parametrize(
    "unique_id, expected",
    [
        ("AIDACKCEVSQ6C2EXAMPLE", IdKind.USER),
        ("AROADBQP57FF2AEXAMPLE", IdKind.ROLE),
        ("AROADBQP57FF2AEXAMPLE:role-session-name", IdKind.ROLE),
        ("AGPA1234567890EXAMPLE", IdKind.GROUP),
        ("ANPAJ2UCCR6DPCEXAMPLE", IdKind.MANAGED_POLICY),
        ("AIPAJQABLZS4A3QDU576Q", IdKind.INSTANCE_PROFILE),
        ("ASCACKCEVSQ6C2EXAMPLE", IdKind.CERTIFICATE),
        ("ZZZACKCEVSQ6C2EXAMPLE", None),
        ("AIDA", None),
        ("AIDAlowercase12345678", None),
        ("111122223333", None),
    ],
)
def test_id_kind_reads_the_prefix(unique_id: str, expected: IdKind | None) -> None:
    """The kind comes from the four-letter prefix; an assumed-role ID is read as its role's."""
    assert id_kind(unique_id) is expected

"""Session names and source identities within AssumeRole's constraints.

`RoleSessionName` and `SourceIdentity`: 2 to 64 characters of `[\\w+=,.@-]`; a source identity may
not start with `aws:` (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html).
"""

from __future__ import annotations

import re

import pytest

from iamtwin.broker.errors import BrokerError
from iamtwin.broker.issuance import check_source_identity, session_name

_ALPHABET = re.compile(r"^[\w+=,.@-]{2,64}$")


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        ("alice@example.com", "alice@example.com+r-0123456789abcdef"),
        ("o'brien@example.com", "o-brien@example.com+r-0123456789abcdef"),
        ("x" * 80 + "@example.com", "x" * 45 + "+r-0123456789abcdef"),
    ],
)
def test_session_names_keep_the_whole_request_id(person: str, expected: str) -> None:
    """The request id is never cut; the person's part is shortened and cleaned to fit."""
    name = session_name(person, "r-0123456789abcdef")
    assert name == expected and _ALPHABET.match(name)


@pytest.mark.parametrize("person", ["a", "alice smith", "x" * 65, "aws:alice", "alice/admin"])
def test_a_person_that_cannot_be_a_source_identity_is_refused(person: str) -> None:
    """A source identity is the person unaltered, or no session at all."""
    with pytest.raises(BrokerError) as caught:
        check_source_identity(person)
    assert caught.value.code == "INVALID_SOURCE_IDENTITY"

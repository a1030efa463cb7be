"""The BinaryEquals operator: base64 text on both sides, compared byte for byte.

The request context carries strings, so a binary context value is given base64-encoded too.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_BinaryEquals
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable

from .operator import ConditionOperator, ValueCode, value_error


def parse_base64(text: str) -> bytes:
    """Decode strict base64 (standard alphabet, correct padding); raise INVALID_BASE64 otherwise."""
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise value_error(ValueCode.INVALID_BASE64, text, "base64") from None


class BinaryEqualsOperator(ConditionOperator[bytes, bytes]):
    """`BinaryEquals`: the decoded bytes are equal."""

    __slots__ = ()

    def parse_policy_value(self, text: str) -> bytes:
        """Decoded bytes."""
        return parse_base64(text)

    def context_parser(self) -> Callable[[str], bytes]:
        """`parse_base64` itself."""
        return parse_base64

    def parse_context_value(self, text: str) -> bytes:
        """Decoded bytes."""
        return parse_base64(text)

    def matches(self, context_value: bytes, policy_value: bytes) -> bool:
        """Byte-for-byte equality."""
        return context_value == policy_value


BINARY_EQUALS = BinaryEqualsOperator("BinaryEquals", supports_variables=False, equality=True)

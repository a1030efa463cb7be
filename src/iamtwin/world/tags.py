"""AWS's rules for tags on IAM resources, shared with STS session tags.

A tag key is 1–128 and a value 0–256 letters, numbers, spaces and `_ . : / = + - @` (in any
script: AWS's pattern is `[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]`); a request carries at most 50 tags;
neither key nor value may begin with `aws:`; users and roles compare tag keys without case, so
`Department` and `department` are the same key there, while other resources keep them apart.

`check_tags` raises `IamError` (`ValidationError` for the API constraints, `InvalidInput` for the
reserved prefix and duplicate keys). The pure `*_violation` predicates are what `sts.limits` wraps
in STS's codes. The count after merging with a resource's existing tags is `quotas.check_tags_per_entity`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum

from .iam_errors import IamErrorCode
from .names import LimitReason, Violation, raise_violation, refusal

MAX_TAGS_PER_REQUEST = 50
MAX_TAG_KEY = 128
MAX_TAG_VALUE = 256
RESERVED_PREFIX = "aws:"
_SYMBOLS = frozenset("_.:/=+-@")

TagInput = Mapping[str, str] | Sequence[tuple[str, str]]


class TagTarget(StrEnum):
    """A taggable IAM resource."""

    USER = "user"
    ROLE = "role"
    MANAGED_POLICY = "managed-policy"
    INSTANCE_PROFILE = "instance-profile"
    OIDC_PROVIDER = "oidc-provider"
    SAML_PROVIDER = "saml-provider"
    SERVER_CERTIFICATE = "server-certificate"
    VIRTUAL_MFA_DEVICE = "virtual-mfa-device"

    @property
    def keys_ignore_case(self) -> bool:
        """Whether AWS compares this resource's tag keys without case (only users and roles)."""
        return self in (TagTarget.USER, TagTarget.ROLE)


def _tag_text_ok(text: str) -> bool:
    return all(ch in _SYMBOLS or unicodedata.category(ch)[0] in "LZN" for ch in text)


def has_reserved_prefix(text: str) -> bool:
    """Whether `text` begins with `aws:` in any letter case, the prefix AWS keeps for itself."""
    return text[:4].lower() == RESERVED_PREFIX


def tag_key_violation(key: str) -> Violation | None:
    """What breaks the tag-key constraint (1–128 letters, numbers, spaces, `_.:/=+-@`), or None."""
    if not key:
        return Violation(LimitReason.TAG_KEY_TOO_SHORT, "a tag key must not be empty")
    if len(key) > MAX_TAG_KEY:
        return Violation(LimitReason.TAG_KEY_TOO_LONG, f"tag key `{key}` has {len(key)} characters; at most 128")
    if not _tag_text_ok(key):
        message = f"tag key `{key}` may hold only letters, numbers, spaces and _.:/=+-@"
        return Violation(LimitReason.TAG_KEY_BAD_CHARACTERS, message)
    return None


def tag_value_violation(value: str) -> Violation | None:
    """What breaks the tag-value constraint (0–256 letters, numbers, spaces, `_.:/=+-@`), or None."""
    if len(value) > MAX_TAG_VALUE:
        message = f"tag value `{value}` has {len(value)} characters; at most 256"
        return Violation(LimitReason.TAG_VALUE_TOO_LONG, message)
    if not _tag_text_ok(value):
        message = f"tag value `{value}` may hold only letters, numbers, spaces and _.:/=+-@"
        return Violation(LimitReason.TAG_VALUE_BAD_CHARACTERS, message)
    return None


def reserved_tag_violation(key: str, value: str) -> Violation | None:
    """A key or value that begins with the reserved `aws:` prefix, or None."""
    if has_reserved_prefix(key):
        return Violation(LimitReason.TAG_KEY_RESERVED, f"tag key `{key}` begins with `aws:`, reserved for AWS")
    if has_reserved_prefix(value):
        return Violation(LimitReason.TAG_VALUE_RESERVED, f"tag value `{value}` begins with `aws:`, reserved for AWS")
    return None


def duplicate_tag_key(keys: Iterable[str], *, ignore_case: bool) -> str | None:
    """The first key that repeats an earlier one (compared without case when asked), or None."""
    seen: set[str] = set()
    for key in keys:
        folded = key.lower() if ignore_case else key
        if folded in seen:
            return key
        seen.add(folded)
    return None


def tag_pairs(tags: TagInput) -> list[tuple[str, str]]:
    """The tags of a request as (key, value) pairs, in order."""
    return list(tags.items()) if isinstance(tags, Mapping) else [(key, value) for key, value in tags]


def check_tags(tags: TagInput, *, target: TagTarget = TagTarget.ROLE, parameter: str = "Tags") -> None:
    """Refuse a tag list AWS would refuse: over 50, bad keys or values, `aws:` prefix, duplicate keys."""
    pairs = tag_pairs(tags)
    if len(pairs) > MAX_TAGS_PER_REQUEST:
        raise_violation(
            Violation(LimitReason.TOO_MANY_TAGS, f"{len(pairs)} tags in one request; at most 50"), parameter
        )
    for index, (key, value) in enumerate(pairs):
        raise_violation(tag_key_violation(key), f"{parameter}[{index}].Key")
        raise_violation(tag_value_violation(value), f"{parameter}[{index}].Value")
    for index, (key, value) in enumerate(pairs):
        reserved = reserved_tag_violation(key, value)
        if reserved is not None:
            raise refusal(IamErrorCode.INVALID_INPUT, reserved.reason, reserved.message, f"{parameter}[{index}]")
    duplicate = duplicate_tag_key((key for key, _ in pairs), ignore_case=target.keys_ignore_case)
    if duplicate is not None:
        case = "; tag keys are compared without case" if target.keys_ignore_case else ""
        message = f"duplicate tag key `{duplicate}`{case}"
        raise refusal(IamErrorCode.INVALID_INPUT, LimitReason.TAG_KEY_DUPLICATE, message, parameter)


def check_tag_keys(keys: Sequence[str], *, parameter: str = "TagKeys") -> None:
    """Refuse the key list of an untag request: at most 50 keys, each a valid tag key."""
    if len(keys) > MAX_TAGS_PER_REQUEST:
        message = f"{len(keys)} tag keys in one request; at most 50"
        raise_violation(Violation(LimitReason.TOO_MANY_TAGS, message), parameter)
    for index, key in enumerate(keys):
        raise_violation(tag_key_violation(key), f"{parameter}[{index}]")

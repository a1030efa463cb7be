"""AWS STS's rules for request parameters, checked before any credentials are issued.

Every check raises `StsError` with STS's code and a finer `reason`:

- `ValidationError` — a parameter breaks its length or pattern constraint in the STS API
  reference (RoleSessionName, ExternalId, SourceIdentity, SerialNumber, TokenCode, Policy,
  PolicyArns, Tags, TransitiveTagKeys), or DurationSeconds is out of range, above the role's
  maximum session duration, or above one hour for a chained role;
- `InvalidParameterValue` — a rule of the session tags beyond their pattern: the reserved `aws:`
  prefix, duplicate keys (session tag keys are compared without case), a transitive key that
  names no session tag, a tag that would replace a transitive tag inherited from the caller;
- `PackedPolicyTooLarge` — the session policies and session tags do not fit the packed form.

The packed size is an approximation, documented in `packed_size`: AWS compresses the inline
session policy, the managed policy ARNs and the session tags into a binary form whose algorithm
and limit it does not publish; it reports only the percentage used (`PackedPolicySize`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from ..errors import Location
from ..world.names import LimitReason, Violation
from ..world.quotas import policy_size
from ..world.tags import (
    TagInput,
    duplicate_tag_key,
    reserved_tag_violation,
    tag_key_violation,
    tag_pairs,
    tag_value_violation,
)
from .errors import StsError, StsErrorCode


class SessionReason(StrEnum):
    """Which STS parameter rule a refused request broke; tag rules reuse `LimitReason`'s codes."""

    ROLE_SESSION_NAME_LENGTH = "ROLE_SESSION_NAME_LENGTH"
    ROLE_SESSION_NAME_BAD_CHARACTERS = "ROLE_SESSION_NAME_BAD_CHARACTERS"
    EXTERNAL_ID_LENGTH = "EXTERNAL_ID_LENGTH"
    EXTERNAL_ID_BAD_CHARACTERS = "EXTERNAL_ID_BAD_CHARACTERS"
    SOURCE_IDENTITY_LENGTH = "SOURCE_IDENTITY_LENGTH"
    SOURCE_IDENTITY_BAD_CHARACTERS = "SOURCE_IDENTITY_BAD_CHARACTERS"
    SOURCE_IDENTITY_RESERVED = "SOURCE_IDENTITY_RESERVED"
    SERIAL_NUMBER_LENGTH = "SERIAL_NUMBER_LENGTH"
    SERIAL_NUMBER_BAD_CHARACTERS = "SERIAL_NUMBER_BAD_CHARACTERS"
    TOKEN_CODE_INVALID = "TOKEN_CODE_INVALID"
    DURATION_OUT_OF_RANGE = "DURATION_OUT_OF_RANGE"
    DURATION_EXCEEDS_ROLE_MAXIMUM = "DURATION_EXCEEDS_ROLE_MAXIMUM"
    DURATION_EXCEEDS_ROLE_CHAINING = "DURATION_EXCEEDS_ROLE_CHAINING"
    SESSION_POLICY_LENGTH = "SESSION_POLICY_LENGTH"
    SESSION_POLICY_BAD_CHARACTERS = "SESSION_POLICY_BAD_CHARACTERS"
    TOO_MANY_POLICY_ARNS = "TOO_MANY_POLICY_ARNS"
    POLICY_ARN_LENGTH = "POLICY_ARN_LENGTH"
    TOO_MANY_SESSION_TAGS = "TOO_MANY_SESSION_TAGS"
    TOO_MANY_TRANSITIVE_TAG_KEYS = "TOO_MANY_TRANSITIVE_TAG_KEYS"
    TRANSITIVE_KEY_NOT_IN_TAGS = "TRANSITIVE_KEY_NOT_IN_TAGS"
    SESSION_TAG_OVERRIDES_TRANSITIVE = "SESSION_TAG_OVERRIDES_TRANSITIVE"
    PACKED_POLICY_TOO_LARGE = "PACKED_POLICY_TOO_LARGE"
    PACKED_SESSION_TAGS_TOO_LARGE = "PACKED_SESSION_TAGS_TOO_LARGE"


# Java's `\w` and `\d` in AWS's patterns are ASCII only.
_SESSION_NAME = re.compile(r"[A-Za-z0-9_+=,.@-]*")
_EXTERNAL_ID = re.compile(r"[A-Za-z0-9_+=,.@:/-]*")
_SERIAL_NUMBER = re.compile(r"[A-Za-z0-9_+=/:,.@-]*")
_TOKEN_CODE = re.compile(r"[0-9]{6}")
_POLICY_TEXT = re.compile(r"[\t\n\r\x20-\xff]+")

MAX_SESSION_POLICY = 2048
MAX_POLICY_ARNS = 10
MAX_SESSION_TAGS = 50
ROLE_CHAINING_MAX_DURATION = 3600
DEFAULT_ROLE_DURATION = 3600
# A packed session may hold this many units (see `packed_size`); an AWS value is not published.
PACKED_ALLOTMENT = 2048


def _error(code: StsErrorCode, reason: StrEnum, message: str, parameter: str) -> StsError:
    return StsError(code, message, reason=reason.value, location=Location(parameter))


def _invalid(reason: StrEnum, message: str, parameter: str) -> StsError:
    return _error(StsErrorCode.VALIDATION_ERROR, reason, message, parameter)


def _raise_violation(violation: Violation | None, parameter: str, code: StsErrorCode) -> None:
    if violation is not None:
        raise _error(code, violation.reason, violation.message, parameter)


def _check_text(
    value: str,
    parameter: str,
    bounds: tuple[int, int],
    pattern: re.Pattern[str],
    reasons: tuple[SessionReason, SessionReason],
) -> None:
    minimum, maximum = bounds
    if not minimum <= len(value) <= maximum:
        message = f"{parameter} has {len(value)} characters; it must have {minimum}–{maximum}"
        raise _invalid(reasons[0], message, parameter)
    if pattern.fullmatch(value) is None:
        message = f"{parameter} `{value}` has characters outside `{pattern.pattern}`"
        raise _invalid(reasons[1], message, parameter)


def check_role_session_name(name: str) -> None:
    """Refuse a RoleSessionName that is not 2–64 characters of `[A-Za-z0-9_+=,.@-]`."""
    reasons = (SessionReason.ROLE_SESSION_NAME_LENGTH, SessionReason.ROLE_SESSION_NAME_BAD_CHARACTERS)
    _check_text(name, "RoleSessionName", (2, 64), _SESSION_NAME, reasons)


def check_external_id(external_id: str) -> None:
    """Refuse an ExternalId that is not 2–1,224 characters of `[A-Za-z0-9_+=,.@:/-]`."""
    reasons = (SessionReason.EXTERNAL_ID_LENGTH, SessionReason.EXTERNAL_ID_BAD_CHARACTERS)
    _check_text(external_id, "ExternalId", (2, 1224), _EXTERNAL_ID, reasons)


def check_source_identity(source_identity: str) -> None:
    """Refuse a SourceIdentity that is not 2–64 characters of `[A-Za-z0-9_+=,.@-]`, or begins `aws:`."""
    if source_identity[:4].lower() == "aws:":
        message = f"SourceIdentity `{source_identity}` begins with `aws:`, reserved for AWS"
        raise _invalid(SessionReason.SOURCE_IDENTITY_RESERVED, message, "SourceIdentity")
    reasons = (SessionReason.SOURCE_IDENTITY_LENGTH, SessionReason.SOURCE_IDENTITY_BAD_CHARACTERS)
    _check_text(source_identity, "SourceIdentity", (2, 64), _SESSION_NAME, reasons)


def check_serial_number(serial_number: str) -> None:
    """Refuse an MFA SerialNumber that is not 9–256 characters of `[A-Za-z0-9_+=/:,.@-]`."""
    reasons = (SessionReason.SERIAL_NUMBER_LENGTH, SessionReason.SERIAL_NUMBER_BAD_CHARACTERS)
    _check_text(serial_number, "SerialNumber", (9, 256), _SERIAL_NUMBER, reasons)


def check_token_code(token_code: str) -> None:
    """Refuse an MFA TokenCode that is not six ASCII digits."""
    if _TOKEN_CODE.fullmatch(token_code) is None:
        raise _invalid(SessionReason.TOKEN_CODE_INVALID, "TokenCode must be six digits", "TokenCode")


def _duration_range(seconds: int, minimum: int, maximum: int) -> None:
    if not minimum <= seconds <= maximum:
        message = f"DurationSeconds {seconds} is outside {minimum}–{maximum}"
        raise _invalid(SessionReason.DURATION_OUT_OF_RANGE, message, "DurationSeconds")


def check_assume_role_duration(
    seconds: int | None, *, max_session_duration: int = 3600, role_chaining: bool = False
) -> int:
    """The session's duration for AssumeRole (3,600 when not given); refuse one AWS refuses.

    The range is 900–43,200 seconds; above the role's MaxSessionDuration, or above one hour when
    the caller is itself a role session (role chaining), the call fails. AssumeRoleWithSAML and
    AssumeRoleWithWebIdentity follow the same rules, without role chaining.
    """
    if seconds is None:
        return DEFAULT_ROLE_DURATION
    _duration_range(seconds, 900, 43200)
    if role_chaining and seconds > ROLE_CHAINING_MAX_DURATION:
        message = f"DurationSeconds {seconds} exceeds the 1 hour session limit for roles assumed by role chaining"
        raise _invalid(SessionReason.DURATION_EXCEEDS_ROLE_CHAINING, message, "DurationSeconds")
    if seconds > max_session_duration:
        message = f"DurationSeconds {seconds} exceeds the MaxSessionDuration {max_session_duration} of the role"
        raise _invalid(SessionReason.DURATION_EXCEEDS_ROLE_MAXIMUM, message, "DurationSeconds")
    return seconds


def check_session_token_duration(seconds: int | None, *, root: bool = False) -> int:
    """The GetSessionToken duration: 900–129,600 for IAM users (12 hours by default); root gets ≤ 1 hour.

    AWS does not refuse a longer request from the root user: it shortens it to one hour.
    """
    if seconds is None:
        return 3600 if root else 43200
    _duration_range(seconds, 900, 129600)
    return min(seconds, 3600) if root else seconds


def check_session_policy(policy: str) -> None:
    """Refuse an inline session policy that is empty, over 2,048 characters, or outside Latin-1."""
    if not 1 <= len(policy) <= MAX_SESSION_POLICY:
        message = f"Policy has {len(policy)} characters; a session policy may have at most 2048"
        raise _invalid(SessionReason.SESSION_POLICY_LENGTH, message, "Policy")
    if _POLICY_TEXT.fullmatch(policy) is None:
        message = "Policy may hold only tab, newline, carriage return and characters U+0020–U+00FF"
        raise _invalid(SessionReason.SESSION_POLICY_BAD_CHARACTERS, message, "Policy")


def check_policy_arns(policy_arns: Sequence[str]) -> None:
    """Refuse more than 10 managed session policy ARNs, or an ARN outside 20–2,048 characters."""
    if len(policy_arns) > MAX_POLICY_ARNS:
        message = f"{len(policy_arns)} managed session policies; at most 10"
        raise _invalid(SessionReason.TOO_MANY_POLICY_ARNS, message, "PolicyArns")
    for index, arn in enumerate(policy_arns):
        if not 20 <= len(arn) <= 2048:
            message = f"policy ARN `{arn}` must have 20–2048 characters"
            raise _invalid(SessionReason.POLICY_ARN_LENGTH, message, f"PolicyArns[{index}]")


def check_session_tags(
    tags: TagInput, transitive_tag_keys: Sequence[str] = (), *, inherited_transitive_keys: Iterable[str] = ()
) -> None:
    """Refuse session tags and transitive keys AWS refuses.

    At most 50 tags and 50 transitive keys, each key and value within the tag constraints; no
    `aws:` prefix; no two keys that differ only in case; every transitive key names a session
    tag; no session tag replaces a transitive tag the calling session passes down the chain.
    """
    pairs = tag_pairs(tags)
    if len(pairs) > MAX_SESSION_TAGS:
        raise _invalid(SessionReason.TOO_MANY_SESSION_TAGS, f"{len(pairs)} session tags; at most 50", "Tags")
    if len(transitive_tag_keys) > MAX_SESSION_TAGS:
        message = f"{len(transitive_tag_keys)} transitive tag keys; at most 50"
        raise _invalid(SessionReason.TOO_MANY_TRANSITIVE_TAG_KEYS, message, "TransitiveTagKeys")
    invalid = StsErrorCode.VALIDATION_ERROR
    for index, (key, value) in enumerate(pairs):
        _raise_violation(tag_key_violation(key), f"Tags[{index}].Key", invalid)
        _raise_violation(tag_value_violation(value), f"Tags[{index}].Value", invalid)
    for index, key in enumerate(transitive_tag_keys):
        _raise_violation(tag_key_violation(key), f"TransitiveTagKeys[{index}]", invalid)
    semantic = StsErrorCode.INVALID_PARAMETER_VALUE
    for index, (key, value) in enumerate(pairs):
        _raise_violation(reserved_tag_violation(key, value), f"Tags[{index}]", semantic)
    duplicate = duplicate_tag_key((key for key, _ in pairs), ignore_case=True)
    if duplicate is not None:
        message = f"duplicate session tag key `{duplicate}`; tag keys are compared without case"
        raise _error(semantic, LimitReason.TAG_KEY_DUPLICATE, message, "Tags")
    keys = {key.lower() for key, _ in pairs}
    for index, key in enumerate(transitive_tag_keys):
        if key.lower() not in keys:
            message = f"transitive tag key `{key}` is not among the session tags"
            raise _error(semantic, SessionReason.TRANSITIVE_KEY_NOT_IN_TAGS, message, f"TransitiveTagKeys[{index}]")
    inherited = {key.lower() for key in inherited_transitive_keys}
    for index, (key, _) in enumerate(pairs):
        if key.lower() in inherited:
            message = f"session tag `{key}` would replace a transitive tag inherited from the calling session"
            raise _error(semantic, SessionReason.SESSION_TAG_OVERRIDES_TRANSITIVE, message, f"Tags[{index}]")


@dataclass(frozen=True, slots=True)
class PackedSize:
    """The approximate packed size of a session's policies and tags, in units of `PACKED_ALLOTMENT`.

    The model, since AWS publishes neither its packing nor its limit: an inline session policy
    costs one unit per two characters other than white space (JSON packs to about half), a
    managed policy ARN one unit per two characters, and a session tag one unit per character of
    its key and value plus two (short strings barely compress). The session fits while the total
    is at most 2,048 units. Hence a session policy of the full 2,048 characters alone uses about
    half, fifty tags of short keys and values fit, and fifty tags of full-length keys and values
    do not, although each of them is within its own plaintext limit, as AWS's documentation warns.
    """

    policy_units: int
    tag_units: int

    @property
    def percent(self) -> int:
        """The share of the allotment used, rounded up, as AWS reports `PackedPolicySize`."""
        return math.ceil((self.policy_units + self.tag_units) * 100 / PACKED_ALLOTMENT)

    @property
    def fits(self) -> bool:
        """Whether the session fits the packed allotment."""
        return self.policy_units + self.tag_units <= PACKED_ALLOTMENT


def packed_size(policy: str | None = None, policy_arns: Iterable[str] = (), tags: TagInput = ()) -> PackedSize:
    """The approximate packed size of these session policies and tags (see `PackedSize`)."""
    policy_units = math.ceil(policy_size(policy) / 2) if policy else 0
    policy_units += sum(math.ceil(len(arn) / 2) for arn in policy_arns)
    tag_units = sum(len(key) + len(value) + 2 for key, value in tag_pairs(tags))
    return PackedSize(policy_units, tag_units)


def check_packed_size(policy: str | None = None, policy_arns: Iterable[str] = (), tags: TagInput = ()) -> int:
    """The `PackedPolicySize` percentage of a session; refuse one over 100 (`PackedPolicyTooLarge`)."""
    size = packed_size(policy, policy_arns, tags)
    if not size.fits:
        code = StsErrorCode.PACKED_POLICY_TOO_LARGE
        if size.tag_units > size.policy_units:
            message = f"packed size of session tags consumes {size.percent}% of allotted space"
            raise _error(code, SessionReason.PACKED_SESSION_TAGS_TOO_LARGE, message, "Tags")
        message = f"packed policy consumes {size.percent}% of allotted space, please use smaller policy"
        raise _error(code, SessionReason.PACKED_POLICY_TOO_LARGE, message, "Policy")
    return size.percent


def check_session_parameters(
    policy: str | None = None,
    policy_arns: Sequence[str] = (),
    tags: TagInput = (),
    transitive_tag_keys: Sequence[str] = (),
    *,
    inherited_transitive_keys: Iterable[str] = (),
) -> int:
    """Check a session's policy, policy ARNs and tags together; the `PackedPolicySize` percentage."""
    if policy is not None:
        check_session_policy(policy)
    check_policy_arns(policy_arns)
    check_session_tags(tags, transitive_tag_keys, inherited_transitive_keys=inherited_transitive_keys)
    return check_packed_size(policy, policy_arns, tags)

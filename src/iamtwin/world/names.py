"""AWS IAM's rules for the text of a request: names, paths, descriptions, documents, providers.

Each `check_*` function returns nothing or raises `IamError` before anything is written, with the
code AWS IAM answers with and a finer `LimitReason`:

- `ValidationError` — the parameter breaks its length or pattern constraint in the IAM API
  reference (AWS checks these before the operation runs);
- `InvalidInput` — a rule the operation itself enforces (an OIDC URL that is not https, a
  thumbprint that is not hex; for tags see `world.tags`);
- `LimitExceeded` — more client IDs or thumbprints than an OIDC provider may hold (for account
  quotas and policy sizes see `world.quotas`).

AWS's patterns are Java regexes, where `\\w` is ASCII only; ours spell the ASCII classes out so a
letter such as `é` is refused as AWS refuses it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from ..errors import Location
from .iam_errors import IamError, IamErrorCode


class LimitReason(StrEnum):
    """Which rule a refused request broke; finer than the AWS error code."""

    NAME_TOO_SHORT = "NAME_TOO_SHORT"
    NAME_TOO_LONG = "NAME_TOO_LONG"
    NAME_BAD_CHARACTERS = "NAME_BAD_CHARACTERS"
    PATH_TOO_LONG = "PATH_TOO_LONG"
    PATH_INVALID = "PATH_INVALID"
    DESCRIPTION_TOO_LONG = "DESCRIPTION_TOO_LONG"
    DESCRIPTION_BAD_CHARACTERS = "DESCRIPTION_BAD_CHARACTERS"
    MAX_SESSION_DURATION_OUT_OF_RANGE = "MAX_SESSION_DURATION_OUT_OF_RANGE"
    POLICY_DOCUMENT_LENGTH = "POLICY_DOCUMENT_LENGTH"
    POLICY_DOCUMENT_BAD_CHARACTERS = "POLICY_DOCUMENT_BAD_CHARACTERS"
    ARN_LENGTH = "ARN_LENGTH"
    TOO_MANY_TAGS = "TOO_MANY_TAGS"
    TAG_KEY_TOO_SHORT = "TAG_KEY_TOO_SHORT"
    TAG_KEY_TOO_LONG = "TAG_KEY_TOO_LONG"
    TAG_KEY_BAD_CHARACTERS = "TAG_KEY_BAD_CHARACTERS"
    TAG_KEY_RESERVED = "TAG_KEY_RESERVED"
    TAG_KEY_DUPLICATE = "TAG_KEY_DUPLICATE"
    TAG_VALUE_TOO_LONG = "TAG_VALUE_TOO_LONG"
    TAG_VALUE_BAD_CHARACTERS = "TAG_VALUE_BAD_CHARACTERS"
    TAG_VALUE_RESERVED = "TAG_VALUE_RESERVED"
    OIDC_URL_LENGTH = "OIDC_URL_LENGTH"
    OIDC_URL_INVALID = "OIDC_URL_INVALID"
    CLIENT_ID_LENGTH = "CLIENT_ID_LENGTH"
    CLIENT_IDS_PER_OIDC_PROVIDER = "CLIENT_IDS_PER_OIDC_PROVIDER"
    THUMBPRINT_INVALID = "THUMBPRINT_INVALID"
    THUMBPRINTS_PER_OIDC_PROVIDER = "THUMBPRINTS_PER_OIDC_PROVIDER"
    SAML_METADATA_LENGTH = "SAML_METADATA_LENGTH"
    TAGS_PER_ENTITY = "TAGS_PER_ENTITY"
    POLICY_TOO_LARGE = "POLICY_TOO_LARGE"
    INLINE_POLICIES_TOO_LARGE = "INLINE_POLICIES_TOO_LARGE"
    TRUST_POLICY_TOO_LARGE = "TRUST_POLICY_TOO_LARGE"
    ORGANIZATION_POLICY_TOO_LARGE = "ORGANIZATION_POLICY_TOO_LARGE"


@dataclass(frozen=True, slots=True)
class Violation:
    """A broken parameter rule: its stable reason and a message for the person who sent it."""

    reason: LimitReason
    message: str


class NameKind(StrEnum):
    """An IAM name parameter."""

    USER = "user"
    GROUP = "group"
    ROLE = "role"
    MANAGED_POLICY = "managed-policy"
    INLINE_POLICY = "inline-policy"
    INSTANCE_PROFILE = "instance-profile"
    SERVER_CERTIFICATE = "server-certificate"
    SAML_PROVIDER = "saml-provider"

    @property
    def parameter(self) -> str:
        """The API parameter the name arrives in."""
        return _NAME_RULES[self][0]

    @property
    def maximum(self) -> int:
        """The most characters AWS accepts."""
        return _NAME_RULES[self][1]


_NAME_RULES = {
    NameKind.USER: ("UserName", 64),
    NameKind.GROUP: ("GroupName", 128),
    NameKind.ROLE: ("RoleName", 64),
    NameKind.MANAGED_POLICY: ("PolicyName", 128),
    NameKind.INLINE_POLICY: ("PolicyName", 128),
    NameKind.INSTANCE_PROFILE: ("InstanceProfileName", 128),
    NameKind.SERVER_CERTIFICATE: ("ServerCertificateName", 128),
    NameKind.SAML_PROVIDER: ("Name", 128),
}

# Java's `\w` in AWS's patterns is [A-Za-z0-9_].
_NAME = re.compile(r"[A-Za-z0-9_+=,.@-]+")
_SAML_PROVIDER_NAME = re.compile(r"[A-Za-z0-9_.-]+")
_PATH = re.compile(r"/|/[\x21-\x7e]+/")
_POLICY_PATH = re.compile(r"(/[A-Za-z0-9.,+@=_-]+)*/")
_ROLE_DESCRIPTION = re.compile(r"[\t\n\r\x20-\x7e\xa1-\xff]*")
_POLICY_TEXT = re.compile(r"[\t\n\r\x20-\xff]+")
_HEX40 = re.compile(r"[0-9A-Fa-f]{40}")

MAX_PATH = 512
MAX_DESCRIPTION = 1000
MAX_POLICY_DOCUMENT = 131072
MAX_CLIENT_IDS = 100
MAX_THUMBPRINTS = 5


def refusal(code: IamErrorCode, reason: StrEnum, message: str, parameter: str) -> IamError:
    """The IamError for a refused request, located at the API parameter at fault."""
    return IamError(code, message, reason=reason.value, location=Location(parameter))


def invalid(reason: LimitReason, message: str, parameter: str) -> IamError:
    """The `ValidationError` for a parameter that breaks its API constraint."""
    return refusal(IamErrorCode.VALIDATION_ERROR, reason, message, parameter)


def raise_violation(violation: Violation | None, parameter: str) -> None:
    """Raise the `ValidationError` for a violation; do nothing for None."""
    if violation is not None:
        raise invalid(violation.reason, violation.message, parameter)


def _check_length(text: str, minimum: int, maximum: int, reason: LimitReason, parameter: str) -> None:
    if not minimum <= len(text) <= maximum:
        message = f"{parameter} has {len(text)} characters; it must have {minimum}–{maximum}"
        raise invalid(reason, message, parameter)


def canonical_name(name: str) -> str:
    """The form under which AWS compares names for uniqueness: case folded."""
    return name.lower()


def name_violation(kind: NameKind, name: str) -> Violation | None:
    """What is wrong with `name` as a name of this kind, or None."""
    what = kind.parameter
    if not name:
        return Violation(LimitReason.NAME_TOO_SHORT, f"{what} must not be empty")
    if len(name) > kind.maximum:
        message = f"{what} `{name}` has {len(name)} characters; at most {kind.maximum}"
        return Violation(LimitReason.NAME_TOO_LONG, message)
    saml = kind is NameKind.SAML_PROVIDER
    if (_SAML_PROVIDER_NAME if saml else _NAME).fullmatch(name) is None:
        message = f"{what} `{name}` may hold only ASCII letters, digits and {'_.-' if saml else '_+=,.@-'}"
        return Violation(LimitReason.NAME_BAD_CHARACTERS, message)
    return None


def check_name(kind: NameKind, name: str) -> None:
    """Refuse a name that breaks the length or character rule of its kind."""
    raise_violation(name_violation(kind, name), kind.parameter)


def check_user_name(name: str) -> None:
    """Refuse a user name that is not 1–64 characters of `[A-Za-z0-9_+=,.@-]`."""
    check_name(NameKind.USER, name)


def check_group_name(name: str) -> None:
    """Refuse a group name that is not 1–128 characters of `[A-Za-z0-9_+=,.@-]`."""
    check_name(NameKind.GROUP, name)


def check_role_name(name: str) -> None:
    """Refuse a role name that is not 1–64 characters of `[A-Za-z0-9_+=,.@-]`."""
    check_name(NameKind.ROLE, name)


def check_managed_policy_name(name: str) -> None:
    """Refuse a managed policy name that is not 1–128 characters of `[A-Za-z0-9_+=,.@-]`."""
    check_name(NameKind.MANAGED_POLICY, name)


def check_inline_policy_name(name: str) -> None:
    """Refuse an inline policy name that is not 1–128 characters of `[A-Za-z0-9_+=,.@-]`."""
    check_name(NameKind.INLINE_POLICY, name)


def check_instance_profile_name(name: str) -> None:
    """Refuse an instance profile name that is not 1–128 characters of `[A-Za-z0-9_+=,.@-]`."""
    check_name(NameKind.INSTANCE_PROFILE, name)


def check_saml_provider_name(name: str) -> None:
    """Refuse a SAML provider name that is not 1–128 characters of `[A-Za-z0-9_.-]`."""
    check_name(NameKind.SAML_PROVIDER, name)


def _check_path(path: str, pattern: re.Pattern[str], shape: str, parameter: str) -> None:
    if len(path) > MAX_PATH:
        raise invalid(LimitReason.PATH_TOO_LONG, f"{parameter} has {len(path)} characters; at most 512", parameter)
    if pattern.fullmatch(path) is None:
        raise invalid(LimitReason.PATH_INVALID, f"{parameter} `{path}` must be {shape}", parameter)


def check_path(path: str, *, parameter: str = "Path") -> None:
    """Refuse a user, group, role or instance profile path: `/`, or `/…/` of `!`–`~`, ≤ 512."""
    _check_path(path, _PATH, "`/` or begin and end with `/`, with printable ASCII between", parameter)


def check_policy_path(path: str, *, parameter: str = "Path") -> None:
    """Refuse a managed policy path: `/`-separated segments of `[A-Za-z0-9.,+@=_-]`, ≤ 512."""
    _check_path(path, _POLICY_PATH, "`/` or `/`-separated segments of letters, digits and .,+@=_-", parameter)


def check_role_description(text: str, *, parameter: str = "Description") -> None:
    """Refuse a role description over 1,000 characters or outside tab, newline and Latin-1 text."""
    _check_length(text, 0, MAX_DESCRIPTION, LimitReason.DESCRIPTION_TOO_LONG, parameter)
    if _ROLE_DESCRIPTION.fullmatch(text) is None:
        message = f"{parameter} may hold only tab, newline, carriage return and printable Latin-1 characters"
        raise invalid(LimitReason.DESCRIPTION_BAD_CHARACTERS, message, parameter)


def check_policy_description(text: str, *, parameter: str = "Description") -> None:
    """Refuse a managed policy description over 1,000 characters."""
    _check_length(text, 0, MAX_DESCRIPTION, LimitReason.DESCRIPTION_TOO_LONG, parameter)


def check_max_session_duration(seconds: int) -> None:
    """Refuse a role's MaxSessionDuration outside 3,600–43,200 seconds."""
    if not 3600 <= seconds <= 43200:
        message = f"MaxSessionDuration {seconds} is outside 3600–43200 seconds"
        raise invalid(LimitReason.MAX_SESSION_DURATION_OUT_OF_RANGE, message, "MaxSessionDuration")


def check_policy_document_text(text: str, *, parameter: str = "PolicyDocument") -> None:
    """Refuse policy text that is empty, over 131,072 characters, or outside tab/newline/Latin-1."""
    _check_length(text, 1, MAX_POLICY_DOCUMENT, LimitReason.POLICY_DOCUMENT_LENGTH, parameter)
    if _POLICY_TEXT.fullmatch(text) is None:
        message = f"{parameter} may hold only tab, newline, carriage return and characters U+0020–U+00FF"
        raise invalid(LimitReason.POLICY_DOCUMENT_BAD_CHARACTERS, message, parameter)


def check_arn_parameter(arn: str, *, parameter: str = "PolicyArn") -> None:
    """Refuse an ARN parameter (PolicyArn, PermissionsBoundary) outside 20–2,048 characters."""
    _check_length(arn, 20, 2048, LimitReason.ARN_LENGTH, parameter)


def check_oidc_provider(url: str, client_ids: Sequence[str] = (), thumbprints: Sequence[str] = ()) -> None:
    """Refuse CreateOpenIDConnectProvider parameters: https URL ≤ 255, client IDs, thumbprints."""
    _check_length(url, 1, 255, LimitReason.OIDC_URL_LENGTH, "Url")
    for index, client_id in enumerate(client_ids):
        _check_length(client_id, 1, 255, LimitReason.CLIENT_ID_LENGTH, f"ClientIDList[{index}]")
    for index, thumbprint in enumerate(thumbprints):
        _check_length(thumbprint, 40, 40, LimitReason.THUMBPRINT_INVALID, f"ThumbprintList[{index}]")
    if not url.startswith("https://") or "?" in url or "#" in url:
        message = f"Url `{url}` must begin with `https://` and have no query"
        raise refusal(IamErrorCode.INVALID_INPUT, LimitReason.OIDC_URL_INVALID, message, "Url")
    for index, thumbprint in enumerate(thumbprints):
        if _HEX40.fullmatch(thumbprint) is None:
            message = f"thumbprint `{thumbprint}` is not a hex SHA-1 digest"
            parameter = f"ThumbprintList[{index}]"
            raise refusal(IamErrorCode.INVALID_INPUT, LimitReason.THUMBPRINT_INVALID, message, parameter)
    check_oidc_list_sizes(len(client_ids), len(thumbprints))


def check_oidc_list_sizes(client_id_count: int, thumbprint_count: int) -> None:
    """Refuse an OIDC provider that would hold over 100 client IDs or over 5 thumbprints."""
    code = IamErrorCode.LIMIT_EXCEEDED
    if client_id_count > MAX_CLIENT_IDS:
        message = f"{client_id_count} client IDs; an OIDC provider holds at most 100"
        raise refusal(code, LimitReason.CLIENT_IDS_PER_OIDC_PROVIDER, message, "ClientIDList")
    if thumbprint_count > MAX_THUMBPRINTS:
        message = f"{thumbprint_count} thumbprints; an OIDC provider holds at most 5"
        raise refusal(code, LimitReason.THUMBPRINTS_PER_OIDC_PROVIDER, message, "ThumbprintList")


def check_saml_metadata_document(text: str) -> None:
    """Refuse a SAML metadata document outside 1,000–10,000,000 characters."""
    _check_length(text, 1000, 10_000_000, LimitReason.SAML_METADATA_LENGTH, "SAMLMetadataDocument")

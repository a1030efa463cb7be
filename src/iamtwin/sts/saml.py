"""SAML 2.0 authentication responses for `AssumeRoleWithSAML`, verified as AWS STS verifies them.

`verify_saml_response` base64-decodes the response, verifies its XML signature (on the `Response`
or on its `Assertion`) against the IdP metadata's certificates with signxml, and from then on reads
only what signxml returns as signed, so content moved around the signature (signature wrapping) is
never looked at. On the signed assertion it checks the issuer, the `Conditions` window and audience,
the single `SubjectConfirmationData` (its `NotOnOrAfter`, and a `Recipient` that is an AWS sign-in
endpoint), and reads the attributes AWS uses (`Role`, `RoleSessionName`, `SessionDuration`,
`PrincipalTag:*`, `TransitiveTagKeys`, `SourceIdentity`). Refusals are `StsError`s with AWS's codes.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any, NamedTuple

from lxml import etree
from signxml.exceptions import SignXMLException
from signxml.verifier import SignatureConfiguration, XMLVerifier

from .errors import StsError, StsErrorCode
from .saml_keys import attribute_condition_keys, name_qualifier, subject_type
from .saml_metadata import SamlIdpMetadata, parse_idp_metadata
from .saml_xml import NS, SAML_ASSERTION, SAML_PROTOCOL, XmlProblem, parse_instant, parse_xml, qname, safe_parser

__all__ = ["SamlAssertion", "SamlIdpMetadata", "parse_idp_metadata", "verify_saml_response"]

ATTRIBUTE_PREFIX = "https://aws.amazon.com/SAML/Attributes/"
ROLE_ATTRIBUTE = ATTRIBUTE_PREFIX + "Role"
ROLE_SESSION_NAME_ATTRIBUTE = ATTRIBUTE_PREFIX + "RoleSessionName"
SESSION_DURATION_ATTRIBUTE = ATTRIBUTE_PREFIX + "SessionDuration"
PRINCIPAL_TAG_PREFIX = ATTRIBUTE_PREFIX + "PrincipalTag:"
TRANSITIVE_TAG_KEYS_ATTRIBUTE = ATTRIBUTE_PREFIX + "TransitiveTagKeys"
SOURCE_IDENTITY_ATTRIBUTE = ATTRIBUTE_PREFIX + "SourceIdentity"

# AssumeRoleWithSAML: `SAMLAssertion` is 4 to 100,000 characters.
MAX_RESPONSE_CHARS = 100_000
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
# The audiences the IAM guide names; recipients are the sign-in endpoint, global or regional, in any
# partition, optionally with the `/acs/<IdP ID>` suffix used when assertions are encrypted.
ACCEPTED_AUDIENCES = frozenset({"https://signin.aws.amazon.com/saml", "urn:amazon:webservices"})
_SIGNIN_ENDPOINT = re.compile(
    r"^https://([a-z0-9-]+\.)?signin\.(aws\.amazon\.com|amazonaws-us-gov\.com|amazonaws\.cn)/saml(/acs/[A-Za-z0-9-]+)?$"
)
_SESSION_NAME = re.compile(r"^[\w+=,.@-]{2,64}$", re.ASCII)
_PROVIDER_ARN = re.compile(r"^arn:(aws[a-z-]*):iam::(\d{12}):saml-provider/([\w+=,.@-]+)$", re.ASCII)
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/\S+$", re.ASCII)


@dataclass(frozen=True, slots=True)
class SamlAssertion:
    """The signed facts of a verified SAML response that STS and policy evaluation use."""

    provider_arn: str
    assertion_id: str
    issuer: str
    subject: str
    name_id_format: str | None
    recipient: str
    audiences: tuple[str, ...]
    not_on_or_after: datetime
    role_pairs: tuple[tuple[str, str], ...]
    role_session_name: str
    session_duration: int | None
    principal_tags: Mapping[str, str]
    transitive_tag_keys: tuple[str, ...]
    source_identity: str | None
    session_not_on_or_after: datetime | None
    attributes: Mapping[str, tuple[str, ...]]

    def permits_role(self, role_arn: str) -> bool:
        """Whether the `Role` attribute pairs `role_arn` with this response's SAML provider."""
        return (role_arn, self.provider_arn) in self.role_pairs

    def condition_keys(self) -> dict[str, str | list[str]]:
        """The `saml:` request context keys AWS derives from the assertion."""
        match = _PROVIDER_ARN.match(self.provider_arn)
        if match is None:
            raise ValueError(f"`{self.provider_arn}` is not a SAML provider ARN")
        account_id, provider_name = match.group(2), match.group(3)
        keys: dict[str, str | list[str]] = {
            "saml:aud": self.recipient,
            "saml:iss": self.issuer,
            "saml:sub": self.subject,
            "saml:sub_type": subject_type(self.name_id_format),
            "saml:doc": f"{account_id}/{provider_name}",
            "saml:namequalifier": name_qualifier(self.issuer, account_id, provider_name),
        }
        for key, value in attribute_condition_keys(self.attributes).items():
            keys.setdefault(key, value)
        return keys


def _invalid(message: str, reason: str) -> StsError:
    return StsError(StsErrorCode.INVALID_IDENTITY_TOKEN, message, reason=reason)


def _decode(saml_response_b64: str) -> bytes:
    if not 4 <= len(saml_response_b64) <= MAX_RESPONSE_CHARS:
        raise StsError(
            StsErrorCode.VALIDATION_ERROR,
            f"the SAML assertion must be 4 to {MAX_RESPONSE_CHARS} characters",
            reason="SAML_ASSERTION_LENGTH",
        )
    try:
        return base64.b64decode("".join(saml_response_b64.split()), validate=True)
    except (binascii.Error, ValueError):
        raise _invalid("the SAML response is not base64", "MALFORMED_RESPONSE") from None


def _check_status(response: Any) -> None:
    # The status may sit outside the signed part; reading it can only refuse, never let anything in.
    status = response.find("samlp:Status/samlp:StatusCode", namespaces=NS)
    if status is not None and status.get("Value") != SUCCESS:
        raise StsError(
            StsErrorCode.IDP_REJECTED_CLAIM,
            f"the identity provider reported `{status.get('Value')}`",
            reason="IDP_STATUS_NOT_SUCCESS",
        )


def _signature_location(response: Any) -> str:
    if response.find("saml:EncryptedAssertion", namespaces=NS) is not None:
        raise _invalid("encrypted assertions are not supported", "ENCRYPTED_ASSERTION_UNSUPPORTED")
    assertions = response.findall("saml:Assertion", namespaces=NS)
    if len(assertions) != 1:
        raise _invalid("the SAML response must hold exactly one assertion", "ASSERTION_COUNT")
    if response.find("ds:Signature", namespaces=NS) is not None:
        return "./"
    if assertions[0].find("ds:Signature", namespaces=NS) is not None:
        return f"./{qname(SAML_ASSERTION, 'Assertion')}/"
    raise _invalid("the SAML response is not signed", "UNSIGNED_RESPONSE")


def _signed_assertion(data: bytes, location: str, metadata: SamlIdpMetadata, now: datetime) -> Any:
    config = SignatureConfiguration(location=location, expect_references=1, verification_time=now)
    signed = None
    for certificate in metadata.signing_certificates:
        try:
            result = XMLVerifier().verify(data, x509_cert=certificate, expect_config=config, parser=safe_parser())
        except (SignXMLException, ValueError, TypeError, etree.LxmlError):
            # signxml raises ValueError for algorithms it does not know; any failure means "not this key".
            continue
        signed = result.signed_xml if not isinstance(result, list) else None
        break
    if signed is None:
        raise _invalid("response signature invalid", "SIGNATURE_INVALID")
    if signed.tag == qname(SAML_ASSERTION, "Assertion"):
        return signed
    if signed.tag == qname(SAML_PROTOCOL, "Response"):
        inner = signed.findall("saml:Assertion", namespaces=NS)
        if len(inner) == 1:
            return inner[0]
    raise _invalid("the signature does not cover the assertion", "SIGNED_ELEMENT_UNEXPECTED")


def _instant(element: Any, attribute: str) -> datetime | None:
    try:
        return parse_instant(element.get(attribute))
    except ValueError:
        raise _invalid(f"`{attribute}` is not an xs:dateTime", "MALFORMED_RESPONSE") from None


def _check_window(not_before: datetime | None, not_on_or_after: datetime | None, now: datetime, what: str) -> None:
    if not_before is not None and now < not_before:
        raise _invalid(f"the {what} is not valid before {not_before.isoformat()}", "ASSERTION_NOT_YET_VALID")
    if not_on_or_after is not None and now >= not_on_or_after:
        raise StsError(
            StsErrorCode.EXPIRED_TOKEN,
            f"the {what} expired at {not_on_or_after.isoformat()}",
            reason="ASSERTION_EXPIRED",
        )


def _subject(assertion: Any, now: datetime) -> tuple[str, str | None, str, datetime]:
    name_id = assertion.find("saml:Subject/saml:NameID", namespaces=NS)
    if name_id is None or not (name_id.text or "").strip():
        # The IAM guide lists a missing Subject NameID among the causes of this AccessDenied.
        raise StsError(
            StsErrorCode.ACCESS_DENIED, "not authorized to perform sts:AssumeRoleWithSAML", reason="MISSING_NAME_ID"
        )
    data = assertion.findall("saml:Subject/saml:SubjectConfirmation/saml:SubjectConfirmationData", namespaces=NS)
    if len(data) != 1 or data[0].get("Recipient") is None or data[0].get("NotOnOrAfter") is None:
        raise _invalid(
            "the subject needs exactly one SubjectConfirmationData with NotOnOrAfter and Recipient",
            "SUBJECT_CONFIRMATION",
        )
    recipient = data[0].get("Recipient").strip()
    if not _SIGNIN_ENDPOINT.match(recipient):
        raise _invalid(f"the recipient `{recipient}` is not the AWS sign-in endpoint", "RECIPIENT_MISMATCH")
    expires = _instant(data[0], "NotOnOrAfter")
    assert expires is not None
    _check_window(_instant(data[0], "NotBefore"), expires, now, "subject confirmation")
    return name_id.text.strip(), name_id.get("Format"), recipient, expires


def _conditions(assertion: Any, now: datetime) -> tuple[tuple[str, ...], datetime | None]:
    conditions = assertion.find("saml:Conditions", namespaces=NS)
    if conditions is None:
        raise _invalid("the assertion has no Conditions", "MISSING_CONDITIONS")
    not_on_or_after = _instant(conditions, "NotOnOrAfter")
    _check_window(_instant(conditions, "NotBefore"), not_on_or_after, now, "assertion")
    restrictions = conditions.findall("saml:AudienceRestriction", namespaces=NS)
    audiences: list[str] = []
    for restriction in restrictions:
        values = [(a.text or "").strip() for a in restriction.findall("saml:Audience", namespaces=NS)]
        audiences.extend(values)
        # Each AudienceRestriction must be met; within one, any listed audience will do (SAML core 2.5.1.4).
        if not any(v in ACCEPTED_AUDIENCES or _SIGNIN_ENDPOINT.match(v) for v in values):
            raise _invalid("the assertion is not meant for AWS", "AUDIENCE_MISMATCH")
    if not restrictions:
        raise _invalid("the response does not contain the required audience", "AUDIENCE_MISMATCH")
    return tuple(audiences), not_on_or_after


def _attributes(assertion: Any) -> dict[str, tuple[str, ...]]:
    attributes: dict[str, tuple[str, ...]] = {}
    for attribute in assertion.findall("saml:AttributeStatement/saml:Attribute", namespaces=NS):
        name = attribute.get("Name")
        if not name:
            continue
        values = tuple((v.text or "").strip() for v in attribute.findall("saml:AttributeValue", namespaces=NS))
        attributes[name] = attributes.get(name, ()) + values
    return attributes


def _role_pairs(values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    if not values:
        raise _invalid("the response has no `Role` attribute", "MISSING_ROLE_ATTRIBUTE")
    pairs: list[tuple[str, str]] = []
    for value in values:
        parts = [p.strip() for p in value.split(",")]
        roles = [p for p in parts if _ROLE_ARN.match(p)]
        providers = [p for p in parts if _PROVIDER_ARN.match(p)]
        if len(parts) != 2 or len(roles) != 1 or len(providers) != 1:
            raise _invalid(f"the Role value `{value}` is not a role ARN and a provider ARN", "INVALID_ROLE_ATTRIBUTE")
        pairs.append((roles[0], providers[0]))
    return tuple(pairs)


def _single(attributes: Mapping[str, tuple[str, ...]], name: str) -> str | None:
    values = attributes.get(name)
    if not values:
        return None
    if len(values) != 1:
        raise _invalid(f"the `{name}` attribute must have one value", "MULTIVALUED_ATTRIBUTE")
    return values[0]


class _SessionAttributes(NamedTuple):
    role_session_name: str
    source_identity: str | None
    session_duration: int | None
    principal_tags: Mapping[str, str]
    transitive_tag_keys: tuple[str, ...]


def _session_attributes(attributes: Mapping[str, tuple[str, ...]]) -> _SessionAttributes:
    session_name = _single(attributes, ROLE_SESSION_NAME_ATTRIBUTE)
    if session_name is None:
        raise _invalid("RoleSessionName is required in AuthnResponse", "MISSING_ROLE_SESSION_NAME")
    if not _SESSION_NAME.match(session_name):
        raise _invalid(
            "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}", "INVALID_ROLE_SESSION_NAME"
        )
    source_identity = _single(attributes, SOURCE_IDENTITY_ATTRIBUTE)
    if source_identity is not None and (
        not _SESSION_NAME.match(source_identity) or source_identity.lower().startswith("aws:")
    ):
        raise _invalid(
            'Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with "aws:"', "INVALID_SOURCE_IDENTITY"
        )
    duration_text = _single(attributes, SESSION_DURATION_ATTRIBUTE)
    duration = None
    if duration_text is not None:
        if not duration_text.isascii() or not duration_text.isdigit() or not 900 <= int(duration_text) <= 43200:
            raise _invalid("SessionDuration must be 900 to 43200 seconds", "INVALID_SESSION_DURATION")
        duration = int(duration_text)
    tags: dict[str, str] = {}
    for name in attributes:
        if name.startswith(PRINCIPAL_TAG_PREFIX):
            value = _single(attributes, name)
            tags[name[len(PRINCIPAL_TAG_PREFIX) :]] = value or ""
    transitive = attributes.get(TRANSITIVE_TAG_KEYS_ATTRIBUTE, ())
    return _SessionAttributes(session_name, source_identity, duration, MappingProxyType(tags), transitive)


def verify_saml_response(
    saml_response_b64: str, metadata: SamlIdpMetadata, now: datetime, *, provider_arn: str
) -> SamlAssertion:
    """Verify a base64 SAML response from the IdP of `metadata` at `now`; `StsError` as AWS STS would refuse it."""
    if now.tzinfo is None:
        raise ValueError("`now` must be timezone-aware")
    if _PROVIDER_ARN.match(provider_arn) is None:
        raise ValueError(f"`{provider_arn}` is not a SAML provider ARN")
    data = _decode(saml_response_b64)
    try:
        response = parse_xml(data)
    except XmlProblem as exc:
        raise _invalid(f"unable to parse the SAML response: {exc}", "MALFORMED_RESPONSE") from None
    if response.tag != qname(SAML_PROTOCOL, "Response"):
        raise _invalid("the document is not a SAML 2.0 Response", "MALFORMED_RESPONSE")
    _check_status(response)
    assertion = _signed_assertion(data, _signature_location(response), metadata, now)
    issuer = (assertion.findtext("saml:Issuer", namespaces=NS) or "").strip()
    if issuer != metadata.entity_id:
        raise _invalid("failed to assume role: issuer not present in specified provider", "ISSUER_MISMATCH")
    subject, name_id_format, recipient, confirmation_expiry = _subject(assertion, now)
    audiences, conditions_expiry = _conditions(assertion, now)
    attributes = _attributes(assertion)
    authn = assertion.find("saml:AuthnStatement", namespaces=NS)
    expiries = [e for e in (confirmation_expiry, conditions_expiry) if e is not None]
    session = _session_attributes(attributes)
    return SamlAssertion(
        provider_arn=provider_arn,
        assertion_id=assertion.get("ID") or "",
        issuer=issuer,
        subject=subject,
        name_id_format=name_id_format,
        recipient=recipient,
        audiences=audiences,
        not_on_or_after=min(expiries),
        role_pairs=_role_pairs(attributes.get(ROLE_ATTRIBUTE, ())),
        session_not_on_or_after=_instant(authn, "SessionNotOnOrAfter") if authn is not None else None,
        attributes=MappingProxyType(attributes),
        role_session_name=session.role_session_name,
        session_duration=session.session_duration,
        principal_tags=session.principal_tags,
        transitive_tag_keys=session.transitive_tag_keys,
        source_identity=session.source_identity,
    )

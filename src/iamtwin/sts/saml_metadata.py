"""An identity provider's SAML 2.0 metadata document, read as IAM reads it when a SAML provider is created.

IAM takes from the document (as Azure AD, AD FS, Okta or Shibboleth export it) the issuer's entity ID,
its expiration (`validUntil`) and the certificates whose keys sign its authentication responses:
those in `IDPSSODescriptor/KeyDescriptor` with `use="signing"` or no `use`. Other role descriptors
(AD FS adds WS-Federation ones) and the metadata's own signature are not used. IAM requires UTF-8
without a byte order mark and certificate keys of at least 1024 bits; a document that breaks these
rules is refused with the IAM error `InvalidInput` ("could not parse metadata").
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import dsa, rsa

from ..world.iam_errors import IamError, IamErrorCode
from .saml_xml import NS, SAML_METADATA, SAML_PROTOCOL, XmlProblem, parse_instant, parse_xml, qname

MIN_KEY_BITS = 1024


@dataclass(frozen=True, slots=True)
class SamlIdpMetadata:
    """What IAM keeps of an IdP's metadata: entity ID, signing certificates and expiration."""

    entity_id: str
    signing_certificates: tuple[x509.Certificate, ...]
    valid_until: datetime | None = None


def _refuse(message: str, reason: str) -> IamError:
    return IamError(IamErrorCode.INVALID_INPUT, f"could not parse metadata: {message}", reason=reason)


def _as_bytes(xml: str | bytes) -> bytes:
    if isinstance(xml, str):
        if xml.startswith("\ufeff"):
            raise _refuse("the document starts with a byte order mark", "METADATA_HAS_BOM")
        return xml.encode("utf-8")
    if xml.startswith(b"\xef\xbb\xbf"):
        raise _refuse("the document starts with a byte order mark", "METADATA_HAS_BOM")
    try:
        xml.decode("utf-8")
    except UnicodeDecodeError:
        raise _refuse("the document is not UTF-8", "METADATA_NOT_UTF8") from None
    return xml


def _certificate(text: str | None) -> x509.Certificate:
    compact = "".join((text or "").split())
    try:
        cert = x509.load_der_x509_certificate(base64.b64decode(compact, validate=True))
    except (binascii.Error, ValueError):
        raise _refuse("a signing certificate is not a base64 DER X.509 certificate", "INVALID_CERTIFICATE") from None
    key = cert.public_key()
    if isinstance(key, (rsa.RSAPublicKey, dsa.DSAPublicKey)) and key.key_size < MIN_KEY_BITS:
        raise _refuse(
            f"a signing certificate's key has {key.key_size} bits; at least {MIN_KEY_BITS} are required",
            "KEY_TOO_SMALL",
        )
    return cert


def _signing_certificates(idp: Any) -> tuple[x509.Certificate, ...]:
    certs: list[x509.Certificate] = []
    for descriptor in idp.findall("md:KeyDescriptor", namespaces=NS):
        if descriptor.get("use") not in (None, "signing"):
            continue
        for element in descriptor.findall("ds:KeyInfo/ds:X509Data/ds:X509Certificate", namespaces=NS):
            cert = _certificate(element.text)
            if cert not in certs:
                certs.append(cert)
    return tuple(certs)


def parse_idp_metadata(xml: str | bytes) -> SamlIdpMetadata:
    """Read an IdP's SAML metadata document; `IamError` `InvalidInput` when IAM would refuse it."""
    data = _as_bytes(xml)
    try:
        root = parse_xml(data)
    except XmlProblem as exc:
        raise _refuse(str(exc), "METADATA_NOT_XML") from None
    if root.tag != qname(SAML_METADATA, "EntityDescriptor"):
        raise _refuse("the document element is not a SAML 2.0 `EntityDescriptor`", "NOT_ENTITY_DESCRIPTOR")
    entity_id = (root.get("entityID") or "").strip()
    if not entity_id:
        raise _refuse("the `EntityDescriptor` has no `entityID`", "MISSING_ENTITY_ID")
    idps = [
        idp
        for idp in root.findall("md:IDPSSODescriptor", namespaces=NS)
        if SAML_PROTOCOL in (idp.get("protocolSupportEnumeration") or "").split()
    ]
    if len(idps) != 1:
        raise _refuse("the document must describe exactly one SAML 2.0 `IDPSSODescriptor`", "MISSING_IDP_DESCRIPTOR")
    certificates = _signing_certificates(idps[0])
    if not certificates:
        raise _refuse("the `IDPSSODescriptor` has no signing certificate", "NO_SIGNING_CERTIFICATE")
    try:
        valid_until = parse_instant(root.get("validUntil") or idps[0].get("validUntil"))
    except ValueError:
        raise _refuse("`validUntil` is not an xs:dateTime", "INVALID_VALID_UNTIL") from None
    return SamlIdpMetadata(entity_id=entity_id, signing_certificates=certificates, valid_until=valid_until)

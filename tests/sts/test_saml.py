"""SAML responses signed in the test with signxml, verified as AssumeRoleWithSAML verifies them."""

from __future__ import annotations

import base64
import copy
import hashlib
from datetime import timedelta

import pytest
from lxml import etree

from iamtwin.sts.errors import StsError
from iamtwin.sts.saml import SamlAssertion, SamlIdpMetadata, parse_idp_metadata, verify_saml_response
from iamtwin.world.iam_errors import IamError

from .federation_fixtures import (
    ENTITY_ID,
    NOW,
    PROVIDER_ARN,
    ROLE_ARN,
    AssertionSpec,
    SigningIdentity,
    b64,
    idp_metadata,
    make_identity,
    saml_response,
)

ASSERTIONS_GUIDE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_assertions.html"
TROUBLESHOOTING = "https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_saml.html"
ATTR = "https://aws.amazon.com/SAML/Attributes/"


@pytest.fixture(scope="module")
def identity() -> SigningIdentity:
    return make_identity()


@pytest.fixture(scope="module")
def metadata(identity: SigningIdentity) -> SamlIdpMetadata:
    return parse_idp_metadata(idp_metadata(ENTITY_ID, [identity.cert_base64]))


def _verify(response: bytes, metadata: SamlIdpMetadata) -> SamlAssertion:
    return verify_saml_response(b64(response), metadata, NOW, provider_arn=PROVIDER_ARN)


def _refused(response: bytes | str, metadata: SamlIdpMetadata) -> StsError:
    text = response if isinstance(response, str) else b64(response)
    with pytest.raises(StsError) as caught:
        verify_saml_response(text, metadata, NOW, provider_arn=PROVIDER_ARN)
    return caught.value


@pytest.mark.parametrize("signed", ["assertion", "response"])
def test_valid_response(signed: str, identity: SigningIdentity, metadata: SamlIdpMetadata) -> None:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_assertions.html — a
    signed response with Subject/NameID, one SubjectConfirmationData (Recipient, NotOnOrAfter), the AWS
    audience, and the Role and RoleSessionName attributes is accepted, signed on the Response or the Assertion."""
    result = _verify(saml_response(AssertionSpec(), identity, sign=signed), metadata)
    assert result.issuer == ENTITY_ID
    assert result.role_pairs == ((ROLE_ARN, PROVIDER_ARN),)
    assert result.permits_role(ROLE_ARN)
    assert result.role_session_name == "alice@example.com"
    assert result.recipient == "https://signin.aws.amazon.com/saml"


def test_condition_keys(identity: SigningIdentity, metadata: SamlIdpMetadata) -> None:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_saml.html#CreatingSAML-userid —
    `saml:namequalifier` is Base64(SHA1(issuer + account ID + "/" + provider name)), `saml:doc` is
    account/provider, `saml:aud` is the Recipient, `saml:sub_type` shortens persistent/transient; the
    eduPerson attributes map as "Mapping SAML attributes to AWS trust policy context keys" lists."""
    spec = AssertionSpec()
    spec.attributes["urn:oid:1.3.6.1.4.1.5923.1.1.1.1"] = ["staff", "member"]
    spec.attributes["urn:oid:1.3.6.1.4.1.5923.1.1.1.6"] = ["alice@example.edu"]
    spec.attributes["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"] = ["alice@example.com"]
    keys = _verify(saml_response(spec, identity), metadata).condition_keys()
    expected_qualifier = base64.b64encode(
        hashlib.sha1((ENTITY_ID + "123456789012" + "/ExampleIdP").encode()).digest()
    ).decode()
    assert keys == {
        "saml:aud": "https://signin.aws.amazon.com/saml",
        "saml:iss": ENTITY_ID,
        "saml:sub": spec.name_id,
        "saml:sub_type": "persistent",
        "saml:doc": "123456789012/ExampleIdP",
        "saml:namequalifier": expected_qualifier,
        "saml:edupersonaffiliation": ["staff", "member"],
        "saml:edupersonprincipalname": "alice@example.edu",
        "saml:mail": "alice@example.com",
    }


def test_session_attributes(identity: SigningIdentity, metadata: SamlIdpMetadata) -> None:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_assertions.html — Role
    pairs in either order, SessionDuration, PrincipalTag:{TagKey}, TransitiveTagKeys and SourceIdentity."""
    spec = AssertionSpec()
    other_role = ROLE_ARN.replace("Federated", "ReadOnly")
    spec.attributes[ATTR + "Role"] = [f"{ROLE_ARN},{PROVIDER_ARN}", f"{PROVIDER_ARN}, {other_role}"]
    spec.attributes[ATTR + "SessionDuration"] = ["1800"]
    spec.attributes[ATTR + "PrincipalTag:Project"] = ["Marketing"]
    spec.attributes[ATTR + "PrincipalTag:CostCenter"] = ["12345"]
    spec.attributes[ATTR + "TransitiveTagKeys"] = ["Project", "CostCenter"]
    spec.attributes[ATTR + "SourceIdentity"] = ["DiegoRamirez"]
    result = _verify(saml_response(spec, identity), metadata)
    assert result.role_pairs == ((ROLE_ARN, PROVIDER_ARN), (other_role, PROVIDER_ARN))
    assert result.session_duration == 1800
    assert dict(result.principal_tags) == {"Project": "Marketing", "CostCenter": "12345"}
    assert result.transitive_tag_keys == ("Project", "CostCenter")
    assert result.source_identity == "DiegoRamirez"


def test_tampered_after_signing(identity: SigningIdentity, metadata: SamlIdpMetadata) -> None:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_saml.html — content changed after the IdP
    signed it no longer matches the signature: "Response signature invalid" (InvalidIdentityToken)."""
    tampered = saml_response(AssertionSpec(), identity).replace(b"alice@example.com", b"mallory@example.com")
    error = _refused(tampered, metadata)
    assert (error.code, error.reason) == ("InvalidIdentityToken", "SIGNATURE_INVALID")


def test_signed_by_another_key(metadata: SamlIdpMetadata) -> None:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_saml.html — a response signed with a key
    that is not in the provider's metadata fails with "Response signature invalid"."""
    error = _refused(saml_response(AssertionSpec(), make_identity("attacker")), metadata)
    assert (error.code, error.reason) == ("InvalidIdentityToken", "SIGNATURE_INVALID")


def test_any_metadata_certificate_may_sign(identity: SigningIdentity) -> None:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml.html — the metadata holds
    the keys that can validate responses; during a rotation either signing certificate validates."""
    old = make_identity("old")
    both = parse_idp_metadata(idp_metadata(ENTITY_ID, [old.cert_base64, identity.cert_base64], uses=["signing", None]))
    assert _verify(saml_response(AssertionSpec(), identity), both).subject


def _wrapped(identity: SigningIdentity, variant: str) -> bytes:
    """A signed response rearranged the ways signature-wrapping attacks do, with an evil assertion in front."""
    ns = {"saml": "urn:oasis:names:tc:SAML:2.0:assertion", "ds": "http://www.w3.org/2000/09/xmldsig#"}
    response = etree.fromstring(saml_response(AssertionSpec(), identity))
    signed = response.find("saml:Assertion", ns)
    evil = copy.deepcopy(signed)
    for value in evil.iterfind(".//saml:AttributeValue", ns):
        if value.text == "alice@example.com":
            value.text = "mallory"
    if variant != "duplicate-id":
        evil.set("ID", "_evil")
        response.remove(signed)
    if variant == "hidden-in-signature":
        evil.find("ds:Signature", ns).append(signed)
    elif variant in ("moved-to-extensions", "duplicate-id"):
        extensions = etree.SubElement(response, "{urn:oasis:names:tc:SAML:2.0:protocol}Extensions")
        extensions.append(signed if variant == "moved-to-extensions" else evil)
    if variant == "unsigned-evil":
        evil.remove(evil.find("ds:Signature", ns))
        etree.SubElement(response, "{urn:oasis:names:tc:SAML:2.0:protocol}Extensions").append(signed)
    if variant != "duplicate-id":
        response.append(evil)
    return etree.tostring(response)


@pytest.mark.parametrize("variant", ["hidden-in-signature", "moved-to-extensions", "duplicate-id", "unsigned-evil"])
def test_signature_wrapping_is_refused(variant: str, identity: SigningIdentity, metadata: SamlIdpMetadata) -> None:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_saml.html — AWS trusts only what the IdP
    signed: an unsigned assertion put where the signed one was, with the signed original moved aside or
    duplicated, fails signature validation ("Response signature invalid") instead of being read."""
    error = _refused(_wrapped(identity, variant), metadata)
    assert error.code == "InvalidIdentityToken"
    assert error.reason in {"SIGNATURE_INVALID", "UNSIGNED_RESPONSE"}


@pytest.mark.parametrize("field", ["conditions", "confirmation"])
def test_expired(field: str, identity: SigningIdentity, metadata: SamlIdpMetadata) -> None:
    """https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithSAML.html — an assertion past its
    `Conditions` or `SubjectConfirmationData` NotOnOrAfter is refused with ExpiredTokenException."""
    later = NOW + timedelta(minutes=5)
    if field == "conditions":
        spec = AssertionSpec(not_on_or_after=NOW, confirmation_not_on_or_after=later)
    else:
        spec = AssertionSpec(confirmation_not_on_or_after=NOW - timedelta(seconds=1))
    error = _refused(saml_response(spec, identity), metadata)
    assert (error.code, error.reason) == ("ExpiredTokenException", "ASSERTION_EXPIRED")


def test_not_yet_valid(identity: SigningIdentity, metadata: SamlIdpMetadata) -> None:
    """https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithSAML.html — an assertion whose
    `Conditions` NotBefore lies ahead cannot be validated yet (InvalidIdentityToken)."""
    error = _refused(saml_response(AssertionSpec(not_before=NOW + timedelta(minutes=1)), identity), metadata)
    assert (error.code, error.reason) == ("InvalidIdentityToken", "ASSERTION_NOT_YET_VALID")


@pytest.mark.parametrize("audience", ["urn:amazon:webservices", "https://us-east-1.signin.aws.amazon.com/saml"])
def test_accepted_audiences(audience: str, identity: SigningIdentity, metadata: SamlIdpMetadata) -> None:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_assertions.html — the
    Audience may be `https://signin.aws.amazon.com/saml` or `urn:amazon:webservices` (and the regional
    sign-in endpoint the Recipient may name)."""
    assert _verify(saml_response(AssertionSpec(audience=audience), identity), metadata).audiences == (audience,)


def test_wrong_audience(identity: SigningIdentity, metadata: SamlIdpMetadata) -> None:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_assertions.html — AWS
    must be an audience of the assertion; one meant for another service provider is refused."""
    error = _refused(saml_response(AssertionSpec(audience="https://other.example/sp"), identity), metadata)
    assert (error.code, error.reason) == ("InvalidIdentityToken", "AUDIENCE_MISMATCH")


def test_wrong_recipient(identity: SigningIdentity, metadata: SamlIdpMetadata) -> None:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_saml_assertions.html — the
    SubjectConfirmationData Recipient must be the AWS sign-in endpoint."""
    error = _refused(saml_response(AssertionSpec(recipient="https://other.example/acs"), identity), metadata)
    assert (error.code, error.reason) == ("InvalidIdentityToken", "RECIPIENT_MISMATCH")


def test_missing_role_attribute(identity: SigningIdentity, metadata: SamlIdpMetadata) -> None:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_saml.html — a response without the
    `https://aws.amazon.com/SAML/Attributes/Role` attribute is invalid."""
    spec = AssertionSpec()
    del spec.attributes[ATTR + "Role"]
    error = _refused(saml_response(spec, identity), metadata)
    assert (error.code, error.reason) == ("InvalidIdentityToken", "MISSING_ROLE_ATTRIBUTE")


def test_role_session_name_rules(identity: SigningIdentity, metadata: SamlIdpMetadata) -> None:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_saml.html — "RoleSessionName is required in
    AuthnResponse" and must match [a-zA-Z_0-9+=,.@-]{2,64} (InvalidIdentityToken)."""
    spec = AssertionSpec()
    spec.attributes[ATTR + "RoleSessionName"] = ["John Doe"]
    assert _refused(saml_response(spec, identity), metadata).reason == "INVALID_ROLE_SESSION_NAME"
    del spec.attributes[ATTR + "RoleSessionName"]
    assert _refused(saml_response(spec, identity), metadata).reason == "MISSING_ROLE_SESSION_NAME"


def test_issuer_must_be_the_metadata_entity(identity: SigningIdentity) -> None:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_saml.html — "Issuer not present in specified
    provider" when the response's Issuer is not the entity ID of the uploaded metadata."""
    other = parse_idp_metadata(idp_metadata("https://other-idp.example/saml", [identity.cert_base64]))
    error = _refused(saml_response(AssertionSpec(), identity), other)
    assert (error.code, error.reason) == ("InvalidIdentityToken", "ISSUER_MISMATCH")


def test_idp_reported_failure(identity: SigningIdentity, metadata: SamlIdpMetadata) -> None:
    """https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithSAML.html — IDPRejectedClaim: the
    IdP reported that authentication failed (a non-Success status)."""
    response = saml_response(AssertionSpec(), identity, status="urn:oasis:names:tc:SAML:2.0:status:Requester")
    error = _refused(response, metadata)
    assert (error.code, error.reason) == ("IDPRejectedClaim", "IDP_STATUS_NOT_SUCCESS")


def test_unsigned_response(identity: SigningIdentity, metadata: SamlIdpMetadata) -> None:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_saml.html — AWS validates responses
    with the keys of the provider's metadata; a response with no signature cannot be validated."""
    error = _refused(saml_response(AssertionSpec(), identity, sign="none"), metadata)
    assert (error.code, error.reason) == ("InvalidIdentityToken", "UNSIGNED_RESPONSE")


@pytest.mark.parametrize(
    "text",
    [
        "!!!! not base64 !!!!",
        b64(b"<samlp:Response xmlns:samlp='urn:oasis:names:tc:SAML:2.0:protocol'>"),
        b64(b"<?xml version='1.0'?><!DOCTYPE r [<!ENTITY x 'y'>]><r>&x;</r>"),
        b64(b"<Assertion/>"),
    ],
)
def test_malformed_base64_or_xml(text: str, metadata: SamlIdpMetadata) -> None:
    """https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithSAML.html — `SAMLAssertion` is the
    base64-encoded SAML response; anything else (bad base64, broken XML, a DTD, not a Response) is invalid."""
    error = _refused(text, metadata)
    assert (error.code, error.reason) == ("InvalidIdentityToken", "MALFORMED_RESPONSE")


def test_metadata_reading(identity: SigningIdentity) -> None:
    """https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateSAMLProvider.html — the metadata document
    gives the issuer's name, expiration and the keys that validate responses; only IDPSSODescriptor
    KeyDescriptors with use="signing" or no use count."""
    encryption_only = make_identity("enc")
    metadata = parse_idp_metadata(
        idp_metadata(ENTITY_ID, [identity.cert_base64, encryption_only.cert_base64], uses=[None, "encryption"])
    )
    assert metadata.entity_id == ENTITY_ID
    assert metadata.signing_certificates == (identity.certificate,)
    assert metadata.valid_until is not None and metadata.valid_until.year == 2027


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ("encryption-only", "NO_SIGNING_CERTIFICATE"),
        ("bom", "METADATA_HAS_BOM"),
        ("not-xml", "METADATA_NOT_XML"),
        ("no-entity-id", "MISSING_ENTITY_ID"),
        ("bad-certificate", "INVALID_CERTIFICATE"),
    ],
)
def test_bad_metadata(document: str, reason: str, identity: SigningIdentity) -> None:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_saml.html — "Could not parse metadata": the
    document must be UTF-8 without a BOM, name the entity and hold a usable signing certificate; IAM answers
    InvalidInput."""
    good = idp_metadata(ENTITY_ID, [identity.cert_base64])
    documents: dict[str, str | bytes] = {
        "encryption-only": idp_metadata(ENTITY_ID, [identity.cert_base64], uses=["encryption"]),
        "bom": b"\xef\xbb\xbf" + good.encode(),
        "not-xml": "<EntityDescriptor",
        "no-entity-id": good.replace(f'entityID="{ENTITY_ID}"', ""),
        "bad-certificate": good.replace(identity.cert_base64, "bm90IGEgY2VydGlmaWNhdGU="),
    }
    with pytest.raises(IamError) as caught:
        parse_idp_metadata(documents[document])
    assert (caught.value.code, caught.value.reason) == ("InvalidInput", reason)

"""Test-side identity providers: keys and certificates, a local OIDC discovery server, SAML documents.

Everything is generated in the test run; the only network used is a server on 127.0.0.1.
"""

from __future__ import annotations

import base64
import json
import threading
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import XMLSigner

NOW = datetime(2026, 3, 14, 15, 9, 26, tzinfo=UTC)


# ---------------------------------------------------------------- keys


@dataclass(frozen=True)
class SigningIdentity:
    """An RSA key with a self-signed certificate, as an IdP holds it."""

    key: rsa.RSAPrivateKey
    certificate: x509.Certificate

    @property
    def key_pem(self) -> bytes:
        """The private key, PEM."""
        return self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    @property
    def cert_pem(self) -> str:
        """The certificate, PEM."""
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")

    @property
    def cert_base64(self) -> str:
        """The certificate as metadata documents carry it: base64 DER."""
        return base64.b64encode(self.certificate.public_bytes(serialization.Encoding.DER)).decode("ascii")

    def public_jwk(self, kid: str, *, alg: str | None = "RS256") -> dict[str, Any]:
        """The public key as a JWK with `kid`, for a JWKS."""
        data: dict[str, Any] = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        data.update({"kid": kid, "use": "sig"})
        if alg is not None:
            data["alg"] = alg
        return data


def make_identity(common_name: str = "idp.example.com", *, bits: int = 2048) -> SigningIdentity:
    """A fresh key and a certificate valid a year either side of NOW."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=365))
        .not_valid_after(NOW + timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return SigningIdentity(key, cert)


# ---------------------------------------------------------------- OIDC


@dataclass
class OidcIssuerServer:
    """A discovery document and a JWKS served from 127.0.0.1, changeable while running."""

    jwks: dict[str, Any] = field(default_factory=lambda: {"keys": []})
    requests: list[str] = field(default_factory=list)
    port: int = 0
    _server: ThreadingHTTPServer | None = None

    @property
    def host(self) -> str:
        """host:port, as IAM stores the provider URL (no scheme)."""
        return f"127.0.0.1:{self.port}"

    @property
    def issuer(self) -> str:
        """The `iss` this server's tokens carry."""
        return f"http://{self.host}"

    def start(self) -> None:
        """Serve on a free port of 127.0.0.1 from a background thread."""
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.requests.append(self.path)
                if self.path == "/.well-known/openid-configuration":
                    body = {"issuer": owner.issuer, "jwks_uri": f"{owner.issuer}/keys"}
                elif self.path == "/keys":
                    body = owner.jwks
                else:
                    self.send_error(404)
                    return
                payload = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def stop(self) -> None:
        """Stop serving and free the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@contextmanager
def running_issuer(jwks: Mapping[str, Any]) -> Iterator[OidcIssuerServer]:
    """A started issuer server serving `jwks`, stopped afterwards."""
    server = OidcIssuerServer(jwks=dict(jwks))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def sign_token(identity: SigningIdentity, claims: Mapping[str, Any], *, kid: str = "k1", alg: str = "RS256") -> str:
    """A JWT signed by `identity`."""
    return jwt.encode(dict(claims), identity.key_pem, algorithm=alg, headers={"kid": kid})


def epoch(instant: datetime) -> int:
    """Seconds since the Unix epoch, as JWT time claims count."""
    return int(instant.timestamp())


# ---------------------------------------------------------------- SAML

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
ACCOUNT = "123456789012"
PROVIDER_ARN = f"arn:aws:iam::{ACCOUNT}:saml-provider/ExampleIdP"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/Federated"
ENTITY_ID = "https://idp.example.com/saml"


def idp_metadata(entity_id: str, certificates: list[str], *, uses: list[str | None] | None = None) -> str:
    """An IdP metadata document, shaped like the ones Azure AD and AD FS export."""
    uses = uses or ["signing"] * len(certificates)
    key_descriptors = "".join(
        f"""<KeyDescriptor{f' use="{use}"' if use else ""}><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#">
        <X509Data><X509Certificate>{cert}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>"""
        for cert, use in zip(certificates, uses, strict=True)
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<EntityDescriptor ID="_meta" entityID="{entity_id}" validUntil="2027-01-01T00:00:00Z"
    xmlns="urn:oasis:names:tc:SAML:2.0:metadata">
  <RoleDescriptor xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
      xmlns:fed="http://docs.oasis-open.org/wsfed/federation/200706" xsi:type="fed:SecurityTokenServiceType"
      protocolSupportEnumeration="http://docs.oasis-open.org/wsfed/federation/200706"/>
  <IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    {key_descriptors}
    <SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
        Location="https://idp.example.com/sso"/>
  </IDPSSODescriptor>
</EntityDescriptor>"""


@dataclass
class AssertionSpec:
    """What goes into a test SAML assertion; each field can be bent by a test."""

    issuer: str = ENTITY_ID
    name_id: str = "_cbb88bf52c2510eabe00c1642d4643f41430fe25e3"
    name_id_format: str = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
    recipient: str = "https://signin.aws.amazon.com/saml"
    audience: str = "https://signin.aws.amazon.com/saml"
    not_before: datetime = NOW - timedelta(minutes=5)
    not_on_or_after: datetime = NOW + timedelta(minutes=5)
    confirmation_not_on_or_after: datetime | None = None
    attributes: dict[str, list[str]] = field(
        default_factory=lambda: {
            "https://aws.amazon.com/SAML/Attributes/Role": [f"{ROLE_ARN},{PROVIDER_ARN}"],
            "https://aws.amazon.com/SAML/Attributes/RoleSessionName": ["alice@example.com"],
        }
    )
    assertion_id: str = field(default_factory=lambda: "_" + uuid.uuid4().hex)


def _instant(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def assertion_xml(spec: AssertionSpec) -> str:
    """The `<Assertion>` of a spec, with a placeholder where an enveloped signature goes."""
    attributes = "".join(
        f'<saml:Attribute Name="{name}">'
        + "".join(f"<saml:AttributeValue>{v}</saml:AttributeValue>" for v in values)
        + "</saml:Attribute>"
        for name, values in spec.attributes.items()
    )
    confirmation_expiry = spec.confirmation_not_on_or_after or spec.not_on_or_after
    return f"""<saml:Assertion xmlns:saml="{SAML}" ID="{spec.assertion_id}" Version="2.0"
    IssueInstant="{_instant(NOW)}"><saml:Issuer>{spec.issuer}</saml:Issuer>
  <ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="placeholder"/>
  <saml:Subject><saml:NameID Format="{spec.name_id_format}">{spec.name_id}</saml:NameID>
    <saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
      <saml:SubjectConfirmationData NotOnOrAfter="{_instant(confirmation_expiry)}" Recipient="{spec.recipient}"/>
    </saml:SubjectConfirmation></saml:Subject>
  <saml:Conditions NotBefore="{_instant(spec.not_before)}" NotOnOrAfter="{_instant(spec.not_on_or_after)}">
    <saml:AudienceRestriction><saml:Audience>{spec.audience}</saml:Audience></saml:AudienceRestriction>
  </saml:Conditions>
  <saml:AuthnStatement AuthnInstant="{_instant(NOW)}" SessionIndex="{spec.assertion_id}">
    <saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext>
  </saml:AuthnStatement>
  <saml:AttributeStatement>{attributes}</saml:AttributeStatement>
</saml:Assertion>"""


def _signer() -> XMLSigner:
    return XMLSigner(c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#")


def sign_element(element: Any, identity: SigningIdentity) -> Any:
    """`element` with an enveloped RSA-SHA256 signature over itself, made with signxml."""
    return _signer().sign(element, key=identity.key_pem, cert=identity.cert_pem, reference_uri=element.get("ID"))


def saml_response(
    spec: AssertionSpec,
    identity: SigningIdentity,
    *,
    sign: str = "assertion",
    status: str = "urn:oasis:names:tc:SAML:2.0:status:Success",
) -> bytes:
    """A serialized `<samlp:Response>` with the assertion or the whole response signed (or neither)."""
    assertion = etree.fromstring(assertion_xml(spec).encode())
    if sign == "assertion":
        assertion = sign_element(assertion, identity)
    else:
        placeholder = assertion.find("{http://www.w3.org/2000/09/xmldsig#}Signature")
        assertion.remove(placeholder)
    response = etree.fromstring(
        f"""<samlp:Response xmlns:samlp="{SAMLP}" xmlns:saml="{SAML}" ID="_r{uuid.uuid4().hex}" Version="2.0"
    IssueInstant="{_instant(NOW)}" Destination="{spec.recipient}"><saml:Issuer>{spec.issuer}</saml:Issuer>
  <ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="placeholder"/>
  <samlp:Status><samlp:StatusCode Value="{status}"/></samlp:Status></samlp:Response>""".encode()
    )
    response.append(assertion)
    if sign == "response":
        response = sign_element(response, identity)
    else:
        response.remove(response.find("{http://www.w3.org/2000/09/xmldsig#}Signature"))
    return etree.tostring(response)


def b64(data: bytes) -> str:
    """Base64 text, as `AssumeRoleWithSAML` takes the response."""
    return base64.b64encode(data).decode("ascii")

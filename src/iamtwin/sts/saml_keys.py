"""The `saml:` condition keys AWS sets from a SAML assertion, and the attributes that map to them.

The IAM User Guide lists the keys under "Available keys for SAML-based AWS STS federation" and the
attribute names that feed them under "Mapping SAML attributes to AWS trust policy context keys"
(eduPerson/eduOrg, Active Directory and X.500 tables). Keys the guide types as lists are lists; keys
marked "can be a list" are a string when the attribute has one value. When several attributes map
to one key only the first is used, as the guide says ("only one claim will be mapped").
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping

_EDU_PERSON = "urn:oid:1.3.6.1.4.1.5923.1.1.1."
_EDU_ORG = "urn:oid:1.3.6.1.4.1.5923.1.2.1."
_AD_CLAIMS = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"

# attribute Name -> (condition key, always a list)
ATTRIBUTE_KEYS: dict[str, tuple[str, bool]] = {
    _EDU_PERSON + "1": ("saml:edupersonaffiliation", True),
    _EDU_PERSON + "2": ("saml:edupersonnickname", True),
    _EDU_PERSON + "3": ("saml:edupersonorgdn", False),
    _EDU_PERSON + "4": ("saml:edupersonorgunitdn", True),
    _EDU_PERSON + "5": ("saml:edupersonprimaryaffiliation", False),
    _EDU_PERSON + "6": ("saml:edupersonprincipalname", False),
    _EDU_PERSON + "7": ("saml:edupersonentitlement", True),
    _EDU_PERSON + "8": ("saml:edupersonprimaryorgunitdn", False),
    _EDU_PERSON + "9": ("saml:edupersonscopedaffiliation", True),
    _EDU_PERSON + "10": ("saml:edupersontargetedid", True),
    _EDU_PERSON + "11": ("saml:edupersonassurance", True),
    _EDU_ORG + "2": ("saml:eduorghomepageuri", True),
    _EDU_ORG + "3": ("saml:eduorgidentityauthnpolicyuri", True),
    _EDU_ORG + "4": ("saml:eduorglegalname", True),
    _EDU_ORG + "5": ("saml:eduorgsuperioruri", True),
    _EDU_ORG + "6": ("saml:eduorgwhitepagesuri", True),
    "urn:oid:2.5.4.3": ("saml:cn", True),
    _AD_CLAIMS + "name": ("saml:name", False),
    "http://schemas.xmlsoap.org/claims/CommonName": ("saml:commonName", False),
    _AD_CLAIMS + "givenname": ("saml:givenName", False),
    _AD_CLAIMS + "surname": ("saml:surname", False),
    _AD_CLAIMS + "emailaddress": ("saml:mail", False),
    # The guide maps the primary group SID claim to `uid`; kept as written.
    "http://schemas.microsoft.com/ws/2008/06/identity/claims/primarygroupsid": ("saml:uid", False),
}

# The X.500 table gives bare OIDs; IdPs following the SAML X.500/LDAP profile send them as
# `urn:oid:` names, so both spellings are mapped (except 2.5.4.3, which the eduPerson table owns).
# The guide's `2.4.5.42` and `0.9.2342.19200300.100.1.45` are kept along with the OIDs they stand for.
_X500 = {
    "2.5.4.3": "saml:commonName",
    "2.5.4.4": "saml:surname",
    "2.4.5.42": "saml:givenName",
    "2.5.4.42": "saml:givenName",
    "2.5.4.45": "saml:x500UniqueIdentifier",
    "0.9.2342.19200300100.1.1": "saml:uid",
    "0.9.2342.19200300100.1.3": "saml:mail",
    "0.9.2342.19200300.100.1.45": "saml:organizationStatus",
    "0.9.2342.19200300100.1.45": "saml:organizationStatus",
}
for _oid, _key in _X500.items():
    ATTRIBUTE_KEYS.setdefault(_oid, (_key, False))
    ATTRIBUTE_KEYS.setdefault("urn:oid:" + _oid, (_key, False))

NAME_ID_SHORT_FORMATS = {
    "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent": "persistent",
    "urn:oasis:names:tc:SAML:2.0:nameid-format:transient": "transient",
}
UNSPECIFIED_NAME_ID_FORMAT = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"


def subject_type(name_id_format: str | None) -> str:
    """`saml:sub_type`: `persistent`, `transient`, or the NameID's full Format URI."""
    fmt = name_id_format or UNSPECIFIED_NAME_ID_FORMAT
    return NAME_ID_SHORT_FORMATS.get(fmt, fmt)


def name_qualifier(issuer: str, account_id: str, provider_name: str) -> str:
    """`saml:namequalifier`: Base64(SHA1(issuer + account ID + "/" + provider name)), as the guide gives it."""
    digest = hashlib.sha1((issuer + account_id + "/" + provider_name).encode("utf-8"), usedforsecurity=False).digest()
    return base64.b64encode(digest).decode("ascii")


def attribute_condition_keys(attributes: Mapping[str, tuple[str, ...]]) -> dict[str, str | list[str]]:
    """The `saml:` keys the mapped attributes of an assertion give, in attribute order."""
    keys: dict[str, str | list[str]] = {}
    for name, values in attributes.items():
        mapped = ATTRIBUTE_KEYS.get(name)
        if mapped is None or not values:
            continue
        key, always_list = mapped
        if key in keys:
            continue
        keys[key] = list(values) if always_list or len(values) > 1 else values[0]
    return keys

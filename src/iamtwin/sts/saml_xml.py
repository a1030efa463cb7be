"""The XML ground SAML stands on: namespaces, a parser that refuses entities and DTDs, xs:dateTime."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from lxml import etree

SAML_PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML_ASSERTION = "urn:oasis:names:tc:SAML:2.0:assertion"
SAML_METADATA = "urn:oasis:names:tc:SAML:2.0:metadata"
XMLDSIG = "http://www.w3.org/2000/09/xmldsig#"

NS = {"samlp": SAML_PROTOCOL, "saml": SAML_ASSERTION, "md": SAML_METADATA, "ds": XMLDSIG}


class XmlProblem(Exception):
    """A document that is not XML this module accepts; the caller turns it into its own coded error."""


def safe_parser() -> Any:
    """An lxml parser that never resolves entities, never touches the network and keeps no comments."""
    return etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True, remove_pis=True
    )


def parse_xml(data: bytes) -> Any:
    """The root element of `data`; `XmlProblem` when it is not well-formed or declares a DTD."""
    try:
        root = etree.fromstring(data, parser=safe_parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise XmlProblem(f"not well-formed XML: {exc}") from None
    if root is None:
        raise XmlProblem("the document is empty")
    # SAML documents never need a DTD; one is how entity-expansion and wrapping tricks get in.
    if root.getroottree().docinfo.doctype:
        raise XmlProblem("the document declares a DTD")
    return root


def qname(namespace: str, local: str) -> str:
    """The Clark-notation name `{namespace}local` lxml uses for tags."""
    return f"{{{namespace}}}{local}"


_DATETIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?$")


def parse_instant(text: str | None) -> datetime | None:
    """An xs:dateTime as an aware datetime (no zone means UTC, as SAML requires); None when absent."""
    if text is None:
        return None
    match = _DATETIME.match(text.strip())
    if match is None:
        raise ValueError(f"`{text}` is not an xs:dateTime")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    zone_info: timezone = UTC
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        zone_info = timezone(sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6])))
    local = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), micro, tzinfo=zone_info)
    return local.astimezone(UTC)

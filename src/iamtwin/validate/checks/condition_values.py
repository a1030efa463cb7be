"""Condition values of the wrong type for their operator, and IP ranges that cannot work as written.

Types per operator family
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html):
numbers for Numeric…, ISO 8601 dates or epoch seconds for Date…, `true`/`false` for Bool and
Null, IPv4/IPv6 addresses or CIDR ranges for IpAddress/NotIpAddress. For `aws:SourceIp`, a
private (RFC 1918) range never matches: requests from a VPC endpoint carry
`aws:VpcSourceIp` instead
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourceip).
A CIDR with host bits set (`203.0.113.10/24`) works as its network but says something else.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

from ...policy.operators import split_operator
from ..check import condition_entries, condition_values
from ..context import CheckContext
from ..findings import Finding, FindingType, IssueCode
from ..source import is_unresolved

E, W, S = FindingType.ERROR, FindingType.WARNING, FindingType.SUGGESTION
TYPE_MISMATCH_BOOLEAN = IssueCode("TYPE_MISMATCH_BOOLEAN", E, "Type mismatch Boolean")
TYPE_MISMATCH_DATE = IssueCode("TYPE_MISMATCH_DATE", E, "Type mismatch date")
TYPE_MISMATCH_NUMBER = IssueCode("TYPE_MISMATCH_NUMBER", E, "Type mismatch number")
TYPE_MISMATCH_IP_RANGE = IssueCode("TYPE_MISMATCH_IP_RANGE", W, "Type mismatch IP range")
PRIVATE_IP_ADDRESS = IssueCode("PRIVATE_IP_ADDRESS", E, "Private IP address")
PRIVATE_NOT_IP_ADDRESS = IssueCode("PRIVATE_NOT_IP_ADDRESS", E, "Private NOT IP address")
PRIVATE_IP_ADDRESS_SUBSET = IssueCode("PRIVATE_IP_ADDRESS_SUBSET", S, "Private IP address subset")
PRIVATE_NOT_IP_ADDRESS_SUBSET = IssueCode("PRIVATE_NOT_IP_ADDRESS_SUBSET", S, "Private NOT IP address subset")
IMPROVE_IP_RANGE = IssueCode("IMPROVE_IP_RANGE", S, "Improve IP range")

CODES = (
    TYPE_MISMATCH_BOOLEAN,
    TYPE_MISMATCH_DATE,
    TYPE_MISMATCH_NUMBER,
    TYPE_MISMATCH_IP_RANGE,
    PRIVATE_IP_ADDRESS,
    PRIVATE_NOT_IP_ADDRESS,
    PRIVATE_IP_ADDRESS_SUBSET,
    PRIVATE_NOT_IP_ADDRESS_SUBSET,
    IMPROVE_IP_RANGE,
)

_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_EPOCH = re.compile(r"^-?\d+$")
# ISO 8601 as AWS accepts it: a date, optionally a time with optional fraction and zone.
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")


def _is_date(text: str) -> bool:
    if _EPOCH.match(text):
        return True
    match = _ISO_DATE.match(text)
    if match is None:
        return False
    month, day = int(match.group(2)), int(match.group(3))
    hour = int(match.group(4) or 0)
    minute = int(match.group(5) or 0)
    second = int(match.group(6) or 0)
    return 1 <= month <= 12 and 1 <= day <= 31 and hour <= 23 and minute <= 59 and second <= 60


# RFC 1918 ranges and IPv6 unique local addresses (RFC 4193); Python's `is_private` also
# counts documentation ranges such as 203.0.113.0/24, which are public to AWS.
_PRIVATE = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"))


def _is_private(network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> bool:
    return any(network.version == p.version and network.subnet_of(p) for p in _PRIVATE)  # type: ignore[arg-type]


def _text(value: object) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    return None


def run(ctx: CheckContext) -> Iterator[Finding]:
    """Check condition values against their operator's type, and IP ranges for mistakes."""
    for statement in ctx.raw_statements:
        for operator, key, path, values in condition_entries(statement):
            split = split_operator(operator)
            if split is None:
                continue
            base = split[1]
            texts = [(p, t) for p, v in condition_values(values, path) if (t := _text(v)) is not None]
            texts = [(p, t) for p, t in texts if not is_unresolved(t) and "${" not in t]
            if base in ("Bool", "Null"):
                for value_path, text in texts:
                    if text.lower() not in ("true", "false"):
                        yield ctx.finding(
                            TYPE_MISMATCH_BOOLEAN, f"`{base}` needs `true` or `false`, not `{text}`", value_path
                        )
            elif base.startswith("Numeric"):
                for value_path, text in texts:
                    if not _NUMBER.match(text):
                        yield ctx.finding(TYPE_MISMATCH_NUMBER, f"`{base}` needs a number, not `{text}`", value_path)
            elif base.startswith("Date"):
                for value_path, text in texts:
                    if not _is_date(text):
                        message = f"`{base}` needs an ISO 8601 date or epoch seconds, not `{text}`"
                        yield ctx.finding(TYPE_MISMATCH_DATE, message, value_path)
            elif base in ("IpAddress", "NotIpAddress"):
                yield from _ip(ctx, base, key, path, texts)


def _ip(ctx: CheckContext, base: str, key: str, path: str, texts: list[tuple[str, str]]) -> Iterator[Finding]:
    private: list[str] = []
    for value_path, text in texts:
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError:
            message = f"`{base}` needs an IP address or CIDR range, not `{text}`"
            yield ctx.finding(TYPE_MISMATCH_IP_RANGE, message, value_path)
            continue
        if "/" in text and ipaddress.ip_interface(text).ip != network.network_address:
            message = f"`{text}` has host bits set after the mask; it means `{network}`"
            yield ctx.finding(IMPROVE_IP_RANGE, message, value_path)
        if _is_private(network):
            private.append(text)
    if key.lower() != "aws:sourceip" or not private:
        return
    everything = len(private) == len(texts)
    if base == "IpAddress":
        issue = PRIVATE_IP_ADDRESS if everything else PRIVATE_IP_ADDRESS_SUBSET
    else:
        issue = PRIVATE_NOT_IP_ADDRESS if everything else PRIVATE_NOT_IP_ADDRESS_SUBSET
    shown = ", ".join(f"`{p}`" for p in private)
    message = f"`aws:SourceIp` never holds a private address ({shown}); use `aws:VpcSourceIp` for VPC traffic"
    yield ctx.finding(issue, message, path)

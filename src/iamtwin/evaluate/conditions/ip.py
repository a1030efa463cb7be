"""IP address operators: IPv4 and IPv6, a CIDR range or a bare address (a /32 or /128 range).

A range written with host bits set (`203.0.113.7/24`) is taken as its network, as AWS accepts it.
An IPv4 address never falls in an IPv6 range or the reverse, IPv4-mapped forms included.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IPAddress
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from functools import lru_cache

from .operator import ConditionOperator, Hit, ValueCode, value_error

# (IP version, network address as int, netmask as int)
Network = tuple[int, int, int]
# (IP version, address as int)
Address = tuple[int, int]


@lru_cache(maxsize=4096)
def parse_network(text: str) -> Network:
    """Parse a CIDR range or bare address; raise INVALID_IP otherwise."""
    try:
        net = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise value_error(ValueCode.INVALID_IP, text, "an IP address or CIDR range") from None
    return (net.version, int(net.network_address), int(net.netmask))


@lru_cache(maxsize=4096)
def parse_address(text: str) -> Address:
    """Parse a single IPv4 or IPv6 address (the request's source IP); raise INVALID_IP otherwise."""
    try:
        addr = ipaddress.ip_address(text)
    except ValueError:
        raise value_error(ValueCode.INVALID_IP, text, "an IP address") from None
    return (addr.version, int(addr))


class IpAddressOperator(ConditionOperator[Address, Network]):
    """`IpAddress` / `NotIpAddress`: the address lies in the range."""

    __slots__ = ()

    def parse_policy_value(self, text: str) -> Network:
        """A network (version, address, mask)."""
        return parse_network(text)

    def context_parser(self) -> Callable[[str], Address]:
        """`parse_address` itself."""
        return parse_address

    def parse_context_value(self, text: str) -> Address:
        """An address (version, integer)."""
        return parse_address(text)

    def matches(self, context_value: Address, policy_value: Network) -> bool:
        """Same family and the masked address equals the network address."""
        return context_value[0] == policy_value[0] and (context_value[1] & policy_value[2]) == policy_value[1]

    def any_match(self, policy_values: Sequence[Network]) -> Hit[Address]:
        """The range test inlined over all the ranges (no call per range)."""
        networks = tuple(policy_values)

        def hit(address: Address) -> bool:
            version, number = address
            for net_version, network, mask in networks:  # noqa: SIM110 - a plain loop allocates no generator
                if net_version == version and number & mask == network:
                    return True
            return False

        return hit


IP_OPERATORS: tuple[IpAddressOperator, ...] = (
    IpAddressOperator("IpAddress", supports_variables=False),
    IpAddressOperator("NotIpAddress", negated=True, supports_variables=False),
)

"""A symbolic request: z3 variables for the action, resource, principal and condition keys.

Each condition key is a bounded list of values: a length `n` in `[0, bound]` and `bound` values
per operator family (strings, numbers, dates, booleans, IP addresses, binary). A single-valued
key has bound 1; a multivalued key (an `ArrayOf…` key of the catalogue, or a key used with
ForAllValues/ForAnyValue) has bound `k + 1` for the `k` conditions that mention it. That bound
loses nothing: every condition on a key either needs one value that satisfies something
(ForAnyValue, a positive operator) or needs all values to (ForAllValues, a negated operator), so
any set of values that satisfies the formulas keeps doing so when shrunk to one witness value per
"some value" condition, plus one value when it must not be empty. An empty list counts as
absent, as in the engine. The values of one key under two operator families are separate
variables (a limit: `StringEquals` and `NumericLessThan` on one key are not tied together).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum, IntEnum
from typing import TypeAlias

import z3  # type: ignore[import-untyped]  # z3-solver ships no type information

from .actions import ActionDomain


class Family(Enum):
    """The operator families, each with its own kind of z3 value."""

    STRING = "string"
    NUMERIC = "numeric"
    DATE = "date"
    BOOL = "bool"
    IP = "ip"
    BINARY = "binary"


@dataclass(frozen=True, slots=True)
class IpValue:
    """An IP address: 128 bits and whether it is IPv6 (an IPv4 address uses the low 32 bits)."""

    address: z3.BitVecRef
    v6: z3.BoolRef


# A value of a key as one family sees it (z3 has no type information, so the z3 parts are Any to mypy).
Value: TypeAlias = "z3.SeqRef | z3.ArithRef | z3.BoolRef | IpValue"

IP_BITS = 128


@dataclass(slots=True)
class ContextKey:
    """One condition key of the request: how many values it has and the values per family."""

    name: str
    bound: int
    length: z3.ArithRef = field(init=False)
    values: dict[Family, list[Value]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.length = z3.Int(f"{self.name}#n")

    @property
    def present(self) -> z3.BoolRef:
        """The key has at least one value."""
        return self.length > 0

    def family_values(self, family: Family) -> list[Value]:
        """The `bound` values of the key as seen by one operator family."""
        found = self.values.get(family)
        if found is None:
            found = [self._fresh(family, i) for i in range(self.bound)]
            self.values[family] = found
        return found

    def _fresh(self, family: Family, index: int) -> Value:
        label = f"{self.name}#{family.value}{index}"
        if family in (Family.STRING, Family.BINARY):
            return z3.String(label)
        if family in (Family.NUMERIC, Family.DATE):
            return z3.Real(label)
        if family is Family.BOOL:
            return z3.Bool(label)
        return IpValue(z3.BitVec(label, IP_BITS), z3.Bool(label + "v6"))

    def strings(self) -> list[z3.SeqRef]:
        """The values as strings (string and ARN operators, policy variables)."""
        return [v for v in self.family_values(Family.STRING) if isinstance(v, z3.SeqRef)]

    def single(self) -> tuple[z3.BoolRef, z3.SeqRef]:
        """(the key has exactly one value, that value): what a policy variable renders."""
        return self.length == 1, self.strings()[0]

    def constraints(self) -> list[z3.BoolRef]:
        """The length bound and the shape of IPv4 addresses."""
        out: list[z3.BoolRef] = [self.length >= 0, self.length <= self.bound]
        for value in self.values.get(Family.IP, []):
            if isinstance(value, IpValue):
                out.append(z3.Or(value.v6, z3.ULT(value.address, z3.BitVecVal(1 << 32, IP_BITS))))
        return out


class PrincipalKind(IntEnum):
    """Who makes the request, as a resource policy's Principal element tells them apart."""

    ANONYMOUS = 0
    AWS = 1
    SERVICE = 2
    FEDERATED = 3
    CANONICAL_USER = 4


class SymbolicPrincipal:
    """The principal: its kind, its ARN (or service, provider, canonical ID) and, for AWS principals, account.

    An AWS principal's ARN is `arn:PARTITION:iam|sts::ACCOUNT:REST` with the account twelve digits;
    a role session is represented by its role's ARN (how a Principal element names it).
    """

    def __init__(self) -> None:
        self.kind = z3.Int("principal#kind")
        self.arn = z3.String("principal#arn")
        self.account = z3.String("principal#account")
        self.partition = z3.String("principal#partition")
        self.service = z3.String("principal#service")
        self.rest = z3.String("principal#rest")

    def is_kind(self, kind: PrincipalKind) -> z3.BoolRef:
        """The principal is of this kind."""
        return self.kind == int(kind)

    def is_root(self) -> z3.BoolRef:
        """The principal is an account's root user (`arn:aws:iam::ACCOUNT:root`)."""
        return z3.And(self.is_kind(PrincipalKind.AWS), self.service == "iam", self.rest == "root")

    def constraints(self) -> list[z3.BoolRef]:
        """The kinds, and the shape of an AWS principal's ARN."""
        digits = z3.Loop(z3.Range("0", "9"), 12, 12)
        partitions = z3.Union(z3.Re("aws"), z3.Re("aws-cn"), z3.Re("aws-us-gov"))
        shape = z3.And(
            z3.InRe(self.account, digits),
            z3.InRe(self.partition, partitions),
            z3.Or(self.service == "iam", self.service == "sts"),
            z3.Length(self.rest) > 0,
            self.arn
            == z3.Concat(
                z3.StringVal("arn:"),
                self.partition,
                z3.StringVal(":"),
                self.service,
                z3.StringVal("::"),
                self.account,
                z3.StringVal(":"),
                self.rest,
            ),
        )
        return [self.kind >= 0, self.kind <= max(PrincipalKind), z3.Implies(self.is_kind(PrincipalKind.AWS), shape)]


# Keys whose values are the principal's own: tied to the principal variables.
_PRINCIPAL_STRING_KEYS = {
    "aws:principalaccount": (PrincipalKind.AWS, "account"),
    "aws:principalarn": (PrincipalKind.AWS, "arn"),
    "aws:principalservicename": (PrincipalKind.SERVICE, "arn"),
}


class SymbolicRequest:
    """Every variable of one request, created as the policies' formulas need them."""

    def __init__(self, domain: ActionDomain, bounds: dict[str, int]) -> None:
        self.domain = domain
        self.resource = z3.String("resource")
        self.principal = SymbolicPrincipal()
        self.bounds = bounds
        self.keys: dict[str, ContextKey] = {}

    def key(self, name: str) -> ContextKey:
        """The variables of a condition key (names compare without regard to case)."""
        lowered = name.lower()
        found = self.keys.get(lowered)
        if found is None:
            found = ContextKey(name, self.bounds.get(lowered, 1))
            self.keys[lowered] = found
        return found

    def constraints(self) -> list[z3.BoolRef]:
        """What holds of every request: domains, bounds, and keys tied to the principal or the action."""
        out = [self.domain.in_range(), *self.principal.constraints()]
        for lowered, key in self.keys.items():
            out.extend(key.constraints())
            tied = _PRINCIPAL_STRING_KEYS.get(lowered)
            if tied is not None:
                kind, attribute = tied
                is_kind = self.principal.is_kind(kind)
                value = getattr(self.principal, attribute)
                out.append(key.length == z3.If(is_kind, 1, 0))
                if Family.STRING in key.values:
                    out.append(z3.Implies(is_kind, key.strings()[0] == value))
            elif lowered == "aws:principalisawsservice":
                out.append(key.length == z3.If(self.principal.is_kind(PrincipalKind.ANONYMOUS), 0, 1))
                for value in key.values.get(Family.BOOL, [])[:1]:
                    if isinstance(value, z3.BoolRef):
                        out.append(value == self.principal.is_kind(PrincipalKind.SERVICE))
            elif not lowered.startswith("aws:"):
                out.append(z3.Implies(key.present, self.domain.may_carry(lowered)))
        return out

"""What "public" means for CheckNoPublicAccess: the formula of a public request (its resource types: parameters.py).

A request is public when its principal is anonymous, or an AWS principal of an account the policy
does not name (so any account will do), and every key that can pin the caller down has a value
the policy does not name either. The keys are those of Amazon S3's meaning of "public" (a fixed
aws:SourceIp range, aws:SourceArn, aws:SourceVpc, aws:SourceVpce, aws:SourceOwner,
aws:SourceAccount, s3:x-amz-server-side-encryption-aws-kms-key-id, aws:userid) and the keys
Access Analyzer treats as fixing the principal's account or organization (aws:PrincipalAccount,
aws:PrincipalArn, aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:SourceOrgID,
aws:SourceOrgPaths, kms:CallerAccount). A wildcard value (`o-*`, `arn:aws:iam::*:role/x`) names
no fixed value, so a fresh value that matches it makes the policy public. Service, federated and
canonical-user principals are fixed principals.
https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status
https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CheckNoPublicAccess.html
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

import z3  # type: ignore[import-untyped]  # z3-solver ships no type information

from ...policy.model import PolicyDocument
from .request import IP_BITS, Family, IpValue, PrincipalKind, SymbolicRequest

RESTRICTING_KEYS = frozenset(
    {
        "aws:sourceip",
        "aws:sourcearn",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:sourceowner",
        "aws:sourceaccount",
        "aws:userid",
        "aws:principalaccount",
        "aws:principalarn",
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:sourceorgid",
        "aws:sourceorgpaths",
        "s3:x-amz-server-side-encryption-aws-kms-key-id",
        "kms:calleraccount",
    }
)

_ACCOUNT = re.compile(r"(?<!\d)\d{12}(?!\d)")


def _strings(document: PolicyDocument) -> Iterator[str]:
    """Every text the policy names in a Principal, NotPrincipal or condition value."""
    for statement in document.statements:
        for element in (statement.principal, statement.not_principal):
            if element is not None:
                yield from (*element.aws, *element.service, *element.federated, *element.canonical_user)
        for condition in statement.conditions:
            yield from condition.values


def public_request(request: SymbolicRequest, document: PolicyDocument) -> z3.BoolRef:
    """The request comes from anyone: anonymous, or an unnamed account with no pinning key fixed."""
    literals = sorted(set(_strings(document)))
    accounts = sorted({m.group(0) for text in literals for m in _ACCOUNT.finditer(text)})
    principal = request.principal
    outsider = z3.And(
        principal.is_kind(PrincipalKind.AWS),
        *[principal.account != a for a in accounts],
        *[principal.arn != text for text in literals],
    )
    fresh: list[z3.BoolRef] = []
    networks = _networks(literals)
    for lowered, key in request.keys.items():
        if lowered not in RESTRICTING_KEYS:
            continue
        for family, values in key.values.items():
            for index, value in enumerate(values):
                used = index < key.length
                if family is Family.STRING and isinstance(value, z3.SeqRef):
                    fresh.append(z3.Implies(used, z3.And(*[value != t for t in literals])))
                elif family is Family.IP and isinstance(value, IpValue):
                    outside = [
                        z3.Not(z3.And(value.v6 == (v == 6), value.address & z3.BitVecVal(m, IP_BITS) == n))
                        for v, n, m in networks
                    ]
                    fresh.append(z3.Implies(used, z3.And(*outside)))
    return z3.And(z3.Or(principal.is_kind(PrincipalKind.ANONYMOUS), outsider), *fresh)


def _networks(literals: list[str]) -> list[tuple[int, int, int]]:
    """The IP ranges the policy names (a /0 range pins nothing down)."""
    out: list[tuple[int, int, int]] = []
    for text in literals:
        try:
            net = ipaddress.ip_network(text, strict=False)
        except ValueError:
            continue
        if net.prefixlen > 0:
            out.append((net.version, int(net.network_address), int(net.netmask)))
    return out

"""Condition operators checked against the type of their key, and set qualifiers against multivalued keys.

- Each operator family compares one data type; a key of another type never matches as meant
  (TYPE_MISMATCH). ARN keys also accept string operators, and string keys ARN operators
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).
- A multivalued key (`aws:TagKeys`) needs `ForAnyValue` or `ForAllValues` (MISSING_QUALIFIER);
  a set qualifier on a single-valued key is meaningless and, for `ForAllValues`, passes when the key
  is missing, which makes an Allow too broad
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html).
- `Null` tests presence only; a set qualifier on it is meaningless (NULL_WITH_QUALIFIER).
Keys the catalogue does not know are not judged.
"""

from __future__ import annotations

from collections.abc import Iterator

from ... import catalog
from ...policy.model import SetQualifier
from ...policy.operators import split_operator
from ..check import condition_entries
from ..context import CheckContext
from ..findings import Finding, FindingType, IssueCode, iamtwin_code
from ..source import is_unresolved

E, SW, W = FindingType.ERROR, FindingType.SECURITY_WARNING, FindingType.WARNING
MULTIVALUED_PAGE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html"

TYPE_MISMATCH = IssueCode("TYPE_MISMATCH", E, "Type mismatch")
MISSING_QUALIFIER = IssueCode("MISSING_QUALIFIER", E, "Missing qualifier")
FOR_ALL_VALUES_WITH_SINGLE_VALUED_KEY = IssueCode(
    "FOR_ALL_VALUES_WITH_SINGLE_VALUED_KEY", SW, "ForAllValues with single valued key"
)
FOR_ANY_VALUE_WITH_SINGLE_VALUED_KEY = iamtwin_code(
    "FOR_ANY_VALUE_WITH_SINGLE_VALUED_KEY", W, "ForAnyValue with single valued key", MULTIVALUED_PAGE
)
NULL_WITH_QUALIFIER = IssueCode("NULL_WITH_QUALIFIER", W, "Null with qualifier")

CODES = (
    TYPE_MISMATCH,
    MISSING_QUALIFIER,
    FOR_ALL_VALUES_WITH_SINGLE_VALUED_KEY,
    FOR_ANY_VALUE_WITH_SINGLE_VALUED_KEY,
    NULL_WITH_QUALIFIER,
)

_FAMILIES: dict[catalog.KeyType, tuple[str, ...]] = {
    # AWS's own policies compare string keys holding ARNs (`kms:EncryptionContext:aws:s3:arn`) with ArnLike.
    catalog.KeyType.STRING: ("String", "Arn"),
    catalog.KeyType.ARN: ("Arn", "String"),
    catalog.KeyType.BOOL: ("Bool",),
    catalog.KeyType.DATE: ("Date",),
    catalog.KeyType.NUMERIC: ("Numeric",),
    catalog.KeyType.IP_ADDRESS: ("IpAddress", "NotIpAddress"),
    catalog.KeyType.BINARY: ("Binary",),
}


def run(ctx: CheckContext) -> Iterator[Finding]:
    """Compare each condition's operator and qualifier with its key's type."""
    for statement in ctx.raw_statements:
        for operator, key, path, _values in condition_entries(statement):
            split = split_operator(operator)
            if split is None or is_unresolved(key):
                continue
            qualifier, base, _if_exists = split
            if base == "Null":
                if qualifier is not None:
                    message = f"`{operator}`: `Null` tests whether `{key}` is present; drop `{qualifier.value}:`"
                    yield ctx.finding(NULL_WITH_QUALIFIER, message, path)
                continue
            found = catalog.condition_key(key)
            if found is None:
                continue
            element = found.type.element
            families = _FAMILIES.get(element, ())
            if families and not base.startswith(families):
                message = (
                    f"`{key}` is of type {element.value}; `{base}` cannot compare it (use a {families[0]} operator)"
                )
                yield ctx.finding(TYPE_MISMATCH, message, path)
            if found.multivalued and qualifier is None:
                message = (
                    f"`{key}` can have several values; write `ForAnyValue:{operator}` or `ForAllValues:{operator}`"
                )
                yield ctx.finding(MISSING_QUALIFIER, message, path)
            elif not found.multivalued and qualifier is SetQualifier.FOR_ALL_VALUES:
                message = (
                    f"`{key}` has a single value; `ForAllValues` is also true when the key is missing, "
                    f"so use `{operator.split(':', 1)[1]}`"
                )
                yield ctx.finding(FOR_ALL_VALUES_WITH_SINGLE_VALUED_KEY, message, path)
            elif not found.multivalued and qualifier is SetQualifier.FOR_ANY_VALUE:
                message = f"`{key}` has a single value; use `{operator.split(':', 1)[1]}` without `ForAnyValue`"
                yield ctx.finding(FOR_ANY_VALUE_WITH_SINGLE_VALUED_KEY, message, path)

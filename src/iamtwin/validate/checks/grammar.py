"""The grammar of the policy language, as the project's parser reads it, in Access Analyzer's codes.

Parser codes map one-to-one onto Access Analyzer's; duplicate Sids are an error where AWS
requires unique Sids and a warning in identity policies, as Access Analyzer reports them
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..check import element_strings
from ..context import CheckContext
from ..findings import Finding, FindingType, IssueCode, PolicyType, SourceLocation, iamtwin_code

E, W, S = FindingType.ERROR, FindingType.WARNING, FindingType.SUGGESTION
GRAMMAR = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html"
SID_PAGE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html"

DATA_TYPE_MISMATCH = IssueCode("DATA_TYPE_MISMATCH", E, "Data type mismatch")
DUPLICATE_KEYS_WITH_DIFFERENT_CASE = IssueCode(
    "DUPLICATE_KEYS_WITH_DIFFERENT_CASE", E, "Duplicate keys with different case"
)
INVALID_CONDITION_OPERATOR = IssueCode("INVALID_CONDITION_OPERATOR", E, "Invalid condition operator")
INVALID_EFFECT = IssueCode("INVALID_EFFECT", E, "Invalid effect")
INVALID_POLICY_ELEMENT = IssueCode("INVALID_POLICY_ELEMENT", E, "Invalid policy element")
INVALID_PRINCIPAL_KEY = IssueCode("INVALID_PRINCIPAL_KEY", E, "Invalid principal key")
INVALID_PRINCIPAL_FORMAT = IssueCode("INVALID_PRINCIPAL_FORMAT", E, "Invalid principal format")
INVALID_VERSION = IssueCode("INVALID_VERSION", E, "Invalid version")
MISSING_ACTION = IssueCode("MISSING_ACTION", E, "Missing action")
MISSING_EFFECT = IssueCode("MISSING_EFFECT", E, "Missing effect")
MISSING_STATEMENT = IssueCode("MISSING_STATEMENT", E, "Missing statement")
NULL_WITH_IF_EXISTS = IssueCode("NULL_WITH_IF_EXISTS", E, "Null with if exists")
UNIQUE_SIDS_REQUIRED = IssueCode("UNIQUE_SIDS_REQUIRED", E, "Unique Sids required")
UNSUPPORTED_ELEMENT_COMBINATION = IssueCode("UNSUPPORTED_ELEMENT_COMBINATION", E, "Unsupported element combination")
UNSUPPORTED_SID = IssueCode("UNSUPPORTED_SID", E, "Unsupported Sid")
MISSING_VERSION = IssueCode("MISSING_VERSION", W, "Missing version")
UNIQUE_SIDS_RECOMMENDED = IssueCode("UNIQUE_SIDS_RECOMMENDED", W, "Unique Sids recommended")
EMPTY_ARRAY_CONDITION = IssueCode("EMPTY_ARRAY_CONDITION", S, "Empty array condition")
EMPTY_SID_VALUE = IssueCode("EMPTY_SID_VALUE", S, "Empty Sid value")
DUPLICATE_KEY = iamtwin_code("DUPLICATE_KEY", E, "Duplicate key", GRAMMAR)

_BY_PARSER_CODE = {
    "DUPLICATE_CONDITION_KEY": DUPLICATE_KEYS_WITH_DIFFERENT_CASE,
    "INVALID_TYPE": DATA_TYPE_MISMATCH,
    "UNKNOWN_ELEMENT": INVALID_POLICY_ELEMENT,
    "INVALID_VERSION": INVALID_VERSION,
    "MISSING_STATEMENT": MISSING_STATEMENT,
    "MISSING_EFFECT": MISSING_EFFECT,
    "INVALID_EFFECT": INVALID_EFFECT,
    "MISSING_ACTION": MISSING_ACTION,
    "CONFLICTING_ELEMENTS": UNSUPPORTED_ELEMENT_COMBINATION,
    "INVALID_PRINCIPAL": INVALID_PRINCIPAL_FORMAT,
    "INVALID_PRINCIPAL_KEY": INVALID_PRINCIPAL_KEY,
    "UNKNOWN_CONDITION_OPERATOR": INVALID_CONDITION_OPERATOR,
    "NULL_WITH_IF_EXISTS": NULL_WITH_IF_EXISTS,
    "EMPTY_CONDITION_VALUES": EMPTY_ARRAY_CONDITION,
    "DUPLICATE_KEY": DUPLICATE_KEY,
}

CODES = (
    *dict.fromkeys(_BY_PARSER_CODE.values()),
    UNIQUE_SIDS_REQUIRED,
    UNIQUE_SIDS_RECOMMENDED,
    UNSUPPORTED_SID,
    MISSING_VERSION,
    EMPTY_SID_VALUE,
)

# IAM Sids: "ASCII uppercase letters (A-Z), lowercase letters (a-z), and numbers (0-9)" (SID_PAGE);
# other services' resource policies accept more (spaces in S3 and SNS Sids, for example).
_IAM_SID_TYPES = (PolicyType.IDENTITY, PolicyType.TRUST)


def run(ctx: CheckContext) -> Iterator[Finding]:
    """Report the parser's problems, duplicate keys, Sid rules and a missing Version."""
    for path in ctx.source.duplicate_keys:
        yield ctx.finding(DUPLICATE_KEY, f"key `{path.rsplit('.', 1)[-1]}` appears more than once in one object", path)
    for problem in ctx.problems:
        if problem.code == "DUPLICATE_SID":
            identity = ctx.policy_type is PolicyType.IDENTITY
            issue = UNIQUE_SIDS_RECOMMENDED if identity else UNIQUE_SIDS_REQUIRED
        else:
            issue = _BY_PARSER_CODE.get(problem.code, DATA_TYPE_MISMATCH)
        where = ctx.source.locate(problem.location.path)
        location = SourceLocation(ctx.source.file, problem.location.path, where.line, where.column)
        yield Finding(issue, problem.message, location, ctx.source.resource, ctx.source.policy)
    if isinstance(ctx.source.value, dict) and "Version" not in ctx.root:
        yield ctx.finding(MISSING_VERSION, 'the policy has no `Version`; add `"Version": "2012-10-17"`', "")
    for statement in ctx.raw_statements:
        for path, sid in element_strings(statement, "Sid"):
            if sid == "":
                yield ctx.finding(EMPTY_SID_VALUE, "the `Sid` is an empty string; give it a value or remove it", path)
            elif ctx.policy_type in _IAM_SID_TYPES and not (sid.isascii() and sid.isalnum()):
                message = f"the Sid `{sid}` may use only the letters A-Z, a-z and the digits 0-9"
                yield ctx.finding(UNSUPPORTED_SID, message, path)

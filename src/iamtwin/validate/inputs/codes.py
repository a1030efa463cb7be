"""Issue codes for inputs that cannot be read as policies, templates or plans."""

from __future__ import annotations

from ..findings import FindingType, IssueCode, iamtwin_code

E = FindingType.ERROR
CFN_PAGE = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-anatomy.html"
PLAN_PAGE = "https://developer.hashicorp.com/terraform/internals/json-format"
GRAMMAR = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html"

JSON_SYNTAX_ERROR = IssueCode("JSON_SYNTAX_ERROR", E, "JSON syntax error")
FILE_NOT_READABLE = iamtwin_code("FILE_NOT_READABLE", E, "File not readable", GRAMMAR)
TEMPLATE_SYNTAX_ERROR = iamtwin_code("TEMPLATE_SYNTAX_ERROR", E, "Template syntax error", CFN_PAGE)
UNRECOGNIZED_INPUT = iamtwin_code("UNRECOGNIZED_INPUT", E, "Unrecognized input", GRAMMAR)
INVALID_POLICY_VALUE = iamtwin_code("INVALID_POLICY_VALUE", E, "Invalid policy value", CFN_PAGE)
WORLD_NOT_READABLE = iamtwin_code("WORLD_NOT_READABLE", E, "World not readable", GRAMMAR)

CODES = (
    JSON_SYNTAX_ERROR,
    FILE_NOT_READABLE,
    TEMPLATE_SYNTAX_ERROR,
    UNRECOGNIZED_INPUT,
    INVALID_POLICY_VALUE,
    WORLD_NOT_READABLE,
)

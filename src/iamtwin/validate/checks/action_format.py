"""The shape of action names: `service:action`, and wildcards kept out of the service prefix.

An action is a service prefix and an action name joined by a colon, or `*`
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html).
A wildcard in the prefix (`s3*:Get*`) may reach services whose prefixes merely look alike.
Whether the action exists is the catalogue check's question.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..check import element_strings
from ..context import CheckContext
from ..findings import Finding, FindingType, IssueCode, iamtwin_code

WILDCARD_IN_SERVICE_NAME = IssueCode("WILDCARD_IN_SERVICE_NAME", FindingType.SUGGESTION, "Wildcard in service name")
INVALID_ACTION_FORMAT = iamtwin_code(
    "INVALID_ACTION_FORMAT",
    FindingType.ERROR,
    "Invalid action format",
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html",
)
CODES = (WILDCARD_IN_SERVICE_NAME, INVALID_ACTION_FORMAT)

ACTION_SHAPE = re.compile(r"^[A-Za-z0-9*?-]+:[A-Za-z0-9*?_-]+$")


def run(ctx: CheckContext) -> Iterator[Finding]:
    """Check every Action and NotAction entry's shape."""
    for statement in ctx.raw_statements:
        for element in ("Action", "NotAction"):
            for path, action in element_strings(statement, element):
                if action == "*":
                    continue
                if not ACTION_SHAPE.match(action):
                    message = f"`{action}` is not of the form `service:action`"
                    yield ctx.finding(INVALID_ACTION_FORMAT, message, path)
                    continue
                service = action.split(":", 1)[0]
                if service != "*" and ("*" in service or "?" in service):
                    message = f"`{action}` has a wildcard in its service prefix; name the service"
                    yield ctx.finding(WILDCARD_IN_SERVICE_NAME, message, path)

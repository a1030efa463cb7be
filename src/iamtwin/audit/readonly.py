"""Whether a call only reads: CloudTrail's `readOnly`, decided by the operation's verb.

iamtwin ships no per-action access-level catalogue, so an operation reads when its name starts with
a verb that reads (Get, List, Describe, Simulate, …), as the List and Read access levels of the
Service Authorization Reference name them
(https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html).
"""

from __future__ import annotations

_READ_VERBS = (
    "Get",
    "List",
    "Describe",
    "Simulate",
    "Lookup",
    "Head",
    "Search",
    "Check",
    "Decode",
    "BatchGet",
    "Select",
    "Scan",
    "Query",
    "Preview",
    "Validate",
    "Verify",
    "Test",
    "View",
)


def is_read_only(operation: str) -> bool:
    """True when the operation only reads (by its verb): `GetUser`, `ListRoles`, `DescribeInstances`."""
    for verb in _READ_VERBS:
        if operation.startswith(verb) and (len(operation) == len(verb) or operation[len(verb)].isupper()):
            return True
    return False

"""Reading a `request` object straight into the evaluated Request, in one pass.

`read_request` checks the object and types it (a RequestInput with its own context), then
`build_request` derives the keys AWS sets and merges the two contexts. For a request object of
the usual shape (a dict whose values have the JSON types the contract names) `read_derived_request`
does both at once: it checks each value as it reads it and puts the given context keys straight
into the dict of derived keys. Anything else (a missing or mistyped value, an unknown key, a
principal or action that does not parse) goes through `read_request` and `build_request`, which
raise the contract's errors; for every input both ways give the same Request or the same error.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from ..errors import IamtwinError
from ..evaluate.context import EntryInterner
from ..evaluate.derive import build_request, derived_entries, finish_request
from ..evaluate.principal import parse_principal
from ..evaluate.request import Request, check_action
from .input import REQUEST_KEYS, context_entry, read_request

_NO_TAGS: Mapping[str, str] = {}
_GIVEN = EntryInterner()  # the given context keys with a single string value


def read_derived_request(data: object, now: datetime) -> Request:
    """The Request of a `request` object at the instant `now`, its context keys derived."""
    return read_usual_request(data, now) or read_general_request(data, now)


def read_general_request(data: object, now: datetime) -> Request:
    """`read_request` then `build_request`: any request object, with the contract's errors."""
    r = read_request(data)
    return build_request(
        r.principal, r.action, r.resource, r.resource_account, r.context, r.principal_tags, r.resource_tags, now
    )


def read_usual_request(data: object, now: datetime) -> Request | None:
    """The Request when `data` has the usual shape and valid values; None to take the general path."""
    if type(data) is not dict or not REQUEST_KEYS.issuperset(data):
        return None
    principal_text = data.get("principal")
    action = data.get("action")
    resource = data.get("resource")
    account = data.get("resource_account")
    if type(principal_text) is not str or type(action) is not str:
        return None
    if resource is not None and (type(resource) is not str or not resource):
        return None
    if account is not None and (type(account) is not str or len(account) != 12 or not account.isdigit()):
        return None
    principal_tags = data.get("principal_tags") or _NO_TAGS
    resource_tags = data.get("resource_tags") or _NO_TAGS
    for tags in (principal_tags, resource_tags):
        if tags:
            if type(tags) is not dict:
                return None
            for k, v in tags.items():
                if type(k) is not str or type(v) is not str:
                    return None
    try:
        principal = parse_principal(principal_text)
        check_action(action)
    except IamtwinError:
        return None
    entries, resource_account = derived_entries(principal, resource, account, principal_tags, resource_tags, now)
    context = data.get("context")
    if context:
        if type(context) is not dict:
            return None
        # A given key replaces a derived one in place, as `dict.update` does in build_request.
        known_keys = _GIVEN.keys
        for key, value in context.items():
            if type(value) is str:
                known = known_keys.get(key)
                if known is not None:
                    entry = known[1].get(value)
                    if entry is not None:
                        entries[known[0]] = entry
                        continue
                if type(key) is not str:
                    return None
                lowered, entry = _GIVEN.entry(key, value)
                entries[lowered] = entry
                continue
            other = context_entry(key, value)
            if other is None or type(key) is not str:
                return None
            entries[key.lower()] = other
    return finish_request(principal, action, resource, resource_account, entries)

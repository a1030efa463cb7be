"""Which condition keys a who-can answer leaves open, and which the world settles.

A key is settled when the world fixes its value (or its absence) for every request of this principal
on this resource: the principal's tags and ARN, the resource's tags and account, the organization.
A key is open when it varies from request to request (`aws:SourceIp`, `aws:CurrentTime`,
`aws:MultiFactorAuthPresent`, …) or when the answer stands for principals the world does not
describe one by one (`*`, an account outside the world). A key no request of the action ever
carries is settled too: it is absent, as `aws:TagKeys` is on `lambda:InvokeFunction`.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
"""

from __future__ import annotations

from .. import catalog
from ..evaluate.conditions.evaluation import CompiledCondition
from ..evaluate.context import RequestContext
from .access_model import PrincipalClass

# Derived for every request but different for each one (the instant, a call made through a service).
_PER_REQUEST = frozenset({"aws:currenttime", "aws:epochtime", "aws:viaawsservice"})
_PRINCIPAL_KEYS = frozenset(
    {
        "aws:principalarn",
        "aws:principalaccount",
        "aws:principaltype",
        "aws:username",
        "aws:userid",
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:principalisawsservice",
        "aws:principalservicename",
    }
)
_RESOURCE_KEYS = frozenset({"aws:resourceaccount", "aws:resourceorgid", "aws:resourceorgpaths"})
# Keys a service principal's calls carry about the resource it acts for.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
_SERVICE_CALL_KEYS = frozenset({"aws:sourcearn", "aws:sourceaccount", "aws:sourceorgid", "aws:sourceorgpaths"})
_PRINCIPAL_TAG = "aws:principaltag/"
_RESOURCE_TAG = "aws:resourcetag/"

# The principal keys the world settles, by what the answer's principal stands for.
_KNOWN_PRINCIPAL_KEYS: dict[PrincipalClass, frozenset[str]] = {
    PrincipalClass.USER: _PRINCIPAL_KEYS,
    # A session's aws:userid carries the session name, which only the session knows.
    PrincipalClass.ROLE: _PRINCIPAL_KEYS - {"aws:userid"},
    PrincipalClass.ACCOUNT_ROOT: _PRINCIPAL_KEYS,
    PrincipalClass.SERVICE: _PRINCIPAL_KEYS,
    PrincipalClass.EXTERNAL: frozenset(
        {"aws:principalarn", "aws:principalaccount", "aws:principaltype", "aws:username", "aws:principalisawsservice"}
    ),
    PrincipalClass.ACCOUNT: frozenset({"aws:principalaccount", "aws:principalisawsservice"}),
    PrincipalClass.EVERYONE: frozenset(),
}
# Whose aws:PrincipalTag values the world holds (for a role, its tags; a session may replace them).
_KNOWS_PRINCIPAL_TAGS = frozenset(
    {PrincipalClass.USER, PrincipalClass.ROLE, PrincipalClass.ACCOUNT_ROOT, PrincipalClass.SERVICE}
)


class OpenKeys:
    """Decides, for one principal class, action and request context, whether a key is left open."""

    def __init__(self, kind: PrincipalClass, action: str, context: RequestContext) -> None:
        self.kind = kind
        self.action = action
        self.context = context
        self._seen: dict[str, bool] = {}

    def is_open(self, key_lower: str) -> bool:
        """True when the key's value depends on the request rather than on the world."""
        found = self._seen.get(key_lower)
        if found is None:
            found = self._classify(key_lower)
            self._seen[key_lower] = found
        return found

    def _classify(self, key: str) -> bool:
        if key in _PER_REQUEST:
            return True
        if key.startswith(_RESOURCE_TAG) or key in _RESOURCE_KEYS:
            return False
        if key == "aws:requestedregion":
            # Set from the resource ARN's region; a global resource's requests name their own endpoint.
            return self.context.get_value(key) is None
        if key.startswith(_PRINCIPAL_TAG):
            return self.kind not in _KNOWS_PRINCIPAL_TAGS
        if key in _PRINCIPAL_KEYS:
            return key not in _KNOWN_PRINCIPAL_KEYS[self.kind]
        if key in _SERVICE_CALL_KEYS and self.kind in (PrincipalClass.SERVICE, PrincipalClass.EVERYONE):
            return True
        return catalog.key_in_request(self.action, key)

    def never_sent(self, key_lower: str) -> bool:
        """True when no request of the action carries the key and the world does not set it."""
        return (
            not self.is_open(key_lower)
            and self.context.get_value(key_lower) is None
            and not key_lower.startswith((_PRINCIPAL_TAG, _RESOURCE_TAG))
            and key_lower not in _PRINCIPAL_KEYS
            and key_lower not in _RESOURCE_KEYS
            and not catalog.key_in_request(self.action, key_lower)
        )

    def condition_is_open(self, condition: CompiledCondition) -> bool:
        """True when the condition's key, or a policy variable in its values, is open."""
        if self.is_open(condition.key_lower):
            return True
        return any(self.is_open(v.key_lower) for t in condition.templates for v in t.variables)


def is_principal_tag(key_lower: str) -> bool:
    """True for `aws:PrincipalTag/…` keys (lowercased)."""
    return key_lower.startswith(_PRINCIPAL_TAG)

"""Bearer tokens already verified, kept so a busy caller's RS256 signature is checked once, not per request.

A token is the whole signed string, so a hit can only be the very token that was verified. An entry
answers only inside the window the token itself allows (`exp` plus IAM's five minutes of skew, not
before `nbf`/`iat` minus the same), and for at most `key_set_seconds` after its verification: the
key set is refetched that often, so a key the provider has withdrawn stops being honoured no later
than it would without this cache. The cache holds at most `max_tokens` entries, least recently
used leaving first. Refused tokens are never kept: each refusal is decided afresh.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import UTC, datetime, timedelta

from ..sts.oidc import CLOCK_SKEW, WebIdentityToken

_FAR_PAST = datetime.min.replace(tzinfo=UTC)


def _claim_instant(token: WebIdentityToken, name: str) -> datetime | None:
    value = token.claims.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return datetime.fromtimestamp(value, tz=UTC)


class VerifiedTokens:
    """An LRU map from a token string to its verified claims, each valid within its own time window."""

    def __init__(self, *, max_tokens: int = 10_000, key_set_seconds: float = 300.0) -> None:
        self.max_tokens = max_tokens
        self.key_set_age = timedelta(seconds=key_set_seconds)
        self._entries: OrderedDict[str, tuple[WebIdentityToken, datetime, datetime]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, token: str, now: datetime) -> WebIdentityToken | None:
        """The verified token if it was verified before and is still inside its window at `now`."""
        entry = self._entries.get(token)
        if entry is None:
            return None
        verified, not_before, not_after = entry
        if not_before <= now <= not_after:
            self._entries.move_to_end(token)
            return verified
        del self._entries[token]  # out of its window: verify again, and refuse it as verification does
        return None

    def put(self, token: str, verified: WebIdentityToken, now: datetime) -> None:
        """Remember a token verified at `now`."""
        expires = _claim_instant(verified, "exp")
        if expires is None:  # verification requires `exp`; without one there is nothing safe to keep
            return
        starts = [i for i in (_claim_instant(verified, "nbf"), _claim_instant(verified, "iat")) if i is not None]
        not_before = max(starts) - CLOCK_SKEW if starts else _FAR_PAST
        refresh = now + self.key_set_age
        # Compared before adding the skew: `exp` may be close enough to year 9999 to overflow.
        not_after = refresh if expires >= refresh else min(expires + CLOCK_SKEW, refresh)
        self._entries[token] = (verified, not_before, not_after)
        self._entries.move_to_end(token)
        while len(self._entries) > self.max_tokens:
            self._entries.popitem(last=False)

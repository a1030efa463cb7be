"""Errors of the AWS managed policy catalogue: reading the shipped file and updating it from npm.

Hierarchy::

    IamtwinError
    └── CatalogError              the catalogue cannot be read, fetched, verified or written
                                  (code: one of CatalogErrorCode)
"""

from __future__ import annotations

from enum import StrEnum

from ...errors import IamtwinError


class CatalogErrorCode(StrEnum):
    """Stable codes of catalogue problems; tests and tools compare these, never messages."""

    FETCH_FAILED = "CATALOG_FETCH_FAILED"
    INTEGRITY_MISMATCH = "CATALOG_INTEGRITY_MISMATCH"
    BAD_PACKAGE = "CATALOG_BAD_PACKAGE"
    WRITE_FAILED = "CATALOG_WRITE_FAILED"
    UNREADABLE = "CATALOG_UNREADABLE"
    UNKNOWN_POLICY = "CATALOG_UNKNOWN_POLICY"


class CatalogError(IamtwinError):
    """A catalogue problem; nothing was overwritten when it was raised."""

    code = "CATALOG_ERROR"

    def __init__(self, code: CatalogErrorCode, message: str) -> None:
        super().__init__(message, code=code.value)

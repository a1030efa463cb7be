"""The error of an AWS export file: a WorldFileError that also names the file.

Hierarchy::

    IamtwinError
    └── WorldFileError
        └── ExportFileError     an AWS CLI export (get-account-authorization-details, Organizations
                                listings) that cannot be read; `file` names the file (None for data
                                passed in memory) and the location's path is the JSON path inside it
"""

from __future__ import annotations

from ...errors import Location
from ..errors import WorldErrorCode, WorldFileError


class ExportFileError(WorldFileError):
    """A problem in an AWS export; `file` is the file it is in, when it came from one."""

    def __init__(
        self,
        code: WorldErrorCode,
        message: str,
        *,
        file: str | None = None,
        location: Location | None = None,
        cause_code: str | None = None,
    ) -> None:
        super().__init__(code, message, location=location, cause_code=cause_code)
        self.file = file

    def __str__(self) -> str:
        text = WorldFileError.__str__(self)
        if self.file is None:
            return text
        code, _, rest = text.partition(": ")
        return f"{code}: {self.file}: {rest}"

    def to_dict(self) -> dict[str, object]:
        """The error as JSON-ready data, with the file it is in."""
        out = WorldFileError.to_dict(self)
        if self.file is not None:
            out["file"] = self.file
        return out

"""The catalogue's values: one AWS managed policy at its default version, and the whole catalogue.

Documents are frozen deeply (mappings become read-only views, lists become tuples) because one
catalogue is shared by everything in the process; `CatalogEntry.plain_document()` hands out a
JSON-ready copy that the caller may change.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from .errors import CatalogError, CatalogErrorCode

AWS_MANAGED_PREFIX = "arn:aws:iam::aws:policy/"


def freeze(value: Any) -> Any:
    """A deeply read-only copy of JSON data: mappings as read-only views, lists as tuples."""
    # Exact type checks and the string shortcut keep loading ~1,500 documents (~130,000 values) fast.
    kind = type(value)
    if kind is dict or (kind is not list and kind is not tuple and isinstance(value, Mapping)):
        return MappingProxyType({key: item if type(item) is str else freeze(item) for key, item in value.items()})
    if kind is list or kind is tuple:
        return tuple([item if type(item) is str else freeze(item) for item in value])
    return value


def thaw(value: Any) -> Any:
    """A plain, JSON-ready copy of frozen data: dicts and lists again."""
    if isinstance(value, Mapping):
        return {key: thaw(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [thaw(item) for item in value]
    return value


def policy_path(arn: str, name: str) -> str:
    """The IAM path of an AWS managed policy from its ARN: `/`, `/service-role/`, `/job-function/`, …."""
    middle = arn[len(AWS_MANAGED_PREFIX) : len(arn) - len(name)]
    return "/" + middle


@dataclass(frozen=True, slots=True)
class CatalogSource:
    """The npm package a catalogue was built from, as recorded in the catalogue's header."""

    package: str
    version: str
    integrity: str
    tarball: str = ""
    license: str = ""
    author: str = ""
    repository: str = ""


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """One AWS managed policy at its default version; `document` is deeply read-only."""

    name: str
    arn: str
    path: str
    version_id: str
    document: Mapping[str, Any]
    create_date: str | None = None
    update_date: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "document", freeze(self.document))

    def plain_document(self) -> dict[str, Any]:
        """A JSON-ready copy of the default version's document."""
        document: dict[str, Any] = thaw(self.document)
        return document

    def to_record(self) -> dict[str, Any]:
        """The entry as stored in the catalogue file."""
        return {
            "name": self.name,
            "path": self.path,
            "arn": self.arn,
            "version_id": self.version_id,
            "create_date": self.create_date,
            "update_date": self.update_date,
            "document": self.plain_document(),
        }


class AwsManagedCatalog:
    """Every AWS managed policy of one catalogue file, by ARN and by name, in name order.

    Built from entries, or from checked file records whose documents are frozen only when an entry
    is first asked for: a world names a few policies, and freezing all of them would double the load time.
    """

    def __init__(self, source: CatalogSource, entries: Iterable[CatalogEntry] = ()) -> None:
        self.source = source
        self._slots: dict[str, CatalogEntry | Mapping[str, Any]] = {}
        self._name_by_arn: dict[str, str] = {}
        for entry in entries:
            self._add(entry.name, entry.arn, entry)

    @classmethod
    def from_records(cls, source: CatalogSource, records: Iterable[Mapping[str, Any]]) -> AwsManagedCatalog:
        """A catalogue over file records (`name`, `arn`, `path`, `version_id`, `document`, dates)."""
        catalog = cls(source)
        for record in records:
            for key in ("name", "arn", "path", "version_id"):
                if not isinstance(record[key], str):
                    raise TypeError(f"`{key}` of a catalogue record is not a string")
            if not isinstance(record["document"], Mapping):
                raise TypeError("`document` of a catalogue record is not an object")
            catalog._add(record["name"], record["arn"], record)
        return catalog

    def _add(self, name: str, arn: str, slot: CatalogEntry | Mapping[str, Any]) -> None:
        self._slots[name] = slot
        self._name_by_arn[arn] = name

    def _entry(self, name: str) -> CatalogEntry:
        slot = self._slots[name]
        if isinstance(slot, CatalogEntry):
            return slot
        entry = CatalogEntry(
            name=slot["name"],
            arn=slot["arn"],
            path=slot["path"],
            version_id=slot["version_id"],
            document=slot["document"],
            create_date=slot.get("create_date"),
            update_date=slot.get("update_date"),
        )
        self._slots[name] = entry
        return entry

    def get(self, arn: str) -> CatalogEntry | None:
        """The policy with this ARN (`arn:aws:iam::aws:policy/…`, path included), or None."""
        name = self._name_by_arn.get(arn)
        return None if name is None else self._entry(name)

    def get_by_name(self, name: str) -> CatalogEntry | None:
        """The policy with this exact name (AWS managed policy names are unique across paths), or None."""
        return self._entry(name) if name in self._slots else None

    def find(self, name_or_arn: str) -> CatalogEntry:
        """The policy with this ARN or name; CATALOG_UNKNOWN_POLICY naming the closest names otherwise."""
        entry = self.get(name_or_arn) if name_or_arn.startswith("arn:") else self.get_by_name(name_or_arn)
        if entry is not None:
            return entry
        name = name_or_arn.rsplit("/", 1)[-1]
        if name_or_arn.startswith("arn:") and (same_name := self.get_by_name(name)) is not None:
            hint = f"; the policy `{name}` is `{same_name.arn}`"
        else:
            close = difflib.get_close_matches(name, self.names(), n=3)
            hint = f"; did you mean {', '.join(f'`{match}`' for match in close)}?" if close else ""
        raise CatalogError(
            CatalogErrorCode.UNKNOWN_POLICY,
            f"`{name_or_arn}` is not in the catalogue of AWS managed policies "
            f"({self.source.package}@{self.source.version}){hint}",
        )

    def names(self) -> list[str]:
        """Every policy name, sorted."""
        return sorted(self._slots)

    def __len__(self) -> int:
        return len(self._slots)

    def __iter__(self) -> Iterator[CatalogEntry]:
        return (self._entry(name) for name in self.names())

    def __repr__(self) -> str:
        return f"AwsManagedCatalog({self.source.package}@{self.source.version}, {len(self)} policies)"

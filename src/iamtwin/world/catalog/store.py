"""The catalogue file: gzip'd JSON shipped next to this module, read once and kept, written atomically.

The file is one JSON object::

    {"format": "iamtwin-aws-managed-policies/1",
     "source": {"package", "version", "integrity", "tarball", "license", "author", "repository"},
     "policies": [{"name", "path", "arn", "version_id", "create_date", "update_date", "document"}, ...]}

`policies` holds each policy's default version only, sorted by name; the dates are the ones the npm
package records. The gzip header carries no timestamp, so the same package gives the same bytes.
"""

from __future__ import annotations

import gzip
import json
import os
import tempfile
import zlib
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from .errors import CatalogError, CatalogErrorCode
from .model import AwsManagedCatalog, CatalogEntry, CatalogSource

FORMAT = "iamtwin-aws-managed-policies/1"
CATALOG_FILE = Path(__file__).with_name("aws-managed-policies.json.gz")

_SOURCE_KEYS = ("package", "version", "integrity", "tarball", "license", "author", "repository")


@cache
def load_catalog() -> AwsManagedCatalog:
    """The shipped catalogue, read on first use and kept for the life of the process."""
    return read_catalog(CATALOG_FILE)


def read_catalog(path: Path) -> AwsManagedCatalog:
    """Read a catalogue file; CATALOG_UNREADABLE when it is missing or not a catalogue."""
    try:
        data = json.loads(gzip.decompress(path.read_bytes()))
    except FileNotFoundError as exc:
        raise _unreadable(path, "the file does not exist") from exc
    except OSError as exc:
        # gzip.BadGzipFile is an OSError too; its text says what is wrong with the bytes.
        raise _unreadable(path, exc.strerror or str(exc).lower()) from exc
    except (EOFError, zlib.error, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _unreadable(path, "the file is truncated or not gzip'd JSON") from exc
    try:
        return _decode(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise _unreadable(path, "the file does not have the catalogue's shape") from exc


def _unreadable(path: Path, why: str) -> CatalogError:
    return CatalogError(
        CatalogErrorCode.UNREADABLE,
        f"cannot read the AWS managed policy catalogue `{path}`: {why}; rebuild it with `iamtwin catalog update`",
    )


def _decode(data: Any) -> AwsManagedCatalog:
    if data["format"] != FORMAT:
        raise ValueError(data["format"])
    raw_source = data["source"]
    source = CatalogSource(**{key: str(raw_source.get(key) or "") for key in _SOURCE_KEYS})
    if not isinstance(data["policies"], list):
        raise TypeError("`policies` is not a list")
    return AwsManagedCatalog.from_records(source, data["policies"])


def encode_catalog(source: CatalogSource, entries: Iterable[CatalogEntry]) -> bytes:
    """The bytes of a catalogue file holding these entries."""
    data = {
        "format": FORMAT,
        "source": {key: getattr(source, key) for key in _SOURCE_KEYS},
        "policies": [entry.to_record() for entry in sorted(entries, key=lambda entry: entry.name)],
    }
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder, so readers never see half a file."""
    temporary: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        # mkstemp makes the file private; a catalogue is meant to be read by everyone, like the one it replaces.
        os.chmod(temporary, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(temporary, path)
        temporary = None
    except OSError as exc:
        raise CatalogError(
            CatalogErrorCode.WRITE_FAILED,
            f"cannot write `{path}`: {(exc.strerror or str(exc)).lower()}; choose another place with --output",
        ) from exc
    finally:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)

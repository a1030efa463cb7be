"""How policy documents and small structured values are written to and read from the store.

A document is stored as compact JSON text keyed by the SHA-256 of that text, so identical documents
(the same SCP on thousands of accounts) are one row. Key order is kept: a policy exported again reads
as it was written.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, Table, select
from sqlalchemy.dialects import postgresql, sqlite

from ..model import Document
from .schema import documents


def document_text(document: Document) -> str:
    """The compact JSON text of a policy document (given as a mapping or as JSON text)."""
    value = json.loads(document) if isinstance(document, str) else document
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def document_hash(text: str) -> str:
    """The content address of a document's text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def insert_ignoring_existing(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows, skipping those whose primary key is already present."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        conn.execute(postgresql.insert(table).on_conflict_do_nothing(), rows)
    else:
        conn.execute(sqlite.insert(table).on_conflict_do_nothing(), rows)


class DocumentWriter:
    """Collects documents while a change is prepared and stores the new ones in one statement."""

    def __init__(self) -> None:
        self.pending: dict[str, str] = {}

    def add(self, document: Document) -> str:
        """Queue a document; return its hash."""
        text = document_text(document)
        digest = document_hash(text)
        self.pending[digest] = text
        return digest

    def flush(self, conn: Connection) -> None:
        """Store the queued documents that are not stored yet."""
        rows = [{"hash": h, "text": t} for h, t in self.pending.items()]
        for start in range(0, len(rows), 500):
            insert_ignoring_existing(conn, documents, rows[start : start + 500])
        self.pending.clear()


def read_documents(conn: Connection, hashes: Iterable[str]) -> dict[str, str]:
    """The texts of the given document hashes."""
    wanted = sorted(set(hashes))
    out: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for row in conn.execute(select(documents.c.hash, documents.c.text).where(documents.c.hash.in_(chunk))):
            out[row.hash] = row.text
    return out


def dump_strings(values: Iterable[str]) -> str:
    """A list of strings as JSON text for a text column."""
    return json.dumps(list(values))


def load_strings(text: str | None) -> tuple[str, ...]:
    """The list of strings stored by `dump_strings`."""
    return tuple(json.loads(text)) if text else ()


def load_object(text: str | None) -> Mapping[str, Any]:
    """A JSON object stored in a text column."""
    return json.loads(text) if text else {}

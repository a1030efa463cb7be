"""Loading the broker's YAML case files: times as offsets from a fixed start, people, account paths."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from iamtwin.broker.requests import Ask
from iamtwin.broker.rules import Person, parse_duration

CASES = Path(__file__).parent / "cases"
START = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def at(value: Any) -> datetime:
    """`+2h`, `+7199s` (after START) or an ISO 8601 time with its zone."""
    text = str(value)
    if text.startswith("+"):
        return START + timedelta(seconds=parse_duration(text[1:], "at"))
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def people(data: Any) -> dict[str, Person]:
    """The people of a case file."""
    return {
        subject: Person(subject, frozenset(entry.get("groups", [])), dict(entry.get("attributes", {})))
        for subject, entry in (data or {}).items()
    }


def ask(data: dict[str, Any]) -> Ask:
    """An Ask from a case's `ask` mapping."""
    return Ask(
        str(data["account"]),
        data["role"],
        parse_duration(data.get("duration", "1h"), "duration"),
        data.get("justification", "INC-1042: restore bucket policy"),
        data.get("scope"),
        data.get("ticket"),
        at(data["scheduled_start"]) if "scheduled_start" in data else None,
        bool(data.get("break_glass", False)),
    )


def load_cases(name: str) -> tuple[dict[str, Any], list[Any]]:
    """The shared part of a case file and its cases as pytest params with ids `file::name`."""
    data = yaml.safe_load((CASES / name).read_text(encoding="utf-8"))
    params = [pytest.param(case, id=f"{name}::{case['name']}") for case in data["cases"]]
    return data, params

"""Table-driven corpus of AWS evaluation rules: one case per rule, each naming its AWS doc page.

The loader walks `tests/corpus/rules/` and `tests/corpus/scenarios/` (YAML or JSON), makes one
test per case with the id `file::name`, runs the case's simulation input through
`iamtwin.simulate` and compares only the keys present in the case's `expect`.
The case format is documented in `tests/corpus/README.md`.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

CORPUS = Path(__file__).parent / "corpus"
FOLDERS = ("rules", "scenarios")
DEFAULT_NOW = "2026-01-01T00:00:00Z"
REQUIRED = ("name", "doc", "aws_behaviour", "input", "expect")
DECISIONS = ("Allowed", "ExplicitDeny", "ImplicitDeny")
EXPECT_KEYS = frozenset(
    {"decision", "blocked_by", "blocking_policies", "matched", "message", "errors", "missing_context_keys"}
)
MATCHED_KEYS = ("policy_id", "statement_index")


@dataclass(frozen=True)
class Case:
    """One corpus case, or a file that could not be read (`problem` set)."""

    id: str
    data: Mapping[str, Any]
    problem: str | None = None


def _load(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)


def _corpus_files() -> Iterator[Path]:
    for folder in FOLDERS:
        root = CORPUS / folder
        if root.is_dir():
            yield from sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml", ".json"))


def collect_cases() -> list[Case]:
    """Every case of every corpus file; unreadable files become one failing case."""
    cases: list[Case] = []
    for path in _corpus_files():
        label = path.relative_to(CORPUS).as_posix()
        try:
            data = _load(path)
        except (OSError, ValueError, yaml.YAMLError) as exc:
            cases.append(Case(f"{label}::<unreadable>", {}, f"cannot read `{label}`: {exc}"))
            continue
        if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
            cases.append(Case(f"{label}::<malformed>", {}, f"`{label}` has no `cases` list"))
            continue
        seen: Counter[str] = Counter()
        for index, case in enumerate(data["cases"]):
            raw = case.get("name") if isinstance(case, dict) else None
            name = raw if isinstance(raw, str) and raw else f"<case {index}>"
            seen[name] += 1
            case_id = f"{label}::{name}" if seen[name] == 1 else f"{label}::{name} #{seen[name]}"
            problem = None if seen[name] == 1 else f"duplicate case name `{name}` in `{label}`"
            cases.append(Case(case_id, case if isinstance(case, dict) else {}, problem))
    return cases


def case_problems(case: Mapping[str, Any]) -> list[str]:
    """What is wrong with the shape of a case (empty when it is well formed)."""
    problems = [f"missing `{key}`" for key in REQUIRED if key not in case]
    doc = case.get("doc")
    if doc is not None and not (isinstance(doc, str) and doc.startswith("https://")):
        problems.append("`doc` must be an https URL")
    expect = case.get("expect")
    if isinstance(expect, dict):
        if expect.get("decision") not in DECISIONS:
            problems.append(f"`expect.decision` must be one of {', '.join(DECISIONS)}")
        unknown = sorted(set(expect) - EXPECT_KEYS)
        if unknown:
            problems.append(f"unknown expect keys: {', '.join(unknown)}")
    elif "expect" in case:
        problems.append("`expect` must be a mapping")
    if "input" in case and not (isinstance(case["input"], dict) and "request" in case["input"]):
        problems.append("`input` must be a mapping with a `request`")
    return problems


def parse_now(text: str | None) -> datetime:
    """The injected clock of a case (ISO 8601, `Z` allowed)."""
    return datetime.fromisoformat((text or DEFAULT_NOW).replace("Z", "+00:00"))


def _project(entries: list[Mapping[str, Any]], keys: tuple[str, ...]) -> list[tuple[Any, ...]]:
    return sorted({tuple(entry.get(key) for key in keys) for entry in entries}, key=repr)


def compare(expect: Mapping[str, Any], actual: Mapping[str, Any]) -> list[str]:
    """Differences between the expected keys and the decision's JSON."""
    diffs: list[str] = []

    def differ(key: str, want: Any, got: Any) -> None:
        if want != got:
            diffs.append(f"{key}: expected {want!r}, got {got!r}")

    for key in ("decision", "blocked_by", "blocking_policies", "message"):
        if key in expect:
            differ(key, expect[key], actual.get(key))
    if "matched" in expect:
        got_matched = actual.get("matched") or []
        differ("matched", _project(expect["matched"], MATCHED_KEYS), _project(got_matched, MATCHED_KEYS))
        for entry in expect["matched"]:
            if not any(all(other.get(k) == v for k, v in entry.items()) for other in got_matched):
                diffs.append(f"matched: no statement has {dict(entry)!r}")
    if "errors" in expect:
        got = sorted(str(err.get("code")) for err in actual.get("errors") or [])
        differ("errors", sorted(expect["errors"]), got)
    if "missing_context_keys" in expect:
        got_keys = sorted(k.lower() for k in actual.get("missing_context_keys") or [])
        differ("missing_context_keys", sorted(k.lower() for k in expect["missing_context_keys"]), got_keys)
    return diffs


CASES = collect_cases()


def test_corpus_is_not_empty() -> None:
    """The corpus folders hold cases."""
    assert CASES, f"no corpus cases under {CORPUS}"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case_is_well_formed(case: Case) -> None:
    """Every case names its doc page, the AWS rule, its input and the expected decision."""
    assert case.problem is None, case.problem
    problems = case_problems(case.data)
    assert not problems, "; ".join(problems)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_engine_follows_aws(case: Case) -> None:
    """The engine's decision matches what the AWS documentation says for this case."""
    assert case.problem is None, case.problem
    problems = case_problems(case.data)
    assert not problems, "; ".join(problems)
    import iamtwin
    from iamtwin.simulate.output import decision_to_json

    decision = iamtwin.simulate(case.data["input"], now=parse_now(case.data.get("now")))
    actual = decision_to_json(decision)
    diffs = compare(case.data["expect"], actual)
    assert not diffs, f"{case.data['aws_behaviour']}\n  doc: {case.data['doc']}\n  " + "\n  ".join(diffs)

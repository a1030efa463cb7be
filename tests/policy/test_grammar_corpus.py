"""The policy grammar corpus: `tests/corpus/policy_grammar/*.yaml`, one test per case (`file::name`).

A case has `name`, `doc` (the AWS page it follows), the policy as `text` (JSON text, whose
problems are also checked by line and column) or `document` (a mapping, checked by path; the
same mapping is checked again as JSON text), and `problems`: the expected `code`/`path`
(/`line`/`column`) of every problem, `[]` for a policy that parses.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from iamtwin.policy.errors import PolicyProblem, PolicySyntaxError
from iamtwin.policy.model import PolicyDocument
from iamtwin.policy.parse import parse_policy
from iamtwin.policy.problems import PROBLEM_CODES

CORPUS = Path(__file__).parent.parent / "corpus" / "policy_grammar"
CASE_KEYS = {"name", "doc", "text", "document", "problems"}


def _cases() -> list[Any]:
    params = []
    for path in sorted(CORPUS.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in data["cases"]:
            params.append(pytest.param(case, id=f"{path.name}::{case['name']}"))
    return params


CASES = _cases()


def _problems(source: str | Mapping[str, object]) -> tuple[PolicyProblem, ...]:
    try:
        document = parse_policy(source)
    except PolicySyntaxError as error:
        return error.problems
    assert isinstance(document, PolicyDocument)
    return ()


def _expected(case: Mapping[str, Any], *, with_position: bool) -> list[tuple[Any, ...]]:
    keys = ("code", "path", "line", "column") if with_position else ("code", "path")
    return sorted(tuple(p.get(k) for k in keys) for p in case["problems"])


def _actual(problems: tuple[PolicyProblem, ...], *, with_position: bool) -> list[tuple[Any, ...]]:
    if with_position:
        return sorted((p.code, p.location.path, p.location.line, p.location.column) for p in problems)
    return sorted((p.code, p.location.path) for p in problems)


def test_corpus_has_cases() -> None:
    """The corpus folder is not empty."""
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES)
def test_case_is_well_formed(case: Mapping[str, Any]) -> None:
    """Every case names its AWS doc page, has one policy form and only known codes."""
    assert set(case) <= CASE_KEYS
    assert str(case["doc"]).startswith("https://docs.aws.amazon.com/")
    assert ("text" in case) != ("document" in case)
    for problem in case["problems"]:
        assert problem["code"] in PROBLEM_CODES
        if "text" in case:
            assert {"line", "column"} <= set(problem), "text cases give line and column"


@pytest.mark.parametrize("case", CASES)
def test_case(case: Mapping[str, Any]) -> None:
    """The parser reports exactly the expected problems (none for a valid policy)."""
    if "text" in case:
        got = _actual(_problems(case["text"]), with_position=True)
        assert got == _expected(case, with_position=True)
        return
    got = _actual(_problems(case["document"]), with_position=False)
    assert got == _expected(case, with_position=False)
    # The same document written as JSON text has the same problems, now with positions.
    from_text = _problems(json.dumps(case["document"], indent=2))
    assert _actual(from_text, with_position=False) == _expected(case, with_position=False)
    assert all(p.location.line is not None for p in from_text)

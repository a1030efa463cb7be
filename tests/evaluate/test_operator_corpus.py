"""The operator corpus: tests/corpus/operators/*.yaml, one case per AWS rule, each naming its doc page.

A case gives the operator as written, the condition key, the policy values, the key's value in
the request (a string, a list, or omitted when absent), other context keys for policy variables,
and the expected `matched`, `reason` and error code.
Pages followed:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from iamtwin.evaluate.conditions import compile_condition
from iamtwin.evaluate.context import RequestContext
from iamtwin.evaluate.decision import ConditionReason
from iamtwin.policy.model import Condition
from iamtwin.policy.operators import split_operator

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "operators"
_CASE_FIELDS = {"name", "operator", "key", "values", "context", "variables", "substitute_variables", "expect", "doc"}
_EXPECT_FIELDS = {"matched", "reason", "error"}


def _load() -> list[Any]:
    params = []
    for path in sorted(CORPUS.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        default_doc = data.get("doc")
        seen: set[str] = set()
        for case in data["cases"]:
            assert set(case) <= _CASE_FIELDS, f"{path.name}: unknown fields in {case}"
            assert case["name"] not in seen, f"{path.name}: duplicate case name {case['name']}"
            seen.add(case["name"])
            case.setdefault("doc", default_doc)
            params.append(pytest.param(case, id=f"{path.stem}::{case['name']}"))
    return params


def _condition(case: dict[str, Any]) -> Condition:
    split = split_operator(case["operator"])
    assert split is not None, f"unknown operator {case['operator']}"
    qualifier, base, if_exists = split
    values = tuple(_text(v) for v in case["values"])
    path = f"Statement[0].Condition.{case['operator']}.{case['key']}"
    return Condition(case["operator"], base, qualifier, if_exists, case["key"], values, path)


def _text(value: Any) -> str:
    # JSON booleans reach the model as their JSON text, as the parser keeps them.
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _context(case: dict[str, Any]) -> RequestContext:
    data: dict[str, Any] = dict(case.get("variables") or {})
    if "context" in case:
        data[case["key"]] = case["context"]
    return RequestContext.from_mapping(data)


def test_corpus_is_not_empty() -> None:
    """Every family has a corpus file."""
    names = {p.stem for p in CORPUS.glob("*.yaml")}
    assert {"string", "numeric", "date", "bool", "binary", "ip", "arn", "null", "sets", "variables"} <= names


@pytest.mark.parametrize("case", _load())
def test_operator_case(case: dict[str, Any]) -> None:
    """One corpus case: the condition evaluates to the expected result, reason and error code."""
    assert str(case["doc"]).startswith("https://docs.aws.amazon.com/IAM/"), "each case names its AWS doc page"
    expect = case["expect"]
    assert set(expect) <= _EXPECT_FIELDS
    compiled = compile_condition(_condition(case), case.get("substitute_variables", True))
    result = compiled.evaluate(_context(case))
    assert result.matched is expect["matched"]
    assert result.reason is ConditionReason(expect["reason"])
    if expect.get("error") is None:
        assert result.error is None
    else:
        assert result.error is not None and result.error.code == expect["error"]
    assert compiled.holds(_context(case)) is expect["matched"]
    context = _context(case)
    assert compiled.check(context.get_value, context) is expect["matched"], "the specialised check (check.py)"

"""Table-driven corpus of AWS's rules for names, sizes, quotas and STS parameters.

The loader walks `tests/corpus/limits/` and makes one test per case with the id `file::name`.
A case names the AWS rule (`aws`, one line) and the page that states it (`doc`), the check to
call (`call`, a dotted path under `iamtwin`), its `args` and `kwargs`, and what must happen:

    expect: ok                                    # returns without raising
    expect: {returns: 3600}                       # returns this value
    expect: {error: ValidationError, reason: NAME_TOO_LONG, location: RoleName}

Long or exact-size inputs are written as generators the loader expands:

    {repeat: a, times: 65, before: "", after: ""}      a string of `times` repeats, framed
    {policy_size: 6144, whitespace: 300}               JSON policy text with exactly 6,144
                                                       characters other than white space, and
                                                       300 white-space characters more
    {strings: 50, length: 5, before: k}                50 distinct strings of 5 characters
    {tags: 50, key_length: 128, value_length: 256}     50 (key, value) pairs, keys distinct
    {enum: TagTarget.USER}                             a member of one of the checks' enums

A keyword argument named `quotas` is a mapping of `Quotas` fields to override.
"""

from __future__ import annotations

import importlib
import inspect
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from iamtwin.errors import IamtwinError
from iamtwin.sts import limits as sts_limits
from iamtwin.sts.errors import StsError
from iamtwin.world import names, quotas, tags
from iamtwin.world.iam_errors import IamError

CORPUS = Path(__file__).parent.parent / "corpus" / "limits"
REQUIRED = ("name", "aws", "doc", "call", "expect")
KNOWN_KEYS = frozenset({*REQUIRED, "args", "kwargs"})
CHECK_MODULES = {"world.names": names, "world.tags": tags, "world.quotas": quotas, "sts.limits": sts_limits}
ENUMS: dict[str, type[Any]] = {
    "NameKind": names.NameKind,
    "TagTarget": tags.TagTarget,
    "Quota": quotas.Quota,
    "InlinePolicyOwner": quotas.InlinePolicyOwner,
    "OrganizationPolicyKind": quotas.OrganizationPolicyKind,
}
_POLICY_HEAD = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::'
_POLICY_TAIL = '"}]}'


@dataclass(frozen=True)
class Case:
    """One corpus case, or a file that could not be read (`problem` set)."""

    id: str
    data: Mapping[str, Any]
    problem: str | None = None


def _numbered(count: int, length: int, before: str, filler: str) -> list[str]:
    digits = len(str(max(count - 1, 0)))
    if length < len(before) + digits:
        raise ValueError(f"{length} characters cannot hold `{before}` and {digits} digits")
    body = filler * (length - len(before) - digits)
    return [f"{before}{body}{index:0{digits}d}" for index in range(count)]


def policy_text(size: int, whitespace: int = 0) -> str:
    """JSON policy text with exactly `size` characters other than white space, plus `whitespace` more."""
    fill = size - len(_POLICY_HEAD) - len(_POLICY_TAIL)
    if fill < 0:
        raise ValueError(f"the smallest generated policy has {size - fill} characters")
    spaces = ("\n" + " " * 3) * (whitespace // 4 + 1)
    return "{" + spaces[:whitespace] + _POLICY_HEAD[1:] + "a" * fill + _POLICY_TAIL


def expand(value: Any) -> Any:
    """A case value with its generators replaced by what they stand for."""
    if isinstance(value, list):
        return [expand(item) for item in value]
    if not isinstance(value, dict):
        return value
    if "repeat" in value:
        return value.get("before", "") + str(value["repeat"]) * value["times"] + value.get("after", "")
    if "policy_size" in value:
        return policy_text(value["policy_size"], value.get("whitespace", 0))
    if "strings" in value:
        return _numbered(value["strings"], value["length"], value.get("before", ""), "x")
    if "tags" in value:
        keys = _numbered(value["tags"], value["key_length"], "k", "k")
        return [(key, "v" * value["value_length"]) for key in keys]
    if "enum" in value:
        enum_name, member = str(value["enum"]).split(".")
        return ENUMS[enum_name][member]
    return {key: expand(item) for key, item in value.items()}


def resolve(call: str) -> Callable[..., Any]:
    """The check a case calls, from its dotted path under `iamtwin`."""
    module_name, _, function_name = call.rpartition(".")
    if module_name not in CHECK_MODULES:
        raise ValueError(f"`{call}` is not in {', '.join(CHECK_MODULES)}")
    function: Callable[..., Any] = getattr(importlib.import_module(f"iamtwin.{module_name}"), function_name)
    return function


def _corpus_files() -> Iterator[Path]:
    if CORPUS.is_dir():
        yield from sorted(p for p in CORPUS.rglob("*") if p.suffix in (".yaml", ".yml"))


def collect_cases() -> list[Case]:
    """Every case of every corpus file; an unreadable file becomes one failing case."""
    cases: list[Case] = []
    for path in _corpus_files():
        label = path.relative_to(CORPUS).as_posix()
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
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
    problems += [f"unknown key `{key}`" for key in sorted(set(case) - KNOWN_KEYS)]
    if not (isinstance(case.get("doc"), str) and case["doc"].startswith("https://")):
        problems.append("`doc` must be an https URL")
    if not (isinstance(case.get("aws"), str) and case["aws"].strip() and "\n" not in case["aws"].strip()):
        problems.append("`aws` must be one line saying what AWS does")
    expect = case.get("expect")
    if expect != "ok" and not (isinstance(expect, dict) and (set(expect) == {"returns"} or "error" in expect)):
        problems.append("`expect` must be `ok`, {returns: …} or {error: …, reason: …, location: …}")
    if isinstance(expect, dict) and "error" in expect and not set(expect) <= {"error", "reason", "location"}:
        problems.append("an error expectation has only `error`, `reason` and `location`")
    try:
        resolve(str(case.get("call", "")))
    except (ValueError, AttributeError, ImportError) as exc:
        problems.append(f"`call`: {exc}")
    return problems


def run(case: Mapping[str, Any]) -> list[str]:
    """Differences between what the case expects and what the check did."""
    function = resolve(case["call"])
    args = expand(case.get("args", []))
    kwargs = expand(case.get("kwargs", {}))
    if "quotas" in kwargs:
        kwargs["quotas"] = quotas.Quotas(**kwargs["quotas"])
    expect = case["expect"]
    error_type = StsError if case["call"].startswith("sts.") else IamError
    try:
        result = function(*args, **kwargs)
    except IamtwinError as exc:
        if not isinstance(expect, dict) or "error" not in expect:
            return [f"expected no error, got {exc.code} ({getattr(exc, 'reason', None)}): {exc.message}"]
        got = {"error": exc.code, "reason": getattr(exc, "reason", None)}
        got["location"] = exc.location.path if exc.location is not None else None
        diffs = [f"{key}: expected {want!r}, got {got[key]!r}" for key, want in expect.items() if got[key] != want]
        if not isinstance(exc, error_type):
            diffs.append(f"expected a {error_type.__name__}, got a {type(exc).__name__}")
        return diffs
    if isinstance(expect, dict) and "error" in expect:
        return [f"expected {expect['error']} ({expect.get('reason')}), but the check passed"]
    if isinstance(expect, dict) and result != expect["returns"]:
        return [f"expected to return {expect['returns']!r}, got {result!r}"]
    return []


CASES = collect_cases()


def test_corpus_is_not_empty() -> None:
    """The corpus folder holds cases."""
    assert CASES, f"no corpus cases under {CORPUS}"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case_is_well_formed(case: Case) -> None:
    """Every case names the AWS rule, its doc page, the check, and the expected outcome."""
    assert case.problem is None, case.problem
    problems = case_problems(case.data)
    assert not problems, "; ".join(problems)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_check_follows_aws(case: Case) -> None:
    """The check accepts or refuses the input as the AWS documentation says, with AWS's code."""
    assert case.problem is None, case.problem
    assert not case_problems(case.data)
    diffs = run(case.data)
    assert not diffs, f"{case.data['aws']}\n  doc: {case.data['doc']}\n  " + "\n  ".join(diffs)


def _public_checks() -> list[str]:
    found = []
    for module_name, module in CHECK_MODULES.items():
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("check_") and function.__module__ == module.__name__:
                found.append(f"{module_name}.{name}")
    return sorted(found)


@pytest.mark.parametrize("call", _public_checks())
def test_every_check_has_a_passing_and_a_failing_case(call: str) -> None:
    """Each public check is pinned by the corpus on both sides: accepted and refused inputs."""
    outcomes = {
        "refused" if isinstance(c.data.get("expect"), dict) and "error" in c.data["expect"] else "accepted"
        for c in CASES
        if c.data.get("call") == call
    }
    assert outcomes == {"accepted", "refused"}, f"`{call}` has only {sorted(outcomes) or 'no'} cases"


def test_quotas_refuse_a_negative_or_non_integer_value() -> None:
    """A Quotas override must be a whole number of at least zero."""
    with pytest.raises(ValueError):
        quotas.Quotas(managed_policies_per_role=-1)
    with pytest.raises(ValueError):
        quotas.Quotas(roles_per_account=True)


def test_generated_policy_has_the_asked_size() -> None:
    """The `policy_size` generator makes text IAM measures at exactly the asked size."""
    text = policy_text(6144, whitespace=300)
    assert quotas.policy_size(text) == 6144
    assert len(text) == 6444

"""The README stays true: its two commands lead, and its simulation-input example runs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import iamtwin

README = Path(__file__).resolve().parents[1] / "README.md"


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_readme_opens_with_the_two_commands() -> None:
    """A newcomer's first two commands: run the demo, then the whole test suite (what .ci/run runs)."""
    first, second = _blocks("sh")[:2]
    assert first.strip() == "pip install -e . && iamtwin demo"
    assert second.strip() == "pip install -e '.[test]' && pytest -q"
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert second.strip() in ci


def test_the_simulation_input_example_is_decided_as_described() -> None:
    """The documented input is valid and alice may read her reports."""
    example = json.loads(_blocks("json")[0])
    decision = iamtwin.simulate(example)
    assert decision.allowed
    assert [ref.policy_id for ref in decision.matched] == [
        "FullAWSAccess",
        "arn:aws:iam::111122223333:policy/ReadReports",
    ]

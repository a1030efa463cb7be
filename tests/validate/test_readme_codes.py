"""The README's code table lists exactly the codes the validator can report, with their finding types."""

from __future__ import annotations

import re
from pathlib import Path

from iamtwin.validate import all_codes

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_lists_every_code_once() -> None:
    """Each code appears in one table row with its finding type; no row names a code that does not exist."""
    rows = re.findall(r"^\| `([A-Z0-9_]+)` \| ([A-Z_]+) \|", README.read_text(encoding="utf-8"), re.M)
    assert sorted(rows) == sorted((c.code, c.finding_type.value) for c in all_codes())
    assert len(rows) >= 90

"""The text report: plain in files and pipes, the same words with colours in a terminal."""

from __future__ import annotations

import io
import json
from pathlib import Path

from rich.console import Console

from iamtwin.validate.context import ValidateOptions
from iamtwin.validate.report.text_report import render_text, styled_text
from iamtwin.validate.run import validate

POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"}]}


def test_terminal_text_is_the_plain_text_with_colours(tmp_path: Path) -> None:
    """An ERROR is styled in a terminal; stripped of styles it is exactly the plain report."""
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(POLICY))
    report = validate([str(path)], ValidateOptions())
    styled = styled_text(report)
    assert styled.plain == render_text(report)
    assert "ERROR INVALID_ACTION" in styled.plain
    assert any(str(span.style) == "bold red" for span in styled.spans)
    terminal = io.StringIO()
    Console(file=terminal, force_terminal=True, color_system="standard", soft_wrap=True).print(styled)
    assert "\x1b[" in terminal.getvalue()
    piped = io.StringIO()
    Console(file=piped, soft_wrap=True).print(styled)
    assert piped.getvalue() == render_text(report) + "\n"

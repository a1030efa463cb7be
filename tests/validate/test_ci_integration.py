"""CI integration: the pre-commit hook definition and the README's GitHub Actions and pre-commit snippets.

The hook file must parse as pre-commit's hook list and name a command iamtwin installs; the
commands the README's snippets run must run (the `iamtwin` console script, as CI invokes it).
https://pre-commit.com/#creating-new-hooks,
https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/uploading-a-sarif-file-to-github
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}],
}
TEMPLATE = {
    "Resources": {
        "Reader": {
            "Type": "AWS::IAM::ManagedPolicy",
            "Properties": {"PolicyDocument": POLICY},
        }
    }
}


def _validate_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text[text.index("## Validate") : text.index("\n## ", text.index("## Validate") + 3)]


def _yaml_blocks() -> list[Any]:
    return [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", _validate_section(), re.S)]


def _run(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("iamtwin")
    assert exe is not None, "the iamtwin console script is not installed"
    words = shlex.split(command)
    assert words[0] == "iamtwin"
    return subprocess.run([exe, *words[1:]], cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


def test_hook_file_names_an_installed_command(tmp_path: Path) -> None:
    """`.pre-commit-hooks.yaml` lists hooks; `iamtwin-validate` runs `iamtwin validate` on JSON/YAML/templates."""
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = [h for h in hooks if h["id"] == "iamtwin-validate"]
    assert {"id", "name", "entry", "language"} <= hook.keys()
    assert hook["language"] == "python" and hook["pass_filenames"] is True
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert hook["entry"].split()[0] in scripts
    pattern = re.compile(hook["files"])
    assert all(pattern.search(n) for n in ("a/policy.json", "t.yaml", "t.yml", "stack.template"))
    assert not pattern.search("README.md")
    # pre-commit appends the changed files: a policy and an unrelated JSON file.
    (tmp_path / "policy.json").write_text(json.dumps(POLICY), encoding="utf-8")
    (tmp_path / "package.json").write_text(json.dumps({"name": "web"}), encoding="utf-8")
    done = _run(f"{hook['entry']} policy.json package.json", tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    (tmp_path / "bad.json").write_text(
        json.dumps({**POLICY, "Statement": [{**POLICY["Statement"][0], "Action": "s3:GetObjects"}]})
    )
    failed = _run(f"{hook['entry']} bad.json package.json", tmp_path)
    assert failed.returncode == 2 and "INVALID_ACTION" in failed.stdout


def test_readme_github_actions_snippet_runs(tmp_path: Path) -> None:
    """The workflow's validate step writes SARIF that the upload step's `sarif_file` names."""
    workflow = next(b for b in _yaml_blocks() if isinstance(b, dict) and "jobs" in b)
    steps = next(iter(workflow["jobs"].values()))["steps"]
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert upload["if"] == "always()"
    command = next(s["run"] for s in steps if "run" in s and s["run"].startswith("iamtwin validate"))
    assert "--format sarif" in command
    (tmp_path / "template.yaml").write_text(yaml.safe_dump(TEMPLATE), encoding="utf-8")
    done = _run(command, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    log = json.loads((tmp_path / upload["with"]["sarif_file"]).read_text(encoding="utf-8"))
    assert log["version"] == "2.1.0"


@pytest.mark.parametrize("changed", ["policy.json"])
def test_readme_pre_commit_snippet_runs(tmp_path: Path, changed: str) -> None:
    """The README's local hook runs its entry on a changed file with the hook's own file pattern."""
    config = next(b for b in _yaml_blocks() if isinstance(b, dict) and "repos" in b)
    (hook,) = config["repos"][0]["hooks"]
    assert hook["id"] == "iamtwin-validate" and re.search(hook["files"], changed)
    (tmp_path / changed).write_text(json.dumps(POLICY), encoding="utf-8")
    done = _run(f"{hook['entry']} {changed}", tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr

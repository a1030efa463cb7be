"""The command line starts without loading the machinery its commands run.

`iamtwin --help` and `iamtwin validate` once spent half a second importing boto3, SQLAlchemy,
Alembic, z3, Starlette and the analyses, because every command module imported them at module
level. These tests guard start-up time without timing anything (timings are noisy on shared CI
machines): in a fresh interpreter they list the modules that importing the command line, or
running `iamtwin validate` on a policy file, leaves in `sys.modules`, and name the ones that must
not be there. A command imports its heavy machinery when it runs; the option defaults and the enum
types Typer reads while building the command line come from light modules
(`iamtwin.broker.defaults`, `iamtwin.validate.symbolic.parameters`, ...).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

# Third-party packages that only some commands need, and each costs tens of milliseconds or more.
HEAVY_LIBRARIES = (
    "z3",
    "boto3",
    "botocore",
    "sqlalchemy",
    "alembic",
    "starlette",
    "uvicorn",
    "httpx",
    "yaml",
    "jinja2",
    "authlib",
)
# Our own layers that only their commands need.
HEAVY_PACKAGES = (
    "iamtwin.analyze",
    "iamtwin.grants",
    "iamtwin.api",
    "iamtwin.validate.run",
    "iamtwin.validate.checks",
    "iamtwin.validate.symbolic.checks",
)
# The broker modules Typer needs while building the command line (option defaults, `--format` and
# `--outcome` choices), none of which imports boto3, SQLAlchemy or httpx.
LIGHT_BROKER_MODULES = frozenset(
    {
        "iamtwin.broker",
        "iamtwin.broker.defaults",
        "iamtwin.broker.errors",
        "iamtwin.broker.issuance",
        "iamtwin.broker.notification_settings",
        "iamtwin.broker.outputs",
        "iamtwin.broker.requests",
        "iamtwin.broker.reviews",
        "iamtwin.broker.rules",
        "iamtwin.broker.web",
        "iamtwin.broker.web.config",
    }
)

_IMPORT_APP = "import json, sys\nimport iamtwin.cli.app\nprint(json.dumps(sorted(sys.modules)))\n"

# Runs the console script's entry point with argv, then writes sys.modules to the file named last.
_RUN_MAIN = """\
import json, sys
from iamtwin.cli.app import main
out = sys.argv.pop()
sys.argv = ["iamtwin", *sys.argv[1:]]
try:
    main()
except SystemExit as done:
    code = done.code
else:
    code = 0
with open(out, "w", encoding="utf-8") as f:
    json.dump({"exit": code, "modules": sorted(sys.modules)}, f)
"""


def _loaded(modules: list[str], names: tuple[str, ...]) -> list[str]:
    """The modules of `modules` that are one of `names` or inside one of them."""
    return [m for m in modules if any(m == n or m.startswith(n + ".") for n in names)]


def test_importing_the_command_line_loads_no_heavy_module() -> None:
    """Importing `iamtwin.cli.app` (what `iamtwin --help` does first) loads only typer, rich and light modules."""
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT_APP], capture_output=True, text=True, check=True, timeout=60
    )
    modules: list[str] = json.loads(done.stdout)
    assert "iamtwin.cli.app" in modules
    assert _loaded(modules, HEAVY_LIBRARIES) == []
    assert _loaded(modules, HEAVY_PACKAGES) == []
    assert sorted(set(_loaded(modules, ("iamtwin.broker",))) - LIGHT_BROKER_MODULES) == []


def test_help_still_lists_every_command() -> None:
    """Deferred imports do not lose a command: `iamtwin --help` names the commands of each area."""
    done = subprocess.run(
        [sys.executable, "-m", "iamtwin", "--help"], capture_output=True, text=True, check=True, timeout=60
    )
    for command in ("validate", "check-no-public-access", "who-can", "analyzer", "broker", "grants", "audit"):
        assert command in done.stdout


def test_validate_loads_neither_the_solver_nor_the_store(tmp_path: Path) -> None:
    """`iamtwin validate policy.json` runs every check without z3, SQLAlchemy, Alembic or boto3.

    The policy names no Region, so botocore's endpoint data (read by the Region check) is not needed either.
    """
    policy = tmp_path / "policy.json"
    policy.write_text(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"}],
            }
        ),
        encoding="utf-8",
    )
    out = tmp_path / "modules.json"
    done = subprocess.run(
        [sys.executable, "-c", _RUN_MAIN, "validate", str(policy), str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["exit"] == 0
    assert "1 policies checked" in done.stdout
    modules: list[str] = result["modules"]
    assert "iamtwin.validate.checks.regions" in modules  # every check ran
    assert _loaded(modules, ("z3", "sqlalchemy", "alembic", "boto3", "botocore", "starlette", "uvicorn")) == []
    assert _loaded(modules, ("iamtwin.validate.symbolic.checks", "iamtwin.world.stored", "iamtwin.analyze")) == []

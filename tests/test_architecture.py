"""The layering the project keeps: the engine is pure, dependencies point one way, the facade is pinned."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import iamtwin

SRC = Path(iamtwin.__file__).parent

# Layers from the bottom; a module may import only its own layer or those below it.
LAYERS = [
    "errors",
    "catalog",
    "policy",
    "evaluate",
    "clock",
    "simulate",
    "world",
    "sts",
    "validate",  # reads stored worlds (`--db`)
    "audit",
    "analyze",  # who-can, external access, escalation, least privilege over the world and the trail
    "grants",  # the permission orchestrator
    "broker",
    "api",
    "cli",
]

PURE_PACKAGES = ("policy", "evaluate")
FORBIDDEN_CALLS = {("datetime", "now"), ("datetime", "utcnow"), ("time", "time"), ("date", "today")}


def _modules(package: str) -> list[Path]:
    return sorted((SRC / package).rglob("*.py"))


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package_parts = path.relative_to(SRC.parent).with_suffix("").parts[:-1]
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(package_parts[: len(package_parts) - node.level + 1])
                names.append(".".join([*base, node.module] if node.module else base))
            elif node.module:
                names.append(node.module)
    return names


def _layer_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "iamtwin" or len(parts) < 2:
        return None
    return parts[1]


@pytest.mark.parametrize("package", PURE_PACKAGES)
def test_engine_imports_only_the_standard_library(package: str) -> None:
    """policy/ and evaluate/ import no web framework, database or third-party package."""
    for path in _modules(package):
        for name in _imports(path):
            top = name.split(".")[0]
            assert top == "iamtwin" or top in sys.stdlib_module_names, f"{path.name} imports {name}"


@pytest.mark.parametrize("package", PURE_PACKAGES)
def test_engine_never_reads_the_clock(package: str) -> None:
    """The engine takes time from the request context, never from the wall clock."""
    for path in _modules(package):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                owner_name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
                assert (owner_name, node.func.attr) not in FORBIDDEN_CALLS, f"{path.name} calls the clock"


def test_dependencies_point_one_way() -> None:
    """A module imports only from its own layer or the layers below it."""
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC)
        own = rel.parts[0].removesuffix(".py")
        if own not in LAYERS:
            continue
        for name in _imports(path):
            layer = _layer_of(name)
            if layer is None or layer not in LAYERS:
                continue
            assert LAYERS.index(layer) <= LAYERS.index(own), f"{rel} ({own}) imports {name} ({layer})"


def test_public_facade_is_pinned() -> None:
    """The names users import from `iamtwin` change only on purpose."""
    assert sorted(iamtwin.__all__) == sorted(
        [
            "Decision",
            "Outcome",
            "PolicyType",
            "SimulationInputError",
            "Simulator",
            "__version__",
            "decision_to_json",
            "simulate",
        ]
    )


def test_modules_stay_small() -> None:
    """No module grows past about 400 lines."""
    for path in sorted(SRC.rglob("*.py")):
        lines = path.read_text(encoding="utf-8").count("\n")
        assert lines <= 420, f"{path.relative_to(SRC)} has {lines} lines"

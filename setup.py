"""Optional mypyc compilation of the decision path; everything else is configured in pyproject.toml.

    IAMTWIN_COMPILE=1 pip install --no-build-isolation .

compiles the modules below to C extensions (needs mypy, setuptools, a C compiler and the Python
headers in the installing environment, hence --no-build-isolation). Without IAMTWIN_COMPILE the
package is pure Python, as always. Compilation is refused for editable installs: the extension
would sit next to its .py file and silently shadow every later edit of it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from setuptools import setup

SRC = Path(__file__).resolve().parent / "src"
# The modules a decision runs through. Left out: iamtwin/errors.py, because world/, sts/ and api/
# subclass its errors and interpreted classes cannot subclass compiled ones (TypeError at raise);
# policy/source.py, because mypyc cannot build its `value: object` dataclass field (KeyError:
# 'object' on import). Neither is on the decision path.
COMPILED = ("iamtwin/evaluate", "iamtwin/simulate", "iamtwin/policy", "iamtwin/clock.py")
EXCLUDED = frozenset({"iamtwin/policy/source.py"})


def _compiled_modules() -> list[str]:
    files: list[str] = []
    for entry in COMPILED:
        path = SRC / entry
        found = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        files += [f"src/{f.relative_to(SRC)}" for f in found if str(f.relative_to(SRC)) not in EXCLUDED]
    return files


def _ext_modules() -> list[object]:
    if os.environ.get("IAMTWIN_COMPILE") != "1":
        return []
    if "editable_wheel" in sys.argv or "develop" in sys.argv:
        raise SystemExit(
            "IAMTWIN_COMPILE=1 does not work with an editable install: the compiled modules would shadow "
            "edits of their .py files. Install without -e, or unset IAMTWIN_COMPILE."
        )
    try:
        from mypyc.build import mypycify
    except ImportError:
        raise SystemExit(
            "IAMTWIN_COMPILE=1 needs mypy (which ships mypyc) in the installing environment: "
            "pip install mypy setuptools wheel, then pip install --no-build-isolation ."
        ) from None

    # mypy names each file's module from the package folders above it: src/iamtwin/… is iamtwin.…
    return list(mypycify(_compiled_modules(), opt_level="3", group_name="iamtwin_native"))


setup(ext_modules=_ext_modules())

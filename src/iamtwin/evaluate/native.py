"""Whether a class was compiled by mypyc (`IAMTWIN_COMPILE=1`, see setup.py).

The interpreted engine makes its per-request objects (Request, Decision, RequestContext) with
CPython tricks that skip a frozen dataclass's slow `__init__`: assigning `__class__` between classes
of the same slot layout, or `object.__new__` then plain stores. A mypyc native class refuses both
(TypeError), and its own `__init__` is compiled to C and already fast, so the hot path asks here
which way to build them.
"""

from __future__ import annotations


def is_native(cls: type) -> bool:
    """True when `cls` is a mypyc native class (mypyc gives each one a `__mypyc_attrs__` tuple)."""
    return "__mypyc_attrs__" in cls.__dict__

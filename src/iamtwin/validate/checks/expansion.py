"""The catalogue's expansion of Action patterns, cached for a whole validation run.

`catalog.actions_matching` compiles two regular expressions and scans the matching services on
each call and keeps 1,024 answers; a run over many policies asks for tens of thousands of
distinct patterns, several checks for the same ones, so the answers are kept here.
"""

from __future__ import annotations

from functools import lru_cache

from ... import catalog


@lru_cache(maxsize=65536)
def expand(pattern: str) -> tuple[catalog.Action, ...]:
    """The actions an Action entry covers (`s3:Get*`), case ignored."""
    return catalog.actions_matching(pattern.lower())


@lru_cache(maxsize=65536)
def expanded_names(pattern: str) -> frozenset[str]:
    """The lower-cased full names of the actions an Action entry covers."""
    return frozenset(act.full_name.lower() for act in expand(pattern))

"""A world ready for who-can and what-can: its model, lookups, principal index and evaluator.

Built once (the index reads every identity policy) and then asked many questions. Stored worlds are
read whole (`World.export_model`), world files as loaded; both give the same answers.
"""

from __future__ import annotations

import gc
from datetime import datetime

from .. import catalog
from ..errors import IamtwinError
from ..evaluate.request import check_action
from ..policy.arn import parse_arn
from ..world.inputs import MemoryView
from ..world.model import World as WorldModel
from .access_evaluation import AccessEvaluator
from .access_model import AccessQueryError
from .principal_index import PrincipalIndex


class AccessWorld:
    """One world's principals, indexed, and the evaluator that decides their access."""

    def __init__(
        self, model: WorldModel, *, now: datetime, index: PrincipalIndex | None = None, freeze_heap: bool = False
    ) -> None:
        self.model = model
        self.view = MemoryView(model)
        self.evaluator = AccessEvaluator(self.view, now=now)
        self.index = index if index is not None else PrincipalIndex.build(model)
        if freeze_heap:
            # A process that only asks questions of this world (the CLI) keeps it until it exits; frozen,
            # its hundreds of thousands of objects are not scanned again by every full collection.
            gc.freeze()


def checked_action(action: str) -> str:
    """The action as the catalogue spells it; a coded error when it is malformed or unknown."""
    try:
        check_action(action)
    except IamtwinError as err:
        raise AccessQueryError(err.message, code="INVALID_ACTION") from None
    known = catalog.action_named(action)
    if known is None:
        raise AccessQueryError(f"`{action}` is not an action of the catalogue", code="UNKNOWN_ACTION")
    return known.full_name


def checked_resource(resource: str | None) -> str | None:
    """The resource ARN (or None, or `*`); a coded error when it is not an ARN."""
    if resource is None or resource == "*":
        return resource
    if parse_arn(resource) is None:
        raise AccessQueryError(f"`{resource}` is not an ARN", code="INVALID_RESOURCE")
    return resource

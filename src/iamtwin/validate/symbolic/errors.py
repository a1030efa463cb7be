"""Errors of the custom checks: inputs that cannot be checked, each with a stable code."""

from __future__ import annotations

from ...errors import IamtwinError


class CustomCheckError(IamtwinError):
    """A custom check's input is unusable (an unknown resource type, an empty access list, ...)."""

    code = "CUSTOM_CHECK_INPUT_ERROR"

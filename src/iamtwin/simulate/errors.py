"""Errors in a simulation input."""

from __future__ import annotations

from ..errors import IamtwinError


class SimulationInputError(IamtwinError):
    """A simulation input that does not have the documented shape."""

    code = "INVALID_SIMULATION_INPUT"

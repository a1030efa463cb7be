"""Simulation: the public input contract, the Simulator, and decision output."""

from .errors import SimulationInputError
from .simulator import Simulator, simulate

__all__ = ["SimulationInputError", "Simulator", "simulate"]

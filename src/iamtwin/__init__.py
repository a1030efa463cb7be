"""iamtwin: an AWS-IAM-compatible access control plane."""

from .evaluate.decision import Decision, Outcome, PolicyType
from .simulate import SimulationInputError, Simulator, simulate
from .simulate.output import decision_to_json

__version__ = "0.1.0"

__all__ = [
    "Decision",
    "Outcome",
    "PolicyType",
    "SimulationInputError",
    "Simulator",
    "__version__",
    "decision_to_json",
    "simulate",
]

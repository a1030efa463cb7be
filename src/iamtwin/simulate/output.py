"""The JSON output of a decision, as the shared contract defines it."""

from __future__ import annotations

from ..evaluate.decision import Decision
from ..evaluate.message import denial_message


def decision_to_json(decision: Decision) -> dict[str, object]:
    """JSON-ready data for one decision: outcome, reasons, message, analyses and errors."""
    return {
        "decision": decision.outcome.value,
        "blocked_by": [policy_type.value for policy_type in decision.blocked_by],
        "blocking_policies": list(decision.blocking_policies),
        "matched": [ref.to_dict() for ref in decision.matched],
        "message": denial_message(decision),
        "analyses": {policy_type.value: analysis.to_dict() for policy_type, analysis in decision.analyses.items()},
        "explanations": [explanation.to_dict() for explanation in decision.explanations],
        "missing_context_keys": sorted(decision.missing_context_keys),
        "errors": [error.to_dict() for error in decision.errors],
    }

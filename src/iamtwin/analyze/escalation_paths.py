"""Shortest escalation paths from one principal to administrator-equivalent ones (breadth-first search).

A path is a sequence of edges. Become edges chain (each starts where the last ended); a grant edge
does not move: it makes its target administrator-equivalent, and when that target is another
principal the path's last edge is the become edge from the same source to it. A path therefore ends
either at a principal with full access as it stands (`AdminReason.FULL_ACCESS`) or with a grant
(`AdminReason.GRANTED`). One shortest path is kept per administrator-equivalent principal; ties go
to the edge met first in the graph's order (kind, then target), so the answer is deterministic.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from enum import StrEnum

from .escalation import Edge, EscalationGraph, Evidence


class AdminReason(StrEnum):
    """Why the principal at the end of a path is administrator-equivalent."""

    FULL_ACCESS = "full_access"  # allowed everything as the world stands
    GRANTED = "granted"  # made so by the path's grant edge


@dataclass(frozen=True, slots=True)
class EscalationPath:
    """How `start` reaches the administrator-equivalent principal `admin`."""

    start: str
    admin: str
    reason: AdminReason
    edges: tuple[Edge, ...]
    admin_evidence: tuple[Evidence, ...]  # FULL_ACCESS: the probe requests allowed as the world stands

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data."""
        return {
            "start": self.start,
            "admin": self.admin,
            "reason": self.reason.value,
            "length": len(self.edges),
            "edges": [e.to_dict() for e in self.edges],
            "admin_evidence": [e.to_dict() for e in self.admin_evidence],
        }


def escalation_paths(graph: EscalationGraph, start: str) -> tuple[EscalationPath, ...]:
    """One shortest path from `start` to each administrator-equivalent principal it can reach, shortest first."""
    graph.check_principal(start)
    reached: dict[str, tuple[Edge, ...]] = {start: ()}
    queue = deque([start])
    found: dict[str, EscalationPath] = {}

    def keep(path: EscalationPath) -> None:
        known = found.get(path.admin)
        if known is None or len(path.edges) < len(known.edges):
            found[path.admin] = path

    while queue:
        node = queue.popleft()
        route = reached[node]
        admin = graph.full_access(node)
        if admin is not None:
            keep(EscalationPath(start, node, AdminReason.FULL_ACCESS, route, admin.evidence))
            continue  # an administrator needs no further step
        edges = graph.edges_from(node)
        for edge in edges:
            if not edge.grants_admin:
                if edge.target not in reached:
                    reached[edge.target] = (*route, edge)
                    queue.append(edge.target)
                continue
            if edge.target == node:
                keep(EscalationPath(start, node, AdminReason.GRANTED, (*route, edge), ()))
                continue
            become = next(e for e in edges if not e.grants_admin and e.target == edge.target)
            keep(EscalationPath(start, edge.target, AdminReason.GRANTED, (*route, edge, become), ()))
    return tuple(sorted(found.values(), key=lambda p: (len(p.edges), p.admin)))


__all__ = ["AdminReason", "EscalationPath", "escalation_paths"]

"""An investigation as JSON, as a Graphviz DOT graph and as a Mermaid graph of the chain of sessions.

The graph has one node for the original principal and one per session; an edge is the call that
issued a session (AssumeRoleWithWebIdentity, AssumeRoleWithSAML, AssumeRole), labelled with its
time and the session's duration.
"""

from __future__ import annotations

import re
from typing import Any

from .event import cloudtrail_time
from .sessions import ISSUING_EVENTS, ROLE_CHAINING_MAX_SECONDS, Investigation, RoleSession, action_of


def _requested_role(record: dict[str, Any]) -> str | None:
    """The role an AssumeRole* call asked for (its trust-policy check is not in `iamtwinDecision`)."""
    if record.get("eventName") not in ISSUING_EVENTS:
        return None
    role = (record.get("requestParameters") or {}).get("roleArn")
    return None if role is None else str(role)


def event_summary(seq: int, record: dict[str, Any]) -> dict[str, Any]:
    """What the report shows of one call."""
    decision = record.get("iamtwinDecision") or {}
    return {
        "seq": seq,
        "eventTime": record.get("eventTime"),
        "eventID": record.get("eventID"),
        "eventSource": record.get("eventSource"),
        "eventName": record.get("eventName"),
        "action": action_of(record),
        "resource": decision.get("resource") or _requested_role(record),
        "outcome": decision.get("outcome"),
        "errorCode": record.get("errorCode"),
        "errorMessage": record.get("errorMessage"),
        "sourceIPAddress": record.get("sourceIPAddress"),
        "readOnly": record.get("readOnly"),
        "requestParameters": record.get("requestParameters"),
    }


def issued_by(investigation: Investigation, session: RoleSession) -> str:
    """Who made the call that issued the session: the parent session's ARN or the origin's name."""
    if session.parent is not None:
        return investigation.sessions[session.parent].key.arn
    return investigation.origin.label


def session_dict(investigation: Investigation, index: int) -> dict[str, Any]:
    """One session (hop) as JSON-ready data."""
    session = investigation.sessions[index]
    issuing = session.issuing or {}
    return {
        "index": index,
        "subject": session.subject,
        "parent": session.parent,
        "sessionArn": session.key.arn,
        "principalId": session.key.principal_id,
        "accessKeyId": session.key.access_key_id,
        "roleArn": session.role_arn,
        "roleSessionName": session.session_name,
        "sourceIdentity": session.source_identity,
        "issuedBy": issued_by(investigation, session),
        "issuedWith": issuing.get("eventName"),
        "issuingEventID": issuing.get("eventID"),
        "issueTime": cloudtrail_time(session.key.created),
        "expiration": None if session.expires is None else cloudtrail_time(session.expires),
        "durationSeconds": session.duration_seconds,
        "requestedDurationSeconds": session.requested_seconds,
        "sourceIPAddress": issuing.get("sourceIPAddress"),
        "chained": session.chained,
        "maxDurationSeconds": ROLE_CHAINING_MAX_SECONDS if session.chained else None,
        "events": [event_summary(seq, record) for seq, record in session.events],
        "newActivity": {
            "earlierSessions": session.earlier_sessions,
            "earlierEvents": session.earlier_events,
            "newActions": list(session.new_actions),
            "newSourceAddresses": list(session.new_addresses),
        },
    }


def investigation_dict(investigation: Investigation) -> dict[str, Any]:
    """The whole investigation as JSON-ready data."""
    subject = investigation.subject
    root = investigation.sessions[0]
    return {
        "subjectEventID": investigation.subject_event_id,
        "subjectSessionArn": subject.key.arn,
        "origin": {
            **investigation.origin.to_dict(),
            # When and from where the original principal started the chain (its first AssumeRole* call).
            "time": cloudtrail_time(root.key.created),
            "sourceIPAddress": (root.issuing or {}).get("sourceIPAddress"),
        },
        "sourceIdentity": next((s.source_identity for s in investigation.sessions if s.source_identity), None),
        "roleChainingMaxSeconds": ROLE_CHAINING_MAX_SECONDS,
        "sessions": [session_dict(investigation, i) for i in range(len(investigation.sessions))],
        "notes": list(investigation.notes),
    }


def edges(investigation: Investigation) -> list[tuple[str, str, str]]:
    """(from node, to node, label) of every hop: origin -> first session -> chained sessions."""
    out = []
    for index, session in enumerate(investigation.sessions):
        source = "origin" if session.parent is None else f"s{session.parent}"
        call = (session.issuing or {}).get("eventName") or "issued (event not in trail)"
        duration = f", {session.duration_seconds} s" if session.duration_seconds is not None else ""
        out.append((source, f"s{index}", f"{call} {cloudtrail_time(session.key.created)}{duration}"))
    return out


def _node_labels(investigation: Investigation) -> dict[str, str]:
    origin = investigation.origin
    labels = {"origin": f"{origin.kind}: {origin.label}"}
    for index, session in enumerate(investigation.sessions):
        parts = session.key.arn.split("/")  # arn:aws:sts::ACCOUNT:assumed-role/ROLE/NAME
        role = session.role_arn.rsplit("/", 1)[-1] if session.role_arn else (parts[1] if len(parts) > 2 else parts[0])
        mark = " (subject)" if session.subject else ""
        labels[f"s{index}"] = f"{role} / {session.session_name}{mark}"
    return labels


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(investigation: Investigation) -> str:
    """The chain as a Graphviz DOT digraph."""
    lines = ["digraph sessions {", "  rankdir=LR;", "  node [shape=box];"]
    for node, label in _node_labels(investigation).items():
        extra = ", style=bold" if node != "origin" and investigation.sessions[int(node[1:])].subject else ""
        lines.append(f"  {node} [label={_dot_quote(label)}{extra}];")
    for source, target, label in edges(investigation):
        lines.append(f"  {source} -> {target} [label={_dot_quote(label)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


_MERMAID_UNSAFE = re.compile(r'["\[\]{}()|<>#;`]')


def _mermaid_text(text: str) -> str:
    # Mermaid labels are quoted; characters that end a quoted label or start markup are replaced.
    return _MERMAID_UNSAFE.sub("_", text)


def to_mermaid(investigation: Investigation) -> str:
    """The chain as a Mermaid flowchart."""
    lines = ["flowchart LR"]
    for node, label in _node_labels(investigation).items():
        lines.append(f'  {node}["{_mermaid_text(label)}"]')
    for source, target, label in edges(investigation):
        lines.append(f'  {source} -->|"{_mermaid_text(label)}"| {target}')
    return "\n".join(lines) + "\n"

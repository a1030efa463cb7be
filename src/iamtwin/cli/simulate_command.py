"""`iamtwin simulate`: one request, a JSON lines stream of requests, or a question about a world file."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console

from ..errors import IamtwinError, Location
from ..evaluate.decision import Decision
from ..simulate import Simulator
from ..simulate.errors import SimulationInputError
from ..simulate.output import decision_to_json
from .render import render_decision_text


def _emit(decision: Decision, output_format: str, console: Console) -> None:
    if output_format == "text":
        render_decision_text(decision, console)
    elif output_format == "json":
        console.print_json(json.dumps(decision_to_json(decision)))
    else:
        console.out(json.dumps(decision_to_json(decision), separators=(",", ":")), highlight=False)


def run_simulate(
    *,
    input_data: Any,
    requests_path: Path | None,
    world: Path | None,
    principal: str | None,
    db: str | None = None,
    action: str | None,
    resource: str | None,
    context: Mapping[str, str | list[str]],
    output_format: str,
    now: datetime | None,
    console: Console,
) -> bool:
    """Run one simulate invocation; True when any request was denied."""
    if world is not None:
        if input_data is not None or requests_path is not None:
            raise IamtwinError("use either --world or --input, not both", code="CONFLICTING_OPTIONS")
        if principal is None or action is None:
            raise IamtwinError("--world needs --principal and --action", code="MISSING_OPTION")
        from ..world.worldfile import load_world

        data = load_world(world).simulation_input(principal, action, resource, context)
        decision = Simulator(data, now=now).decide(data["request"])
        _emit(decision, output_format, console)
        return not decision.allowed
    if input_data is None and principal is not None and action is not None:
        if requests_path is not None:
            raise IamtwinError("--requests needs --input", code="CONFLICTING_OPTIONS")
        from ..world.stored import World

        stored = World.open(db)
        try:
            decision = stored.authorize(principal, action, resource, context, now=now)
        finally:
            stored.close()
        _emit(decision, output_format, console)
        return not decision.allowed
    if input_data is None:
        raise IamtwinError(
            "give --input FILE, --world FILE with --principal and --action, or --principal and --action "
            "for the stored world (--db)",
            code="MISSING_OPTION",
        )
    if not isinstance(input_data, Mapping):
        raise SimulationInputError("the simulation input must be a JSON object")
    simulator = Simulator(input_data, now=now)
    if requests_path is None:
        if "request" not in input_data:
            raise SimulationInputError(
                "the input has no `request`; give one, or --requests FILE.jsonl", code="MISSING_REQUEST"
            )
        decision = simulator.decide(input_data["request"])
        _emit(decision, output_format, console)
        return not decision.allowed
    denied = False
    try:
        lines = requests_path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise IamtwinError(f"cannot read `{requests_path}`: {exc.strerror}", code="FILE_NOT_READABLE") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except json.JSONDecodeError as exc:
            raise IamtwinError(
                f"request line {number} is not valid JSON: {exc.msg.lower()}",
                code="JSON_SYNTAX_ERROR",
                location=Location(f"line {number}", number, exc.colno),
            ) from exc
        try:
            decision = simulator.decide(request)
        except SimulationInputError as err:
            loc = err.location or Location()
            raise SimulationInputError(
                f"request line {number}: {err.message}", code=err.code, location=Location(loc.path, number, None)
            ) from err
        denied = denied or not decision.allowed
        _emit(decision, output_format, console)
    return denied

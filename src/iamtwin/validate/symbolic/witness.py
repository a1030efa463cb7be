"""Solving with a time limit, and reading a satisfying model back as a concrete request."""

from __future__ import annotations

import base64
import ipaddress
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction

import z3  # type: ignore[import-untyped]  # z3-solver ships no type information

from .request import Family, IpValue, PrincipalKind, SymbolicRequest, Value
from .result import Witness

_ESCAPE = re.compile(r"\\u\{([0-9a-fA-F]+)\}")
_PRINTABLE = z3.Star(z3.Range("!", "~"))  # printable ASCII without the space
_GRACE_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class Solved:
    """The solver's answer to one query: sat, unsat or unknown, with a model when sat."""

    status: z3.CheckSatResult
    model: z3.ModelRef | None = None


class Reasoner:
    """Checks queries over one request under a time limit, each with the constraints every query shares.

    Each query gets a solver of its own: z3's `push` does work the time limit does not bound.
    """

    def __init__(self, request: SymbolicRequest, shared: Sequence[z3.BoolRef], timeout_ms: int) -> None:
        self.request = request
        self.shared = list(shared)
        self.timeout_ms = timeout_ms
        self.last_reason_unknown = ""

    def solve(self, query: Sequence[z3.BoolRef]) -> Solved:
        """Is there a request meeting the query? A model with readable strings when one exists."""
        solver = z3.Solver()
        solver.set("timeout", self.timeout_ms)
        solver.add(*self.shared, *query)
        status = self._check(solver)
        if status != z3.sat:
            self.last_reason_unknown = solver.reason_unknown() if status == z3.unknown else ""
            return Solved(status)
        model = solver.model()
        # Prefer a non-empty resource and printable strings without spaces; else keep the first model.
        solver.add(*[z3.InRe(s, _PRINTABLE) for s in self._strings()], z3.Length(self.request.resource) > 0)
        if self._check(solver) == z3.sat:
            model = solver.model()
        return Solved(status, model)

    def _check(self, solver: z3.Solver) -> z3.CheckSatResult:
        """`solver.check()`, interrupted if it overruns the time limit (z3 checks its limit only now and then)."""
        watchdog = threading.Timer(self.timeout_ms / 1000 + _GRACE_SECONDS, solver.ctx.interrupt)
        watchdog.start()
        try:
            return solver.check()
        finally:
            watchdog.cancel()

    def _strings(self) -> list[z3.SeqRef]:
        request = self.request
        p = request.principal
        out = [request.resource, p.arn, p.rest]
        for key in request.keys.values():
            out.extend(v for v in key.values.get(Family.STRING, []) if isinstance(v, z3.SeqRef))
        return out


def read_witness(model: z3.ModelRef, request: SymbolicRequest, with_principal: bool) -> Witness:
    """The concrete request a model describes."""
    index = model.eval(request.domain.var, model_completion=True)
    action = request.domain.name(index.as_long() if isinstance(index, z3.IntNumRef) else 0)
    resource = _text(model.eval(request.resource, model_completion=True))
    context: dict[str, list[str]] = {}
    for key in request.keys.values():
        length = model.eval(key.length, model_completion=True)
        count = length.as_long() if isinstance(length, z3.IntNumRef) else 0
        if count <= 0:
            continue
        for position, (family, values) in enumerate(key.values.items()):
            label = key.name if position == 0 else f"{key.name} ({family.value})"
            context[label] = [_render(model, family, v) for v in values[:count]]
    principal = _principal(model, request) if with_principal else None
    return Witness(action, resource, principal, context)


def _principal(model: z3.ModelRef, request: SymbolicRequest) -> dict[str, str]:
    p = request.principal
    kind_value = model.eval(p.kind, model_completion=True)
    kind = PrincipalKind(kind_value.as_long() if isinstance(kind_value, z3.IntNumRef) else 0)
    arn = _text(model.eval(p.arn, model_completion=True))
    if kind is PrincipalKind.ANONYMOUS:
        return {"type": "anonymous"}
    if kind is PrincipalKind.AWS:
        return {"type": "AWS", "arn": arn, "account": _text(model.eval(p.account, model_completion=True))}
    names = {PrincipalKind.SERVICE: "Service", PrincipalKind.FEDERATED: "Federated"}
    return {"type": names.get(kind, "CanonicalUser"), "id": arn}


def _text(value: z3.ExprRef) -> str:
    """A z3 string constant as Python text (z3 writes characters outside ASCII as `\\u{…}`)."""
    if not isinstance(value, z3.SeqRef) or not value.is_string_value():
        return ""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value.as_string())


def _render(model: z3.ModelRef, family: Family, value: Value) -> str:
    if isinstance(value, IpValue):
        number = model.eval(value.address, model_completion=True)
        v6 = z3.is_true(model.eval(value.v6, model_completion=True))
        raw = number.as_long() if isinstance(number, z3.BitVecNumRef) else 0
        return str(ipaddress.IPv6Address(raw) if v6 else ipaddress.IPv4Address(raw & 0xFFFFFFFF))
    evaluated = model.eval(value, model_completion=True)
    if family is Family.BOOL:
        return "true" if z3.is_true(evaluated) else "false"
    if family in (Family.NUMERIC, Family.DATE):
        fraction = evaluated.as_fraction() if isinstance(evaluated, z3.RatNumRef) else Fraction(0)
        return _date(fraction) if family is Family.DATE else _number(fraction)
    text = _text(evaluated)
    if family is Family.BINARY:
        # The request context carries binary values base64-encoded, as BinaryEquals reads them.
        return base64.b64encode(text.encode("latin-1", errors="replace")).decode("ascii")
    return text


def _number(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return format(float(value), "f").rstrip("0")


def _date(value: Fraction) -> str:
    """An instant as ISO 8601 UTC (epoch seconds when outside the calendar's range)."""
    try:
        moment = datetime.fromtimestamp(float(value), tz=UTC)
    except (OverflowError, OSError, ValueError):
        return _number(value)
    return moment.isoformat().replace("+00:00", "Z")

"""Decisions per second: iamtwin against @cloud-copilot/iam-simulate, same cases, same run.

    python benchmarks/bench_decisions.py [--seconds S] [--quick] [--no-node] [--json FILE]

For each case of `cases.py` the iamtwin `Simulator` is built once, then `decide()` runs over the
case's requests in a cycle (no decision cache) for S seconds, timed with `time.perf_counter`.
Then @cloud-copilot/iam-simulate (pinned below) is installed with npm into a temporary folder and
`iam_simulate_runner.mjs` times `runSimulation` and `runUnsafeSimulation` on the same cases.
The process is pinned to one CPU (inherited by node) unless --no-pin.

Exit status: 0 when everything asked for was measured, 2 when the engine or the Node side could
not be measured (the reason is printed), 1 on a usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cases import BenchCase, all_cases, node_payload

IAM_SIMULATE_VERSION = "0.1.173"
TARGET_HEAVY = 100_000
HERE = Path(__file__).resolve().parent
RUNNER = HERE / "iam_simulate_runner.mjs"
ENTRY_POINTS = ("runSimulation", "runUnsafeSimulation")


@dataclass
class Measurement:
    """Decisions per second of one engine (or entry point) on one case, and the outcomes it gave."""

    decisions: int = 0
    seconds: float = 0.0
    outcomes: dict[str, str] = field(default_factory=dict)
    build_seconds: float | None = None

    @property
    def per_second(self) -> float | None:
        """Decisions per second, or None when nothing was timed."""
        return self.decisions / self.seconds if self.seconds > 0 and self.decisions > 0 else None


# --------------------------------------------------------------------------- iamtwin


def _outcome(decision: Any) -> str:
    value = getattr(decision, "outcome", None) or getattr(decision, "effect", None)
    return str(getattr(value, "value", value))


def measure_iamtwin(case: BenchCase, seconds: float, warmup: float) -> Measurement:
    """Build the Simulator once, then time decide() cycling over the case's requests."""
    import iamtwin

    now = datetime.fromisoformat(case.now.replace("Z", "+00:00"))
    start = time.perf_counter()
    simulator = iamtwin.Simulator(case.policies, now=now)
    result = Measurement(build_seconds=time.perf_counter() - start)
    requests = [r.request for r in case.requests]
    for bench_request in case.requests:
        try:
            result.outcomes[bench_request.id] = _outcome(simulator.decide(bench_request.request))
        except Exception as error:  # report it per request; the timing below then fails loudly
            result.outcomes[bench_request.id] = f"Error: {type(error).__name__}: {error}"
    if any(o.startswith("Error") for o in result.outcomes.values()):
        return result
    decide = simulator.decide
    # at least ~1000 decisions per timing check keeps perf_counter overhead negligible
    cycles = max(1, 1000 // len(requests))
    batch = requests * cycles
    for timed_seconds, keep in ((warmup, False), (seconds, True)):
        decisions = 0
        start = time.perf_counter()
        elapsed = 0.0
        while elapsed < timed_seconds or decisions == 0:
            for request in batch:
                decide(request)
            decisions += len(batch)
            elapsed = time.perf_counter() - start
        if keep:
            result.decisions, result.seconds = decisions, elapsed
    return result


def iamtwin_missing() -> str | None:
    """Why the engine cannot be benchmarked, or None when it can."""
    try:
        import iamtwin
    except ImportError as error:
        return f"iamtwin is not importable ({error})"
    if not hasattr(iamtwin, "Simulator"):
        return "iamtwin.Simulator does not exist yet"
    return None


# --------------------------------------------------------------------------- iam-simulate


def install_iam_simulate(folder: Path, version: str) -> Path:
    """`npm install --prefix folder` the pinned iam-simulate; returns its node_modules folder."""
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not on PATH")
    command = [
        npm,
        "install",
        "--prefix",
        str(folder),
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
        f"@cloud-copilot/iam-simulate@{version}",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"npm install failed ({done.returncode}): {done.stderr.strip()[-800:]}")
    return folder / "node_modules"


def run_node(cases: Sequence[BenchCase], modules: Path, seconds: float, warmup: float) -> dict[str, Any]:
    """Run iam_simulate_runner.mjs on the cases; returns its JSON report."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is not on PATH")
    command = [
        node,
        str(RUNNER),
        "--modules",
        str(modules),
        "--input",
        "-",
        "--seconds",
        str(seconds),
        "--warmup-seconds",
        str(warmup),
    ]
    done = subprocess.run(
        command,
        input=json.dumps(node_payload(cases)),
        capture_output=True,
        text=True,
        timeout=600 + 10 * seconds * len(cases),
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the Node runner failed ({done.returncode}): {done.stderr.strip()[-800:]}")
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def node_measurements(report: Mapping[str, Any]) -> dict[tuple[str, str], Measurement]:
    """(case name, entry point) -> Measurement, from the Node runner's report."""
    out: dict[tuple[str, str], Measurement] = {}
    for row in report["results"]:
        out[(row["case"], row["entry_point"])] = Measurement(
            decisions=int(row["decisions"]), seconds=float(row["elapsed_seconds"]), outcomes=dict(row["outcomes"])
        )
    return out


# --------------------------------------------------------------------------- report


def _rate(m: Measurement | None) -> str:
    return f"{m.per_second:,.0f}" if m is not None and m.per_second is not None else "-"


def _ratio(ours: Measurement | None, theirs: Measurement | None) -> str:
    if ours is None or theirs is None or ours.per_second is None or theirs.per_second is None:
        return "-"
    return f"{ours.per_second / theirs.per_second:,.1f}x"


def _table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def agreement(case: BenchCase, ours: Measurement | None, theirs: Mapping[str, Measurement]) -> tuple[str, list[str]]:
    """A per-request outcome table for `case` and the list of disagreements."""
    header = ["request", "expected", "iamtwin", *ENTRY_POINTS]
    rows = [header]
    disagreements: list[str] = []
    for r in case.requests:
        got = {"iamtwin": ours.outcomes.get(r.id, "-") if ours else "-"}
        for entry in ENTRY_POINTS:
            got[entry] = theirs[entry].outcomes.get(r.id, "-") if entry in theirs else "-"
        seen = {name: value for name, value in got.items() if value != "-"}
        differs = [name for name, value in seen.items() if value != r.expected]
        if differs:
            detail = ", ".join(f"{name}={seen[name]}" for name in differs)
            disagreements.append(f"{case.name}/{r.id} {r.request['action']}: expected {r.expected}, {detail} ({r.why})")
        rows.append([r.id + (" !" if differs else ""), r.expected, got["iamtwin"], *(got[e] for e in ENTRY_POINTS)])
    return _table(rows), disagreements


def pin_to_one_cpu() -> str:
    """Pin this process (and the node child it starts) to one CPU; returns a note for the report."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity here)"
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=5.0, help="timed seconds per measurement (default 5)")
    parser.add_argument("--quick", action="store_true", help="0.05 s per measurement: checks the harness only")
    parser.add_argument("--no-node", action="store_true", help="skip iam-simulate")
    parser.add_argument("--no-pin", action="store_true", help="do not pin to one CPU")
    parser.add_argument("--node-modules", type=Path, help="use this node_modules folder instead of installing")
    parser.add_argument("--iam-simulate-version", default=IAM_SIMULATE_VERSION)
    parser.add_argument("--json", type=Path, help="also write the figures and outcomes to this file")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds = 0.05
    if args.seconds <= 0:
        parser.error("--seconds must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the report."""
    args = parse_args(argv)
    warmup = min(1.0, args.seconds / 4)
    cases = all_cases()
    problems: list[str] = []
    pin_note = "not pinned" if args.no_pin else pin_to_one_cpu()

    print("iamtwin decision benchmark")
    print(f"python {platform.python_version()} ({platform.python_implementation()}) on {platform.platform()}")
    print(f"{pin_note}; {args.seconds:g} s timed per measurement after {warmup:g} s warm-up")

    ours: dict[str, Measurement] = {}
    missing = iamtwin_missing()
    if missing:
        problems.append(f"iamtwin not measured: {missing}")
    else:
        for case in cases:
            ours[case.name] = measure_iamtwin(case, args.seconds, warmup)
            if ours[case.name].per_second is None:
                problems.append(f"iamtwin not measured on {case.name}: a request raised")

    theirs: dict[tuple[str, str], Measurement] = {}
    node_report: dict[str, Any] | None = None
    if not args.no_node:
        with tempfile.TemporaryDirectory(prefix="iamtwin-bench-npm-") as tmp:
            try:
                modules = args.node_modules or install_iam_simulate(Path(tmp), args.iam_simulate_version)
                node_report = run_node(cases, modules, args.seconds, warmup)
                theirs = node_measurements(node_report)
            except (RuntimeError, OSError, subprocess.TimeoutExpired, json.JSONDecodeError) as error:
                problems.append(f"iam-simulate not measured: {error}")
    if node_report is not None:
        print(f"node {node_report['node_version']}, @cloud-copilot/iam-simulate {node_report['iam_simulate_version']}")
    print()

    rows = [["case", "requests", "iamtwin dec/s"]]
    for entry in ENTRY_POINTS:
        rows[0] += [f"{entry} dec/s", "ratio"]
    for case in cases:
        row = [case.name, str(len(case.requests)), _rate(ours.get(case.name))]
        for entry in ENTRY_POINTS:
            m = theirs.get((case.name, entry))
            row += [_rate(m), _ratio(ours.get(case.name), m)]
        rows.append(row)
    print(_table(rows))
    print("ratio = iamtwin decisions/s divided by iam-simulate decisions/s")
    for case in cases:
        m = ours.get(case.name)
        if m is not None and m.build_seconds is not None:
            print(f"iamtwin Simulator build for {case.name}: {m.build_seconds * 1000:.2f} ms (once, not timed above)")
    heavy = ours.get("heavy")
    if heavy is not None and heavy.per_second is not None:
        verdict = "met" if heavy.per_second >= TARGET_HEAVY else "NOT met"
        print(f"target iamtwin >= {TARGET_HEAVY:,} decisions/s on heavy: {verdict} ({heavy.per_second:,.0f})")

    all_disagreements: list[str] = []
    for case in cases:
        per_entry = {e: theirs[(case.name, e)] for e in ENTRY_POINTS if (case.name, e) in theirs}
        table, disagreements = agreement(case, ours.get(case.name), per_entry)
        all_disagreements += disagreements
        print(f"\noutcomes, case {case.name} ({case.summary}); ! = differs from expected")
        print(table)
    print()
    if all_disagreements:
        print(f"{len(all_disagreements)} disagreement(s) with the expected outcome:")
        for line in all_disagreements:
            print(f"  {line}")
    else:
        print("all engines agree with the expected outcome on every request")
    for problem in problems:
        print(f"warning: {problem}")

    if args.json:
        data = {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "pinning": pin_note,
            "seconds": args.seconds,
            "iam_simulate_version": node_report["iam_simulate_version"] if node_report else None,
            "node_version": node_report["node_version"] if node_report else None,
            "iamtwin": {
                name: {"decisions_per_second": m.per_second, "outcomes": m.outcomes} for name, m in ours.items()
            },
            "iam_simulate": {
                f"{c}/{e}": {"decisions_per_second": m.per_second, "outcomes": m.outcomes}
                for (c, e), m in theirs.items()
            },
            "disagreements": all_disagreements,
            "problems": problems,
        }
        args.json.write_text(json.dumps(data, indent=2) + "\n")
    return 2 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

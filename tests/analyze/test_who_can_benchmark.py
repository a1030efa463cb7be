"""The who-can benchmark's generator and query run on a small world (timing is the benchmark's job, not a test's).

The indexed query must list exactly what deciding every principal lists; only identity-based Allows
and resource-policy grants give access, so the index cannot miss anyone:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_who_can.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("iamtwin_bench_who_can", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generator_and_query_on_a_small_world() -> None:
    """A 3-account world of 60 principals: the figures are consistent and both answers agree."""
    bench = _bench()
    world = bench.generate(accounts=3, users=14, roles=6, managed=40, inline=3, attached=2)
    assert sum(len(a.users) + len(a.roles) for a in world.accounts.values()) == 60
    assert bench.policy_count(world) == 3 * 40 + 60 * 3
    for action, resource in bench.QUERIES:
        figures = bench.run_query(world, action, resource, freeze_heap=False)  # raises when the two answers differ
        assert figures["principals_total"] == 60
        assert figures["principals_considered"] <= 60 + 5
        assert figures["allowed"] >= 1  # at least the root user of the resource's account

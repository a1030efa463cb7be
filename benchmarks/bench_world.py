"""Decisions per second for a stored principal as the world grows: 100, 10,000 and 100,000 principals.

    python benchmarks/bench_world.py [--seconds S] [--sizes 100,10000,100000] [--db-dir DIR] [--quick]

Each world is one account with N roles (every role: its trust policy, an inline policy, a shared
managed policy, tags) written into a fresh SQLite file with one bulk import. Then `World.authorize`
is timed, in the same process, for a fixed set of 8 stored roles cycling over 4 requests (so the
caches of compiled policies are in play, as for a service answering the same principals). The goal
is that the figure does not depend on the size of the world: the ratio of the fastest to the
slowest size must stay within 1.5×. Exit status 0 when it does, 1 when it does not, 2 on error.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from iamtwin.world.model import Account, InlinePolicy, ManagedPolicy, Role
from iamtwin.world.model import World as WorldModel
from iamtwin.world.stored import World

ACCOUNT = "123456789012"
FLATNESS = 1.5
SHARED = ManagedPolicy(
    "SharedRead",
    f"arn:aws:iam::{ACCOUNT}:policy/SharedRead",
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"},
            {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"},
        ],
    },
)
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def _role(n: int) -> Role:
    inline = InlinePolicy(
        "own",
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["dynamodb:GetItem", "dynamodb:Query"],
                    "Resource": f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/t{n % 50}",
                    "Condition": {"StringEquals": {"aws:PrincipalTag/team": "${aws:PrincipalTag/team}"}},
                }
            ],
        },
    )
    arn = f"arn:aws:iam::{ACCOUNT}:role/app-{n:06d}"
    return Role(f"app-{n:06d}", arn, "/", TRUST, {"team": f"t{n % 50}"}, (inline,), (SHARED,), None, 3600, False)


def build(size: int, path: Path) -> tuple[World, float]:
    """A world of `size` roles in a new SQLite file, and the seconds the import took."""
    roles = {r.name: r for r in (_role(n) for n in range(size))}
    account = Account(ACCOUNT, "bench", {}, {}, roles, {SHARED.name: SHARED}, ())
    world = World.open(f"sqlite:///{path}")
    started = time.perf_counter()
    world.import_model(WorldModel({ACCOUNT: account}, None))
    return world, time.perf_counter() - started


def measure(world: World, size: int, seconds: float) -> float:
    """Decisions per second over 8 stored roles and 4 requests."""
    principals = [f"arn:aws:iam::{ACCOUNT}:role/app-{n:06d}" for n in range(0, size, max(1, size // 8))][:8]
    requests = [
        ("s3:GetObject", "arn:aws:s3:::bucket/key"),
        ("s3:DeleteBucket", "arn:aws:s3:::bucket"),
        ("dynamodb:GetItem", f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/t1"),
        ("ec2:RunInstances", f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-1"),
    ]
    work = [(p, a, r) for p in principals for a, r in requests]
    for principal, action, resource in work:  # warm: every principal read and compiled once
        world.authorize(principal, action, resource)
    done = 0
    started = time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        for principal, action, resource in work:
            world.authorize(principal, action, resource)
        done += len(work)
    return done / (time.perf_counter() - started)


def main() -> int:
    """Run the benchmark; print one line per size and the flatness ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--sizes", default="100,10000,100000")
    parser.add_argument("--db-dir", type=Path, default=None)
    parser.add_argument("--quick", action="store_true", help="small sizes, 0.2 s: checks the harness only")
    args = parser.parse_args()
    sizes = [100, 1000] if args.quick else [int(s) for s in args.sizes.split(",")]
    seconds = 0.2 if args.quick else args.seconds
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    directory = args.db_dir or Path(tempfile.mkdtemp(prefix="iamtwin-bench-"))
    figures: dict[int, float] = {}
    print(f"{'principals':>11} {'import s':>9} {'decisions/s':>12}")
    for size in sizes:
        world, imported = build(size, directory / f"world-{size}.db")
        try:
            figures[size] = measure(world, size, seconds)
        finally:
            world.close()
        print(f"{size:>11,} {imported:>9.2f} {figures[size]:>12,.0f}")
    ratio = max(figures.values()) / min(figures.values())
    verdict = "flat" if ratio <= FLATNESS else "NOT flat"
    print(f"fastest / slowest = {ratio:.2f}× ({verdict}; goal ≤ {FLATNESS}×)")
    return 0 if ratio <= FLATNESS else 1


if __name__ == "__main__":
    sys.exit(main())

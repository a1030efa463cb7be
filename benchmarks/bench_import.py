"""How long importing a large `get-account-authorization-details` file takes (goal: under 60 s).

    python benchmarks/bench_import.py [--roles 5000] [--policies 2000] [--db URL]

Generates the file with `gen_auth_details.py` (seeded), writes it to a temporary folder, then times
the same steps as `iamtwin import aws-auth-details`: reading and validating the file, and the one
transaction that stores it, on a new SQLite file (or `--db`, e.g. a PostgreSQL URL). Prints each
step and the total against the goal; exit status 0 within the goal, 1 over it.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from gen_auth_details import generate

from iamtwin.world.aws_managed import aws_managed_policy
from iamtwin.world.formats.auth_details import read_auth_details
from iamtwin.world.model import World as WorldModel
from iamtwin.world.stored import World

GOAL_SECONDS = 60.0


def main() -> int:
    """Generate, read, store; print the seconds of each step."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--roles", type=int, default=5000)
    parser.add_argument("--policies", type=int, default=2000)
    parser.add_argument("--db", default=None)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="iamtwin-import-"))
    path = folder / "auth-details.json"
    path.write_text(json.dumps(generate(roles=args.roles, policies=args.policies)), encoding="utf-8")
    print(f"file: {path} ({path.stat().st_size / 1e6:.1f} MB, {args.roles} roles, {args.policies} policies)")
    started = time.perf_counter()
    account = read_auth_details(str(path), aws_managed=aws_managed_policy)
    read = time.perf_counter() - started
    world = World.open(args.db or f"sqlite:///{folder / 'world.db'}")
    try:
        stored_at = time.perf_counter()
        written = world.import_model(WorldModel({account.id: account}, None))
        store = time.perf_counter() - stored_at
    finally:
        world.close()
    total = read + store
    print(f"read and validate: {read:6.2f} s")
    print(f"store ({written} entities, one transaction): {store:6.2f} s")
    print(f"total: {total:.2f} s (goal < {GOAL_SECONDS:.0f} s: {'met' if total < GOAL_SECONDS else 'NOT met'})")
    return 0 if total < GOAL_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())

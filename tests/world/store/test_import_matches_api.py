"""An imported `get-account-authorization-details` file decides as the same account built through the API.

The file comes from the benchmark's generator (seeded, so the same every run); the timing of the
full-size import (5,000 roles, 2,000 policies) is `benchmarks/bench_import.py`'s job, not a test's.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from iamtwin.simulate.output import decision_to_json
from iamtwin.world.aws_managed import aws_managed_policy
from iamtwin.world.formats.auth_details import read_auth_details
from iamtwin.world.model import World as WorldModel
from iamtwin.world.stored import World

from .api_replay import replay

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "benchmarks"))
from gen_auth_details import generate


def test_imported_account_decides_like_the_account_built_through_the_api(world: World, tmp_path: Path) -> None:
    """Same entities two ways (bulk import, IAM write calls): identical decisions on 300 requests."""
    data = generate(roles=120, policies=60, users=40, groups=8, seed=11)
    account = read_auth_details(data, aws_managed=aws_managed_policy)
    world.import_model(WorldModel({account.id: account}, None))
    built = World.open(f"sqlite:///{tmp_path / 'api.db'}", clock=world.clock)
    try:
        with built.changes() as iam:
            replay(iam, account)
        rng = random.Random(5)
        principals = [r.arn for r in account.roles.values()] + [u.arn for u in account.users.values()]
        actions = [
            "s3:GetObject",
            "s3:PutObject",
            "dynamodb:GetItem",
            "ec2:RunInstances",
            "iam:PassRole",
            "kms:Decrypt",
            "sqs:SendMessage",
            "logs:PutLogEvents",
        ]
        outcomes = set()
        for _ in range(300):
            principal = rng.choice(principals)
            action = rng.choice(actions)
            resource = rng.choice(["*", "arn:aws:s3:::data-bucket/x", f"arn:aws:sqs:us-east-1:{account.id}:q"])
            context: dict[str, str | list[str]] = {"aws:RequestedRegion": rng.choice(["us-east-1", "eu-west-1"])}
            a = world.authorize(principal, action, resource, context)
            b = built.authorize(principal, action, resource, context)
            assert decision_to_json(a) == decision_to_json(b), (principal, action, resource)
            outcomes.add(a.outcome.value)
        assert outcomes == {"Allowed", "ImplicitDeny", "ExplicitDeny"}  # the sample reaches every outcome
    finally:
        built.close()

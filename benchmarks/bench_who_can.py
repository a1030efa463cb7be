"""Benchmark `iamtwin who-can`: 10,000 principals and 50,000 policies, indexed against deciding everyone.

    python benchmarks/bench_who_can.py                 # the world as a model (what the CLI builds)
    python benchmarks/bench_who_can.py --sqlite        # also import it into SQLite and time the export
    python benchmarks/bench_who_can.py --json out.json # also write the figures as JSON

The world: 10 accounts in an organization (FullAWSAccess at every node, a deny-leaving SCP on the
workloads OU), each with 700 users and 300 roles; every principal has 3 inline policies and 2 of its
account's 2,000 customer-managed policies (50,000 policies in all). Statements allow 1-3 actions of
one of 30 services (some `service:*`, a few `*`), on `*` or a service pattern, some with conditions
(`aws:SourceIp`, `aws:PrincipalTag/team`) and some Deny statements. The queried bucket's policy
grants two other accounts, one role and CloudFront (with `aws:SourceArn`), and denies insecure
transport to everyone.

What the CLI does per invocation is timed in three parts: reading the world (`World.export_model`,
with --sqlite), building the index (`AccessWorld`), and the who-can query on that fresh index with
cold caches. The peer, in the same run, is the naive query: every user and role decided (a fresh
`AccessWorld`, cold caches, `use_index=False`). Both must list the same principals; the ratio of
their times is printed. Target: the indexed query under 2 s. Exit 0 when met, 1 when not.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from iamtwin import catalog
from iamtwin.analyze.access_world import AccessWorld
from iamtwin.analyze.who_can import who_can
from iamtwin.world.model import (
    Account,
    InlinePolicy,
    ManagedPolicy,
    OrgAccount,
    Organization,
    OrgNode,
    OrgPolicy,
    OrgPolicyType,
    Placement,
    Resource,
    Role,
    User,
)
from iamtwin.world.model import World as WorldModel
from iamtwin.world.read_org import organizations_managed

TARGET_SECONDS = 2.0
SEED = 20261123
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SERVICES = (
    "s3", "dynamodb", "sqs", "sns", "lambda", "ec2", "kms", "logs", "secretsmanager", "ssm",
    "iam", "cloudwatch", "ecr", "ecs", "rds", "glue", "athena", "kinesis", "states", "events",
    "apigateway", "cloudformation", "elasticloadbalancing", "autoscaling", "route53", "acm",
    "codebuild", "codepipeline", "sagemaker", "firehose",
)  # fmt: skip
BUCKET = "arn:aws:s3:::bench-data"
QUERIES = (
    ("s3:GetObject", f"{BUCKET}/reports/2026-11.csv"),
    ("sqs:SendMessage", "arn:aws:sqs:us-east-1:100000000001:orders"),
)
_CONDITIONS = (
    {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}},
    {"StringEquals": {"aws:PrincipalTag/team": "payments"}},
)


def _account_id(n: int) -> str:
    return f"1000000000{n:02d}"


def _actions(rng: random.Random) -> dict[str, list[str]]:
    """Up to 8 actions of each service (s3:GetObject and sqs:SendMessage always among them)."""
    pool: dict[str, list[str]] = {}
    for prefix in SERVICES:
        names = sorted(a.full_name for a in catalog.actions(prefix))
        chosen = rng.sample(names, min(8, len(names)))
        pool[prefix] = chosen
    pool["s3"] = sorted({*pool["s3"], "s3:GetObject"})
    pool["sqs"] = sorted({*pool["sqs"], "sqs:SendMessage"})
    return pool


def _statement(rng: random.Random, pool: dict[str, list[str]], account: str) -> dict[str, Any]:
    service = rng.choice(SERVICES)
    roll = rng.random()
    if roll < 0.005:
        actions: str | list[str] = "*"
    elif roll < 0.04:
        actions = f"{service}:*"
    else:
        actions = rng.sample(pool[service], rng.randint(1, 3))
    pattern = "arn:aws:s3:::bench-*" if service == "s3" else f"arn:aws:{service}:*:{account}:*"
    resource = "*" if rng.random() < 0.7 else pattern
    statement: dict[str, Any] = {"Effect": "Allow", "Action": actions, "Resource": resource}
    if rng.random() < 0.1:
        statement["Condition"] = rng.choice(_CONDITIONS)
    if rng.random() < 0.05:
        statement["Effect"] = "Deny"
    return statement


def _document(rng: random.Random, pool: dict[str, list[str]], account: str) -> dict[str, Any]:
    count = rng.randint(1, 3)
    return {"Version": "2012-10-17", "Statement": [_statement(rng, pool, account) for _ in range(count)]}


TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def _bucket_policy() -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "PartnerAccounts",
                "Effect": "Allow",
                "Principal": {"AWS": [_account_id(1), f"arn:aws:iam::{_account_id(2)}:root"]},
                "Action": "s3:GetObject",
                "Resource": f"{BUCKET}/*",
            },
            {
                "Sid": "Loader",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{_account_id(0)}:role/role-0"},
                "Action": ["s3:GetObject", "s3:PutObject"],
                "Resource": f"{BUCKET}/*",
            },
            {
                "Sid": "CloudFront",
                "Effect": "Allow",
                "Principal": {"Service": "cloudfront.amazonaws.com"},
                "Action": "s3:GetObject",
                "Resource": f"{BUCKET}/*",
                "Condition": {"StringEquals": {"aws:SourceArn": "arn:aws:cloudfront::100000000000:distribution/E1"}},
            },
            {
                "Sid": "TlsOnly",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [BUCKET, f"{BUCKET}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ],
    }


def _organization(ids: list[str]) -> Organization:
    full = organizations_managed("FullAWSAccess")
    assert full is not None
    deny_leave = OrgPolicy(
        "DenyLeaving",
        OrgPolicyType.SCP,
        "p-denyleave1",
        f"arn:aws:organizations::{ids[0]}:policy/o-bench00001/service_control_policy/p-denyleave1",
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}],
        },
    )
    members = [OrgAccount(a, (full,), ()) for a in ids]
    workloads = OrgNode("ou-bench-workloads", "Workloads", (full, deny_leave), (), tuple(members[1:]), ())
    root = OrgNode("r-bench", "Root", (full,), (), (members[0],), (workloads,))
    placements = {members[0].id: Placement((root,), members[0])}
    placements.update({m.id: Placement((root, workloads), m) for m in members[1:]})
    policies = {"FullAWSAccess": full, "DenyLeaving": deny_leave}
    return Organization("o-bench00001", ids[0], policies, root, placements, False)


def generate(
    *, accounts: int = 10, users: int = 700, roles: int = 300, managed: int = 2000, inline: int = 3, attached: int = 2
) -> WorldModel:
    """The benchmark world: `accounts` x (`users` + `roles`) principals, deterministic for a seed."""
    rng = random.Random(SEED)
    pool = _actions(rng)
    ids = [_account_id(n) for n in range(accounts)]
    out: dict[str, Account] = {}
    for account in ids:
        policies = [
            ManagedPolicy(f"policy-{i}", f"arn:aws:iam::{account}:policy/policy-{i}", _document(rng, pool, account))
            for i in range(managed)
        ]

        def own(
            account: str = account, policies: list[ManagedPolicy] = policies
        ) -> tuple[tuple[InlinePolicy, ...], tuple[ManagedPolicy, ...]]:
            mine = tuple(InlinePolicy(f"inline-{k}", _document(rng, pool, account)) for k in range(inline))
            return mine, tuple(rng.sample(policies, attached))

        user_map: dict[str, User] = {}
        for i in range(users):
            arn = f"arn:aws:iam::{account}:user/user-{i}"
            mine, chosen = own()
            tags = {"team": rng.choice(["payments", "search", "platform"])}
            user_map[f"user-{i}"] = User(f"user-{i}", arn, "/", tags, (), mine, chosen, None)
        role_map: dict[str, Role] = {}
        for i in range(roles):
            arn = f"arn:aws:iam::{account}:role/role-{i}"
            mine, chosen = own()
            role_map[f"role-{i}"] = Role(f"role-{i}", arn, "/", TRUST, {}, mine, chosen, None, 3600, False)
        resources: tuple[Resource, ...] = ()
        if account == ids[0]:
            resources = (Resource(BUCKET, account, {"classification": "internal"}, _bucket_policy()),)
        out[account] = Account(account, None, user_map, {}, role_map, {p.name: p for p in policies}, resources)
    return WorldModel(out, _organization(ids))


def policy_count(world: WorldModel) -> int:
    """Distinct policies: customer-managed plus inline."""
    total = 0
    for account in world.accounts.values():
        total += len(account.policies)
        total += sum(len(u.inline_policies) for u in account.users.values())
        total += sum(len(r.inline_policies) for r in account.roles.values())
    return total


def run_query(world: WorldModel, action: str, resource: str, *, freeze_heap: bool = True) -> dict[str, Any]:
    """One query as the CLI runs it (index build, then who-can) and the naive peer, each with cold caches."""
    started = time.perf_counter()
    indexed_world = AccessWorld(world, now=NOW, freeze_heap=freeze_heap)
    built = time.perf_counter() - started
    started = time.perf_counter()
    indexed = who_can(indexed_world, action, resource)
    query = time.perf_counter() - started
    naive_world = AccessWorld(world, now=NOW, index=indexed_world.index, freeze_heap=freeze_heap)
    started = time.perf_counter()
    naive = who_can(naive_world, action, resource, use_index=False)
    naive_seconds = time.perf_counter() - started
    if indexed.accesses != naive.accesses:
        raise SystemExit(f"{action}: the indexed and naive answers differ")
    return {
        "action": action,
        "resource": resource,
        "index_build_seconds": round(built, 3),
        "who_can_seconds": round(query, 3),
        "naive_seconds": round(naive_seconds, 3),
        "speedup": round(naive_seconds / query, 1) if query else None,
        "principals_considered": indexed.considered,
        "principals_total": indexed.total_principals,
        "allowed": len(indexed.accesses),
        "conditional": sum(1 for a in indexed.accesses if a.verdict.value == "conditional"),
    }


def main() -> int:
    """Run the benchmark; exit 1 when a query misses the target."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sqlite", action="store_true", help="also import into SQLite and time the export")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args()
    started = time.perf_counter()
    world = generate()
    figures: dict[str, Any] = {
        "principals": sum(len(a.users) + len(a.roles) for a in world.accounts.values()),
        "policies": policy_count(world),
        "generate_seconds": round(time.perf_counter() - started, 2),
    }
    if args.sqlite:
        from iamtwin.world.stored import World

        with tempfile.TemporaryDirectory() as tmp:
            stored = World.open(f"sqlite:///{tmp}/bench.db")
            started = time.perf_counter()
            stored.import_model(world)
            figures["sqlite_import_seconds"] = round(time.perf_counter() - started, 2)
            started = time.perf_counter()
            world = stored.export_model()
            figures["sqlite_export_seconds"] = round(time.perf_counter() - started, 2)
            stored.close()
    print(f"world: {figures['principals']:,} principals, {figures['policies']:,} policies")
    results = [run_query(world, action, resource) for action, resource in QUERIES]
    figures["queries"] = results
    for r in results:
        print(
            f"{r['action']}: who-can {r['who_can_seconds']:.3f} s "
            f"({r['principals_considered']:,} of {r['principals_total']:,} principals decided, "
            f"{r['allowed']} allowed, {r['conditional']} conditional); naive {r['naive_seconds']:.3f} s "
            f"({r['speedup']}x); index build {r['index_build_seconds']:.3f} s"
        )
    if "sqlite_export_seconds" in figures:
        print(
            f"SQLite: import {figures['sqlite_import_seconds']} s, "
            f"export (what the CLI reads) {figures['sqlite_export_seconds']} s"
        )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    met = all(r["who_can_seconds"] < TARGET_SECONDS for r in results)
    print(f"target < {TARGET_SECONDS} s per who-can query: {'met' if met else 'MISSED'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())

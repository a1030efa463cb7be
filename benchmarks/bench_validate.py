"""Benchmark `iamtwin validate`: 1,000 realistic policies and a 2,000-resource template, beside parliament.

The policies are a deterministic sample of AWS managed policies (real, often long, policies) and
generated customer-style policies (a few statements with named ARNs, wildcards and conditions),
one JSON file each; the template holds 2,000 resources (roles with inline policies, managed
policies, queues and queue policies referring to the queues with `Fn::GetAtt` and `Ref`).
iamtwin is timed in-process (`iamtwin.validate.validate`, first run, caches cold) and through its
CLI (a new process, start-up included). Then `parliament` is pip-installed into a temporary virtual
environment and run over the same 1,000 files (`parliament --directory`), timed the same way, and
the ratio is printed. Target: iamtwin under 5 s in total (policies + template, in-process).

    python benchmarks/bench_validate.py                   # everything; needs the PyPI index for parliament
    python benchmarks/bench_validate.py --no-parliament   # iamtwin only, no network
    python benchmarks/bench_validate.py --json out.json   # also write the figures as JSON
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path
from typing import Any

from iamtwin.validate import ValidateOptions, validate
from iamtwin.world.catalog import load_catalog

POLICIES = 1000
MANAGED_SHARE = 600
TEMPLATE_RESOURCES = 2000
PARLIAMENT_VERSION = "1.6.4"
TARGET_SECONDS = 5.0
ACCOUNT = "123456789012"
SEED = 20261123

_SERVICES = {
    "s3": (["GetObject", "PutObject", "ListBucket", "DeleteObject"], "arn:aws:s3:::{name}-bucket/*"),
    "dynamodb": (["GetItem", "PutItem", "Query", "UpdateItem"], "arn:aws:dynamodb:us-east-1:{account}:table/{name}"),
    "sqs": (["SendMessage", "ReceiveMessage", "DeleteMessage"], "arn:aws:sqs:us-east-1:{account}:{name}-queue"),
    "lambda": (["InvokeFunction", "GetFunction"], "arn:aws:lambda:us-east-1:{account}:function:{name}"),
    "logs": (["CreateLogStream", "PutLogEvents"], "arn:aws:logs:us-east-1:{account}:log-group:/app/{name}:*"),
    "kms": (["Decrypt", "Encrypt", "GenerateDataKey"], "arn:aws:kms:us-east-1:{account}:key/{name}"),
    "secretsmanager": (["GetSecretValue"], "arn:aws:secretsmanager:us-east-1:{account}:secret:{name}-*"),
}
_CONDITIONS = [
    {"StringEquals": {"aws:PrincipalTag/team": "payments"}},
    {"Bool": {"aws:SecureTransport": "true"}},
    {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}},
    {"StringEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-2"]}},
    {"ForAnyValue:StringEquals": {"aws:TagKeys": ["team", "env"]}},
]


def customer_policy(rng: random.Random, index: int) -> dict[str, Any]:
    """A customer-style policy: two to six statements with named ARNs, some wildcards and conditions."""
    statements = []
    for number in range(rng.randint(2, 6)):
        service = rng.choice(sorted(_SERVICES))
        actions, arn = _SERVICES[service]
        chosen = rng.sample(actions, rng.randint(1, len(actions)))
        names = [f"app{index}-{number}-{k}" for k in range(rng.randint(1, 3))]
        statement: dict[str, Any] = {
            "Sid": f"S{number}",
            "Effect": "Deny" if rng.random() < 0.1 else "Allow",
            "Action": [f"{service}:{a}" for a in chosen] if rng.random() < 0.8 else f"{service}:Get*",
            "Resource": [arn.format(name=n, account=ACCOUNT) for n in names],
        }
        if rng.random() < 0.4:
            statement["Condition"] = rng.choice(_CONDITIONS)
        statements.append(statement)
    return {"Version": "2012-10-17", "Statement": statements}


def write_policies(folder: Path) -> int:
    """1,000 policy files: a deterministic sample of AWS managed policies and generated ones."""
    rng = random.Random(SEED)
    managed = sorted(load_catalog(), key=lambda e: e.name)
    for entry in rng.sample(managed, MANAGED_SHARE):
        (folder / f"managed-{entry.name}.json").write_text(json.dumps(entry.plain_document(), indent=2))
    for index in range(POLICIES - MANAGED_SHARE):
        (folder / f"customer-{index:04d}.json").write_text(json.dumps(customer_policy(rng, index), indent=2))
    return len(list(folder.glob("*.json")))


def template(rng: random.Random) -> dict[str, Any]:
    """A CloudFormation template of 2,000 resources: 500 each of roles, managed policies, queues, queue policies."""
    resources: dict[str, Any] = {}
    for index in range(TEMPLATE_RESOURCES // 4):
        queue = f"Queue{index}"
        resources[queue] = {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": f"jobs-{index}"}}
        resources[f"QueuePolicy{index}"] = {
            "Type": "AWS::SQS::QueuePolicy",
            "Properties": {
                "Queues": [{"Ref": queue}],
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "sns.amazonaws.com"},
                            "Action": "sqs:SendMessage",
                            "Resource": {"Fn::GetAtt": [queue, "Arn"]},
                            "Condition": {
                                "ArnEquals": {
                                    "aws:SourceArn": {"Fn::Sub": "arn:aws:sns:${AWS::Region}:${AWS::AccountId}:t"}
                                }
                            },
                        }
                    ],
                },
            },
        }
        resources[f"Role{index}"] = {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                },
                "Policies": [
                    {
                        "PolicyName": "work",
                        "PolicyDocument": {
                            "Version": "2012-10-17",
                            "Statement": [
                                {
                                    "Effect": "Allow",
                                    "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage"],
                                    "Resource": {"Fn::GetAtt": [queue, "Arn"]},
                                }
                            ],
                        },
                    }
                ],
            },
        }
        resources[f"Policy{index}"] = {
            "Type": "AWS::IAM::ManagedPolicy",
            "Properties": {"PolicyDocument": customer_policy(rng, index)},
        }
    return {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}


def timed_in_process(paths: list[str]) -> tuple[float, int, int]:
    """Seconds, policies checked and findings for one in-process validation."""
    start = time.perf_counter()
    report = validate(paths, ValidateOptions(account_id=ACCOUNT))
    return time.perf_counter() - start, report.policies, len(report.findings)


def timed_command(command: list[str]) -> tuple[float, int]:
    """Seconds and exit status of a command (output discarded)."""
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start, done.returncode


def install_parliament(folder: Path) -> Path | None:
    """parliament pip-installed into a new virtual environment; its executable, or None when it fails."""
    venv.EnvBuilder(with_pip=True).create(folder)
    python = folder / "bin" / "python"
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", f"parliament=={PARLIAMENT_VERSION}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        print(f"warning: cannot install parliament: {done.stderr.strip()[-400:]}", file=sys.stderr)
        return None
    return folder / "bin" / "parliament"


def main() -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-parliament", action="store_true", help="time iamtwin only (no network)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]} on {sys.platform}, {os.cpu_count()} CPUs")
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-validate-") as tmp:
        root = Path(tmp)
        policies = root / "policies"
        policies.mkdir()
        figures["policy_files"] = write_policies(policies)
        template_path = root / "template.json"
        template_path.write_text(json.dumps(template(random.Random(SEED + 1)), indent=2))
        seconds, count, findings = timed_in_process([str(policies)])
        figures["iamtwin_policies_s"] = seconds
        print(f"iamtwin in-process, {count} policy files: {seconds:.2f} s ({findings} findings)")
        seconds, count, findings = timed_in_process([str(template_path)])
        figures["iamtwin_template_s"] = seconds
        print(f"iamtwin in-process, 2,000-resource template ({count} policies): {seconds:.2f} s ({findings} findings)")
        total = figures["iamtwin_policies_s"] + figures["iamtwin_template_s"]
        figures["iamtwin_total_s"] = total
        verdict = "meets" if total < TARGET_SECONDS else "misses"
        print(f"iamtwin in-process total: {total:.2f} s ({verdict} the {TARGET_SECONDS:.0f} s target)")
        exe = shutil.which("iamtwin") or "iamtwin"
        cli, status = timed_command([exe, "validate", str(policies), "--format", "json", "-o", os.devnull])
        figures["iamtwin_cli_policies_s"] = cli
        print(f"iamtwin CLI, {figures['policy_files']} policy files: {cli:.2f} s (exit {status})")
        cli, status = timed_command([exe, "validate", str(template_path), "--format", "json", "-o", os.devnull])
        figures["iamtwin_cli_template_s"] = cli
        print(f"iamtwin CLI, template: {cli:.2f} s (exit {status})")
        if not args.no_parliament:
            parliament = install_parliament(root / "venv")
            if parliament is not None:
                seconds, status = timed_command([str(parliament), "--directory", str(policies), "--json"])
                figures["parliament_policies_s"] = seconds
                ratio = seconds / figures["iamtwin_cli_policies_s"]
                figures["parliament_over_iamtwin_cli"] = ratio
                print(f"parliament {PARLIAMENT_VERSION} CLI, same files: {seconds:.2f} s (exit {status})")
                print(f"parliament ÷ iamtwin (CLI, same files): {ratio:.2f}")
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

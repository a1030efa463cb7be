"""Generate a realistic `aws iam get-account-authorization-details` response, deterministic for a seed.

    python benchmarks/gen_auth_details.py OUT.json [--roles 5000] [--policies 2000] [--users 1000]
        [--groups 100] [--seed 7] [--url-encoded] [--page-size N] [--measure]

The account has customer-managed policies with one to five versions each (statements for S3,
DynamoDB, KMS, EC2, SSM, logs, iam:PassRole, MFA and network guardrails, with conditions and
policy variables), some meant as permissions boundaries; groups; users in groups with inline and
attached policies, boundaries and tags; roles trusted by AWS services, other accounts (with an
external id), GitHub's OIDC provider, a SAML provider or other roles of the account, with
instance profiles for EC2 roles and service-linked roles under `/aws-service-role/`. AWS managed
attachments are limited to ReadOnlyAccess, AdministratorAccess and PowerUserAccess and are not in
`Policies` (as with `--filter User Role Group LocalManagedPolicy`), so a reader resolves them from
its catalogue; `stub_aws_managed` stands in for one here.

`--url-encoded` writes documents as the raw API does; `--page-size` writes a JSON array of pages;
`--measure` times `iamtwin.world.formats.auth_details.read_auth_details` on the written file.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

ACCOUNT = "210987654321"
AWS_MANAGED = (
    "arn:aws:iam::aws:policy/ReadOnlyAccess",
    "arn:aws:iam::aws:policy/AdministratorAccess",
    "arn:aws:iam::aws:policy/PowerUserAccess",
)
TEAMS = ("payments", "search", "identity", "ledger", "mobile", "data", "platform", "growth", "risk", "ops")
REGIONS = ("us-east-1", "eu-west-1", "eu-west-2", "ap-southeast-2")
SERVICES = ("ec2", "lambda", "ecs-tasks", "glue", "states", "events", "sagemaker", "codebuild")
LINKED = ("elasticloadbalancing", "autoscaling", "rds", "ecs", "organizations")
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
# The name and id members of each kind of entity, and the prefix of its unique id.
_ENTITY_KEYS = {
    "policy": ("Policy", "ANPA"),
    "group": ("Group", "AGPA"),
    "user": ("User", "AIDA"),
    "role": ("Role", "AROA"),
    "instance-profile": ("InstanceProfile", "AIPA"),
}


class _Generator:
    def __init__(self, seed: int, account: str) -> None:
        self.rng = random.Random(seed)
        self.account = account

    def unique_id(self, prefix: str) -> str:
        return prefix + "".join(self.rng.choice(_ALPHABET) for _ in range(17))

    def entity(self, kind: str, name: str, path: str) -> dict[str, Any]:
        """The members every IAM entity has: path, name, unique id, ARN and creation date."""
        key, prefix = _ENTITY_KEYS[kind]
        arn = f"arn:aws:iam::{self.account}:{kind}{path}{name}"
        return {
            "Path": path,
            f"{key}Name": name,
            f"{key}Id": self.unique_id(prefix),
            "Arn": arn,
            "CreateDate": self.date(),
        }

    def date(self) -> str:
        r = self.rng
        return f"20{r.randint(17, 25)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}T{r.randint(0, 23):02d}:14:07+00:00"

    def tags(self, most: int) -> list[dict[str, str]]:
        keys = self.rng.sample(
            ["team", "env", "cost-center", "owner", "data-class", "service"], self.rng.randint(0, most)
        )
        values = {"team": TEAMS, "env": ("prod", "staging", "dev"), "data-class": ("public", "internal", "secret")}
        return [{"Key": k, "Value": self.rng.choice(values.get(k, ("a1", "b2", "c3")))} for k in keys]

    def statement(self, sid: str, team: str) -> dict[str, Any]:
        r, account = self.rng, self.account
        bucket = f"arn:aws:s3:::{team}-{r.choice(['reports', 'exports', 'raw', 'artifacts'])}-{account}"
        region = r.choice(REGIONS)
        arn = f"{region}:{account}"
        kind = r.randrange(12)
        # (effect, action element, actions, resource, condition): one kind of grant or guardrail each.
        # fmt: off
        templates: list[tuple[str, str, Any, Any, dict[str, Any] | None]] = [
            ("Allow", "Action", ["s3:GetObject", "s3:PutObject"], f"{bucket}/${{aws:PrincipalTag/team}}/*", None),
            ("Allow", "Action", "s3:ListBucket", bucket, {"StringLike": {"s3:prefix": [f"{team}/*", "shared/*"]},
                                                          "NumericLessThanEquals": {"s3:max-keys": "1000"}}),
            ("Allow", "Action", ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"],
             f"arn:aws:dynamodb:{arn}:table/{team}-*",
             {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${aws:PrincipalTag/tenant}"]}}),
            ("Allow", "Action", ["kms:Decrypt", "kms:GenerateDataKey*"], f"arn:aws:kms:{arn}:key/*",
             {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}),
            ("Allow", "Action", ["ec2:RunInstances", "ec2:StartInstances", "ec2:StopInstances"], "*",
             {"StringEquals": {"aws:RequestedRegion": sorted(r.sample(REGIONS, 2)) if kind == 4 else []}}),
            ("Allow", "Action", "ssm:GetParameter*", f"arn:aws:ssm:{arn}:parameter/{team}/${{aws:username}}/*", None),
            ("Allow", "Action", ["logs:CreateLogStream", "logs:PutLogEvents"],
             f"arn:aws:logs:{arn}:log-group:/aws/lambda/{team}-*:*", None),
            ("Allow", "Action", "iam:PassRole", f"arn:aws:iam::{account}:role/{team}/*",
             {"StringEquals": {"iam:PassedToService": f"{SERVICES[kind % len(SERVICES)]}.amazonaws.com"}}),
            ("Deny", "NotAction", ["iam:ChangePassword", "iam:GetUser", "sts:GetSessionToken"], "*",
             {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}),
            ("Deny", "Action", "*", "*", {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]},
                                          "Bool": {"aws:ViaAWSService": "false"}}),
            ("Allow", "Action", ["sqs:SendMessage", "sqs:ReceiveMessage"], f"arn:aws:sqs:{arn}:{team}-*",
             {"DateLessThan": {"aws:CurrentTime": "2027-01-01T00:00:00Z"}}),
            ("Allow", "Action", "sts:AssumeRole", [f"arn:aws:iam::{account}:role/{team}/*"],
             {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}),
        ]
        # fmt: on
        effect, element, actions, resource, condition = templates[kind]
        out: dict[str, Any] = {"Sid": sid, "Effect": effect, element: actions, "Resource": resource}
        if condition is not None:
            out["Condition"] = condition
        return out

    def document(self, team: str, most: int = 5) -> dict[str, Any]:
        count = self.rng.randint(1, most)
        return {"Version": "2012-10-17", "Statement": [self.statement(f"S{i}", team) for i in range(count)]}

    def trust(self, name: str, team: str) -> tuple[dict[str, Any], str]:
        """A trust policy and the service it names, if any."""
        r = self.rng
        kind = r.choices(["service", "account", "oidc", "saml", "role"], [50, 20, 10, 8, 12])[0]
        service = ""
        statement: dict[str, Any] = {"Effect": "Allow", "Action": "sts:AssumeRole"}
        if kind == "service":
            service = r.choice(SERVICES)
            statement["Principal"] = {"Service": f"{service}.amazonaws.com"}
            statement["Condition"] = {"StringEquals": {"aws:SourceAccount": self.account}}
        elif kind == "account":
            other = f"{r.randint(10**11, 10**12 - 1)}"
            statement["Principal"] = {"AWS": f"arn:aws:iam::{other}:root"}
            statement["Condition"] = {"StringEquals": {"sts:ExternalId": f"{name}-{r.randint(1000, 9999)}"}}
        elif kind == "oidc":
            statement["Action"] = "sts:AssumeRoleWithWebIdentity"
            statement["Principal"] = {
                "Federated": f"arn:aws:iam::{self.account}:oidc-provider/token.actions.githubusercontent.com"
            }
            statement["Condition"] = {
                "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                "StringLike": {"token.actions.githubusercontent.com:sub": f"repo:example/{team}-*:ref:refs/heads/main"},
            }
        elif kind == "saml":
            statement["Action"] = ["sts:AssumeRoleWithSAML", "sts:TagSession"]
            statement["Principal"] = {"Federated": f"arn:aws:iam::{self.account}:saml-provider/CorpIdP"}
            statement["Condition"] = {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}
        else:
            statement["Action"] = ["sts:AssumeRole", "sts:TagSession"]
            statement["Principal"] = {"AWS": [f"arn:aws:iam::{self.account}:role/{team}/ci-{r.randint(0, 99)}"]}
        return {"Version": "2012-10-17", "Statement": [statement]}, service

    def attached(self, names: list[tuple[str, str]], most: int, aws_share: float) -> list[dict[str, str]]:
        out = [{"PolicyName": n, "PolicyArn": a} for n, a in self.rng.sample(names, self.rng.randint(0, most))]
        if self.rng.random() < aws_share:
            arn = self.rng.choice(AWS_MANAGED)
            out.append({"PolicyName": arn.rsplit("/", 1)[1], "PolicyArn": arn})
        return out

    def boundary(self, boundaries: list[str], share: float) -> dict[str, str] | None:
        if not boundaries or self.rng.random() >= share:
            return None
        return {
            "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
            "PermissionsBoundaryArn": self.rng.choice(boundaries),
        }


def generate(
    roles: int = 5000,
    policies: int = 2000,
    users: int = 1000,
    groups: int = 100,
    seed: int = 7,
    *,
    account: str = ACCOUNT,
) -> dict[str, Any]:
    """A get-account-authorization-details response (documents as JSON objects, as the CLI prints)."""
    g = _Generator(seed, account)
    r = g.rng
    policy_list: list[dict[str, Any]] = []
    attachable: list[tuple[str, str]] = []
    boundaries: list[str] = []
    for i in range(policies):
        team = TEAMS[i % len(TEAMS)]
        is_boundary = i % 20 == 0
        name = f"{team}-{'boundary' if is_boundary else r.choice(['read', 'write', 'deploy', 'ops', 'audit'])}-{i:04d}"
        path = "/boundaries/" if is_boundary else r.choice(["/", f"/teams/{team}/"])
        arn = f"arn:aws:iam::{account}:policy{path}{name}"
        count = r.randint(1, 5)
        default = r.choice([count, count, count, max(1, count - 1)])
        versions = [
            {
                "Document": g.document(team),
                "VersionId": f"v{v}",
                "IsDefaultVersion": v == default,
                "CreateDate": g.date(),
            }
            for v in range(count, 0, -1)
        ]
        entry = g.entity("policy", name, path)
        entry.update(DefaultVersionId=f"v{default}", AttachmentCount=0, PermissionsBoundaryUsageCount=0)
        entry.update(IsAttachable=True, UpdateDate=g.date(), PolicyVersionList=versions)
        if r.random() < 0.4:
            entry["Description"] = f"{team} access, managed by the platform team"
        policy_list.append(entry)
        if is_boundary:
            boundaries.append(arn)
        else:
            attachable.append((name, arn))
    group_list = []
    for i in range(groups):
        team = TEAMS[i % len(TEAMS)]
        name = f"{team}-group-{i:03d}"
        entry = g.entity("group", name, "/")
        entry["GroupPolicyList"] = [
            {"PolicyName": f"inline-{k}", "PolicyDocument": g.document(team, 3)} for k in range(r.randint(0, 2))
        ]
        entry["AttachedManagedPolicies"] = g.attached(attachable, 4, 0.1)
        group_list.append(entry)
    user_list = []
    for i in range(users):
        team = TEAMS[i % len(TEAMS)]
        name = f"{team}.user{i:04d}@example.com" if i % 3 == 0 else f"{team}-svc-{i:04d}"
        path = "/" if i % 4 else f"/teams/{team}/"
        entry = g.entity("user", name, path)
        entry["UserPolicyList"] = [
            {"PolicyName": f"inline-{k}", "PolicyDocument": g.document(team, 3)} for k in range(r.choice([0, 0, 1, 2]))
        ]
        entry["GroupList"] = [grp["GroupName"] for grp in r.sample(group_list, min(len(group_list), r.randint(0, 3)))]
        entry["AttachedManagedPolicies"] = g.attached(attachable, 3, 0.05)
        entry["Tags"] = g.tags(4)
        boundary = g.boundary(boundaries, 0.3)
        if boundary is not None:
            entry["PermissionsBoundary"] = boundary
        user_list.append(entry)
    role_list = [_role(g, i, attachable, boundaries) for i in range(roles)]
    return {
        "UserDetailList": user_list,
        "GroupDetailList": group_list,
        "RoleDetailList": role_list,
        "Policies": policy_list,
        "IsTruncated": False,
    }


def _role(g: _Generator, i: int, attachable: list[tuple[str, str]], boundaries: list[str]) -> dict[str, Any]:
    r = g.rng
    team = TEAMS[i % len(TEAMS)]
    if i % 33 == 0:
        service = LINKED[i % len(LINKED)]
        name = f"AWSServiceRoleFor{service.title().replace('-', '')}{'' if i < len(LINKED) * 33 else i}"
        path = f"/aws-service-role/{service}.amazonaws.com/"
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": f"{service}.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
        linked = g.entity("role", name, path)
        linked.update(AssumeRolePolicyDocument=trust, InstanceProfileList=[], AttachedManagedPolicies=[], Tags=[])
        linked["RolePolicyList"] = [{"PolicyName": f"{service}-linked", "PolicyDocument": g.document(team, 2)}]
        linked["RoleLastUsed"] = {}
        return linked
    name = f"{team}-role-{i:05d}"
    path = r.choice(["/", "/service-role/", f"/{team}/"])
    trust, service = g.trust(name, team)
    entry = g.entity("role", name, path)
    entry["AssumeRolePolicyDocument"] = trust
    profiles = []
    if service == "ec2" and r.random() < 0.8:
        profile = g.entity("instance-profile", f"{name}-profile", "/")
        profile["Roles"] = [dict(entry)]  # the role as GetRole describes it, within its instance profile
        profiles.append(profile)
    entry["InstanceProfileList"] = profiles
    entry["RolePolicyList"] = [
        {"PolicyName": f"{team}-inline-{k}", "PolicyDocument": g.document(team, 4)}
        for k in range(r.choice([0, 1, 1, 2, 3]))
    ]
    entry["AttachedManagedPolicies"] = g.attached(attachable, 5, 0.15)
    boundary = g.boundary(boundaries, 0.25)
    if boundary is not None:
        entry["PermissionsBoundary"] = boundary
    entry["Tags"] = g.tags(5)
    entry["RoleLastUsed"] = {"LastUsedDate": g.date(), "Region": r.choice(REGIONS)} if r.random() < 0.7 else {}
    return entry


def url_encode(response: dict[str, Any]) -> dict[str, Any]:
    """The same response with every policy document URL-encoded, as the raw API returns it."""

    def encode(document: Any) -> str:
        return quote(json.dumps(document, separators=(",", ":")), safe="")

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: encode(v) if k in ("Document", "PolicyDocument", "AssumeRolePolicyDocument") else walk(v)
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [walk(item) for item in value]
        return value

    return walk(response)  # type: ignore[no-any-return]


def split_pages(response: dict[str, Any], page_size: int) -> list[dict[str, Any]]:
    """The response as pages of at most `page_size` entities, with `IsTruncated` and `Marker`."""
    keys = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")
    items = [(key, entry) for key in keys for entry in response[key]]
    pages = []
    for start in range(0, max(len(items), 1), page_size):
        page: dict[str, Any] = {key: [] for key in keys}
        for key, entry in items[start : start + page_size]:
            page[key].append(entry)
        more = start + page_size < len(items)
        page["IsTruncated"] = more
        if more:
            page["Marker"] = f"AQ{start + page_size:08d}EXAMPLEMARKER"
        pages.append(page)
    return pages


def stub_aws_managed(arn: str) -> Any:
    """A stand-in catalogue for the three AWS managed policies the generator attaches."""
    from iamtwin.world.model import ManagedPolicy

    statements = {
        "AdministratorAccess": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
        "PowerUserAccess": [
            {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"}
        ],
        "ReadOnlyAccess": [
            {
                "Effect": "Allow",
                "Action": ["s3:Get*", "s3:List*", "ec2:Describe*", "iam:Get*", "iam:List*"],
                "Resource": "*",
            }
        ],
    }
    name = arn.rsplit("/", 1)[-1]
    if arn not in AWS_MANAGED:
        return None
    return ManagedPolicy(name, arn, {"Version": "2012-10-17", "Statement": statements[name]}, aws_managed=True)


def main(argv: list[str] | None = None) -> int:
    """Write a generated response to a file; optionally time reading it back."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--roles", type=int, default=5000)
    parser.add_argument("--policies", type=int, default=2000)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--groups", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--url-encoded", action="store_true", help="URL-encode documents as the raw API does")
    parser.add_argument("--page-size", type=int, default=0, help="write a JSON array of pages of this many entities")
    parser.add_argument("--measure", action="store_true", help="time read_auth_details on the written file")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    response = generate(args.roles, args.policies, args.users, args.groups, args.seed)
    if args.url_encoded:
        response = url_encode(response)
    value: Any = split_pages(response, args.page_size) if args.page_size > 0 else response
    args.output.write_text(json.dumps(value, indent=1), encoding="utf-8")
    size = args.output.stat().st_size / 1e6
    print(f"wrote {args.output} ({size:.1f} MB) in {time.perf_counter() - started:.2f} s")
    if args.measure:
        from iamtwin.world.formats.auth_details import read_auth_details

        started = time.perf_counter()
        account = read_auth_details(args.output, aws_managed=stub_aws_managed)
        elapsed = time.perf_counter() - started
        print(
            f"read_auth_details: {elapsed:.2f} s for {len(account.roles)} roles, {len(account.policies)} policies, "
            f"{len(account.users)} users, {len(account.groups)} groups, "
            f"{len(account.instance_profiles)} instance profiles"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

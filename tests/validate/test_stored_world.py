"""`iamtwin validate --db URL`: every policy of a stored world, on SQLite and PostgreSQL.

Customer managed policies, inline policies of users, groups and roles, role trust policies,
resource policies and the organization's SCPs are validated; AWS managed policies are not. Each
finding names its entity (`resourceName`) and policy (`policyName`).
https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-policy-validation.html
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from iamtwin.cli.app import app
from iamtwin.validate import ValidateOptions, validate
from iamtwin.validate.inputs.stored_world import display_url
from iamtwin.world.stored import World
from iamtwin.world.worldfile import load_world_text

WORLD = """
organization:
  id: o-a1b2c3d4e5
  management_account: "111122223333"
  policies:
    DenyRegions:
      type: scp
      document:
        Version: "2012-10-17"
        Statement:
          - Effect: Deny
            Action: "*"
            Resource: "*"
            Condition: {StringNotEquals: {aws:RequestedRegion: [us-east-1, eu-west2]}}
  root:
    id: r-abcd
    scps: [FullAWSAccess, DenyRegions]
    accounts: ["111122223333"]
accounts:
  - id: "111122223333"
    policies:
      - name: ReadReports
        document:
          Version: "2012-10-17"
          Statement:
            - {Effect: Allow, Action: "s3:GetObjects", Resource: "arn:aws:s3:::reports/*"}
    users:
      - name: alice
        managed_policies: [ReadReports, "arn:aws:iam::aws:policy/AWSCodeStarFullAccess"]
        inline_policies:
          Queue:
            Version: "2012-10-17"
            Statement:
              - {Effect: Allow, Action: "sqs:SendMessage", Resource: "arn:aws:sqs::111122223333:q"}
    roles:
      - name: app
        trust_policy:
          Version: "2012-10-17"
          Statement:
            - {Effect: Allow, Principal: {AWS: "arn:aws:iam::444455556666:root"}, Action: "sts:AssumeRole"}
        inline_policies:
          Tags:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: "lambda:InvokeFunction"
                Resource: "*"
                Condition: {ForAllValues:StringEquals: {aws:TagKeys: [team]}}
    resources:
      - arn: arn:aws:sqs:us-east-1:111122223333:jobs
        policy:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Principal: "*"
              Action: "sqs:SendMessage"
              Resource: "arn:aws:sqs:us-east-1:111122223333:jobs"
"""

EXPECTED = {
    ("INVALID_ACTION", "arn:aws:iam::111122223333:policy/ReadReports", "ReadReports"),
    ("MISSING_ARN_REGION", "arn:aws:iam::111122223333:user/alice", "Queue"),
    ("EXTERNAL_PRINCIPAL", "arn:aws:iam::111122223333:role/app", "TrustPolicy"),
    ("CONDITION_RESTRICTS_NOTHING", "arn:aws:iam::111122223333:role/app", "Tags"),
    ("EXTERNAL_PRINCIPAL", "arn:aws:sqs:us-east-1:111122223333:jobs", "ResourcePolicy"),
    ("UNKNOWN_REQUESTED_REGION", "", "DenyRegions"),  # the SCP's ARN holds its generated policy ID
}


@pytest.fixture
def stored(db_url: str) -> Iterator[str]:
    """The world above, imported into an empty database of each kind."""
    world = World.open(db_url)
    try:
        world.import_model(load_world_text(WORLD).world)
    finally:
        world.close()
    yield db_url


def _found(url: str) -> set[tuple[str, str, str]]:
    report = validate([], ValidateOptions(account_id="111122223333"), db=url)
    return {(f.code, f.resource, f.policy) for f in report.findings}


def test_every_policy_of_the_world_is_validated(stored: str) -> None:
    """Each kind of stored policy yields its finding, named by entity and policy; AWS managed ones are skipped."""
    found = _found(stored)
    scp = {f for f in found if f[2] == "DenyRegions"}
    assert [(code, name) for code, _arn, name in scp] == [("UNKNOWN_REQUESTED_REGION", "DenyRegions")]
    expected = {e for e in EXPECTED if e[2] != "DenyRegions"}
    assert found - scp == expected
    assert not any("codestar" in f[1].lower() for f in found)


def test_cli_json_names_entities_and_blocks(stored: str) -> None:
    """`iamtwin validate --db URL --format json` exits 2 and names resourceName/policyName."""
    result = CliRunner().invoke(app, ["validate", "--db", stored, "--account-id", "111122223333", "--format", "json"])
    assert result.exit_code == 2, result.output
    data = json.loads(result.output)
    blocking = {(f["code"], f["resourceName"], f["policyName"]) for f in data["BlockingFindings"]}
    assert ("INVALID_ACTION", "arn:aws:iam::111122223333:policy/ReadReports", "ReadReports") in blocking
    assert all(f["details"]["location"]["file"] == display_url(stored) for f in data["BlockingFindings"])


def test_unreadable_world_is_a_coded_input_error() -> None:
    """A URL of no supported database gives WORLD_NOT_READABLE and exit 1, not a traceback."""
    result = CliRunner().invoke(app, ["validate", "--db", "nosuch://x", "--format", "json"])
    assert result.exit_code == 1
    codes = [f["code"] for f in json.loads(result.output)["BlockingFindings"]]
    assert codes == ["WORLD_NOT_READABLE"]


def test_passwords_are_not_shown() -> None:
    """The database URL a finding shows hides its password."""
    assert display_url("postgresql://iam:s3cret@127.0.0.1:5432/test") == "postgresql://iam:***@127.0.0.1:5432/test"
    assert display_url("sqlite:///tmp/w.db") == "sqlite:///tmp/w.db"


def test_no_path_and_no_db_is_a_usage_error() -> None:
    """`iamtwin validate` with nothing to validate exits 1."""
    assert CliRunner().invoke(app, ["validate"]).exit_code == 1

"""Reading a directory of AWS Organizations CLI outputs into an Organization, and writing it back.

`samples/organization/` is written by hand in the shapes of the AWS CLI reference:
https://docs.aws.amazon.com/cli/latest/reference/organizations/list-roots.html,
list-organizational-units-for-parent.html, list-accounts-for-parent.html, list-policies.html,
describe-policy.html (`Policy.Content` is JSON text), list-targets-for-policy.html and
describe-organization.html, with the members of
https://docs.aws.amazon.com/organizations/latest/APIReference/API_PolicySummary.html
(`AwsManaged`) and API_Root.html (`PolicyTypes`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from iamtwin.world.formats.organizations import (
    read_account_names,
    read_organization_directory,
    write_organization,
)
from iamtwin.world.model import Organization
from iamtwin.world.worldfile import load_world, load_world_text

from .fixtures import ORGANIZATION, copy_organization

# The example worlds that have an organization.
EXAMPLES = sorted(
    entry.name
    for entry in resources.files("iamtwin").joinpath("examples").iterdir()
    if entry.name.endswith(".yaml") and "\norganization:" in entry.read_text(encoding="utf-8")
)
ROOT = "r-examplerootid111"
PRODUCTION = "ou-examplerootid111-exampleouid111"
SANDBOX = "ou-examplerootid111-exampleouid222"

# The sample as a world file: the same organization, written for people.
EXPECTED = """
organization:
  id: o-exampleorgid
  management_account: "111111111111"
  policies:
    DenyLeaveOrganization:
      type: scp
      id: p-examplepolicyid111
      document:
        Version: "2012-10-17"
        Statement: [{Sid: DenyLeave, Effect: Deny, Action: "organizations:LeaveOrganization", Resource: "*"}]
    RegionGuardrail:
      type: scp
      id: p-examplepolicyid222
      document:
        Version: "2012-10-17"
        Statement:
          - Sid: DenyOutsideEU
            Effect: Deny
            NotAction: ["iam:*", "organizations:*", "sts:*", "support:*"]
            Resource: "*"
            Condition: {StringNotEquals: {"aws:RequestedRegion": [eu-west-1, eu-central-1]}}
    EnforceTLS:
      type: rcp
      id: p-examplepolicyid333
      document:
        Version: "2012-10-17"
        Statement:
          - Sid: EnforceTLS
            Effect: Deny
            Principal: "*"
            Action: "s3:*"
            Resource: "*"
            Condition: {BoolIfExists: {"aws:SecureTransport": "false"}}
  root:
    id: r-examplerootid111
    scps: [FullAWSAccess, DenyLeaveOrganization]
    accounts: ["111111111111"]
    ous:
      - name: Production
        id: ou-examplerootid111-exampleouid111
        scps: [FullAWSAccess, RegionGuardrail]
        rcps: [EnforceTLS]
        accounts: ["222222222222"]
        ous:
          - name: Payments
            id: ou-examplerootid111-exampleouid333
            scps: [FullAWSAccess]
            accounts: ["444444444444"]
      - name: Sandbox
        id: ou-examplerootid111-exampleouid222
        scps: [FullAWSAccess]
        accounts: [{id: "333333333333", scps: [FullAWSAccess, RegionGuardrail]}]
"""


def _expected() -> Organization:
    organization = load_world_text(EXPECTED).world.organization
    assert organization is not None
    return organization


def test_sample_reads_into_the_model() -> None:
    organization = read_organization_directory(ORGANIZATION)
    assert organization == _expected()
    assert organization.rcps_enabled
    # RCPFullAWSAccess is implied by rcps_enabled; FullAWSAccess, absent from describe-policy, is AWS's own.
    assert sorted(organization.policies) == ["DenyLeaveOrganization", "EnforceTLS", "RegionGuardrail"]
    payments = organization.placements["444444444444"]
    assert [node.name for node in payments.nodes] == ["Root", "Production", "Payments"]
    assert organization.placements["111111111111"].nodes[0].id == ROOT


def test_account_names() -> None:
    assert read_account_names(ORGANIZATION) == {
        "111111111111": "management",
        "222222222222": "prod-web",
        "333333333333": "sandbox-alice",
        "444444444444": "payments",
    }


def test_without_describe_organization_the_root_arn_names_the_organization(tmp_path: Path) -> None:
    directory = copy_organization(tmp_path)
    (directory / "describe-organization.json").unlink()
    assert read_organization_directory(directory) == _expected()


def test_without_policy_types_an_rcp_listing_means_rcps_are_on(tmp_path: Path) -> None:
    directory = copy_organization(tmp_path)
    roots = json.loads((directory / "list-roots.json").read_text())
    del roots["Roots"][0]["PolicyTypes"]
    (directory / "list-roots.json").write_text(json.dumps(roots))
    assert read_organization_directory(directory).rcps_enabled
    (directory / "list-policies" / "RESOURCE_CONTROL_POLICY.json").unlink()
    without = read_organization_directory(directory)
    assert not without.rcps_enabled
    assert without.root.children[0].rcps == ()


def test_round_trip_of_the_sample(tmp_path: Path) -> None:
    organization = read_organization_directory(ORGANIZATION)
    names = read_account_names(ORGANIZATION)
    write_organization(organization, tmp_path / "out", account_names=names)
    assert read_organization_directory(tmp_path / "out") == organization
    assert read_account_names(tmp_path / "out") == names
    listed = json.loads((tmp_path / "out" / "list-targets-for-policy" / "p-RCPFullAWSAccess.json").read_text())
    assert len(listed["Targets"]) == 8  # AWS shows RCPFullAWSAccess on the root, every OU and every account


@pytest.mark.parametrize("name", EXAMPLES)
def test_round_trip_of_every_example_organization(name: str, tmp_path: Path) -> None:
    world = load_world(Path(str(resources.files("iamtwin").joinpath("examples", name)))).world
    assert world.organization is not None
    write_organization(world.organization, tmp_path)
    assert read_organization_directory(tmp_path) == world.organization


def test_each_node_keeps_its_policy_order(tmp_path: Path) -> None:
    text = EXPECTED.replace(
        "scps: [FullAWSAccess, DenyLeaveOrganization]", "scps: [DenyLeaveOrganization, FullAWSAccess]"
    )
    organization = load_world_text(text).world.organization
    assert organization is not None
    write_organization(organization, tmp_path)
    assert read_organization_directory(tmp_path) == organization


FAKE_AWS = """#!{python}
# A stand-in `aws` command answering `aws organizations ...` from the files of a directory.
import pathlib, sys
args = sys.argv[1:]
assert args[0] == "organizations" and args[-2:] == ["--output", "json"], args
command, options = args[1], dict(zip(args[2:-2:2], args[3:-2:2]))
base = pathlib.Path({directory!r})
if command in ("describe-organization", "list-roots"):
    path = base / (command + ".json")
elif command == "list-policies":
    path = base / command / (options["--filter"] + ".json")
else:
    path = base / command / ((options.get("--parent-id") or options["--policy-id"]) + ".json")
if not path.exists():
    sys.exit("An error occurred (PolicyTypeNotEnabledException) when calling the command")
sys.stdout.write(path.read_text())
"""


@pytest.mark.skipif(shutil.which("bash") is None, reason="the export script needs bash")
def test_the_export_script_writes_the_layout(tmp_path: Path) -> None:
    """`scripts/export-organization.sh` run against a stand-in `aws` gives back the same organization."""
    source = copy_organization(tmp_path)
    (source / "list-policies" / "RESOURCE_CONTROL_POLICY.json").unlink()  # as if RCPs could not be listed
    roots = json.loads((source / "list-roots.json").read_text())
    roots["Roots"][0]["PolicyTypes"] = roots["Roots"][0]["PolicyTypes"][:1]
    (source / "list-roots.json").write_text(json.dumps(roots))
    # The real describe-policy answers for AWS's own FullAWSAccess too.
    full = json.loads((source / "list-policies" / "SERVICE_CONTROL_POLICY.json").read_text())["Policies"][0]
    content = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    described = {"Policy": {"PolicySummary": full, "Content": json.dumps(content)}}
    (source / "describe-policy" / "p-FullAWSAccess.json").write_text(json.dumps(described))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "aws"
    fake.write_text(FAKE_AWS.format(python=sys.executable, directory=str(source)))
    fake.chmod(0o755)
    python3 = bin_dir / "python3"
    python3.symlink_to(sys.executable)
    script = Path(__file__).parents[3] / "scripts" / "export-organization.sh"
    environment = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(
        ["bash", str(script), str(tmp_path / "export"), "--profile", "mgmt"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert read_organization_directory(tmp_path / "export") == read_organization_directory(source)

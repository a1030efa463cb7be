"""World files attach any AWS managed policy by ARN, answered from the catalogue at its default version."""

from __future__ import annotations

import pytest

import iamtwin
from iamtwin.simulate.output import decision_to_json
from iamtwin.world.aws_managed import AWS_MANAGED_POLICIES, ORGANIZATIONS_MANAGED, aws_managed_document
from iamtwin.world.catalog import load_catalog
from iamtwin.world.errors import WorldErrorCode, WorldFileError
from iamtwin.world.worldfile import WorldFile, load_world_text

ACCOUNT = "111122223333"
AUDITOR = f"arn:aws:iam::{ACCOUNT}:user/auditor"
LAMBDA_ROLE = f"arn:aws:iam::{ACCOUNT}:role/fn"

WORLD = f"""
accounts:
  - id: "{ACCOUNT}"
    users:
      - name: auditor
        managed_policies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
    roles:
      - name: fn
        managed_policies: ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]
"""


@pytest.fixture(scope="module")
def world() -> WorldFile:
    """A user with ReadOnlyAccess and a role with a policy under `/service-role/`."""
    return load_world_text(WORLD)


def _decide(world: WorldFile, principal: str, action: str, resource: str) -> str:
    decision = iamtwin.simulate(world.simulation_input(principal, action, resource))
    return str(decision_to_json(decision)["decision"])


def test_read_only_access_reads_but_does_not_write(world: WorldFile) -> None:
    """ReadOnlyAccess allows s3:GetObject; nothing allows s3:PutObject, so it is an implicit deny.

    https://docs.aws.amazon.com/aws-managed-policy/latest/reference/ReadOnlyAccess.html
    """
    assert _decide(world, AUDITOR, "s3:GetObject", "arn:aws:s3:::reports/q1.csv") == "Allowed"
    assert _decide(world, AUDITOR, "s3:PutObject", "arn:aws:s3:::reports/q1.csv") == "ImplicitDeny"


def test_an_aws_managed_policy_keeps_its_path_and_default_version(world: WorldFile) -> None:
    """The attached policy is the catalogue's: ARN with path, `/service-role/`, its default version id."""
    role = world.world.accounts[ACCOUNT].roles["fn"]
    (attached,) = role.managed_policies
    entry = load_catalog().get_by_name("AWSLambdaBasicExecutionRole")
    assert entry is not None
    assert (attached.arn, attached.path, attached.name) == (entry.arn, "/service-role/", entry.name)
    assert attached.aws_managed
    assert attached.default_version_id == entry.version_id
    assert attached.document == entry.plain_document()
    log_group = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/lambda/fn"
    assert _decide(world, LAMBDA_ROLE, "logs:CreateLogGroup", log_group) == "Allowed"


@pytest.mark.parametrize(
    ("reference", "code"),
    [
        ("arn:aws:iam::aws:policy/NoSuchManagedPolicy", WorldErrorCode.UNKNOWN_AWS_MANAGED_POLICY),
        # The policy exists under /service-role/; an ARN without the path is not its ARN.
        ("arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole", WorldErrorCode.UNKNOWN_AWS_MANAGED_POLICY),
        # A bare AWS managed name is not a policy of the account.
        ("ReadOnlyAccess", WorldErrorCode.UNKNOWN_POLICY),
    ],
)
def test_a_policy_the_catalogue_lacks_is_a_world_file_error(reference: str, code: WorldErrorCode) -> None:
    """The error names its code and where in the file the reference is."""
    text = f'accounts:\n  - id: "{ACCOUNT}"\n    roles: [{{name: r, managed_policies: ["{reference}"]}}]\n'
    with pytest.raises(WorldFileError) as caught:
        load_world_text(text)
    assert caught.value.code == code
    assert caught.value.location is not None
    assert caught.value.location.path == "accounts[0].roles[0].managed_policies[0]"


def test_the_document_lookup_answers_from_the_catalogue() -> None:
    """`aws_managed_document` and the mapping view agree with the catalogue; organization policies stay apart."""
    arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    entry = load_catalog().get(arn)
    assert entry is not None
    assert aws_managed_document(arn) == entry.document
    assert AWS_MANAGED_POLICIES[arn] == entry.document
    assert arn in AWS_MANAGED_POLICIES
    assert len(AWS_MANAGED_POLICIES) == len(load_catalog())
    _, scp_arn, _ = ORGANIZATIONS_MANAGED["FullAWSAccess"]
    assert aws_managed_document(scp_arn) is None
    assert set(ORGANIZATIONS_MANAGED) == {"FullAWSAccess", "RCPFullAWSAccess"}

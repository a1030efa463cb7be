"""Keys AWS sets from who the principal is and where it sits, derived from the stored world.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html: `aws:userid`
is the user's unique id (`AIDA…`) or, for a role session, `role-id:session-name`;
`aws:PrincipalOrgID` / `aws:PrincipalOrgPaths` and `aws:ResourceOrgID` / `aws:ResourceOrgPaths`
name the organization and the path of OUs from the root to the account.
"""

from __future__ import annotations

from tests.conftest import example_path

from iamtwin.world.stored import World
from iamtwin.world.worldfile import load_world


def test_userid_of_users_and_role_sessions(world: World) -> None:
    """A user's aws:userid is its AIDA id; a role session's is the role's AROA id and the session name."""
    world.import_model(load_world(example_path("scenario08-delegated-admin.yaml")).world)
    user = world.assemble("arn:aws:iam::123456789012:user/JohnA", "s3:ListAllMyBuckets")
    assert str(user.context["aws:userid"]).startswith("AIDA")
    session = world.assemble("arn:aws:sts::123456789012:assumed-role/Developer-EC2/i-0abc", "s3:ListAllMyBuckets")
    role_id, _, name = str(session.context["aws:userid"]).partition(":")
    assert role_id.startswith("AROA") and name == "i-0abc"


def test_organization_keys_name_the_ou_path(world: World) -> None:
    """A Prod account's principal carries the org id and `o-…/r-…/ou-workloads/ou-prod/` as its path."""
    model = load_world(example_path("scenario07-org-guardrails.yaml")).world
    world.import_model(model)
    org = model.organization
    assert org is not None
    assembly = world.assemble(
        "arn:aws:iam::200000000001:role/app-admin",
        "s3:GetObject",
        "arn:aws:s3:::bucket/key",
    )
    nodes = org.placements["200000000001"].nodes
    expected_path = org.id + "/" + "".join(node.id + "/" for node in nodes)
    assert assembly.context["aws:PrincipalOrgID"] == org.id
    assert assembly.context["aws:PrincipalOrgPaths"] == [expected_path]
    assert [node.name for node in nodes] == ["Root", "Workloads", "Prod"]

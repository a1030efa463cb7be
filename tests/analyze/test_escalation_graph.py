"""The escalation graph as a whole: every edge re-decided by the engine, deterministic order, coded errors.

Permissions boundaries cap what an attached policy grants:
https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
"""

from __future__ import annotations

import pytest
from tests.conftest import example_path

from iamtwin.analyze.escalation import EscalationGraph, UnknownPrincipalError
from iamtwin.analyze.escalation_paths import escalation_paths
from iamtwin.world.stored import World
from iamtwin.world.worldfile import load_world

A = "111122223333"
WORLD = f"""
accounts:
  - id: "{A}"
    groups:
      - {{name: admins, managed_policies: [arn:aws:iam::aws:policy/AdministratorAccess]}}
    users:
      - name: alice
        inline_policies:
          p:
            Version: "2012-10-17"
            Statement: [{{Effect: Allow, Action: ["sts:AssumeRole", "iam:CreateAccessKey"], Resource: "*"}}]
      - name: bob
        inline_policies:
          p: {{Version: "2012-10-17", Statement: [{{Effect: Allow, Action: iam:AddUserToGroup, Resource: "*"}}]}}
    roles:
      - name: ops
        trust_policy:
          Version: "2012-10-17"
          Statement: [{{Effect: Allow, Principal: {{AWS: "arn:aws:iam::{A}:root"}}, Action: sts:AssumeRole}}]
        inline_policies:
          p: {{Version: "2012-10-17", Statement: [{{Effect: Allow, Action: iam:PutRolePolicy, Resource: "*"}}]}}
"""


def test_every_edge_is_allowed_by_the_engine_and_ordered(world: World) -> None:
    """Each request of each edge, asked again of the world, is allowed; edges come sorted the same way twice."""
    world.import_model(load_world(WORLD).world)
    graph = EscalationGraph(world)
    edges = graph.edges()
    assert edges
    assert {(e.source, e.kind.value, e.target) for e in edges} >= {
        (f"arn:aws:iam::{A}:user/alice", "assume_role", f"arn:aws:iam::{A}:role/ops"),
        (f"arn:aws:iam::{A}:user/alice", "create_access_key", f"arn:aws:iam::{A}:user/bob"),
        (f"arn:aws:iam::{A}:user/bob", "add_user_to_group", f"arn:aws:iam::{A}:user/bob"),
        (f"arn:aws:iam::{A}:role/ops", "put_role_policy", f"arn:aws:iam::{A}:role/ops"),
    }
    for edge in edges:
        for evidence in edge.evidence:
            if evidence.assuming is None:
                request = (evidence.principal, evidence.action, evidence.resource, dict(evidence.context))
                assert world.authorize(*request).allowed
    assert EscalationGraph(world).edges() == edges


def test_paths_through_a_user_that_can_join_the_admin_group(world: World) -> None:
    """alice creates bob's access key; bob adds himself to `admins`: two steps, the last a grant."""
    world.import_model(load_world(WORLD).world)
    graph = EscalationGraph(world)
    paths = escalation_paths(graph, f"arn:aws:iam::{A}:user/alice")
    assert [(p.admin.rsplit(":", 1)[1], [e.kind.value for e in p.edges]) for p in paths] == [
        ("role/ops", ["assume_role", "put_role_policy"]),
        ("user/bob", ["create_access_key", "add_user_to_group"]),
    ]
    assert paths[1].edges[1].via == f"arn:aws:iam::{A}:group/admins"


def test_unknown_principal_is_a_coded_error(world: World) -> None:
    """A start that is no user or role of the world raises UNKNOWN_PRINCIPAL."""
    world.import_model(load_world(WORLD).world)
    with pytest.raises(UnknownPrincipalError) as raised:
        escalation_paths(EscalationGraph(world), f"arn:aws:iam::{A}:user/nobody")
    assert raised.value.code == "UNKNOWN_PRINCIPAL"


def test_boundary_keeps_delegated_admins_below_administrator(world: World) -> None:
    """Scenario 08: roles JohnA manages carry S3ActionBoundary, so AdministratorAccess on them is no way up."""
    world.import_model(load_world(example_path("scenario08-delegated-admin.yaml")).world)
    graph = EscalationGraph(world)
    assert graph.full_access("arn:aws:iam::123456789012:role/Developer-EC2-Admin") is None
    assert escalation_paths(graph, "arn:aws:iam::123456789012:user/JohnA") == ()


def test_a_resource_whose_role_was_deleted_gives_no_edge(world: World) -> None:
    """A function keeps naming its execution role after the role is deleted; no such role, no edge, no error.

    https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html
    """
    function = f"arn:aws:lambda:us-east-1:{A}:function:nightly"
    code = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "lambda:*", "Resource": "*"}]}
    with world.changes() as iam:
        iam.create_account(A)
        iam.create_user(A, "alice")
        iam.put_inline_policy("user", A, "alice", "p", code)
        iam.put_resource(function, runs_as=f"arn:aws:iam::{A}:role/deleted")
    graph = EscalationGraph(world)
    assert graph.edges_from(f"arn:aws:iam::{A}:user/alice") == ()

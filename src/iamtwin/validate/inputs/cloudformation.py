"""Policies inside a CloudFormation template, with their policy type, names and template positions.

The policy-bearing resource types and properties follow the CloudFormation resource reference
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-template-resource-type-ref.html):
IAM policies, roles (trust and inline), users and groups, Organizations SCPs and RCPs, IAM Identity
Center permission sets, Lambda permissions (as the statement Lambda stores), and the resource
policies of S3 buckets and access points, SQS, SNS, KMS keys, Secrets Manager, ECR, EFS, Backup
vaults, OpenSearch domains and CloudWatch Logs.
A resource policy is reported under the resource it protects when the template references it
(`Queues: [!Ref MyQueue]` → `MyQueue`), as the CloudFormation policy validator does.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace

from ...policy.source import child_path, item_path
from ..context import ValidateOptions
from ..findings import Finding, PolicyType, SourceLocation
from ..source import PolicySource, is_unresolved
from .codes import INVALID_POLICY_VALUE, JSON_SYNTAX_ERROR
from .intrinsics import Resolver
from .lambda_permission import permission_policy
from .located import DocumentError, Located, PositionIndex, read_json_document

# Quotas of inline policies per entity and of resource policies per service (characters).
USER_INLINE_QUOTA = 2048
GROUP_INLINE_QUOTA = 5120
ROLE_INLINE_QUOTA = 10240
S3_BUCKET_POLICY_QUOTA = 20480
KMS_KEY_POLICY_QUOTA = 32768


@dataclass(frozen=True, slots=True)
class _Spec:
    """Where one resource type keeps a policy."""

    prop: str
    policy_type: PolicyType
    policy_name: str  # a fixed name, or `@Prop` to read it from a property
    target: str = ""  # the property naming the protected resource(s)
    quota: int | None = None
    service: str = ""  # the service prefix of the protected resource (resource policies)


_SINGLE: dict[str, tuple[_Spec, ...]] = {
    "AWS::IAM::Policy": (_Spec("PolicyDocument", PolicyType.IDENTITY, "@PolicyName"),),
    "AWS::IAM::ManagedPolicy": (_Spec("PolicyDocument", PolicyType.IDENTITY, "@ManagedPolicyName"),),
    "AWS::IAM::RolePolicy": (
        _Spec("PolicyDocument", PolicyType.IDENTITY, "@PolicyName", "RoleName", ROLE_INLINE_QUOTA),
    ),
    "AWS::IAM::UserPolicy": (
        _Spec("PolicyDocument", PolicyType.IDENTITY, "@PolicyName", "UserName", USER_INLINE_QUOTA),
    ),
    "AWS::IAM::GroupPolicy": (
        _Spec("PolicyDocument", PolicyType.IDENTITY, "@PolicyName", "GroupName", GROUP_INLINE_QUOTA),
    ),
    "AWS::IAM::Role": (_Spec("AssumeRolePolicyDocument", PolicyType.TRUST, "TrustPolicy"),),
    "AWS::S3::BucketPolicy": (
        _Spec("PolicyDocument", PolicyType.RESOURCE, "BucketPolicy", "Bucket", S3_BUCKET_POLICY_QUOTA, "s3"),
    ),
    "AWS::SQS::QueuePolicy": (_Spec("PolicyDocument", PolicyType.RESOURCE, "QueuePolicy", "Queues", None, "sqs"),),
    "AWS::SNS::TopicPolicy": (_Spec("PolicyDocument", PolicyType.RESOURCE, "TopicPolicy", "Topics", None, "sns"),),
    "AWS::KMS::Key": (_Spec("KeyPolicy", PolicyType.RESOURCE, "KeyPolicy", "", KMS_KEY_POLICY_QUOTA, "kms"),),
    "AWS::SecretsManager::ResourcePolicy": (
        _Spec("ResourcePolicy", PolicyType.RESOURCE, "ResourcePolicy", "SecretId", None, "secretsmanager"),
    ),
    "AWS::KMS::ReplicaKey": (_Spec("KeyPolicy", PolicyType.RESOURCE, "KeyPolicy", "", KMS_KEY_POLICY_QUOTA, "kms"),),
    "AWS::SSO::PermissionSet": (_Spec("InlinePolicy", PolicyType.IDENTITY, "InlinePolicy"),),
    "AWS::ECR::Repository": (_Spec("RepositoryPolicyText", PolicyType.RESOURCE, "RepositoryPolicy", service="ecr"),),
    "AWS::S3::AccessPoint": (_Spec("Policy", PolicyType.RESOURCE, "AccessPointPolicy", service="s3"),),
    "AWS::EFS::FileSystem": (
        _Spec("FileSystemPolicy", PolicyType.RESOURCE, "FileSystemPolicy", service="elasticfilesystem"),
    ),
    "AWS::Backup::BackupVault": (_Spec("AccessPolicy", PolicyType.RESOURCE, "AccessPolicy", service="backup"),),
    "AWS::OpenSearchService::Domain": (_Spec("AccessPolicies", PolicyType.RESOURCE, "AccessPolicies", service="es"),),
    "AWS::Elasticsearch::Domain": (_Spec("AccessPolicies", PolicyType.RESOURCE, "AccessPolicies", service="es"),),
    "AWS::Logs::ResourcePolicy": (_Spec("PolicyDocument", PolicyType.RESOURCE, "@PolicyName"),),
}
# Inline `Policies` lists of IAM entities, with the entity's inline quota.
_INLINE = {
    "AWS::IAM::Role": ROLE_INLINE_QUOTA,
    "AWS::IAM::User": USER_INLINE_QUOTA,
    "AWS::IAM::Group": GROUP_INLINE_QUOTA,
}
_ORG_POLICY_TYPES = {"SERVICE_CONTROL_POLICY": PolicyType.SCP, "RESOURCE_CONTROL_POLICY": PolicyType.RCP}


def is_template(value: object) -> bool:
    """A CloudFormation template: an object with a `Resources` object."""
    return isinstance(value, Mapping) and isinstance(value.get("Resources"), Mapping)


def template_policies(file: str, document: Located, options: ValidateOptions) -> Iterator[PolicySource | Finding]:
    """Every policy of a template (and a finding for each policy value that is not a policy)."""
    template = document.value
    assert isinstance(template, Mapping)
    resolver = Resolver(template, options, dict(options.parameters))
    located = PositionIndex(document.positions)
    resources = template["Resources"]
    for logical_id, resource in resources.items():
        if not isinstance(resource, Mapping) or not isinstance(resource.get("Properties"), Mapping):
            continue
        kind = str(resource.get("Type"))
        if kind in options.excluded_resource_types:
            continue
        props = resource["Properties"]
        base = child_path(child_path("Resources", str(logical_id)), "Properties")
        for spec in _SINGLE.get(kind, ()):
            if spec.prop in props:
                name = _name(spec.policy_name, props, resolver, str(logical_id))
                owner = _owner(spec.target, props, str(logical_id))
                where = child_path(base, spec.prop)
                found = _policy(
                    file, located, resolver, props[spec.prop], where, spec.policy_type, owner, name, spec.quota
                )
                yield replace(found, resource_service=spec.service) if isinstance(found, PolicySource) else found
        if kind == "AWS::Lambda::Permission":
            owner = _owner("FunctionName", props, str(logical_id))
            yield permission_policy(file, located.positions, base, props, resolver, options, owner)
        if kind == "AWS::Organizations::Policy":
            policy_type = _ORG_POLICY_TYPES.get(str(props.get("Type")))
            if policy_type is not None and "Content" in props:
                name = _name("@Name", props, resolver, str(logical_id))
                where = child_path(base, "Content")
                yield _policy(
                    file, located, resolver, props["Content"], where, policy_type, str(logical_id), name, None
                )
        if kind in _INLINE and isinstance(props.get("Policies"), list):
            for index, inline in enumerate(props["Policies"]):
                if not isinstance(inline, Mapping) or "PolicyDocument" not in inline:
                    continue
                name = _name("@PolicyName", inline, resolver, f"Policies[{index}]")
                where = child_path(item_path(child_path(base, "Policies"), index), "PolicyDocument")
                yield _policy(
                    file,
                    located,
                    resolver,
                    inline["PolicyDocument"],
                    where,
                    PolicyType.IDENTITY,
                    str(logical_id),
                    name,
                    _INLINE[kind],
                )


def _name(spec: str, props: Mapping[str, object], resolver: Resolver, fallback: str) -> str:
    if not spec.startswith("@"):
        return spec
    value = resolver.resolve(props.get(spec[1:]))
    return value if isinstance(value, str) and not is_unresolved(value) else fallback


def _owner(target: str, props: Mapping[str, object], fallback: str) -> str:
    """The logical ID of the resource a policy protects or is attached to, when referenced."""
    value = props.get(target) if target else None
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, Mapping):
        ref = value.get("Ref")
        if isinstance(ref, str):
            return ref
        att = value.get("Fn::GetAtt")
        if isinstance(att, list) and att:
            return str(att[0])
    return fallback


def _policy(
    file: str,
    located: PositionIndex,
    resolver: Resolver,
    raw: object,
    where: str,
    policy_type: PolicyType,
    resource: str,
    policy: str,
    quota: int | None,
) -> PolicySource | Finding:
    value = resolver.resolve(raw)
    positions = located.subtree(where)
    text: str | None = None
    if isinstance(value, str) and not is_unresolved(value):
        # IAM properties accept the policy as a JSON string too.
        line, column = located.positions.get(where, (None, None))
        try:
            parsed = read_json_document(value)
        except DocumentError as err:
            location = SourceLocation(file, where, line, column)
            finding_message = f"the policy text is not valid JSON: {err.message}"
            return Finding(JSON_SYNTAX_ERROR, finding_message, location, resource, policy)
        text = value
        value = parsed.value
        positions = {"": (line, column)} if line is not None and column is not None else {}
    if not isinstance(value, Mapping):
        line, column = located.positions.get(where, (None, None))
        message = "the policy must be an object (or a JSON string); it is not"
        return Finding(INVALID_POLICY_VALUE, message, SourceLocation(file, where, line, column), resource, policy)
    return PolicySource(file, value, policy_type, positions, resource, policy, text, (), quota)

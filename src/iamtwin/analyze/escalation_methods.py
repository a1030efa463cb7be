"""The escalation methods: the edge kinds, the calls each needs, and the changes that make a principal administrator.

The methods follow Rhino Security Labs' list of IAM privilege escalation methods and the edge checkers of
NCC Group's PMapper. A pass-role method names the service principal (the value of `iam:PassedToService`
and the principal the role must trust) and the service's own calls, asked in `ESCALATION_REGION` on
resources named `PROBE_NAME`. A grant is a change to what AWS evaluates for a principal's requests
(`Change`, applied to an `Assembly`), with the IAM request that makes it. A resource method runs the
caller's code in an existing resource that runs as a role (`Resource.runs_as`): PMapper's SSM edge and
cloudsplaining's EditExistingLambdaFunctionWithRole and UpdateExistingGlueDevEndpoint, and a SageMaker
notebook instance's Jupyter server opened with a presigned URL.
References: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-getting-started-instance-profile.html
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from ..world.assemble import Assembly
from ..world.model import Document, Group, ManagedPolicy, Resource, Role, User
from ..world.model import World as WorldModel

Change = Callable[[Assembly], None]

ESCALATION_REGION = "us-east-1"
PROBE_NAME = "iamtwin-escalation"
FULL_ACCESS_ACTIONS = ("iamtwin:AnyAction", "iam:AttachRolePolicy")
ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"
_AWS_MANAGED_PREFIX = "arn:aws:iam::aws:policy/"
ALLOW_ALL: dict[str, object] = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}


class EdgeKind(StrEnum):
    """How one principal escalates to another; the order is the order paths prefer."""

    ASSUME_ROLE = "assume_role"
    CREATE_ACCESS_KEY = "create_access_key"
    CREATE_LOGIN_PROFILE = "create_login_profile"
    UPDATE_LOGIN_PROFILE = "update_login_profile"
    UPDATE_ASSUME_ROLE_POLICY = "update_assume_role_policy"
    PASS_ROLE_LAMBDA = "pass_role_lambda"
    PASS_ROLE_EC2 = "pass_role_ec2"
    PASS_ROLE_AUTOSCALING = "pass_role_autoscaling"
    PASS_ROLE_CLOUDFORMATION = "pass_role_cloudformation"
    PASS_ROLE_GLUE = "pass_role_glue"
    PASS_ROLE_SAGEMAKER = "pass_role_sagemaker"
    PASS_ROLE_CODEBUILD = "pass_role_codebuild"
    PASS_ROLE_ECS = "pass_role_ecs"
    PASS_ROLE_DATAPIPELINE = "pass_role_datapipeline"
    SSM_SEND_COMMAND = "ssm_send_command"
    SSM_START_SESSION = "ssm_start_session"
    UPDATE_FUNCTION_CODE = "update_function_code"
    UPDATE_DEV_ENDPOINT = "update_dev_endpoint"
    CREATE_PRESIGNED_NOTEBOOK_URL = "create_presigned_notebook_url"
    ATTACH_USER_POLICY = "attach_user_policy"
    PUT_USER_POLICY = "put_user_policy"
    ATTACH_GROUP_POLICY = "attach_group_policy"
    PUT_GROUP_POLICY = "put_group_policy"
    ADD_USER_TO_GROUP = "add_user_to_group"
    ATTACH_ROLE_POLICY = "attach_role_policy"
    PUT_ROLE_POLICY = "put_role_policy"
    CREATE_POLICY_VERSION = "create_policy_version"
    SET_DEFAULT_POLICY_VERSION = "set_default_policy_version"
    DELETE_USER_PERMISSIONS_BOUNDARY = "delete_user_permissions_boundary"
    DELETE_ROLE_PERMISSIONS_BOUNDARY = "delete_role_permissions_boundary"


KIND_ORDER = {kind: index for index, kind in enumerate(EdgeKind)}
# Kinds that make their target administrator-equivalent rather than move to it.
GRANT_KINDS = frozenset(
    {
        EdgeKind.ATTACH_USER_POLICY,
        EdgeKind.PUT_USER_POLICY,
        EdgeKind.ATTACH_GROUP_POLICY,
        EdgeKind.PUT_GROUP_POLICY,
        EdgeKind.ADD_USER_TO_GROUP,
        EdgeKind.ATTACH_ROLE_POLICY,
        EdgeKind.PUT_ROLE_POLICY,
        EdgeKind.CREATE_POLICY_VERSION,
        EdgeKind.SET_DEFAULT_POLICY_VERSION,
        EdgeKind.DELETE_USER_PERMISSIONS_BOUNDARY,
        EdgeKind.DELETE_ROLE_PERMISSIONS_BOUNDARY,
    }
)


@dataclass(frozen=True, slots=True)
class ServiceMethod:
    """Passing a role to a service that then runs the caller's code: the service and the calls it takes."""

    kind: EdgeKind
    service: str  # the service principal: the value of iam:PassedToService and the trusted principal
    calls: tuple[tuple[str, str], ...]  # (action, resource template with {region} and {account})
    needs_instance_profile: bool = False


def _calls(service: str, resource: str, *actions: str) -> tuple[tuple[str, str], ...]:
    """Calls of one service on one resource (`*` for actions without resource-level permissions)."""
    arn = resource if resource == "*" else f"arn:aws:{service}:{{region}}:{{account}}:{resource}"
    return tuple((f"{service}:{action}", arn) for action in actions)


_NAMED = PROBE_NAME
SERVICE_METHODS = (
    ServiceMethod(
        EdgeKind.PASS_ROLE_LAMBDA,
        "lambda.amazonaws.com",
        _calls("lambda", f"function:{_NAMED}", "CreateFunction", "InvokeFunction"),
    ),
    ServiceMethod(
        EdgeKind.PASS_ROLE_EC2,
        "ec2.amazonaws.com",
        _calls("ec2", "instance/*", "RunInstances"),
        needs_instance_profile=True,
    ),
    ServiceMethod(
        EdgeKind.PASS_ROLE_AUTOSCALING,
        "ec2.amazonaws.com",
        _calls("autoscaling", f"launchConfiguration:*:launchConfigurationName/{_NAMED}", "CreateLaunchConfiguration")
        + _calls("autoscaling", f"autoScalingGroup:*:autoScalingGroupName/{_NAMED}", "CreateAutoScalingGroup"),
        needs_instance_profile=True,
    ),
    ServiceMethod(
        EdgeKind.PASS_ROLE_CLOUDFORMATION,
        "cloudformation.amazonaws.com",
        _calls("cloudformation", f"stack/{_NAMED}/*", "CreateStack"),
    ),
    ServiceMethod(
        EdgeKind.PASS_ROLE_GLUE, "glue.amazonaws.com", _calls("glue", f"devEndpoint/{_NAMED}", "CreateDevEndpoint")
    ),
    ServiceMethod(
        EdgeKind.PASS_ROLE_SAGEMAKER,
        "sagemaker.amazonaws.com",
        _calls(
            "sagemaker", f"notebook-instance/{_NAMED}", "CreateNotebookInstance", "CreatePresignedNotebookInstanceUrl"
        ),
    ),
    ServiceMethod(
        EdgeKind.PASS_ROLE_CODEBUILD,
        "codebuild.amazonaws.com",
        _calls("codebuild", f"project/{_NAMED}", "CreateProject", "StartBuild"),
    ),
    ServiceMethod(
        EdgeKind.PASS_ROLE_ECS,
        "ecs-tasks.amazonaws.com",
        _calls("ecs", "*", "RegisterTaskDefinition") + _calls("ecs", f"task-definition/{_NAMED}:1", "RunTask"),
    ),
    ServiceMethod(
        EdgeKind.PASS_ROLE_DATAPIPELINE,
        "datapipeline.amazonaws.com",
        _calls("datapipeline", "*", "CreatePipeline")
        + _calls("datapipeline", f"pipeline/{_NAMED}", "PutPipelineDefinition", "ActivatePipeline"),
    ),
)


@dataclass(frozen=True, slots=True)
class ResourceMethod:
    """Running code in an existing resource that runs as a role: the resources it applies to and the calls on them.

    `calls` are (action, resource template) with `{arn}` the resource's own ARN and `{partition}`,
    `{region}` its parts. The role must trust `service` (else the resource holds no credentials of it);
    `agent_action`, when set, is what the role itself must be allowed for the service's agent on the
    resource to take the caller's commands.
    """

    kind: EdgeKind
    service: str
    arn_service: str
    arn_prefix: str  # how the resource part of the ARNs it applies to begins
    calls: tuple[tuple[str, str], ...]
    agent_action: str | None = None

    def applies_to(self, arn: str) -> bool:
        """Whether the resource `arn` is of the kind this method works on."""
        parts = arn.split(":", 5)
        return len(parts) == 6 and parts[2] == self.arn_service and parts[5].startswith(self.arn_prefix)

    def requests(self, arn: str) -> tuple[tuple[str, str], ...]:
        """The (action, resource) requests the method makes on the resource `arn`."""
        parts = arn.split(":", 5)
        return tuple((a, r.format(arn=arn, partition=parts[1], region=parts[3])) for a, r in self.calls)


# SSM's agent reaches Session Manager and Run Command with the instance's credentials (PMapper's check).
_SSM_AGENT = "ssmmessages:CreateControlChannel"
RESOURCE_METHODS = (
    ResourceMethod(
        EdgeKind.SSM_SEND_COMMAND,
        "ec2.amazonaws.com",
        "ec2",
        "instance/",
        (
            ("ssm:SendCommand", "{arn}"),
            ("ssm:SendCommand", "arn:{partition}:ssm:{region}::document/AWS-RunShellScript"),
        ),
        _SSM_AGENT,
    ),
    ResourceMethod(
        EdgeKind.SSM_START_SESSION,
        "ec2.amazonaws.com",
        "ec2",
        "instance/",
        (("ssm:StartSession", "{arn}"),),
        _SSM_AGENT,
    ),
    ResourceMethod(
        EdgeKind.UPDATE_FUNCTION_CODE,
        "lambda.amazonaws.com",
        "lambda",
        "function:",
        (("lambda:UpdateFunctionCode", "{arn}"),),
    ),
    ResourceMethod(
        EdgeKind.UPDATE_DEV_ENDPOINT,
        "glue.amazonaws.com",
        "glue",
        "devEndpoint/",
        (("glue:UpdateDevEndpoint", "{arn}"),),
    ),
    ResourceMethod(
        EdgeKind.CREATE_PRESIGNED_NOTEBOOK_URL,
        "sagemaker.amazonaws.com",
        "sagemaker",
        "notebook-instance/",
        (("sagemaker:CreatePresignedNotebookInstanceUrl", "{arn}"),),
    ),
)


def running_resources(model: WorldModel) -> list[tuple[Resource, str]]:
    """Every resource of the world with `runs_as`, paired with the ARN of the role of the world it runs as.

    An instance profile stands for the role in it; a role or profile not in the world gives no pair.
    """
    out: list[tuple[Resource, str]] = []
    for account in model.accounts.values():
        roles = {role.arn: role.arn for role in account.roles.values()}
        for profile in account.instance_profiles.values():
            names = [name for name in profile.roles if name in account.roles]
            if names:
                roles[profile.arn] = account.roles[names[0]].arn
        out += [(r, roles[r.runs_as]) for r in account.resources if r.runs_as is not None and r.runs_as in roles]
    return sorted(out, key=lambda pair: (pair[0].arn, pair[1]))


# The IAM action each non-service edge kind needs of its source.
IAM_ACTIONS = {
    EdgeKind.ASSUME_ROLE: "sts:AssumeRole",
    EdgeKind.CREATE_ACCESS_KEY: "iam:CreateAccessKey",
    EdgeKind.CREATE_LOGIN_PROFILE: "iam:CreateLoginProfile",
    EdgeKind.UPDATE_LOGIN_PROFILE: "iam:UpdateLoginProfile",
    EdgeKind.UPDATE_ASSUME_ROLE_POLICY: "iam:UpdateAssumeRolePolicy",
    EdgeKind.ATTACH_USER_POLICY: "iam:AttachUserPolicy",
    EdgeKind.PUT_USER_POLICY: "iam:PutUserPolicy",
    EdgeKind.ATTACH_GROUP_POLICY: "iam:AttachGroupPolicy",
    EdgeKind.PUT_GROUP_POLICY: "iam:PutGroupPolicy",
    EdgeKind.ADD_USER_TO_GROUP: "iam:AddUserToGroup",
    EdgeKind.ATTACH_ROLE_POLICY: "iam:AttachRolePolicy",
    EdgeKind.PUT_ROLE_POLICY: "iam:PutRolePolicy",
    EdgeKind.CREATE_POLICY_VERSION: "iam:CreatePolicyVersion",
    EdgeKind.SET_DEFAULT_POLICY_VERSION: "iam:SetDefaultPolicyVersion",
    EdgeKind.DELETE_USER_PERMISSIONS_BOUNDARY: "iam:DeleteUserPermissionsBoundary",
    EdgeKind.DELETE_ROLE_PERMISSIONS_BOUNDARY: "iam:DeleteRolePermissionsBoundary",
}
METHOD_ACTIONS = frozenset(
    [a.lower() for a in IAM_ACTIONS.values()]
    + ["iam:passrole"]
    + [action.lower() for method in SERVICE_METHODS for action, _ in method.calls]
    + [action.lower() for method in RESOURCE_METHODS for action, _ in method.calls]
)


@dataclass(frozen=True, slots=True)
class Grant:
    """One way to make a principal administrator-equivalent: the IAM request on `resource`, and its change."""

    kind: EdgeKind
    resource: str
    change: Change
    assuming: str  # the change, in words
    via: str | None = None
    context: tuple[tuple[str, str], ...] = ()


ATTACH_CONTEXT = (("iam:PolicyARN", ADMINISTRATOR_ACCESS),)


def grants(target: str, user: User | None, role: Role | None, groups: Iterable[Group]) -> Iterator[Grant]:
    """The changes that could make `target` (a user or a role) administrator-equivalent; `groups`: its account's."""
    attach, put = (
        add_identity((ADMINISTRATOR_ACCESS, ALLOW_ALL)),
        add_identity((f"{target}#{_NAMED}", ALLOW_ALL)),
    )
    attached, inline = "AdministratorAccess attached", "an inline policy allowing everything"
    if user is not None:
        yield Grant(EdgeKind.ATTACH_USER_POLICY, target, attach, attached, context=ATTACH_CONTEXT)
        yield Grant(EdgeKind.PUT_USER_POLICY, target, put, inline)
        for group in user.groups:
            yield Grant(EdgeKind.ATTACH_GROUP_POLICY, group.arn, attach, attached, group.arn, ATTACH_CONTEXT)
            yield Grant(EdgeKind.PUT_GROUP_POLICY, group.arn, put, inline, group.arn)
        member_of = {g.arn for g in user.groups}
        for group in groups:
            if group.arn not in member_of:
                joined = f"`{target}` a member of `{group.arn}`"
                yield Grant(EdgeKind.ADD_USER_TO_GROUP, group.arn, add_group(group), joined, group.arn)
        if user.permissions_boundary is not None:
            kind, boundary = EdgeKind.DELETE_USER_PERMISSIONS_BOUNDARY, user.permissions_boundary.arn
            yield Grant(kind, target, no_boundary, "no permissions boundary", boundary)
    if role is not None and role.service_linked:  # IAM refuses to change service-linked roles
        return
    if role is not None:
        yield Grant(EdgeKind.ATTACH_ROLE_POLICY, target, attach, attached, context=ATTACH_CONTEXT)
        yield Grant(EdgeKind.PUT_ROLE_POLICY, target, put, inline)
        if role.permissions_boundary is not None:
            kind, boundary = EdgeKind.DELETE_ROLE_PERMISSIONS_BOUNDARY, role.permissions_boundary.arn
            yield Grant(kind, target, no_boundary, "no permissions boundary", boundary)
    for policy in customer_managed(user or role):
        rewritten = f"a new default version of `{policy.arn}` allowing everything"
        yield Grant(
            EdgeKind.CREATE_POLICY_VERSION, policy.arn, replace_policy(policy.arn, ALLOW_ALL), rewritten, policy.arn
        )
        for version in policy.versions:
            if version.version_id != policy.default_version_id:
                chosen = f"version `{version.version_id}` of `{policy.arn}` as the default"
                change = replace_policy(policy.arn, version.document)
                via = f"{policy.arn}:{version.version_id}"
                yield Grant(EdgeKind.SET_DEFAULT_POLICY_VERSION, policy.arn, change, chosen, via)


def add_identity(entry: tuple[str, Document]) -> Change:
    """The change that adds an identity policy."""

    def change(assembly: Assembly) -> None:
        assembly.identity = [*assembly.identity, entry]

    return change


def add_group(group: Group) -> Change:
    """The change that makes the principal a member of `group`."""

    def change(assembly: Assembly) -> None:
        added = [(f"{group.arn}#{p.name}", p.document) for p in group.inline_policies]
        known = {policy_id for policy_id, _ in assembly.identity}
        added += [(p.arn, p.document) for p in group.managed_policies if p.arn not in known]
        assembly.identity = [*assembly.identity, *added]

    return change


def replace_policy(policy_arn: str, document: Document) -> Change:
    """The change that gives a managed policy another default document."""

    def change(assembly: Assembly) -> None:
        assembly.identity = [(pid, document if pid == policy_arn else doc) for pid, doc in assembly.identity]

    return change


def no_boundary(assembly: Assembly) -> None:
    """The change that deletes the permissions boundary."""
    assembly.boundary = None


def customer_managed(entity: User | Role | None) -> list[ManagedPolicy]:
    """The customer managed policies in effect for a user (with its groups') or role, by ARN."""
    if entity is None:
        return []
    policies = list(entity.managed_policies)
    if isinstance(entity, User):
        policies += [p for group in entity.groups for p in group.managed_policies]
    # AWS managed policies take no versions from customers.
    found = {p.arn: p for p in policies if not p.aws_managed and not p.arn.startswith(_AWS_MANAGED_PREFIX)}
    return [found[arn] for arn in sorted(found)]


__all__ = [
    "ADMINISTRATOR_ACCESS",
    "ESCALATION_REGION",
    "FULL_ACCESS_ACTIONS",
    "GRANT_KINDS",
    "RESOURCE_METHODS",
    "SERVICE_METHODS",
    "Change",
    "EdgeKind",
    "Grant",
    "ResourceMethod",
    "ServiceMethod",
    "grants",
    "running_resources",
]

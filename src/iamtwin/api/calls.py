"""What every operation handler gets: the world, the verified caller, where the request came from.

IAM's own actions on a user or role carry that entity's tags as `iam:ResourceTag/…` and, for the
actions the Service Authorization Reference lists `iam:PermissionsBoundary` for, the entity's
current permissions boundary
(https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from ..errors import IamtwinError
from ..evaluate.decision import Decision
from ..evaluate.message import denial_message
from ..evaluate.principal import parse_principal
from ..world.model import Role, User
from ..world.store import schema as t
from ..world.stored import Caller, World

# The actions on an existing user or role whose request context carries that entity's permissions
# boundary as `iam:PermissionsBoundary` (the reference's list; Create* and Put*PermissionsBoundary
# carry the boundary the request sets instead, which the handler passes).
BOUNDARY_KEY_ACTIONS = frozenset(
    f"iam:{name}"
    for name in (
        "AttachRolePolicy",
        "CreateRole",
        "DeleteRole",
        "DeleteRolePermissionsBoundary",
        "DeleteRolePolicy",
        "DetachRolePolicy",
        "GetRole",
        "PutRolePermissionsBoundary",
        "PutRolePolicy",
        "UpdateAssumeRolePolicy",
        "UpdateRole",
        "UpdateRoleDescription",
        "AttachUserPolicy",
        "CreateUser",
        "DeleteUserPermissionsBoundary",
        "DeleteUserPolicy",
        "DetachUserPolicy",
        "PutUserPermissionsBoundary",
        "PutUserPolicy",
    )
)
_IAM_RESOURCE_TAG = "iam:ResourceTag/"
# The resource type of an IAM ARN → the suffix of its tagging actions (iam:TagUser, …).
TAGGED_KINDS = {
    "user": "User",
    "role": "Role",
    "policy": "Policy",
    "instance-profile": "InstanceProfile",
    "oidc-provider": "OpenIDConnectProvider",
    "saml-provider": "SAMLProvider",
}


class ApiAccessDenied(IamtwinError):
    """The engine refused the call itself; the message is AWS's access-denied message for it."""

    code = "AccessDenied"

    def __init__(self, decision: Decision, resource_label: str | None = None) -> None:
        message = denial_message(decision) or "Access denied"
        resource = decision.request.resource
        if resource_label is not None and resource is not None:
            # IAM names some resources by kind and name (`policy TestPolicy`), not by the ARN it authorizes.
            message = message.replace(f" on resource: {resource} ", f" on resource: {resource_label} ", 1)
        super().__init__(message, code="AccessDenied")
        self.decision = decision


@dataclass(frozen=True, slots=True)
class CallContext:
    """One API call: the world, who calls, from where, when, and its request id."""

    world: World
    caller: Caller
    region: str
    request_id: str
    source_ip: str
    secure: bool
    now: datetime
    # The engine's decisions on this call, in order; the audit trail keeps the one the call ended on.
    decisions: list[Decision] = field(default_factory=list)

    @property
    def account(self) -> str:
        """The caller's account: where the entities it creates live."""
        return parse_principal(self.caller.arn).account or ""

    def authorize(
        self,
        action: str,
        resource: str | None,
        context: Mapping[str, str | list[str]] | None = None,
        *,
        resource_label: str | None = None,
    ) -> None:
        """Refuse the call unless the engine allows the caller this action, with AWS's request keys.

        `resource_label` replaces the resource ARN in the denial message where IAM words it otherwise.
        """
        decision = self.decide(action, resource, context)
        if not decision.allowed:
            raise ApiAccessDenied(decision, resource_label)

    def decide(
        self, action: str, resource: str | None, context: Mapping[str, str | list[str]] | None = None
    ) -> Decision:
        """The engine's decision on this action for the caller, with AWS's request keys (kept in `decisions`)."""
        keys: dict[str, str | list[str]] = {
            "aws:SourceIp": self.source_ip,
            "aws:SecureTransport": "true" if self.secure else "false",
            "aws:RequestedRegion": self.region,
        }
        if action.startswith("iam:") and resource is not None:
            keys.update(self._entity_keys(action, resource))
        keys.update(context or {})
        decision = self.world.authorize(self.caller, action, resource, keys, now=self.now)
        self.decisions.append(decision)
        return decision

    def authorize_create(
        self,
        action: str,
        resource: str,
        tags: list[dict[str, str]] | None,
        context: Mapping[str, str | list[str]] | None = None,
        *,
        resource_label: str | None = None,
    ) -> None:
        """A Create* call with its tags: the create action, then, when tags are given, the Tag* action.

        Creating with tags needs the tagging permission too, each with the request's tags
        (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_iam-new-user-tag.html
        allows `iam:CreateUser` and `iam:TagUser` together for that reason).
        """
        entity = ":user/" in resource or ":role/" in resource
        keys = created_tag_keys(tags, iam_entity=entity)
        self.authorize(action, resource, {**keys, **(context or {})}, resource_label=resource_label)
        if tags:
            self.authorize(f"iam:Tag{TAGGED_KINDS[resource.split(':', 5)[5].split('/', 1)[0]]}", resource, keys)

    def _entity_keys(self, action: str, resource: str) -> dict[str, str | list[str]]:
        """The keys an IAM action takes from its target: tags, and a user's or role's boundary."""
        if ":oidc-provider/" in resource or ":saml-provider/" in resource:
            # The world's resource view does not know identity providers; their stored tags are
            # their aws:ResourceTag/… all the same (the reference lists it for every provider action).
            with self.world.engine.connect() as conn:
                rows = conn.execute(select(t.tags.c.key, t.tags.c.value).where(t.tags.c.owner_arn == resource))
                return {f"aws:ResourceTag/{row.key}": row.value for row in rows}
        if ":user/" not in resource and ":role/" not in resource:
            return {}
        found = self.world.view.iam_entity(resource)
        entity = found[1] if found is not None else None
        if not isinstance(entity, User | Role):
            return {}
        keys: dict[str, str | list[str]] = {f"{_IAM_RESOURCE_TAG}{k}": v for k, v in entity.tags.items()}
        if action in BOUNDARY_KEY_ACTIONS and entity.permissions_boundary is not None:
            keys["iam:PermissionsBoundary"] = entity.permissions_boundary.arn
        return keys


def tag_keys(tags: list[dict[str, str]] | None) -> dict[str, str | list[str]]:
    """`aws:RequestTag/…` and `aws:TagKeys` for the tags a request passes."""
    if not tags:
        return {}
    keys: dict[str, str | list[str]] = {f"aws:RequestTag/{tag['Key']}": tag["Value"] for tag in tags}
    keys["aws:TagKeys"] = [tag["Key"] for tag in tags]
    return keys


def created_tag_keys(tags: list[dict[str, str]] | None, *, iam_entity: bool) -> dict[str, str | list[str]]:
    """The tag keys of a request that creates a resource with tags.

    The new resource carries the request's tags, so they are its `aws:ResourceTag/…` too (and, for
    a user or role, its `iam:ResourceTag/…`): the reference lists both for CreateUser, CreateRole,
    CreatePolicy and CreateInstanceProfile, and AWS's delegated-administration walkthrough
    (https://aws.amazon.com/premiumsupport/knowledge-center/iam-permission-boundaries/, scenario 08)
    creates a tagged role whose iam:TagRole is allowed only by `aws:ResourceTag/Owner`.
    """
    keys = tag_keys(tags)
    for tag in tags or []:
        keys[f"aws:ResourceTag/{tag['Key']}"] = tag["Value"]
        if iam_entity:
            keys[f"{_IAM_RESOURCE_TAG}{tag['Key']}"] = tag["Value"]
    return keys


def tag_map(tags: list[dict[str, str]] | None) -> dict[str, str]:
    """The Tags list of a request as a mapping."""
    return {tag["Key"]: tag["Value"] for tag in tags or []}

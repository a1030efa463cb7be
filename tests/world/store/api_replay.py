"""Build an account through IAM's write calls, in the order an administrator would, from its model."""

from __future__ import annotations

from iamtwin.world.aws_managed import AWS_MANAGED_PREFIX
from iamtwin.world.model import Account
from iamtwin.world.store.writes import IamWriter


def replay(iam: IamWriter, account: Account) -> None:
    """Create the account's policies, groups, users and roles with CreatePolicy, PutRolePolicy, … calls."""
    iam.create_account(account.id, account.name)
    for policy in account.policies.values():
        versions = policy.versions or ()
        first = versions[-1].document if versions else policy.document
        iam.create_policy(
            account.id,
            policy.name,
            first,
            path=policy.path,
            description=policy.description,
            tags=dict(policy.tags) or None,
        )
        for version in reversed(versions[:-1]):  # versions come newest first
            iam.create_policy_version(policy.arn, version.document)
        # The highest version number created above stands for the newest; map the model's ids onto them.
        if versions:
            numbers = sorted(int(v.version_id[1:]) for v in versions)
            created = {f"v{n}": f"v{i + 1}" for i, n in enumerate(numbers)}
            iam.set_default_policy_version(policy.arn, created[policy.default_version_id])
    for group in account.groups.values():
        iam.create_group(account.id, group.name, path=group.path)
        for inline in group.inline_policies:
            iam.put_inline_policy("group", account.id, group.name, inline.name, inline.document)
        for managed in group.managed_policies:
            iam.attach_policy("group", account.id, group.name, managed.arn)
    for user in account.users.values():
        boundary = user.permissions_boundary.arn if user.permissions_boundary else None
        iam.create_user(
            account.id, user.name, path=user.path, tags=dict(user.tags) or None, permissions_boundary=boundary
        )
        for group in user.groups:
            iam.add_user_to_group(account.id, group.name, user.name)
        for inline in user.inline_policies:
            iam.put_inline_policy("user", account.id, user.name, inline.name, inline.document)
        for managed in user.managed_policies:
            iam.attach_policy("user", account.id, user.name, managed.arn)
    for role in account.roles.values():
        boundary = role.permissions_boundary.arn if role.permissions_boundary else None
        assert role.trust_policy is not None
        iam.create_role(
            account.id,
            role.name,
            role.trust_policy,
            path=role.path,
            description=role.description,
            max_session_duration=role.max_session_duration,
            tags=dict(role.tags) or None,
            permissions_boundary=boundary,
        )
        for inline in role.inline_policies:
            iam.put_inline_policy("role", account.id, role.name, inline.name, inline.document)
        for managed in role.managed_policies:
            assert managed.arn.startswith(AWS_MANAGED_PREFIX) or managed.arn in {
                p.arn for p in account.policies.values()
            }
            iam.attach_policy("role", account.id, role.name, managed.arn)

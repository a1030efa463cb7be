"""The identity a resource runs as: which ARN a resource's `runs_as` may name.

An EC2 instance runs as an instance profile: its code gets the credentials of the profile's role from
the instance metadata service. Any other resource (a Lambda function, a Glue development endpoint, a
SageMaker notebook instance, …) runs as a role passed to its service. Either is of the resource's own
account, as a role can be passed only within its account.
References:
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2_instance-profiles.html
https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
"""

from __future__ import annotations

from ..policy.arn import parse_arn

ROLE = "role"
INSTANCE_PROFILE = "instance-profile"


def runs_as_kind(resource_arn: str) -> str:
    """The IAM resource type a resource runs as: `instance-profile` for an EC2 instance, else `role`."""
    parsed = parse_arn(resource_arn)
    if parsed is not None and parsed.service == "ec2" and parsed.resource.startswith("instance/"):
        return INSTANCE_PROFILE
    return ROLE


def runs_as_problem(resource_arn: str, account: str, runs_as: str) -> str | None:
    """Why `runs_as` cannot be the identity of the resource of `account` (a message), or None when it can."""
    kind = runs_as_kind(resource_arn)
    parsed = parse_arn(runs_as)
    if (
        parsed is None
        or "*" in runs_as
        or "?" in runs_as
        or parsed.service != "iam"
        or not parsed.resource.startswith(f"{kind}/")
    ):
        what = "an instance profile" if kind == INSTANCE_PROFILE else "a role"
        return f"`runs_as` of `{resource_arn}` must be the ARN of {what}, not `{runs_as}`"
    if parsed.account != account:
        return f"`{runs_as}` is not of account `{account}`: a resource runs as an identity of its own account"
    return None


__all__ = ["INSTANCE_PROFILE", "ROLE", "runs_as_kind", "runs_as_problem"]

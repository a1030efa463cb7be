"""Revocation that bites: a deny on the target role for the request's sessions issued before now.

Temporary credentials cannot be recalled, but their permissions are evaluated at every call, so AWS's
"Revoke active sessions" attaches to the role an inline policy denying everything to sessions whose
`aws:TokenIssueTime` is before the revocation
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_disable-perms.html).
The broker narrows that deny to the request's sessions: `aws:SourceIdentity` (present in every call
of a session that set one, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourceidentity)
is the person and the session tag `request-id` is the request, so other people's sessions of the
shared role keep working. The policy is put through the target account's IAM API, by a role there
the broker may assume, and removed once every session it denies has expired.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from .issuance import REQUEST_ID_TAG, BrokerPrincipal, refused, session_name

POLICY_PREFIX = "iamtwin-broker-revoke-"


def policy_name(request_id: str) -> str:
    """The inline policy's name on the role: one per revoked request."""
    return POLICY_PREFIX + request_id


def revocation_cutoff(now: datetime) -> datetime:
    """The instant before which the request's sessions are denied.

    `aws:TokenIssueTime` has whole seconds, so a session issued in the current second would compare
    equal to a cutoff of now; the cutoff is the next whole second plus one. A revoked request can
    start no new session, so the later cutoff denies nothing that should work.
    """
    return now.replace(microsecond=0) + timedelta(seconds=2)


def deny_document(person: str, request_id: str, cutoff: datetime) -> dict[str, Any]:
    """Deny everything to the person's sessions of this request issued before the cutoff."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "RevokeElevatedSessions",
                "Effect": "Deny",
                "Action": "*",
                "Resource": "*",
                "Condition": {
                    "DateLessThan": {"aws:TokenIssueTime": cutoff.strftime("%Y-%m-%dT%H:%M:%SZ")},
                    "StringEquals": {
                        "aws:SourceIdentity": person,
                        f"aws:PrincipalTag/{REQUEST_ID_TAG}": request_id,
                    },
                },
            }
        ],
    }


def _role_name(role_arn: str) -> str:
    return role_arn.rsplit("/", 1)[-1]


def target_iam(principal: BrokerPrincipal, account_id: str, manager_role: str | None, request_id: str) -> Any:
    """An IAM client of the target account: as `manager_role` there (assumed by the broker), or as the broker."""
    if manager_role is None:
        return principal.client("iam")
    try:
        answer = principal.client("sts").assume_role(
            RoleArn=f"arn:aws:iam::{account_id}:role/{manager_role}",
            RoleSessionName=session_name("iamtwin-broker", request_id),
            DurationSeconds=900,
        )
    except (ClientError, BotoCoreError) as exc:
        raise refused("sts", exc) from exc
    return principal.client("iam", answer["Credentials"])


def put_deny(iam: Any, role_arn: str, person: str, request_id: str, cutoff: datetime) -> None:
    """Attach the deny policy to the role (PutRolePolicy replaces one of the same name)."""
    try:
        iam.put_role_policy(
            RoleName=_role_name(role_arn),
            PolicyName=policy_name(request_id),
            PolicyDocument=json.dumps(deny_document(person, request_id, cutoff)),
        )
    except (ClientError, BotoCoreError) as exc:
        raise refused("iam", exc) from exc


def remove_deny(iam: Any, role_arn: str, request_id: str) -> None:
    """Remove the deny policy from the role; already gone is fine."""
    try:
        iam.delete_role_policy(RoleName=_role_name(role_arn), PolicyName=policy_name(request_id))
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "NoSuchEntity":
            raise refused("iam", exc) from exc
    except BotoCoreError as exc:
        raise refused("iam", exc) from exc

"""Sessions from STS, obtained with boto3 under the broker's own principal.

The endpoint is `iamtwin serve` by default and real AWS when configured. Each session is an
AssumeRole of the target role with `RoleSessionName` naming the person and the request,
`SourceIdentity` = the person (it then travels with every call of the session and shows in the
audit trail), the session tag `request-id`, and `DurationSeconds` computed by the broker
(https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .defaults import DEFAULT_ENDPOINT
from .errors import BrokerError, BrokerErrorCode

if TYPE_CHECKING:
    from botocore.exceptions import BotoCoreError, ClientError

REQUEST_ID_TAG = "request-id"
# A role session started from another role session ("role chaining") lasts at most one hour
# (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining).
CHAINED_MAXIMUM_SECONDS = 3600
_NAME = re.compile(r"^[\w+=,.@-]{2,64}$")  # RoleSessionName and SourceIdentity


@dataclass(frozen=True, slots=True)
class BrokerPrincipal:
    """Where STS and IAM are, and the broker's own credentials there (a session token when they are a role's)."""

    access_key_id: str
    secret_access_key: str
    session_token: str | None = None
    endpoint_url: str | None = DEFAULT_ENDPOINT
    region: str = "us-east-1"

    def client(self, service: str, credentials: Mapping[str, str] | None = None) -> Any:
        """A boto3 client of `service` signed with the broker's credentials (or the given ones)."""
        # Imported here: boto3 and botocore take about a tenth of a second to import, which the
        # command line's start-up (and every broker command that calls no AWS API) should not pay.
        import boto3  # type: ignore[import-untyped]  # boto3 ships no type information
        from botocore.config import Config

        keys = credentials or {
            "AccessKeyId": self.access_key_id,
            "SecretAccessKey": self.secret_access_key,
            **({"SessionToken": self.session_token} if self.session_token else {}),
        }
        return boto3.client(
            service,
            endpoint_url=self.endpoint_url,
            region_name=self.region,
            aws_access_key_id=keys["AccessKeyId"],
            aws_secret_access_key=keys["SecretAccessKey"],
            aws_session_token=keys.get("SessionToken"),
            config=Config(retries={"max_attempts": 2}),
        )

    @property
    def chained(self) -> bool:
        """Whether the broker's own credentials are a role session, so its AssumeRole calls are role chaining."""
        return self.session_token is not None


@dataclass(frozen=True, slots=True)
class SessionCredentials:
    """Temporary credentials as STS returned them."""

    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration: datetime
    assumed_role_arn: str
    session_name: str
    source_identity: str


def session_name(person: str, request_id: str) -> str:
    """`<person>+<request id>`: who and which request, within RoleSessionName's 64 characters and alphabet."""
    suffix = "+" + request_id
    who = re.sub(r"[^\w=,.@-]", "-", person)[: 64 - len(suffix)]
    return who + suffix


def check_source_identity(person: str) -> str:
    """The person as SourceIdentity, which must be 2 to 64 characters of STS's alphabet and is never altered."""
    if not _NAME.match(person) or person.lower().startswith("aws:"):
        raise BrokerError(
            BrokerErrorCode.INVALID_SOURCE_IDENTITY,
            f"`{person}` cannot be a source identity (2-64 of letters, digits, +=,.@_-)",
        )
    return person


def refused(service: str, exc: ClientError | BotoCoreError) -> BrokerError:
    """A BrokerError carrying the AWS error code and message of a failed call."""
    from botocore.exceptions import ClientError

    code = BrokerErrorCode.STS_REFUSED if service == "sts" else BrokerErrorCode.IAM_REFUSED
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return BrokerError(code, f"{service} refused: {error.get('Code')}: {error.get('Message')}")
    return BrokerError(code, f"{service} could not be reached: {exc}")


def assume_target_role(
    principal: BrokerPrincipal,
    role_arn: str,
    *,
    person: str,
    request_id: str,
    seconds: int,
    session_policy: Mapping[str, Any] | None = None,
) -> SessionCredentials:
    """AssumeRole of the target role for a person's request, for exactly `seconds`."""
    from botocore.exceptions import BotoCoreError, ClientError

    name = session_name(person, request_id)
    params: dict[str, Any] = {
        "RoleArn": role_arn,
        "RoleSessionName": name,
        "DurationSeconds": seconds,
        "SourceIdentity": check_source_identity(person),
        "Tags": [{"Key": REQUEST_ID_TAG, "Value": request_id}],
    }
    if session_policy is not None:
        params["Policy"] = json.dumps(session_policy, separators=(",", ":"))
    try:
        answer = principal.client("sts").assume_role(**params)
    except (ClientError, BotoCoreError) as exc:
        raise refused("sts", exc) from exc
    creds = answer["Credentials"]
    expiration = creds["Expiration"]
    return SessionCredentials(
        creds["AccessKeyId"],
        creds["SecretAccessKey"],
        creds["SessionToken"],
        expiration.astimezone(UTC) if expiration.tzinfo else expiration.replace(tzinfo=UTC),
        answer["AssumedRoleUser"]["Arn"],
        name,
        person,
    )

"""What of a request and its answer goes into the trail: CloudTrail's names, never a secret.

CloudTrail names parameters in lower camel case (`roleArn`, `roleSessionName`) and leaves secrets
out: an access key's secret is not in CreateAccessKey's or AssumeRole's responseElements, and
values it must not show read `HIDDEN_DUE_TO_SECURITY_REASONS`
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html). iamtwin also hides
session tokens, passwords, private keys, MFA codes and federation tokens and assertions, which
together with a trail reader's access would let anyone act as the caller.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS"

# Left out entirely, as CloudTrail leaves out the secret of an access key.
_OMITTED = frozenset({"secretaccesskey"})
# Kept as a marker that a value was given, its value hidden.
_HIDDEN = frozenset(
    {
        "sessiontoken",
        "password",
        "oldpassword",
        "newpassword",
        "privatekey",
        "webidentitytoken",
        "samlassertion",
        "tokencode",
        "authenticationcode1",
        "authenticationcode2",
        "base32stringseed",
        "qrcodepng",
        "sshpublickeybody",
        "certificatebody",
        "certificatechain",
        "servicepassword",
    }
)


def lower_camel(name: str) -> str:
    """`RoleSessionName` -> `roleSessionName`, as CloudTrail names request parameters."""
    return name[:1].lower() + name[1:]


def redacted(value: Any) -> Any:
    """JSON-ready data in CloudTrail's naming with secrets removed or hidden."""
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            folded = str(key).lower()
            if folded in _OMITTED:
                continue
            out[lower_camel(str(key))] = HIDDEN if folded in _HIDDEN else redacted(item)
        return out
    if isinstance(value, list | tuple):
        return [redacted(item) for item in value]
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, bytes):
        return HIDDEN  # blobs (MFA seeds, certificates) are never written to the trail
    return value

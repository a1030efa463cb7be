"""Issued credentials in the forms AWS tools read.

- environment variables (https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-envvars.html);
- a profile of the shared credentials file (https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-files.html);
- `credential_process` output, version 1
  (https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-sourcing-external.html).
"""

from __future__ import annotations

import json
import re
import shlex
from enum import StrEnum

from .issuance import SessionCredentials


class CredentialFormat(StrEnum):
    """How to print credentials."""

    ENV = "env"
    PROFILE = "profile"
    PROCESS = "process"


def _expiration(creds: SessionCredentials) -> str:
    return creds.expiration.strftime("%Y-%m-%dT%H:%M:%SZ")


def env_lines(creds: SessionCredentials) -> str:
    """`export` lines for a POSIX shell."""
    values = {
        "AWS_ACCESS_KEY_ID": creds.access_key_id,
        "AWS_SECRET_ACCESS_KEY": creds.secret_access_key,
        "AWS_SESSION_TOKEN": creds.session_token,
    }
    return "".join(f"export {name}={shlex.quote(value)}\n" for name, value in values.items())


def profile_block(creds: SessionCredentials, profile: str) -> str:
    """A `[profile]` section for ~/.aws/credentials."""
    if not re.match(r"^[\w.@+-]+$", profile):
        raise ValueError(f"`{profile}` is not a usable profile name")
    return (
        f"[{profile}]\n"
        f"aws_access_key_id = {creds.access_key_id}\n"
        f"aws_secret_access_key = {creds.secret_access_key}\n"
        f"aws_session_token = {creds.session_token}\n"
    )


def process_json(creds: SessionCredentials) -> str:
    """The JSON a `credential_process` command prints."""
    return json.dumps(
        {
            "Version": 1,
            "AccessKeyId": creds.access_key_id,
            "SecretAccessKey": creds.secret_access_key,
            "SessionToken": creds.session_token,
            "Expiration": _expiration(creds),
        }
    )


def render(creds: SessionCredentials, fmt: CredentialFormat, profile: str = "elevated") -> str:
    """The credentials in the chosen format."""
    if fmt is CredentialFormat.ENV:
        return env_lines(creds)
    if fmt is CredentialFormat.PROFILE:
        return profile_block(creds, profile)
    return process_json(creds) + "\n"

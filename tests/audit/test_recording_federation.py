"""Recorded identities of federation and session tokens: AssumeRoleWithWebIdentity, its session, GetSessionToken.

https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
("Values for AWS STS APIs with SAML and web identity federation": `WebIdentityUser` with
`principalId` `provider:application:user`, `userName` the user, `identityProvider` the provider).
"""

from __future__ import annotations

import json
from typing import Any

import boto3
from botocore import UNSIGNED
from botocore.config import Config
from tests.sts.federation_fixtures import epoch, make_identity, running_issuer, sign_token

from iamtwin.clock import SystemClock

from .conftest import AuditedServer

ACCOUNT = "123456789012"
SUBJECT = "repo:org/app:ref:refs/heads/main"


def _named(events: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [e for e in events if e["eventName"] == name]


def test_web_identity_sign_in_and_its_session(audited: AuditedServer) -> None:
    """The unsigned call is the token's WebIdentityUser; the session's calls name the provider and the role."""
    signer = make_identity()
    with running_issuer({"keys": [signer.public_jwk("k1")]}) as issuer:
        with audited.world.changes() as iam:
            provider = iam.create_oidc_provider(ACCOUNT, f"https://{issuer.host}", ["sts.amazonaws.com"])
            trust = {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"Federated": provider}, "Action": "sts:AssumeRoleWithWebIdentity"}
                ],
            }
            iam.create_role(ACCOUNT, "ci", json.dumps(trust))
        sts = boto3.client(
            "sts",
            endpoint_url=audited.url,
            region_name="us-east-1",
            config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}),
        )
        now = SystemClock().now()
        claims = {"iss": issuer.issuer, "aud": "sts.amazonaws.com", "sub": SUBJECT, "exp": epoch(now) + 600}
        token = sign_token(signer, claims)
        answer = sts.assume_role_with_web_identity(
            RoleArn=f"arn:aws:iam::{ACCOUNT}:role/ci", RoleSessionName="build-17", WebIdentityToken=token
        )
    credentials = answer["Credentials"]
    audited.client(
        "sts", key=credentials["AccessKeyId"], secret=credentials["SecretAccessKey"], token=credentials["SessionToken"]
    ).get_caller_identity()
    events = audited.events()
    (sign_in,) = _named(events, "AssumeRoleWithWebIdentity")
    assert sign_in["userIdentity"] == {
        "type": "WebIdentityUser",
        "principalId": f"{issuer.host}:sts.amazonaws.com:{SUBJECT}",
        "userName": SUBJECT,
        "identityProvider": issuer.host,
    }
    assert sign_in["recipientAccountId"] == ACCOUNT
    assert sign_in["requestParameters"]["webIdentityToken"] == "HIDDEN_DUE_TO_SECURITY_REASONS"
    assert sign_in["responseElements"]["assumedRoleUser"]["arn"] == answer["AssumedRoleUser"]["Arn"]
    assert sign_in["responseElements"]["credentials"]["sessionToken"] == "HIDDEN_DUE_TO_SECURITY_REASONS"
    text = json.dumps(events)
    assert token not in text and credentials["SecretAccessKey"] not in text
    (call,) = _named(events, "GetCallerIdentity")
    context = call["userIdentity"]["sessionContext"]
    assert call["userIdentity"]["type"] == "AssumedRole"
    assert context["sessionIssuer"]["arn"] == f"arn:aws:iam::{ACCOUNT}:role/ci"
    assert context["webIdFederationData"] == {"federatedProvider": provider, "attributes": {}}


def test_session_token_credentials_stay_the_user(audited: AuditedServer) -> None:
    """GetSessionToken's credentials act as the IAMUser, with a sessionContext of their attributes."""
    credentials = audited.client("sts").get_session_token()["Credentials"]
    audited.client(
        "iam", key=credentials["AccessKeyId"], secret=credentials["SecretAccessKey"], token=credentials["SessionToken"]
    ).list_roles()
    (event,) = _named(audited.events(), "ListRoles")
    identity = event["userIdentity"]
    assert identity["type"] == "IAMUser"
    assert identity["arn"] == f"arn:aws:iam::{ACCOUNT}:user/iamtwin-admin"
    assert identity["userName"] == "iamtwin-admin" and identity["principalId"].startswith("AIDA")
    assert identity["accessKeyId"] == credentials["AccessKeyId"]
    assert identity["sessionContext"]["attributes"]["mfaAuthenticated"] == "false"
    assert "sessionIssuer" not in identity["sessionContext"]

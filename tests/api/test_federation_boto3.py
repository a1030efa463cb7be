"""boto3's unsigned AssumeRoleWithWebIdentity against iamtwin: a CI job's OIDC token becomes a role session.

https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html (the call is
not signed); https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html.
"""

from __future__ import annotations

import json

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError
from tests.sts.federation_fixtures import epoch, make_identity, running_issuer, sign_token

from iamtwin.clock import SystemClock

from .conftest import RunningServer

ACCOUNT = "123456789012"


def test_web_identity_token_for_a_role_over_the_wire(server: RunningServer) -> None:
    """A token of the registered provider gives credentials; a wrong subject is AccessDenied."""
    signer = make_identity()
    with running_issuer({"keys": [signer.public_jwk("k1")]}) as issuer:
        with server.world.changes() as iam:
            provider = iam.create_oidc_provider(ACCOUNT, f"https://{issuer.host}", ["sts.amazonaws.com"])
            iam.create_role(
                ACCOUNT,
                "ci",
                json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Federated": provider},
                                "Action": "sts:AssumeRoleWithWebIdentity",
                                "Condition": {
                                    "StringEquals": {f"{issuer.host}:sub": "repo:org/app:ref:refs/heads/main"}
                                },
                            }
                        ],
                    }
                ),
            )
        sts = boto3.client(
            "sts",
            endpoint_url=server.url,
            region_name="us-east-1",
            config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}),
        )
        now = SystemClock().now()
        claims = {
            "iss": issuer.issuer,
            "aud": "sts.amazonaws.com",
            "sub": "repo:org/app:ref:refs/heads/main",
            "exp": epoch(now) + 600,
            "iat": epoch(now),
        }
        answer = sts.assume_role_with_web_identity(
            RoleArn=f"arn:aws:iam::{ACCOUNT}:role/ci",
            RoleSessionName="build-17",
            WebIdentityToken=sign_token(signer, claims),
        )
        assert answer["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/ci/build-17"
        assert answer["SubjectFromWebIdentityToken"] == claims["sub"]
        credentials = answer["Credentials"]
        me = server.client(
            "sts",
            key=credentials["AccessKeyId"],
            secret=credentials["SecretAccessKey"],
            token=credentials["SessionToken"],
        ).get_caller_identity()
        assert me["Arn"] == answer["AssumedRoleUser"]["Arn"]
        with pytest.raises(ClientError) as caught:
            sts.assume_role_with_web_identity(
                RoleArn=f"arn:aws:iam::{ACCOUNT}:role/ci",
                RoleSessionName="pr-3",
                WebIdentityToken=sign_token(signer, dict(claims, sub="repo:org/app:pr")),
            )
        assert caught.value.response["Error"]["Code"] == "AccessDenied"

"""Scenario 05's estate as a world file: the broker's account and role, the target account and its roles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import iamtwin
from iamtwin.broker.issuance import BrokerPrincipal
from iamtwin.world.stored import World
from iamtwin.world.worldfile import load_world

BROKER_ROLE = "arn:aws:iam::999999999999:role/ElevatedAccessBroker"
TARGET = "arn:aws:iam::111122223333:role/TempAccessRoleS3Admin"
EXAMPLE_RULES = Path(iamtwin.__file__).parent / "broker" / "examples" / "scenario05-rules.yaml"


def _trusts_broker(*actions: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": BROKER_ROLE}, "Action": list(actions)}],
    }


ESTATE: dict[str, Any] = {
    "organization": {
        "id": "o-exampleorg1",
        "management_account": "999999999999",
        "root": {
            "id": "r-abcd",
            "accounts": ["999999999999"],
            "ous": [{"name": "Prod", "id": "ou-abcd-11111111", "accounts": ["111122223333"]}],
        },
    },
    "accounts": [
        {
            "id": "999999999999",
            "name": "broker",
            "users": [
                {
                    "name": "broker-host",
                    "inline_policies": {
                        "become-broker": {
                            "Version": "2012-10-17",
                            "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": BROKER_ROLE}],
                        }
                    },
                }
            ],
            "roles": [
                {
                    "name": "ElevatedAccessBroker",
                    "trust_policy": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"AWS": "arn:aws:iam::999999999999:user/broker-host"},
                                "Action": "sts:AssumeRole",
                            }
                        ],
                    },
                    "inline_policies": {
                        "assume-targets": {
                            "Version": "2012-10-17",
                            "Statement": [
                                {
                                    "Effect": "Allow",
                                    "Action": ["sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"],
                                    "Resource": [
                                        "arn:aws:iam::*:role/TempAccessRole*",
                                        "arn:aws:iam::*:role/ElevatedAccessBrokerIam",
                                    ],
                                }
                            ],
                        }
                    },
                }
            ],
        },
        {
            "id": "111122223333",
            "name": "production",
            "roles": [
                {
                    "name": "TempAccessRoleS3Admin",
                    "max_session_duration": 14400,
                    "trust_policy": _trusts_broker("sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"),
                    "inline_policies": {
                        "s3-admin": {
                            "Version": "2012-10-17",
                            "Statement": [
                                {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                                {"Effect": "Allow", "Action": "iam:GetRole", "Resource": TARGET},
                            ],
                        }
                    },
                },
                {
                    "name": "ElevatedAccessBrokerIam",
                    "trust_policy": _trusts_broker("sts:AssumeRole"),
                    "inline_policies": {
                        "manage-revocations": {
                            "Version": "2012-10-17",
                            "Statement": [
                                {
                                    "Effect": "Allow",
                                    "Action": ["iam:PutRolePolicy", "iam:DeleteRolePolicy"],
                                    "Resource": "arn:aws:iam::111122223333:role/TempAccessRole*",
                                }
                            ],
                        }
                    },
                },
            ],
        },
    ],
}


def build_estate(world: World) -> tuple[str, str]:
    """Import the estate; the broker host's access key (id, secret)."""
    world.import_model(load_world(ESTATE).world)
    with world.changes() as iam:
        return iam.create_access_key("999999999999", "broker-host", created_at=world.clock.now())


def broker_principal(url: str, key: str, secret: str) -> BrokerPrincipal:
    """The broker's own credentials: a session of its role ElevatedAccessBroker, obtained by the broker host."""
    host = BrokerPrincipal(key, secret, endpoint_url=url)
    creds = host.client("sts").assume_role(RoleArn=BROKER_ROLE, RoleSessionName="broker", DurationSeconds=3600)[
        "Credentials"
    ]
    return BrokerPrincipal(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"], endpoint_url=url)

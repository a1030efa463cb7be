"""IAM's OIDC and SAML identity-provider operations through boto3 against `iamtwin serve`.

https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html (the ARN
names the URL without its scheme), API_GetOpenIDConnectProvider.html (the URL comes back without
`https://`), API_DeleteOpenIDConnectProvider.html ("This operation is idempotent; it does not fail
or return an error if you call the operation for a provider that does not exist"),
API_AddClientIDToOpenIDConnectProvider.html and API_RemoveClientIDFromOpenIDConnectProvider.html
(both idempotent), API_UpdateOpenIDConnectProviderThumbprint.html (the list replaces the old one),
API_CreateSAMLProvider.html, API_GetSAMLProvider.html, API_UpdateSAMLProvider.html,
API_DeleteSAMLProvider.html, and the tagging operations of both (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags_oidc.html).
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from .conftest import RunningServer
from .test_iam_authorization import SAML_METADATA

ACCOUNT = "123456789012"
THUMBPRINT = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"


def _error(call: Any, **kwargs: Any) -> dict[str, str]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return dict(caught.value.response["Error"])


def test_oidc_provider_lifecycle(server: RunningServer) -> None:
    """Create (with tags), Get, List, tag operations, Delete (idempotent), and the errors IAM answers."""
    iam = server.client("iam")
    made = iam.create_open_id_connect_provider(
        Url="https://token.example.com/",
        ClientIDList=["sts.amazonaws.com"],
        ThumbprintList=[THUMBPRINT],
        Tags=[{"Key": "team", "Value": "ci"}],
    )
    arn = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.example.com"
    assert made["OpenIDConnectProviderArn"] == arn and made["Tags"] == [{"Key": "team", "Value": "ci"}]
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert got["Url"] == "token.example.com" and got["ClientIDList"] == ["sts.amazonaws.com"]
    assert got["ThumbprintList"] == [THUMBPRINT] and got["Tags"] == [{"Key": "team", "Value": "ci"}]
    assert _error(iam.create_open_id_connect_provider, Url="https://token.example.com")["Code"] == (
        "EntityAlreadyExists"
    )
    assert _error(iam.create_open_id_connect_provider, Url="http://plain.example.com")["Code"] == "InvalidInput"
    iam.create_open_id_connect_provider(Url="https://other.example.com")
    listed = iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
    assert [p["Arn"] for p in listed] == [f"arn:aws:iam::{ACCOUNT}:oidc-provider/other.example.com", arn]

    iam.tag_open_id_connect_provider(OpenIDConnectProviderArn=arn, Tags=[{"Key": "tier", "Value": "1"}])
    iam.untag_open_id_connect_provider(OpenIDConnectProviderArn=arn, TagKeys=["team"])
    assert iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=arn)["Tags"] == [
        {"Key": "tier", "Value": "1"}
    ]

    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="web")
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="web")  # idempotent
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="sts.amazonaws.com")
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="gone")  # idempotent
    assert iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["ClientIDList"] == ["web"]
    other = "0" * 40
    iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=arn, ThumbprintList=[other, THUMBPRINT])
    assert iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["ThumbprintList"] == [other, THUMBPRINT]
    bad = _error(
        iam.update_open_id_connect_provider_thumbprint, OpenIDConnectProviderArn=arn, ThumbprintList=["z" * 40]
    )
    assert bad["Code"] == "InvalidInput"
    too_many = _error(
        iam.update_open_id_connect_provider_thumbprint, OpenIDConnectProviderArn=arn, ThumbprintList=[other] * 6
    )
    assert too_many["Code"] == "LimitExceeded"

    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    missing = _error(iam.get_open_id_connect_provider, OpenIDConnectProviderArn=arn)
    assert missing == {
        "Code": "NoSuchEntity",
        "Message": f"OpenIDConnect Provider not found for arn {arn}",
        "Type": "Sender",
    }
    assert _error(iam.list_open_id_connect_provider_tags, OpenIDConnectProviderArn=arn)["Code"] == "NoSuchEntity"
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)  # idempotent
    assert len(iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]) == 1


def test_saml_provider_lifecycle(server: RunningServer) -> None:
    """Create (with tags), Get, List, tag operations, Delete; a missing provider is NoSuchEntity."""
    iam = server.client("iam")
    made = iam.create_saml_provider(Name="corp", SAMLMetadataDocument=SAML_METADATA, Tags=[{"Key": "a", "Value": "b"}])
    arn = f"arn:aws:iam::{ACCOUNT}:saml-provider/corp"
    assert made["SAMLProviderArn"] == arn and made["Tags"] == [{"Key": "a", "Value": "b"}]
    got = iam.get_saml_provider(SAMLProviderArn=arn)
    assert got["SAMLMetadataDocument"] == SAML_METADATA and got["Tags"] == [{"Key": "a", "Value": "b"}]
    assert [p["Arn"] for p in iam.list_saml_providers()["SAMLProviderList"]] == [arn]
    assert _error(iam.create_saml_provider, Name="corp", SAMLMetadataDocument=SAML_METADATA)["Code"] == (
        "EntityAlreadyExists"
    )
    refused = _error(
        iam.create_saml_provider, Name="enc", SAMLMetadataDocument=SAML_METADATA, AssertionEncryptionMode="Required"
    )
    assert refused["Code"] == "ValidationError" and "private keys" in refused["Message"]

    iam.tag_saml_provider(SAMLProviderArn=arn, Tags=[{"Key": "c", "Value": "d"}])
    iam.untag_saml_provider(SAMLProviderArn=arn, TagKeys=["a"])
    assert iam.list_saml_provider_tags(SAMLProviderArn=arn)["Tags"] == [{"Key": "c", "Value": "d"}]

    updated = SAML_METADATA.replace("idp.example.com/sso", "idp.example.com/sso2")
    assert iam.update_saml_provider(SAMLProviderArn=arn, SAMLMetadataDocument=updated)["SAMLProviderArn"] == arn
    assert iam.get_saml_provider(SAMLProviderArn=arn)["SAMLMetadataDocument"] == updated
    refused = _error(iam.update_saml_provider, SAMLProviderArn=arn, AssertionEncryptionMode="Required")
    assert refused["Code"] == "ValidationError"

    iam.delete_saml_provider(SAMLProviderArn=arn)
    assert iam.list_saml_providers()["SAMLProviderList"] == []
    assert _error(iam.get_saml_provider, SAMLProviderArn=arn)["Code"] == "NoSuchEntity"
    assert _error(iam.delete_saml_provider, SAMLProviderArn=arn)["Code"] == "NoSuchEntity"

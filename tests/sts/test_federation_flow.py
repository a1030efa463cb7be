"""AssumeRoleWithWebIdentity and AssumeRoleWithSAML end to end over a stored world.

AWS pages: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html (trust
policies on `<provider>:aud` / `:sub`), https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_saml.html
(the Role attribute pairs the role with the SAML provider; `SAML:aud` is the sign-in endpoint).
"""

from __future__ import annotations

import pytest

from iamtwin.clock import FixedClock
from iamtwin.sts.denied import StsAccessDenied
from iamtwin.sts.errors import StsError
from iamtwin.sts.federation import assume_role_with_saml, assume_role_with_web_identity, register_saml_provider
from iamtwin.sts.oidc_discovery import HttpJwksSource
from iamtwin.sts.service import Sts
from iamtwin.world.stored import World

from .federation_fixtures import (
    ACCOUNT,
    NOW,
    PROVIDER_ARN,
    ROLE_ARN,
    AssertionSpec,
    b64,
    epoch,
    idp_metadata,
    make_identity,
    running_issuer,
    saml_response,
    sign_token,
)


@pytest.fixture
def federated(world: World) -> World:
    """An account with the role `Federated`, its clock at the fixtures' instant."""
    world.clock = FixedClock(NOW)
    with world.changes() as iam:
        iam.create_account(ACCOUNT)
    return world


def _trust(world: World, statement: dict[str, object]) -> None:
    with world.changes() as iam:
        iam.create_role(ACCOUNT, "Federated", {"Version": "2012-10-17", "Statement": [statement]})
        iam.put_inline_policy(
            "role",
            ACCOUNT,
            "Federated",
            "read",
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]},
        )


def test_web_identity_token_becomes_a_role_session(federated: World) -> None:
    """A token of the registered provider, with the audience and subject the trust policy asks for."""
    signer = make_identity()
    with running_issuer({"keys": [signer.public_jwk("k1")]}) as issuer:
        with federated.changes() as iam:
            provider = iam.create_oidc_provider(ACCOUNT, f"https://{issuer.host}", ["my-app"])
        _trust(
            federated,
            {
                "Effect": "Allow",
                "Principal": {"Federated": provider},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {f"{issuer.host}:aud": "my-app", f"{issuer.host}:sub": "repo:org/app"}},
            },
        )
        claims = {
            "iss": issuer.issuer,
            "aud": "my-app",
            "sub": "repo:org/app",
            "exp": epoch(NOW) + 600,
            "iat": epoch(NOW),
        }
        jwks = HttpJwksSource()
        session = assume_role_with_web_identity(federated, ROLE_ARN, "ci-run", sign_token(signer, claims), jwks)
        assert session.arn == f"arn:aws:sts::{ACCOUNT}:assumed-role/Federated/ci-run"
        assert session.subject == "repo:org/app"
        key = session.credentials.access_key_id
        assert federated.authorize(key, "s3:GetObject", "arn:aws:s3:::b/k").allowed
        assert Sts(federated).get_caller_identity(key).arn == session.arn
        other = dict(claims, sub="repo:evil/app")
        with pytest.raises(StsAccessDenied) as caught:
            assume_role_with_web_identity(federated, ROLE_ARN, "ci-run", sign_token(signer, other), jwks)
        failed = [e.key for e in caught.value.decision.explanations if not e.result]
        assert failed == [f"{issuer.host}:sub"]


def test_token_of_an_unregistered_issuer_is_refused(federated: World) -> None:
    """No OIDC provider for the token's issuer in the role's account: InvalidIdentityToken."""
    signer = make_identity()
    _trust(
        federated,
        {
            "Effect": "Allow",
            "Principal": {"Federated": "accounts.google.com"},
            "Action": "sts:AssumeRoleWithWebIdentity",
        },
    )
    token = sign_token(signer, {"iss": "https://idp.example.net", "aud": "a", "sub": "s", "exp": epoch(NOW) + 60})
    with pytest.raises(StsError) as caught:
        assume_role_with_web_identity(federated, ROLE_ARN, "s1", token, HttpJwksSource())
    assert (caught.value.code, caught.value.reason) == ("InvalidIdentityToken", "NO_SUCH_PROVIDER")


def test_signed_saml_assertion_becomes_a_role_session_with_its_tags(federated: World) -> None:
    """The assertion's Role attribute names the role and provider; PrincipalTag attributes become session tags."""
    signer = make_identity()
    register_saml_provider(
        federated, ACCOUNT, "ExampleIdP", idp_metadata("https://idp.example.com/saml", [signer.cert_base64])
    )
    _trust(
        federated,
        {
            "Effect": "Allow",
            "Principal": {"Federated": PROVIDER_ARN},
            "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
            "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
        },
    )
    spec = AssertionSpec()
    spec.attributes["https://aws.amazon.com/SAML/Attributes/PrincipalTag:Department"] = ["Finance"]
    session = assume_role_with_saml(federated, ROLE_ARN, PROVIDER_ARN, b64(saml_response(spec, signer)))
    assert session.arn == f"arn:aws:sts::{ACCOUNT}:assumed-role/Federated/alice@example.com"
    assembly = federated.assemble(session.credentials.access_key_id, "s3:GetObject", "arn:aws:s3:::b/k")
    assert assembly.principal_tags == {"Department": "Finance"}
    assert assembly.context["aws:FederatedProvider"] == PROVIDER_ARN


def test_saml_assertion_for_another_role_is_refused(federated: World) -> None:
    """A role the assertion's Role attribute does not name cannot be assumed with it."""
    signer = make_identity()
    register_saml_provider(
        federated, ACCOUNT, "ExampleIdP", idp_metadata("https://idp.example.com/saml", [signer.cert_base64])
    )
    _trust(federated, {"Effect": "Allow", "Principal": {"Federated": PROVIDER_ARN}, "Action": "sts:AssumeRoleWithSAML"})
    spec = AssertionSpec()
    spec.attributes["https://aws.amazon.com/SAML/Attributes/Role"] = [
        f"arn:aws:iam::{ACCOUNT}:role/Other,{PROVIDER_ARN}"
    ]
    with pytest.raises(StsError) as caught:
        assume_role_with_saml(federated, ROLE_ARN, PROVIDER_ARN, b64(saml_response(spec, signer)))
    assert (caught.value.code, caught.value.reason) == ("AccessDenied", "ROLE_NOT_IN_ASSERTION")


def _web_identity_trust(federated: World, provider: str, actions: list[str]) -> None:
    _trust(federated, {"Effect": "Allow", "Principal": {"Federated": provider}, "Action": actions})


@pytest.mark.parametrize(
    ("actions", "refusal"),
    [
        (["sts:AssumeRoleWithWebIdentity", "sts:TagSession", "sts:SetSourceIdentity"], None),
        (["sts:AssumeRoleWithWebIdentity", "sts:SetSourceIdentity"], "TAG_SESSION_DENIED"),
        (["sts:AssumeRoleWithWebIdentity", "sts:TagSession"], "SET_SOURCE_IDENTITY_DENIED"),
    ],
)
def test_a_token_carries_session_tags_and_a_source_identity_the_trust_policy_must_allow(
    federated: World, actions: list[str], refusal: str | None
) -> None:
    """Tags come from the `https://aws.amazon.com/tags` claim (sts:TagSession), the source identity from
    `https://aws.amazon.com/source_identity` (sts:SetSourceIdentity): both must be allowed by the trust policy.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_adding-assume-role-idp,
    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html
    """
    signer = make_identity()
    with running_issuer({"keys": [signer.public_jwk("k1")]}) as issuer:
        with federated.changes() as iam:
            provider = iam.create_oidc_provider(ACCOUNT, f"https://{issuer.host}", ["my-app"])
        _web_identity_trust(federated, provider, actions)
        claims = {
            "iss": issuer.issuer,
            "aud": "my-app",
            "sub": "sara",
            "exp": epoch(NOW) + 600,
            "https://aws.amazon.com/tags": {
                "principal_tags": {"Project": ["Automation"], "CostCenter": "987654"},
                "transitive_tag_keys": ["Project"],
            },
            "https://aws.amazon.com/source_identity": "sara",
        }
        token = sign_token(signer, claims)
        if refusal is not None:
            with pytest.raises(StsAccessDenied) as caught:
                assume_role_with_web_identity(federated, ROLE_ARN, "s1", token, HttpJwksSource())
            assert caught.value.reason == refusal
            return
        session = assume_role_with_web_identity(federated, ROLE_ARN, "s1", token, HttpJwksSource())
        assert session.source_identity == "sara"
        assembly = federated.assemble(session.credentials.access_key_id, "s3:GetObject", "arn:aws:s3:::b/k")
        assert assembly.principal_tags == {"Project": "Automation", "CostCenter": "987654"}
        assert assembly.context["aws:SourceIdentity"] == "sara"


@pytest.mark.parametrize(
    "claim",
    [
        {"https://aws.amazon.com/tags": ["Project"]},
        {"https://aws.amazon.com/tags": {"principal_tags": {"Project": ["a", "b"]}}},
        {"https://aws.amazon.com/tags": {"principal_tags": {}, "transitive_tag_keys": "Project"}},
        {"https://aws.amazon.com/source_identity": 42},
    ],
)
def test_a_malformed_session_claim_makes_the_token_invalid(federated: World, claim: dict[str, object]) -> None:
    """A session claim that is present but not of AWS's shape is refused, never silently dropped."""
    signer = make_identity()
    with running_issuer({"keys": [signer.public_jwk("k1")]}) as issuer:
        with federated.changes() as iam:
            provider = iam.create_oidc_provider(ACCOUNT, f"https://{issuer.host}", ["my-app"])
        _web_identity_trust(federated, provider, ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"])
        claims = {"iss": issuer.issuer, "aud": "my-app", "sub": "s", "exp": epoch(NOW) + 600, **claim}
        with pytest.raises(StsError) as caught:
            assume_role_with_web_identity(federated, ROLE_ARN, "s1", sign_token(signer, claims), HttpJwksSource())
        assert (caught.value.code, caught.value.reason) == ("InvalidIdentityToken", "MALFORMED_SESSION_CLAIM")


@pytest.mark.parametrize("allowed", [False, True])
def test_a_saml_source_identity_needs_set_source_identity_in_the_trust_policy(federated: World, allowed: bool) -> None:
    """The SourceIdentity attribute of an assertion is refused unless the trust policy allows sts:SetSourceIdentity.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html
    """
    signer = make_identity()
    register_saml_provider(
        federated, ACCOUNT, "ExampleIdP", idp_metadata("https://idp.example.com/saml", [signer.cert_base64])
    )
    spec = AssertionSpec()
    spec.attributes["https://aws.amazon.com/SAML/Attributes/SourceIdentity"] = ["alice"]
    actions = ["sts:AssumeRoleWithSAML", "sts:SetSourceIdentity"] if allowed else ["sts:AssumeRoleWithSAML"]
    _trust(federated, {"Effect": "Allow", "Principal": {"Federated": PROVIDER_ARN}, "Action": actions})
    if not allowed:
        with pytest.raises(StsAccessDenied) as caught:
            assume_role_with_saml(federated, ROLE_ARN, PROVIDER_ARN, b64(saml_response(spec, signer)))
        assert caught.value.reason == "SET_SOURCE_IDENTITY_DENIED"
        return
    session = assume_role_with_saml(federated, ROLE_ARN, PROVIDER_ARN, b64(saml_response(spec, signer)))
    assert session.source_identity == "alice"

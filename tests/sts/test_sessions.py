"""Sessions STS issues: expiry, revocation, chaining, transitive tags, source identity, MFA, decoding.

AWS pages: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_disable-perms.html
(revoking by aws:TokenIssueTime), https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles.html#iam-term-role-chaining
(1 hour limit), https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_role-chaining
(transitive tags), https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html
(source identity cannot change), https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html,
https://docs.aws.amazon.com/STS/latest/APIReference/API_DecodeAuthorizationMessage.html.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from iamtwin.clock import FixedClock
from iamtwin.sts.denied import StsAccessDenied
from iamtwin.sts.errors import StsError
from iamtwin.sts.mfa import enable_virtual_mfa
from iamtwin.sts.service import Sts, revoke_older_sessions
from iamtwin.sts.totp import totp_code
from iamtwin.world.errors import WorldFileError
from iamtwin.world.stored import World

ACCOUNT = "123456789012"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
FIRST = f"arn:aws:iam::{ACCOUNT}:role/first"
SECOND = f"arn:aws:iam::{ACCOUNT}:role/second"
SEED = "JBSWY3DPEHPK3PXP"


def _doc(*statements: dict[str, object]) -> dict[str, object]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


@pytest.fixture
def estate(world: World) -> World:
    """alice may assume `first` (with tags, source identity); `first` may assume `second`."""
    trust_alice = _doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": ALICE},
            "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
        }
    )
    trust_first = _doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": FIRST},
            "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
        }
    )
    with world.changes() as iam:
        iam.create_account(ACCOUNT)
        iam.create_user(ACCOUNT, "alice")
        iam.put_inline_policy(
            "user",
            ACCOUNT,
            "alice",
            "use",
            _doc({"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:DecodeAuthorizationMessage"], "Resource": "*"}),
        )
        iam.create_role(ACCOUNT, "first", trust_alice, max_session_duration=7200)
        iam.put_inline_policy(
            "role",
            ACCOUNT,
            "first",
            "work",
            _doc({"Effect": "Allow", "Action": ["s3:ListAllMyBuckets", "sts:AssumeRole"], "Resource": "*"}),
        )
        iam.create_role(ACCOUNT, "second", trust_first)
        iam.put_inline_policy(
            "role",
            ACCOUNT,
            "second",
            "work",
            _doc({"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}),
        )
    return world


def test_a_session_stops_working_when_it_expires(estate: World, clock: FixedClock) -> None:
    """Temporary credentials are refused after their expiration."""
    key = Sts(estate).assume_role(ALICE, FIRST, "s1", duration_seconds=900).credentials.access_key_id
    assert estate.authorize(key, "s3:ListAllMyBuckets").allowed
    clock.instant += timedelta(seconds=901)
    with pytest.raises(WorldFileError) as caught:
        estate.authorize(key, "s3:ListAllMyBuckets")
    assert caught.value.code == "EXPIRED_SESSION"


def test_revoking_older_sessions_denies_them_and_spares_new_ones(estate: World, clock: FixedClock) -> None:
    """The AWSRevokeOlderSessions inline policy denies sessions issued before the revocation time."""
    sts = Sts(estate)
    old = sts.assume_role(ALICE, FIRST, "old").credentials.access_key_id
    clock.instant += timedelta(minutes=5)
    revoke_older_sessions(estate, FIRST)
    clock.instant += timedelta(seconds=1)
    new = sts.assume_role(ALICE, FIRST, "new").credentials.access_key_id
    assert estate.authorize(old, "s3:ListAllMyBuckets").outcome.value == "ExplicitDeny"
    assert estate.authorize(new, "s3:ListAllMyBuckets").outcome.value == "Allowed"


def test_role_chaining_is_limited_to_one_hour(estate: World) -> None:
    """A role session assuming another role may ask for at most 3,600 seconds."""
    sts = Sts(estate)
    first = sts.assume_role(ALICE, FIRST, "s1", duration_seconds=7200).credentials.access_key_id
    with pytest.raises(StsError) as caught:
        sts.assume_role(first, SECOND, "s2", duration_seconds=3601)
    assert caught.value.code == "ValidationError"
    assert sts.assume_role(first, SECOND, "s2", duration_seconds=3600).credentials.access_key_id.startswith("ASIA")


def test_transitive_tags_pass_down_the_chain_and_cannot_be_replaced(estate: World) -> None:
    """Tags marked transitive reach the chained session; passing the same key again is refused."""
    sts = Sts(estate)
    first = sts.assume_role(
        ALICE, FIRST, "s1", tags={"Project": "blue", "Team": "a"}, transitive_tag_keys=("Project",)
    ).credentials.access_key_id
    second = sts.assume_role(first, SECOND, "s2").credentials.access_key_id
    assert estate.assemble(second, "s3:ListAllMyBuckets").principal_tags == {"Project": "blue"}
    with pytest.raises(StsError) as caught:
        sts.assume_role(first, SECOND, "s3", tags={"project": "red"})
    assert caught.value.code == "InvalidParameterValue"


def test_source_identity_is_kept_along_the_chain_and_cannot_change(estate: World) -> None:
    """The source identity set by the first AssumeRole is the chained session's too, and immutable."""
    sts = Sts(estate)
    first = sts.assume_role(ALICE, FIRST, "s1", source_identity="alice@example.com")
    second = sts.assume_role(first.credentials.access_key_id, SECOND, "s2")
    assert second.source_identity == "alice@example.com"
    context = estate.assemble(second.credentials.access_key_id, "s3:ListAllMyBuckets").context
    assert context["aws:SourceIdentity"] == "alice@example.com"
    with pytest.raises(StsError) as caught:
        sts.assume_role(first.credentials.access_key_id, SECOND, "s3", source_identity="mallory")
    assert (caught.value.code, caught.value.reason) == ("AccessDenied", "SOURCE_IDENTITY_IMMUTABLE")


def test_mfa_code_sets_multi_factor_keys(estate: World, clock: FixedClock) -> None:
    """A valid TOTP code makes aws:MultiFactorAuthPresent true; its age grows with the clock; a bad code fails."""
    enable_virtual_mfa(estate, ALICE, f"arn:aws:iam::{ACCOUNT}:mfa/alice", SEED)
    sts = Sts(estate)
    with pytest.raises(StsError) as caught:
        sts.assume_role(ALICE, FIRST, "bad", serial_number=f"arn:aws:iam::{ACCOUNT}:mfa/alice", token_code="000000")
    assert caught.value.reason == "MFA_FAILED"
    good = sts.assume_role(
        ALICE,
        FIRST,
        "mfa",
        serial_number=f"arn:aws:iam::{ACCOUNT}:mfa/alice",
        token_code=totp_code(SEED, clock.instant),
    )
    clock.instant += timedelta(seconds=120)
    context = estate.assemble(good.credentials.access_key_id, "s3:ListAllMyBuckets").context
    assert (context["aws:MultiFactorAuthPresent"], context["aws:MultiFactorAuthAge"]) == ("true", "120")


def test_get_session_token_acts_as_the_user(estate: World) -> None:
    """GetSessionToken credentials carry the user's permissions; a role session may not call it."""
    sts = Sts(estate)
    credentials = sts.get_session_token(ALICE, duration_seconds=900)
    identity = sts.get_caller_identity(credentials.access_key_id)
    assert identity.arn == ALICE and identity.user_id.startswith("AIDA")
    assert estate.authorize(credentials.access_key_id, "sts:AssumeRole", FIRST).allowed
    role_key = sts.assume_role(ALICE, FIRST, "s1").credentials.access_key_id
    with pytest.raises(StsError) as caught:
        sts.get_session_token(role_key)
    assert caught.value.code == "AccessDenied"


def test_decoded_authorization_message_is_the_full_decision(estate: World) -> None:
    """An encoded failure message decodes, for a caller allowed to decode, into the decision's reasons."""
    sts = Sts(estate)
    denied = estate.authorize(SECOND, "s3:DeleteBucket", "arn:aws:s3:::b")
    message = sts.encode_authorization_message(denied)
    decoded = sts.decode_authorization_message(ALICE, message)
    assert decoded["decision"] == "ImplicitDeny"
    with pytest.raises(StsAccessDenied):
        sts.decode_authorization_message(SECOND, message)
    with pytest.raises(StsError) as caught:
        sts.decode_authorization_message(ALICE, message[:-4] + "AAAA")
    assert caught.value.code == "InvalidAuthorizationMessageException"


def test_root_cannot_assume_a_role(estate: World) -> None:
    """AssumeRole refuses the account root user."""
    with pytest.raises(StsError) as caught:
        Sts(estate).assume_role(f"arn:aws:iam::{ACCOUNT}:root", FIRST, "root")
    assert (caught.value.code, caught.value.reason) == ("AccessDenied", "ROOT_CALLER")


def test_session_policies_limit_the_session_to_the_intersection(estate: World) -> None:
    """An inline session policy and a managed one: the session gets what both the role and they allow.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session
    """
    with estate.changes() as iam:
        iam.create_policy(
            ACCOUNT, "ListOnly", _doc({"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"})
        )
    sts = Sts(estate)
    inline = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}'
    only_assume = sts.assume_role(ALICE, FIRST, "inline", policy=inline).credentials.access_key_id
    assert estate.authorize(only_assume, "s3:ListAllMyBuckets").outcome.value == "ImplicitDeny"
    assert estate.authorize(only_assume, "sts:AssumeRole", SECOND).allowed
    managed = sts.assume_role(ALICE, FIRST, "managed", policy_arns=(f"arn:aws:iam::{ACCOUNT}:policy/ListOnly",))
    key = managed.credentials.access_key_id
    assert estate.authorize(key, "s3:ListAllMyBuckets").allowed
    assert estate.authorize(key, "sts:AssumeRole", SECOND).outcome.value == "ImplicitDeny"


@pytest.mark.parametrize(
    ("options", "code"),
    [
        (
            {"policy": '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*"}]}'},
            "MalformedPolicyDocument",
        ),
        ({"policy_arns": (f"arn:aws:iam::{ACCOUNT}:policy/Missing",)}, "InvalidParameterValue"),
        ({"policy_arns": tuple(f"arn:aws:iam::{ACCOUNT}:policy/P{n}" for n in range(11))}, "ValidationError"),
        ({"tags": {f"k{n:03d}" + "x" * 120: "v" * 256 for n in range(50)}}, "PackedPolicyTooLarge"),
    ],
)
def test_bad_session_policies_and_tags_are_refused(estate: World, options: dict[str, object], code: str) -> None:
    """A session policy without Resource, an unknown or 11th policy ARN, oversized tags: refused, no session."""
    with pytest.raises(StsError) as caught:
        Sts(estate).assume_role(ALICE, FIRST, "bad", **options)
    assert caught.value.code == code

"""The twin's federation endpoint: console sign-in from temporary credentials, as `signin.aws.amazon.com/federation`.

Protocol (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_enable-console-custom-url.html):

- `GET /federation?Action=getSigninToken&Session=<JSON>[&SessionDuration=N]` — `Session` holds
  `sessionId`, `sessionKey` and `sessionToken` of temporary credentials. They must be a live session
  of this world: the key active, the secret and token its own, not expired. Credentials of
  GetSessionToken cannot sign in to the console (the STS comparison table,
  https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_sts-comparison.html), and
  `SessionDuration` (900 to 43200 seconds) is refused for role-chained sessions, as the page says the
  call then fails. The answer is `{"SigninToken": …}`, valid for 15 minutes.
- `GET /federation?Action=login&Issuer=…&Destination=…&SigninToken=…` — the twin has no console, so
  it shows a page of the signed-in session: account, role, session name, source identity and when
  the console session ends (at `SessionDuration` from sign-in when one was asked for, otherwise with
  the credentials).

The sign-in token is encrypted and authenticated (Fernet) with a key kept in the world database, so
every worker of `iamtwin serve` accepts it and nobody can forge or alter one; its age is read with the
world's clock. Both calls are recorded in the audit trail as CloudTrail records console sign-in
(`signin.amazonaws.com`, GetSigninToken and ConsoleLogin, event type AwsConsoleSignIn:
https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html).
Refusals are HTTP 400 with `{"Error": {"Code", "Message"}}`.
"""

from __future__ import annotations

import hmac
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from ..audit.event import AuditEvent, UserIdentity
from ..audit.identity import identity_of, unknown_identity
from ..audit.recorder import Recorder
from ..errors import IamtwinError
from ..world.errors import WorldFileError
from ..world.store.schema import world_keys
from ..world.store.sessions import StoredSession, read_session, token_hash
from ..world.stored import Caller, World

FEDERATION_PATH = "/federation"
SIGNIN_SOURCE = "signin.amazonaws.com"
SIGNIN_EVENT_TYPE = "AwsConsoleSignIn"
TOKEN_SECONDS = 900  # a sign-in token is valid for 15 minutes
MINIMUM_SESSION_DURATION, MAXIMUM_SESSION_DURATION = 900, 43200
_KEY_NAME = "federation-signin-key"


class SigninRefused(IamtwinError):
    """A federation call the endpoint refuses, with the code of the refusal."""


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A verified console sign-in: the caller and when its console session ends."""

    caller: Caller
    session: StoredSession
    ends_at: datetime


def _fernet(world: World) -> Fernet:
    """The sign-in token key, created on first use; shared by every worker through the database."""
    with world.engine.connect() as conn:
        found = conn.execute(select(world_keys.c.value).where(world_keys.c.name == _KEY_NAME)).scalar()
    if found is None:
        try:
            with world.engine.begin() as conn:
                conn.execute(world_keys.insert().values(name=_KEY_NAME, value=Fernet.generate_key().decode()))
        except IntegrityError:
            pass  # another worker created it first: use theirs
        with world.engine.connect() as conn:
            found = conn.execute(select(world_keys.c.value).where(world_keys.c.name == _KEY_NAME)).scalar()
    return Fernet(str(found).encode())


def _live_session(world: World, access_key_id: str) -> Caller:
    try:
        caller = world.caller(access_key_id)
    except WorldFileError as err:
        if err.code == "EXPIRED_SESSION":
            raise SigninRefused("the session's credentials have expired", code="ExpiredToken") from err
        raise SigninRefused("the session's credentials are not valid", code="InvalidClientTokenId") from err
    if caller.session is None or caller.key is None:
        raise SigninRefused("console sign-in needs temporary security credentials", code="InvalidSession")
    return caller


def verify_session(world: World, session_text: str, duration: str | None) -> tuple[Caller, int | None]:
    """The live session the `Session` JSON names, after checking its secret and token; the SessionDuration asked."""
    try:
        data = json.loads(session_text)
    except json.JSONDecodeError as exc:
        raise SigninRefused("`Session` is not JSON", code="MalformedSession") from exc
    fields = [data.get(k) if isinstance(data, dict) else None for k in ("sessionId", "sessionKey", "sessionToken")]
    if not all(isinstance(f, str) and f for f in fields):
        raise SigninRefused("`Session` needs sessionId, sessionKey and sessionToken", code="MalformedSession")
    key_id, secret, token = (str(f) for f in fields)
    caller = _live_session(world, key_id)
    assert caller.key is not None and caller.session is not None
    genuine = hmac.compare_digest(secret, caller.key.secret)
    genuine &= hmac.compare_digest(token_hash(token), caller.session.token_hash)
    if not genuine:
        raise SigninRefused("the session's credentials are not valid", code="InvalidClientTokenId")
    if caller.session.kind == "session-token":
        raise SigninRefused("credentials of GetSessionToken cannot sign in to the console", code="InvalidSession")
    seconds: int | None = None
    if duration is not None:
        if not duration.isdigit() or not MINIMUM_SESSION_DURATION <= int(duration) <= MAXIMUM_SESSION_DURATION:
            raise SigninRefused("`SessionDuration` must be 900 to 43200 seconds", code="InvalidSessionDuration")
        if _role_chained(world, caller.session):
            raise SigninRefused(
                "`SessionDuration` cannot be used with credentials from role chaining", code="InvalidSessionDuration"
            )
        seconds = int(duration)
    return caller, seconds


def _role_chained(world: World, session: StoredSession) -> bool:
    """Whether this role session was started from another role session."""
    if session.kind != "assumed-role" or session.parent_id is None:
        return False
    with world.engine.connect() as conn:
        parent = read_session(conn, session.parent_id)
    return parent is not None and parent.kind == "assumed-role"


def issue_token(world: World, caller: Caller, seconds: int | None) -> str:
    """A sign-in token bound to this session (its key and token), valid 15 minutes from now."""
    assert caller.key is not None and caller.session is not None
    payload = {"key": caller.key.access_key_id, "token": caller.session.token_hash, "duration": seconds}
    now = world.clock.now()
    return _fernet(world).encrypt_at_time(json.dumps(payload).encode(), int(now.timestamp())).decode()


def redeem_token(world: World, token: str) -> SignedIn:
    """The session a sign-in token stands for; refused when altered, older than 15 minutes, or its session is over."""
    fernet = _fernet(world)
    now = world.clock.now()
    try:
        issued = fernet.extract_timestamp(token.encode())
        if int(now.timestamp()) - issued > TOKEN_SECONDS:
            raise SigninRefused("the sign-in token has expired (they last 15 minutes)", code="ExpiredSigninToken")
        payload = json.loads(fernet.decrypt_at_time(token.encode(), TOKEN_SECONDS, int(now.timestamp())))
        key_id, bound = str(payload["key"]), str(payload["token"])
    except (InvalidToken, ValueError, KeyError, TypeError) as exc:
        raise SigninRefused("the sign-in token is not valid", code="InvalidSigninToken") from exc
    caller = _live_session(world, key_id)
    assert caller.session is not None
    if not hmac.compare_digest(bound, caller.session.token_hash):
        raise SigninRefused("the sign-in token is not valid", code="InvalidSigninToken")
    duration = payload.get("duration")
    ends = now + timedelta(seconds=int(duration)) if duration else caller.session.expires_at
    return SignedIn(caller, caller.session, ends)


def _time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def signed_in_page(signed: SignedIn, issuer: str, destination: str) -> str:
    """The HTML page of a signed-in console session; every value escaped."""
    session = signed.session
    arn = session.arn
    role = session.base_arn.rsplit("/", 1)[-1] if ":role/" in session.base_arn else session.base_arn
    rows = [
        ("Account", session.account_id),
        ("Role", role),
        ("Session name", arn.rsplit("/", 1)[-1]),
        ("Session ARN", arn),
        ("Source identity", session.source_identity or "(none)"),
        ("Credentials expire", _time(session.expires_at)),
        ("Console session ends", _time(signed.ends_at)),
        ("Destination", destination),
        ("Signed in through", issuer or "(no issuer)"),
    ]
    body = "\n".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    back = ""
    if issuer.startswith(("https://", "http://")):
        back = f'<p><a href="{escape(issuer, quote=True)}">Back to {escape(issuer)}</a></p>'
    return (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>iamtwin console session</title>"
        "<style>body{font-family:sans-serif;margin:2rem}th{text-align:left;padding-right:1rem}</style></head>"
        f"<body><h1>Signed in to the iamtwin console</h1><table>\n{body}\n</table>{back}</body></html>\n"
    )


def _refusal(err: SigninRefused) -> JSONResponse:
    return JSONResponse({"Error": {"Code": err.code, "Message": err.message}}, status_code=400)


def federation_routes(world: World, audit: Recorder) -> list[Route]:
    """The `/federation` route over a world, recording sign-ins on `audit`."""

    def record(request: Request, name: str, identity: UserIdentity, params: dict[str, Any], **result: Any) -> None:
        client = request.client.host if request.client else "127.0.0.1"
        audit.record(
            AuditEvent(
                event_id=str(uuid.uuid4()),
                event_time=world.clock.now(),
                event_source=SIGNIN_SOURCE,
                event_name=name,
                aws_region="us-east-1",
                source_ip_address=client,
                user_agent=request.headers.get("user-agent", ""),
                user_identity=identity,
                request_id=str(uuid.uuid4()),
                read_only=False,
                recipient_account_id=identity.account_id,
                request_parameters=params,
                response_elements=result.get("response"),
                error_code=result.get("error_code"),
                error_message=result.get("error_message"),
                event_type=SIGNIN_EVENT_TYPE,
                additional=result.get("additional", {}),
            ),
            durable=True,
        )

    def refused(
        request: Request, name: str, params: dict[str, Any], err: SigninRefused, response: Any = None
    ) -> Response:
        """Record a refused call with its code (as CloudTrail records failed sign-ins) and answer it."""
        identity = unknown_identity(None)
        record(request, name, identity, params, error_code=err.code, error_message=err.message, response=response)
        return _refusal(err)

    def get_token(request: Request) -> Response:
        session = request.query_params.get("Session")
        duration = request.query_params.get("SessionDuration")
        params = {} if duration is None else {"sessionDuration": duration}
        try:
            if session is None:
                raise SigninRefused("`Session` is required", code="MissingParameter")
            caller, seconds = verify_session(world, session, duration)
        except SigninRefused as err:
            return refused(request, "GetSigninToken", params, err)
        record(request, "GetSigninToken", identity_of(world, caller), params, response={"GetSigninToken": "Success"})
        return JSONResponse({"SigninToken": issue_token(world, caller, seconds)}, headers={"Cache-Control": "no-store"})

    def login(request: Request) -> Response:
        token = request.query_params.get("SigninToken")
        issuer = request.query_params.get("Issuer", "")
        destination = request.query_params.get("Destination", "")
        params = {"issuer": issuer, "destination": destination}
        try:
            if not token:
                raise SigninRefused("`SigninToken` is required", code="MissingParameter")
            signed = redeem_token(world, token)
        except SigninRefused as err:
            return refused(request, "ConsoleLogin", params, err, {"ConsoleLogin": "Failure"})
        record(
            request,
            "ConsoleLogin",
            identity_of(world, signed.caller),
            params,
            response={"ConsoleLogin": "Success"},
            additional={"LoginTo": destination, "MobileVersion": "No", "MFAUsed": "No"},
        )
        headers = {
            "Cache-Control": "no-store",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
            "X-Frame-Options": "DENY",
        }
        return HTMLResponse(signed_in_page(signed, issuer, destination), headers=headers)

    async def federation(request: Request) -> Response:
        action = request.query_params.get("Action")
        if action == "getSigninToken":
            return get_token(request)
        if action == "login":
            return login(request)
        return _refusal(SigninRefused(f"unknown federation action `{action}`", code="InvalidAction"))

    return [Route(FEDERATION_PATH, federation, methods=["GET"])]

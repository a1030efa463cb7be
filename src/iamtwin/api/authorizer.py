"""Decisions for an application's own API: bearer tokens of an OIDC provider, groups mapped to policies.

The application (or its API gateway) sends a caller's token and the call (an action and resource,
or a method, path and stage of an API mapped to its `execute-api:Invoke` ARN). The token must be
signed by the configured provider (keys from its JWKS, fetched once and cached; an unknown key id
refetches once, so a rotation needs no restart), unexpired and for the configured audience. The
token's group claim selects stored managed policies; the engine decides with them as the caller's
identity policies, and `aws:SourceIp` from the call.
(https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from ..errors import IamtwinError
from ..evaluate.decision import Decision
from ..simulate.simulator import Simulator
from ..sts.errors import StsError
from ..sts.oidc import OidcProvider, WebIdentityToken, verify_web_identity_token
from ..sts.oidc_discovery import HttpJwksSource, JwksSource
from ..world.stored import World
from .verified_tokens import VerifiedTokens


class Unauthorized(IamtwinError):
    """No token, or one the provider did not sign, that expired, or that is for another audience."""

    code = "Unauthorized"


@dataclass(frozen=True, slots=True)
class AuthorizerConfig:
    """The provider whose tokens are accepted and how their groups map to stored policies."""

    issuer: str
    audiences: tuple[str, ...]
    account: str
    groups_claim: str = "cognito:groups"
    groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    application: str = "application"

    @classmethod
    def read(cls, path: Path) -> AuthorizerConfig:
        """Read the YAML or JSON configuration file given to `iamtwin serve --authorizer`."""
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise IamtwinError(
                f"cannot read the authorizer configuration `{path}`: {exc}", code="INVALID_AUTHORIZER_CONFIG"
            ) from exc
        if not isinstance(data, Mapping) or not {"issuer", "audiences", "account"} <= set(data):
            raise IamtwinError(
                "the authorizer configuration needs `issuer`, `audiences` and `account`",
                code="INVALID_AUTHORIZER_CONFIG",
            )
        groups = {str(k): tuple(str(a) for a in v) for k, v in (data.get("groups") or {}).items()}
        return cls(
            str(data["issuer"]),
            tuple(str(a) for a in data["audiences"]),
            str(data["account"]),
            str(data.get("groups_claim", "cognito:groups")),
            groups,
            str(data.get("application", "application")),
        )


def gateway_arn(region: str, account: str, api_id: str, stage: str, method: str, path: str) -> str:
    """The `execute-api:Invoke` ARN of an API call: `arn:aws:execute-api:region:account:api/stage/METHOD/path`."""
    return f"arn:aws:execute-api:{region}:{account}:{api_id}/{stage}/{method.upper()}/{path.lstrip('/')}"


class Authorizer:
    """Verifies bearer tokens and decides calls with the policies of the token's groups."""

    def __init__(
        self,
        world: World,
        config: AuthorizerConfig,
        jwks: JwksSource | None = None,
        tokens: VerifiedTokens | None = None,
    ) -> None:
        self.world = world
        self.config = config
        self.jwks: JwksSource = jwks or HttpJwksSource()
        # Tokens verified recently: a signature check costs far more than the decision it guards.
        self.tokens = (
            tokens if tokens is not None else VerifiedTokens(key_set_seconds=getattr(self.jwks, "cache_seconds", 300.0))
        )
        url = config.issuer.split("://", 1)[-1].rstrip("/")
        self.provider = OidcProvider(url, config.audiences, f"arn:aws:iam::{config.account}:oidc-provider/{url}")
        self._simulators: dict[tuple[int, frozenset[str]], Simulator] = {}

    def verify(self, authorization: str | None, now: datetime) -> WebIdentityToken:
        """The verified token of an `Authorization: Bearer …` header, or Unauthorized."""
        if not authorization or not authorization.startswith("Bearer "):
            raise Unauthorized("Unauthorized")
        token = authorization[len("Bearer ") :].strip()
        known = self.tokens.get(token, now)
        if known is not None:
            return known
        verified = self._verify(token, now)
        self.tokens.put(token, verified, now)
        return verified

    def _verify(self, token: str, now: datetime) -> WebIdentityToken:
        try:
            return verify_web_identity_token(token, self.provider, self.jwks, now)
        except StsError as err:
            if err.reason == "UNKNOWN_KEY_ID" and hasattr(self.jwks, "forget"):
                self.jwks.forget(self.config.issuer)  # the provider may have rotated its keys
                try:
                    return verify_web_identity_token(token, self.provider, self.jwks, now)
                except StsError as again:
                    raise Unauthorized("User is not authorized to access this resource") from again
            raise Unauthorized("User is not authorized to access this resource") from err

    def groups_of(self, token: WebIdentityToken) -> frozenset[str]:
        """The token's groups that the configuration maps to policies."""
        claim = token.claims.get(self.config.groups_claim, [])
        names = [claim] if isinstance(claim, str) else [str(g) for g in claim] if isinstance(claim, list) else []
        return frozenset(n for n in names if n in self.config.groups)

    def _simulator(self, groups: frozenset[str]) -> Simulator:
        # Policies compiled once per set of groups and change of the world; refresh() notices changes
        # another worker or the CLI made (checked at most every `World.refresh_seconds`).
        self.world.refresh()
        key = (self.world.generation, groups)
        found = self._simulators.get(key)
        if found is None:
            arns = sorted({arn for group in groups for arn in self.config.groups[group]})
            from ..world.store.load import StoreReader

            with self.world.engine.connect() as conn:
                policies = StoreReader(conn).managed(arns)
            entries = [{"id": arn, "document": policies[arn].document} for arn in arns if arn in policies]
            found = Simulator({"identity_policies": entries}, clock=self.world.clock)
            if len(self._simulators) > 1024:
                self._simulators.clear()
            self._simulators[key] = found
        return found

    def decide(
        self, token: WebIdentityToken, action: str, resource: str | None, context: Mapping[str, Any]
    ) -> Decision:
        """The decision for one call of the token's caller."""
        principal = f"arn:aws:sts::{self.config.account}:assumed-role/{self.config.application}/{token.subject[:64]}"
        request: dict[str, Any] = {"principal": principal, "action": action, "context": dict(context)}
        if resource is not None:
            request["resource"] = resource
        return self._simulator(self.groups_of(token)).decide(request)


def parse_call(body: Mapping[str, Any], config: AuthorizerConfig) -> tuple[str, str | None, dict[str, Any]]:
    """(action, resource, context) of one call: explicit, or an API gateway method/path/stage/api_id."""
    given_context = body.get("context")
    if given_context is not None and not isinstance(given_context, Mapping):
        raise IamtwinError("`context` must be an object of condition keys", code="INVALID_AUTHORIZE_REQUEST")
    context = dict(given_context or {})
    if body.get("source_ip"):
        context["aws:SourceIp"] = str(body["source_ip"])
    if "method" in body:
        for name in ("path", "stage", "api_id"):
            if not isinstance(body.get(name), str):
                raise IamtwinError(f"`{name}` is required with `method`", code="INVALID_AUTHORIZE_REQUEST")
        resource = gateway_arn(
            str(body.get("region", "us-east-1")),
            str(body.get("account", config.account)),
            body["api_id"],
            body["stage"],
            str(body["method"]),
            body["path"],
        )
        return "execute-api:Invoke", resource, context
    action = body.get("action")
    if not isinstance(action, str):
        raise IamtwinError(
            "give `action` (and `resource`), or `method`, `path`, `stage` and `api_id`",
            code="INVALID_AUTHORIZE_REQUEST",
        )
    given = body.get("resource")
    return action, given if isinstance(given, str) else None, context

"""Scenario 13's estate in a stored world (the token account, two teams, an outsider), and tests/api's real server."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from tests.api.conftest import server

from iamtwin.grants import GrantOrchestrator, GrantRequest
from iamtwin.sts.service import Sts
from iamtwin.world.stored import Caller, World
from iamtwin.world.worldfile import load_world

__all__ = ["Estate", "build_estate", "estate", "grant_request", "server"]

HERE = Path(__file__).parent
FUNCTION = "arn:aws:lambda:us-east-1:333333333333:function:token-validator"
ORCHESTRATOR = "arn:aws:iam::333333333333:role/PermissionOrchestrator"
SETTINGS = (HERE / "settings13.yaml").read_text(encoding="utf-8")


def grant_request(account: str = "444444444444", **changes: Any) -> GrantRequest:
    """The request a team's pipeline sends for its API `a1b2c3`, with `changes` (API field names) applied."""
    body: dict[str, Any] = {
        "resource": FUNCTION,
        "principal": "apigateway.amazonaws.com",
        "actions": ["lambda:InvokeFunction"],
        "sourceArn": f"arn:aws:execute-api:us-east-1:{account}:a1b2c3/*",
        "sourceAccount": account,
    }
    body.update(changes)
    return GrantRequest.from_json(body)


@dataclass
class Estate:
    """The stored world of scenario 13 and its orchestrator."""

    world: World
    orchestrator: GrantOrchestrator
    keys: dict[str, tuple[str, str]] = field(default_factory=dict)

    def bot_key(self, account: str) -> tuple[str, str]:
        """The access key (id, secret) of the account's `bot` user (IAM allows a user two: one is made once)."""
        if account not in self.keys:
            with self.world.changes() as iam:
                self.keys[account] = iam.create_access_key(account, "bot", created_at=self.world.clock.now())
        return self.keys[account]

    def session(self, account: str, role: str, name: str = "deploy") -> Caller:
        """The caller of a session of `role` in `account`, assumed by the account's bot."""
        key, _ = self.bot_key(account)
        role_arn = f"arn:aws:iam::{account}:role/{role}"
        credentials = Sts(self.world).assume_role(key, role_arn, name).credentials
        return self.world.caller(credentials.access_key_id)

    def caller(self, spec: dict[str, str]) -> Caller:
        """A requester named by `{account, role}` (a session), `{account, user}` (its key) or `{arn}`."""
        if "arn" in spec:
            return self.world.caller(spec["arn"])
        if "user" in spec:
            return self.world.caller(self.bot_key(spec["account"])[0])
        return self.session(spec["account"], spec["role"])

    def policy_text(self) -> str | None:
        """The function policy's stored text."""
        from iamtwin.grants.store import resource_policy_text

        with self.world.engine.connect() as conn:
            return resource_policy_text(conn, FUNCTION)


def build_estate(world: World) -> Estate:
    """Import the scenario's world into `world` and configure its orchestrator."""
    world.import_model(load_world(HERE / "scenario13-world.yaml").world)
    orchestrator = GrantOrchestrator(world)
    orchestrator.configure(SETTINGS)
    return Estate(world, orchestrator)


@pytest.fixture
def estate(world: World) -> Estate:
    """Scenario 13's estate on each database kind."""
    return build_estate(world)

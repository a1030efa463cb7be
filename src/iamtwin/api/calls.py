"""What every operation handler gets: the world, the verified caller, where the request came from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from ..errors import IamtwinError
from ..evaluate.decision import Decision
from ..evaluate.message import denial_message
from ..evaluate.principal import parse_principal
from ..world.stored import Caller, World


class ApiAccessDenied(IamtwinError):
    """The engine refused the call itself; the message is AWS's access-denied message for it."""

    code = "AccessDenied"

    def __init__(self, decision: Decision, resource_label: str | None = None) -> None:
        message = denial_message(decision) or "Access denied"
        resource = decision.request.resource
        if resource_label is not None and resource is not None:
            # IAM names some resources by kind and name (`policy TestPolicy`), not by the ARN it authorizes.
            message = message.replace(f" on resource: {resource} ", f" on resource: {resource_label} ", 1)
        super().__init__(message, code="AccessDenied")
        self.decision = decision


@dataclass(frozen=True, slots=True)
class CallContext:
    """One API call: the world, who calls, from where, when, and its request id."""

    world: World
    caller: Caller
    region: str
    request_id: str
    source_ip: str
    secure: bool
    now: datetime

    @property
    def account(self) -> str:
        """The caller's account: where the entities it creates live."""
        return parse_principal(self.caller.arn).account or ""

    def authorize(
        self,
        action: str,
        resource: str | None,
        context: Mapping[str, str | list[str]] | None = None,
        *,
        resource_label: str | None = None,
    ) -> None:
        """Refuse the call unless the engine allows the caller this action, with AWS's request keys.

        `resource_label` replaces the resource ARN in the denial message where IAM words it otherwise.
        """
        keys: dict[str, str | list[str]] = {
            "aws:SourceIp": self.source_ip,
            "aws:SecureTransport": "true" if self.secure else "false",
            "aws:RequestedRegion": self.region,
        }
        keys.update(context or {})
        decision = self.world.authorize(self.caller, action, resource, keys, now=self.now)
        if not decision.allowed:
            raise ApiAccessDenied(decision, resource_label)


def tag_keys(tags: list[dict[str, str]] | None) -> dict[str, str | list[str]]:
    """`aws:RequestTag/…` and `aws:TagKeys` for the tags a request passes."""
    if not tags:
        return {}
    keys: dict[str, str | list[str]] = {f"aws:RequestTag/{t['Key']}": t["Value"] for t in tags}
    keys["aws:TagKeys"] = [t["Key"] for t in tags]
    return keys


def tag_map(tags: list[dict[str, str]] | None) -> dict[str, str]:
    """The Tags list of a request as a mapping."""
    return {t["Key"]: t["Value"] for t in tags or []}

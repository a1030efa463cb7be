"""Who may ask, and for what: the grantable set first, then the admission policy over the requester.

The requester is the authenticated caller (a SigV4 signature checked by the server, or the principal
the command line acts as), never a name in the request body. The admission policy is an IAM policy
the engine evaluates on that caller's real request context, gathered from the world as for any
request: `aws:PrincipalArn` (the role of a session), `aws:PrincipalAccount`, `aws:PrincipalOrgID`,
the principal's tags. The request also carries what is asked, as `iamtwin-grants:SourceAccount`,
`iamtwin-grants:SourceArn`, `iamtwin-grants:ServicePrincipal` and `iamtwin-grants:Action`, so a
policy may condition on them too.

The admission policy is the orchestrator's alone: it is the only policy evaluated, as if it were
the requester's own (the request is framed within the requester's account), so no policy of the
requester's account can widen or narrow who the orchestrator listens to. Whatever it allows, a
pipeline may only grant for its own account's sources: `aws:SourceAccount` must be the requester's
account and the source ARN must lie in it, so no team can open the function to another account
(https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..evaluate.decision import Decision
from ..evaluate.principal import parse_principal
from ..policy.arn import parse_arn
from ..simulate.simulator import simulate
from ..world.stored import Caller, World
from .errors import GrantError, GrantErrorCode, GrantNotPermitted
from .model import GrantRequest
from .settings import GrantSettings

REQUEST_ACTION = "iamtwin-grants:RequestGrant"
REVOKE_ACTION = "iamtwin-grants:RevokeGrant"
ADMISSION_POLICY_ID = "iamtwin-grants-admission"


@dataclass(frozen=True, slots=True)
class Requester:
    """The authenticated caller: the caller itself, its `aws:PrincipalArn` and its account."""

    caller: Caller
    principal_arn: str
    account: str


def requester_of(caller: Caller) -> Requester:
    """The requester facts of an authenticated caller."""
    principal = parse_principal(caller.arn)
    if principal.account is None:
        raise GrantError(GrantErrorCode.NOT_PERMITTED, f"`{caller.arn}` is not a principal of an account")
    return Requester(caller, principal.principal_arn or caller.arn, principal.account)


def check_scope(request: GrantRequest, requester: Requester, settings: GrantSettings) -> None:
    """Refuse a request outside the grantable set or for sources outside the requester's account."""
    if not settings.resource_allowed(request.resource):
        raise GrantError(
            GrantErrorCode.OUT_OF_SCOPE, f"`{request.resource}` is not a resource the orchestrator grants on"
        )
    source_service = settings.principals.get(request.principal)
    if source_service is None:
        raise GrantError(
            GrantErrorCode.OUT_OF_SCOPE, f"`{request.principal}` is not a principal the orchestrator lets in"
        )
    for action in request.actions:
        if not settings.action_allowed(action):
            raise GrantError(GrantErrorCode.OUT_OF_SCOPE, f"`{action}` is not an action the orchestrator grants")
    if request.source_account != requester.account:
        raise GrantError(
            GrantErrorCode.OUT_OF_SCOPE,
            f"`aws:SourceAccount` `{request.source_account}` is not the requester's account `{requester.account}`",
        )
    source = parse_arn(request.source_arn)
    assert source is not None  # GrantRequest.check parsed it
    if source.account != requester.account:
        raise GrantError(
            GrantErrorCode.OUT_OF_SCOPE,
            f"`{request.source_arn}` is not in the requester's account `{requester.account}`",
        )
    if source.service != source_service:
        raise GrantError(
            GrantErrorCode.OUT_OF_SCOPE,
            f"`{request.source_arn}` is not a `{source_service}` ARN, the sources of `{request.principal}`",
        )


def admission_decision(
    world: World, requester: Requester, action: str, request: GrantRequest, settings: GrantSettings
) -> Decision:
    """The engine's decision of the admission policy on the requester's request context."""
    framed = world.assemble(requester.caller, action, request.resource).to_input()["request"]
    framed["resource_account"] = requester.account
    framed["context"] = {
        **framed["context"],
        "iamtwin-grants:SourceAccount": request.source_account,
        "iamtwin-grants:SourceArn": request.source_arn,
        "iamtwin-grants:ServicePrincipal": request.principal,
        "iamtwin-grants:Action": list(request.actions),
    }
    policies = [{"id": ADMISSION_POLICY_ID, "document": dict(settings.admission)}]
    return simulate({"request": framed, "identity_policies": policies}, now=world.clock.now())


def require_admission(
    world: World, requester: Requester, action: str, request: GrantRequest, settings: GrantSettings
) -> Decision:
    """The admission decision when it allows, else GrantNotPermitted carrying it."""
    decision = admission_decision(world, requester, action, request, settings)
    if not decision.allowed:
        raise GrantNotPermitted(
            f"`{requester.caller.arn}` may not perform `{action}` on `{request.resource}`: the admission policy "
            "does not allow it",
            decision,
        )
    return decision


def admit(
    world: World, requester: Requester, action: str, request: GrantRequest, settings: GrantSettings
) -> Decision:
    """The admission decision of a new request: in scope first (GrantError), then allowed (GrantNotPermitted)."""
    check_scope(request, requester, settings)
    return require_admission(world, requester, action, request, settings)

"""`iamtwin broker …`: rules, requests, approvals, sessions and revocations of the elevated access broker.

`--as` names the person acting, from the rules' people directory: until OIDC sign-in exists the
command line trusts its local operator, so run it where only the broker's operators can. The
broker's own credentials (a session of its role) come from `IAMTWIN_BROKER_ACCESS_KEY_ID`,
`IAMTWIN_BROKER_SECRET_ACCESS_KEY` and `IAMTWIN_BROKER_SESSION_TOKEN`; STS and IAM are at
`--endpoint-url` (an `iamtwin serve` URL by default).

After every change the command sends the notifications it queued (best effort: a mail server that is
down delays them, never the change); `iamtwin broker notify` and `sweep` send what is still due.
Unreviewed break-glass uses head `iamtwin broker list`, in red, until someone reviews them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from ..broker.defaults import DEFAULT_ENDPOINT, DEFAULT_MANAGER_ROLE
from ..broker.errors import BrokerError, BrokerErrorCode
from ..broker.issuance import BrokerPrincipal
from ..broker.outputs import CredentialFormat, render
from ..broker.requests import Ask, ElevationRequest, RequestState
from ..broker.reviews import BreakGlassReview, BreakGlassUse
from ..broker.rules import parse_duration
from ..clock import SystemClock
from ..errors import IamtwinError
from .audit_command import parse_time
from .options import DbOption, FormatOption, check_format, fail, print_json
from .world_command import opened

# The broker service and its presenting bring SQLAlchemy and the web edge: imported where used, so
# that `iamtwin --help` does not load them.
if TYPE_CHECKING:
    from ..broker.service import Broker

broker_app = typer.Typer(
    help="Temporary elevated access: eligibility rules, requests, approvals, sessions, revocation.",
    no_args_is_help=True,
)
rules_app = typer.Typer(help="The broker's rules.", no_args_is_help=True)
broker_app.add_typer(rules_app, name="rules")

AsOption = Annotated[str, typer.Option("--as", help="The person acting (a subject of the rules' people).")]
EndpointOption = Annotated[
    str,
    typer.Option(envvar="IAMTWIN_BROKER_ENDPOINT", help="STS and IAM endpoint; `aws` for real AWS."),
]
ManagerOption = Annotated[
    str, typer.Option(help="The role in each target account through which deny policies are put on its roles.")
]
KeyOption = Annotated[str | None, typer.Option(envvar="IAMTWIN_BROKER_ACCESS_KEY_ID", hidden=True)]
SecretOption = Annotated[str | None, typer.Option(envvar="IAMTWIN_BROKER_SECRET_ACCESS_KEY", hidden=True)]
TokenOption = Annotated[str | None, typer.Option(envvar="IAMTWIN_BROKER_SESSION_TOKEN", hidden=True)]


def optional_principal(
    endpoint: str, key: str | None, secret: str | None, token: str | None
) -> BrokerPrincipal | None:
    """The broker's credentials, or None when neither key nor secret is set (half of them is an error)."""
    return None if not key and not secret else _principal(endpoint, key, secret, token)


def _principal(endpoint: str, key: str | None, secret: str | None, token: str | None) -> BrokerPrincipal:
    if not key or not secret:
        raise BrokerError(
            BrokerErrorCode.NO_BROKER_CREDENTIALS,
            "set IAMTWIN_BROKER_ACCESS_KEY_ID and IAMTWIN_BROKER_SECRET_ACCESS_KEY to the broker's credentials",
        )
    return BrokerPrincipal(key, secret, token, endpoint_url=None if endpoint == "aws" else endpoint)


def _show(request: ElevationRequest, output_format: str) -> None:
    from ..broker.web.presenting import iso, request_json

    if output_format == "json":
        print_json(request_json(request))
        return
    window = f" {iso(request.window_start)} → {iso(request.window_end)}" if request.window_end else ""
    Console(highlight=False).print(
        f"{request.id}  {request.state.value}  {request.requester}  {request.role_arn}{window}", markup=False
    )


def _broker(world: Any, principal: BrokerPrincipal | None = None, manager: str = DEFAULT_MANAGER_ROLE) -> Broker:
    from ..broker.service import Broker

    return Broker(world.engine, SystemClock(), principal, manager_role=manager)


@rules_app.command("load")
def load_rules(path: Path, db: DbOption = None) -> None:
    """Validate a YAML rules file and make it the broker's rules."""
    try:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise IamtwinError(f"cannot read `{path}`: {exc.strerror}", code="FILE_NOT_READABLE") from exc
        with opened(db) as world:
            rules = _broker(world).load_rules(text)
    except IamtwinError as err:
        raise fail(err) from err
    Console(highlight=False).print(
        f"loaded {len(rules.eligibility)} eligibility and {len(rules.approvals)} approval rules", markup=False
    )


@broker_app.command("request")
def request(
    person: AsOption,
    account: Annotated[str, typer.Option(help="The target account id.")],
    role: Annotated[str, typer.Option(help="The target role's name.")],
    duration: Annotated[str, typer.Option(help="How long: seconds, or 30m, 2h.")],
    justification: Annotated[str, typer.Option(help="Why (required).")],
    scope: Annotated[str | None, typer.Option(help="A scope template of the rule.")] = None,
    ticket: Annotated[str | None, typer.Option(help="A ticket reference.")] = None,
    start: Annotated[str | None, typer.Option(help="A scheduled start, ISO 8601 with a zone.")] = None,
    break_glass: Annotated[bool, typer.Option("--break-glass", help="Emergency access, where allowed.")] = False,
    db: DbOption = None,
    output_format: FormatOption = "text",
) -> None:
    """Ask for a role in an account for a while."""
    try:
        check_format(output_format)
        seconds = parse_duration(duration, "--duration")
        ask = Ask(account, role, seconds, justification, scope, ticket, parse_time(start, "--start"), break_glass)
        with opened(db) as world:
            broker = _broker(world)
            created = broker.request(broker.person(person), ask)
            broker.deliver_notifications()
    except IamtwinError as err:
        raise fail(err) from err
    _show(created, output_format)


def _decide(action: str, request_id: str, person: str, db: str | None, output_format: str, reason: str = "") -> None:
    try:
        check_format(output_format)
        with opened(db) as world:
            broker = _broker(world)
            who = broker.person(person)
            if action == "approve":
                changed = broker.approve(request_id, who)
            elif action == "reject":
                changed = broker.reject(request_id, who, reason)
            else:
                changed = broker.cancel(request_id, who)
            broker.deliver_notifications()
    except IamtwinError as err:
        raise fail(err) from err
    _show(changed, output_format)


@broker_app.command("approve")
def approve(request_id: str, person: AsOption, db: DbOption = None, output_format: FormatOption = "text") -> None:
    """Approve a request (never your own)."""
    _decide("approve", request_id, person, db, output_format)


@broker_app.command("reject")
def reject(
    request_id: str,
    person: AsOption,
    reason: Annotated[str, typer.Option(help="Why.")] = "",
    db: DbOption = None,
    output_format: FormatOption = "text",
) -> None:
    """Reject a pending request."""
    _decide("reject", request_id, person, db, output_format, reason)


@broker_app.command("cancel")
def cancel(request_id: str, person: AsOption, db: DbOption = None, output_format: FormatOption = "text") -> None:
    """Withdraw your own request before any session."""
    _decide("cancel", request_id, person, db, output_format)


@broker_app.command("list")
def list_requests(
    person: AsOption,
    state: Annotated[list[str] | None, typer.Option(help="Only requests in this state (repeatable).")] = None,
    db: DbOption = None,
    output_format: FormatOption = "text",
) -> None:
    """The requests you may see: yours, those you could approve, all of them for auditors."""
    from ..broker.web.presenting import request_json

    try:
        check_format(output_format)
        try:
            states = tuple(RequestState(s) for s in state or [])
        except ValueError as exc:
            raise IamtwinError(f"unknown state in `{', '.join(state or [])}`", code="INVALID_STATE") from exc
        with opened(db) as world:
            broker = _broker(world)
            who = broker.person(person)
            found = broker.list_for(who, states=states)
            unreviewed = broker.unreviewed_break_glass(who)
    except IamtwinError as err:
        raise fail(err) from err
    open_ids = {use.request.id for use in unreviewed}
    # Unreviewed break-glass uses come first, however old, until someone reviews them.
    ordered = [r for r in found if r.id in open_ids] + [r for r in found if r.id not in open_ids]
    if output_format == "json":
        print_json([{**request_json(r), "unreviewedBreakGlass": r.id in open_ids} for r in ordered])
        return
    if unreviewed:
        _unreviewed_panel(unreviewed)
    for item in ordered:
        if item.id not in open_ids:
            _show(item, "text")


def _unreviewed_panel(uses: list[BreakGlassUse]) -> None:
    """The unreviewed break-glass uses, in a red panel above everything else (lines wrap, never truncate)."""
    from ..broker.web.presenting import iso

    lines = Text()
    for use in uses:
        r = use.request
        lines.append(f"{r.id}  ", style="bold")
        lines.append(f"{r.requester}  {r.role_arn}  used {iso(use.review.used_at)}\n")
        lines.append(f"    why: {r.ask.justification}\n")
    lines.append("review with: iamtwin broker review ID --as YOU --outcome justified|unjustified --comment WHY")
    title = f"UNREVIEWED BREAK-GLASS USES ({len(uses)})"
    Console(highlight=False).print(Panel(lines, title=title, title_align="left", border_style="bold red"))


def _review_data(review: BreakGlassReview) -> dict[str, Any]:
    from ..broker.web.presenting import iso

    return {
        "requestId": review.request_id,
        "usedBy": review.requester,
        "usedAt": iso(review.used_at),
        "reviewer": review.reviewer,
        "reviewedAt": iso(review.reviewed_at),
        "outcome": None if review.outcome is None else review.outcome.value,
        "comment": review.comment,
    }


@broker_app.command("notify")
def notify(db: DbOption = None, output_format: FormatOption = "text") -> None:
    """Send the notifications that are due (failed ones are retried with growing delays)."""
    try:
        check_format(output_format)
        with opened(db) as world:
            report = _broker(world).deliver_notifications()
    except IamtwinError as err:
        raise fail(err) from err
    data = {"sent": len(report.sent), "retrying": len(report.retrying), "givenUp": len(report.given_up)}
    if output_format == "json":
        print_json({**data, "errors": {str(k): v for k, v in report.errors.items()}})
        return
    Console(highlight=False).print(
        f"sent {data['sent']}, retrying {data['retrying']}, given up {data['givenUp']}", markup=False
    )


@broker_app.command("show")
def show(request_id: str, person: AsOption, db: DbOption = None, output_format: FormatOption = "text") -> None:
    """A request and its history."""
    from ..broker.web.presenting import iso, request_json

    try:
        check_format(output_format)
        with opened(db) as world:
            broker = _broker(world)
            found, events = broker.history(request_id, broker.person(person))
            sessions = broker.sessions(request_id, broker.person(person))
            glass = broker.break_glass_review(request_id, broker.person(person))
            notes = broker.notifications(request_id, broker.person(person))
    except IamtwinError as err:
        raise fail(err) from err
    history = [
        {
            "at": iso(e.at),
            "actor": e.actor,
            "kind": e.kind,
            "from": None if e.from_state is None else e.from_state.value,
            "to": e.to_state.value,
            "detail": e.detail,
        }
        for e in events
    ]
    issued = [
        {
            "accessKeyId": s.access_key_id,
            "sessionName": s.session_name,
            "issuedAt": iso(s.issued_at),
            "expiresAt": iso(s.expires_at),
        }
        for s in sessions
    ]
    delivered = [
        {
            "kind": n.delivery.kind,
            "channel": n.delivery.channel,
            "recipient": n.delivery.recipient,
            "state": n.state.value,
            "attempts": n.attempts,
            "lastError": n.last_error,
        }
        for n in notes
    ]
    if output_format == "json":
        extra = {"breakGlassReview": None if glass is None else _review_data(glass), "notifications": delivered}
        print_json({**request_json(found), "events": history, "sessions": issued, **extra})
        return
    console = Console(highlight=False)
    _show(found, "text")
    if glass is not None and glass.open:
        console.print(f"  UNREVIEWED BREAK-GLASS USE: review with `iamtwin broker review {found.id}`", style="bold red")
    for event in history:
        console.print(f"  {event['at']}  {event['kind']:<14} {event['actor']}  {event['detail']}", markup=False)
    for note in delivered:
        line = f"  notification {note['kind']} by {note['channel']} to {note['recipient']}: {note['state']}"
        console.print(line + (f" ({note['lastError']})" if note["lastError"] else ""), markup=False)


@broker_app.command("credentials")
def credentials(
    request_id: str,
    person: AsOption,
    output_format: Annotated[
        CredentialFormat, typer.Option("--format", "-f", help="env, profile or process (credential_process JSON).")
    ] = CredentialFormat.ENV,
    profile: Annotated[str, typer.Option(help="The profile name of `--format profile`.")] = "elevated",
    endpoint_url: EndpointOption = DEFAULT_ENDPOINT,
    manager_role: ManagerOption = DEFAULT_MANAGER_ROLE,
    key: KeyOption = None,
    secret: SecretOption = None,
    token: TokenOption = None,
    db: DbOption = None,
) -> None:
    """Start a session of an approved request and print its credentials."""
    try:
        with opened(db) as world:
            broker = _broker(world, _principal(endpoint_url, key, secret, token), manager_role)
            creds = broker.start_session(request_id, broker.person(person))
        text = render(creds, output_format, profile)
    except (IamtwinError, ValueError) as err:
        raise fail(err if isinstance(err, IamtwinError) else IamtwinError(str(err), code="INVALID_PROFILE")) from err
    typer.echo(text, nl=False)


@broker_app.command("revoke")
def revoke(
    request_id: str,
    person: AsOption,
    reason: Annotated[str, typer.Option(help="Why.")] = "",
    endpoint_url: EndpointOption = DEFAULT_ENDPOINT,
    manager_role: ManagerOption = DEFAULT_MANAGER_ROLE,
    key: KeyOption = None,
    secret: SecretOption = None,
    token: TokenOption = None,
    db: DbOption = None,
    output_format: FormatOption = "text",
) -> None:
    """End granted access now: sessions already issued are denied on the target role."""
    try:
        check_format(output_format)
        with opened(db) as world:
            broker = _broker(world, _principal(endpoint_url, key, secret, token), manager_role)
            changed = broker.revoke(request_id, broker.person(person), reason)
            broker.deliver_notifications()
    except IamtwinError as err:
        raise fail(err) from err
    _show(changed, output_format)


@broker_app.command("sweep")
def sweep(
    endpoint_url: EndpointOption = DEFAULT_ENDPOINT,
    manager_role: ManagerOption = DEFAULT_MANAGER_ROLE,
    key: KeyOption = None,
    secret: SecretOption = None,
    token: TokenOption = None,
    db: DbOption = None,
    output_format: FormatOption = "text",
) -> None:
    """Expire unreviewed requests, end passed windows, remove deny policies no longer needed (run it often)."""
    try:
        check_format(output_format)
        principal = _principal(endpoint_url, key, secret, token) if key and secret else None
        with opened(db) as world:
            report = _broker(world, principal, manager_role).sweep()
    except IamtwinError as err:
        raise fail(err) from err
    data = {
        "expired": list(report.expired),
        "ended": list(report.ended),
        "policiesRemoved": list(report.policies_removed),
        "notificationsSent": len(report.notifications.sent),
    }
    if output_format == "json":
        print_json(data)
    else:
        removed = len(report.policies_removed)
        Console(highlight=False).print(
            f"expired {len(report.expired)}, ended {len(report.ended)}, removed {removed} policies", markup=False
        )


# The break-glass and console verbs live in their own modules; importing them registers them on `broker_app`.
from . import broker_break_glass_command, broker_console_command  # noqa: E402, F401

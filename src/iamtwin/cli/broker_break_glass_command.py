"""`iamtwin broker break-glass` and `iamtwin broker review`: emergency access now, its review afterwards.

Break-glass grants at once where the approval rule allows it and tells the reviewers, the auditors
and the user; the use then heads `iamtwin broker list` until someone who could have approved it (never
its user) reviews it with an outcome and a comment.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from ..broker.requests import Ask
from ..broker.reviews import ReviewOutcome
from ..broker.rules import parse_duration
from ..errors import IamtwinError
from .broker_command import AsOption, _broker, _review_data, _show, broker_app
from .options import DbOption, FormatOption, check_format, fail, print_json
from .world_command import opened


@broker_app.command("break-glass")
def break_glass(
    person: AsOption,
    account: Annotated[str, typer.Option(help="The target account id.")],
    role: Annotated[str, typer.Option(help="The target role's name.")],
    duration: Annotated[str, typer.Option(help="How long: seconds, or 30m, 2h.")],
    justification: Annotated[str, typer.Option(help="Why (required).")],
    scope: Annotated[str | None, typer.Option(help="A scope template of the rule.")] = None,
    ticket: Annotated[str | None, typer.Option(help="A ticket reference.")] = None,
    db: DbOption = None,
    output_format: FormatOption = "text",
) -> None:
    """Emergency access at once, where the rules allow it: everyone concerned is told, and someone must review it."""
    try:
        check_format(output_format)
        seconds = parse_duration(duration, "--duration")
        ask = Ask(account, role, seconds, justification, scope, ticket, None, True)
        with opened(db) as world:
            broker = _broker(world)
            granted = broker.break_glass(broker.person(person), ask)
            broker.deliver_notifications()
    except IamtwinError as err:
        raise fail(err) from err
    _show(granted, output_format)
    if output_format == "text":
        note = f"break-glass use recorded: someone other than you must review it (iamtwin broker review {granted.id})"
        Console(highlight=False, stderr=True).print(note, style="bold red", markup=False)


@broker_app.command("review")
def review(
    request_id: str,
    person: AsOption,
    outcome: Annotated[ReviewOutcome, typer.Option(help="justified or unjustified.")],
    comment: Annotated[str, typer.Option(help="Why (required).")],
    db: DbOption = None,
    output_format: FormatOption = "text",
) -> None:
    """Review a break-glass use after the fact (someone who could have approved it, never its user)."""
    try:
        check_format(output_format)
        with opened(db) as world:
            broker = _broker(world)
            done = broker.review_break_glass(request_id, broker.person(person), outcome, comment)
            broker.deliver_notifications()
    except IamtwinError as err:
        raise fail(err) from err
    if output_format == "json":
        print_json(_review_data(done))
        return
    Console(highlight=False).print(
        f"{done.request_id}  reviewed by {done.reviewer}: {done.outcome}  {done.comment}", markup=False
    )

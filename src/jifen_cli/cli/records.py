"""`jifen record`: one event, one claim, pending review."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from jifen_cli.cli.options import Date, date_or_today, state


def record(
    ctx: typer.Context,
    household: Annotated[str, typer.Argument(help="Household code.")],
    rule: Annotated[str, typer.Argument(help="Rule code.")],
    qty: Annotated[int, typer.Option("--qty", help="Units of the rule (default 1).")] = 1,
    date: Date = None,
    note: Annotated[str, typer.Option("--note", help="What happened.")] = "",
    evidence: Annotated[list[Path] | None, typer.Option(
        "--evidence", help="A photo or scan (repeatable); kept inside the village file.",
    )] = None,
):
    """Record an event as a pending claim; prints its id."""
    from jifen_cli import claims

    s = state(ctx)
    claim_id = claims.record(
        s.conn(), household, rule, qty=qty, date=date_or_today(date), note=note,
        evidence=evidence or [], operator=s.operator(),
    )
    s.say("recorded", id=claim_id)


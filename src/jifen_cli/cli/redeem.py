"""`jifen redeem` and `jifen reverse`."""

from __future__ import annotations

from typing import Annotated

import typer

from jifen_cli.cli.options import Date, date_or_today, state


def redeem(
    ctx: typer.Context,
    household: Annotated[str, typer.Argument(help="Household code.")],
    item: Annotated[str, typer.Argument(help="Item code.")],
    qty: Annotated[int, typer.Option("--qty", help="How many (default 1).")] = 1,
    date: Date = None,
    shop: Annotated[str | None, typer.Option(
        "--shop", help="Partner shop that hands out the goods (合作商超).",
    )] = None,
):
    """Exchange points for goods: points and stock go down together."""
    from jifen_cli import redemptions

    s = state(ctx)
    r = redemptions.redeem(s.conn(), household, item, qty, date=date_or_today(date),
                     operator=s.operator(), shop=shop)
    s.say("redeemed", **r)


def reverse(
    ctx: typer.Context,
    seq: Annotated[int, typer.Argument(help="The posting to correct (its #).")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is being corrected.")],
    date: Date = None,
):
    """Correct a posting with its exact opposite, naming it and the reason."""
    from jifen_cli import ledger

    s = state(ctx)
    new = ledger.correct(s.conn(), seq, reason=reason, date=date_or_today(date),
                         operator=s.operator())
    s.say("reversed", original=seq, seq=new)


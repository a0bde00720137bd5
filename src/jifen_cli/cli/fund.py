"""`jifen fund grant|show` and `jifen settle`: the operating fund and the partner shops."""

from __future__ import annotations

from typing import Annotated

import typer

from jifen_cli.cli.options import Date, Json, date_or_today, print_json, state

fund_app = typer.Typer(help="The village's operating fund (积分超市资金).", no_args_is_help=True)


@fund_app.command("grant")
def grant(
    ctx: typer.Context,
    amount: Annotated[str, typer.Argument(help="Yuan received, e.g. 30000 or 30000.00.")],
    date: Date = None,
    note: Annotated[str, typer.Option("--note", help="Where it came from, document number…")] = "",
):
    """Record operating fund received (a `grant` posting)."""
    from jifen_cli import fund
    from jifen_cli.values import yuan

    s = state(ctx)
    r = fund.grant(s.conn(), amount, date=date_or_today(date), operator=s.operator(), note=note)
    s.say("fund_granted_ok", amount=yuan(r["fen"]), seq=r["seq"], balance=yuan(r["balance"]))


@fund_app.command("show")
def show(ctx: typer.Context, json: Json = False):
    """The fund now: granted, spent on stock, paid to and owed by partner shops, balance."""
    from jifen_cli import fund
    from jifen_cli.render.terminal import table
    from jifen_cli.values import yuan

    s = state(ctx)
    st = fund.status(s.conn())
    if json:
        print_json({**{k: yuan(v) for k, v in st.items() if k not in ("shops", "credits")},
                    "shops": {shop: yuan(v) for shop, v in st["shops"].items()},
                    "credits": {shop: yuan(v) for shop, v in st["credits"].items()}})
        return
    table(
        s.t("title_fund"),
        [s.t("pub_fund_item"), s.t("pub_cumulative")],
        [
            [s.t("fund_granted"), yuan(st["granted"])],
            [s.t("fund_spent"), yuan(st["spent_on_stock"])],
            [s.t("fund_paid"), yuan(st["paid"])],
            *([[s.t("fund_refunded"), yuan(st["refunded"])]] if st["refunded"] else []),
            [s.t("fund_owed"), yuan(st["owed"])],
            *([s.t("fund_owed_shop", shop=shop), yuan(v)] for shop, v in st["shops"].items()),
            [s.t("fund_credit"), yuan(st["credit"])],
            *([s.t("fund_credit_shop", shop=shop), yuan(v)] for shop, v in st["credits"].items()),
            [s.t("fund_balance"), yuan(st["balance"])],
        ],
        numeric=(1,),
    )


def settle(
    ctx: typer.Context,
    shop: Annotated[str, typer.Argument(help="The partner shop (合作商超), as named on redemptions.")],
    amount: Annotated[str | None, typer.Option(
        "--amount", help="Yuan paid to the shop; never more than it is owed.")] = None,
    refund: Annotated[str | None, typer.Option(
        "--refund", help="Yuan the shop pays back (goods returned after it was paid); never "
                         "more than its credit.")] = None,
    date: Date = None,
    note: Annotated[str, typer.Option("--note", help="Receipt or transfer number…")] = "",
):
    """Record a payment to a partner shop (--amount), or money it pays back (--refund)."""
    from jifen_cli import fund
    from jifen_cli.values import yuan

    s = state(ctx)
    # exactly one of the two, like `review approve (ID... | --all)`: a usage error otherwise
    if (amount is None) == (refund is None):
        raise typer.BadParameter(
            s.t("settle_needs_amount" if amount is None else "settle_amount_or_refund"),
            ctx=ctx, param_hint="--amount | --refund")
    if refund is not None:
        r = fund.refund(s.conn(), shop, refund, date=date_or_today(date), operator=s.operator(),
                        note=note)
        s.say("refunded", shop=r["shop"], amount=yuan(r["fen"]), seq=r["seq"],
              credit=yuan(r["credit"]))
        return
    r = fund.settle(s.conn(), shop, amount, date=date_or_today(date), operator=s.operator(),
                    note=note)
    s.say("settled", shop=r["shop"], amount=yuan(r["fen"]), seq=r["seq"], owed=yuan(r["owed"]))

"""`jifen shop add|list`: the partner shops (合作商超)."""

from __future__ import annotations

from typing import Annotated

import typer

from jifen_cli.cli.options import Json, print_json, state
from jifen_cli.render.terminal import table

shop_app = typer.Typer(help="The partner shops (合作商超).", no_args_is_help=True)


@shop_app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The shop's name, as it will be written.")],
    contact: Annotated[str, typer.Option("--contact", help="Who to call, phone…")] = "",
):
    """Register a partner shop; redemptions there and payments to it name it exactly."""
    from jifen_cli import shops

    s = state(ctx)
    shops.add(s.conn(), name, contact=contact, operator=s.operator())
    s.say("shop_added", name=name.strip())


@shop_app.command("list")
def list_(ctx: typer.Context, json: Json = False):
    """The partner shops with what is owed to them, paid, and any credit."""
    from jifen_cli import shops
    from jifen_cli.values import yuan

    s = state(ctx)
    items = shops.list_all(s.conn())
    if json:
        print_json([{**i, **{k: yuan(i[k]) for k in ("owed", "paid", "refunded", "credit")}}
                    for i in items])
        return
    table(s.t("title_shops"),
          [s.t(c) for c in ("col_shop", "col_contact", "col_owed", "col_paid", "col_credit")],
          ([i["name"], i["contact"], yuan(i["owed"]), yuan(i["paid"]), yuan(i["credit"])]
           for i in items), numeric=(2, 3, 4))

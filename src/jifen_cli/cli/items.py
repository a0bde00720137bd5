"""`jifen item add|edit|retire|restock|list`."""

from __future__ import annotations

from typing import Annotated

import typer

from jifen_cli.cli.options import Date, Json, changed_text, date_or_today, print_json, state
from jifen_cli.render.terminal import table

item_app = typer.Typer(help="The store catalogue and stock (商品).", no_args_is_help=True)


@item_app.command("add")
def add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Item code, e.g. G001.")],
    name: Annotated[str, typer.Argument(help="Item name.")],
    points: Annotated[int, typer.Option("--points", min=1, help="Price in points.")],
    value: Annotated[str, typer.Option("--value", help="Value in yuan, e.g. 35.00.")],
    stock: Annotated[int, typer.Option("--stock", min=0, help="Opening stock.")] = 0,
    date: Date = None,
):
    """Add an item to the catalogue."""
    from jifen_cli import items
    from jifen_cli.values import yuan

    s = state(ctx)
    item = items.add(s.conn(), operator=s.operator(), date=date_or_today(date), code=code,
                     name=name, points=points, value=value, stock=stock)
    s.say("added_item", code=item["code"], name=item["name"], points=item["points"],
          value=yuan(item["value_fen"]))


@item_app.command("restock")
def restock(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Item code.")],
    qty: Annotated[int, typer.Argument(help="How many came in.")],
    cost: Annotated[str, typer.Option("--cost", help="What they cost, in yuan (from the fund).")],
    date: Date = None,
    note: Annotated[str, typer.Option("--note", help="Supplier, invoice number…")] = "",
):
    """Add stock bought with the village fund."""
    from jifen_cli import items

    s = state(ctx)
    seq, stock = items.restock(s.conn(), code, qty, cost=cost, date=date_or_today(date),
                               operator=s.operator(), note=note)
    s.say("restocked", code=code, qty=qty, stock=stock, seq=seq)


Reason = Annotated[str, typer.Option("--reason", help="Why (kept in the register's history).")]


@item_app.command("edit")
def edit(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Item code.")],
    reason: Reason,
    name: Annotated[str | None, typer.Option("--name", help="New name.")] = None,
    points: Annotated[int | None, typer.Option("--points", min=1, help="New price in points.")] = None,
    value: Annotated[str | None, typer.Option("--value", help="New value in yuan.")] = None,
):
    """Change an item's name, price or value from now on; past redemptions keep theirs."""
    from jifen_cli import items
    from jifen_cli.values import yuan

    s = state(ctx)
    changed = items.edit(s.conn(), code, operator=s.operator(), reason=reason, name=name,
                         points=points, value=value)
    labels = {"name": "field_item_name", "points": "field_item_points", "value_fen": "field_value"}
    s.say("item_edited", code=code, changes=changed_text(
        s, changed, label=labels.get, shown=lambda k, v: yuan(v) if k == "value_fen" else v))


@item_app.command("retire")
def retire(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Item code.")],
    reason: Reason,
    date: Date = None,
):
    """Retire an item: no more redemptions or restocking (its stock is still counted)."""
    from jifen_cli import items

    s = state(ctx)
    item = items.retire(s.conn(), code, operator=s.operator(), reason=reason,
                        date=date_or_today(date))
    s.say("item_retired_ok", code=code, name=item["name"], stock=item["stock"])


@item_app.command("list")
def list_(ctx: typer.Context, json: Json = False):
    """The catalogue with prices and stock (retired items marked)."""
    from jifen_cli import items
    from jifen_cli.values import yuan

    s = state(ctx)
    listed = items.list_all(s.conn())
    if json:
        print_json([items.public(i) for i in listed])
        return
    table(
        s.t("title_items"),
        [s.t(c) for c in ("col_rule_code", "col_item_name", "col_points", "col_value", "col_stock",
                          "col_retired")],
        ([i["code"], i["name"], i["points"], yuan(i["value_fen"]), i["stock"],
          i["retired_on"] or ""] for i in listed),
        numeric=(2, 3, 4),
    )

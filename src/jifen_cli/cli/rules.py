"""`jifen rule add|list`."""

from __future__ import annotations

from typing import Annotated

import typer

from jifen_cli.cli.options import Json, print_json, state
from jifen_cli.render.terminal import table

rule_app = typer.Typer(help="The rule book (评分指标).", no_args_is_help=True)


@rule_app.command("add")
def add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Rule code, e.g. A01.")],
    category: Annotated[str, typer.Option("--category", help="Category, e.g. 人居环境.")],
    title: Annotated[str, typer.Option("--title", help="What the rule rewards or deducts.")],
    points: Annotated[int, typer.Option(
        "--points", help="Points per unit: positive rewards, negative deducts.",
    )],
    cap_month: Annotated[int | None, typer.Option(
        "--cap-month", min=1, help="Most points one household can get from it in a month.",
    )] = None,
):
    """Add a rule to the rule book."""
    from jifen_cli import rules

    s = state(ctx)
    r = rules.add(s.conn(), operator=s.operator(), code=code, category=category, title=title,
                  points=points, cap_month=cap_month)
    s.say("added_rule", code=r["code"], title=r["title"], points=r["points"])


@rule_app.command("list")
def list_(ctx: typer.Context, json: Json = False):
    """The rule book."""
    from jifen_cli import rules

    s = state(ctx)
    items = rules.list_all(s.conn())
    if json:
        print_json(items)
        return
    table(
        s.t("title_rules"),
        [s.t(c) for c in ("col_rule_code", "col_category", "col_title", "col_points", "col_cap")],
        ([r["code"], r["category"], r["title"], f"{r['points']:+d}", r["cap_month"] or ""]
         for r in items),
        numeric=(3, 4),
    )


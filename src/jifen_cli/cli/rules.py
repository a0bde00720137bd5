"""`jifen rule add|edit|retire|list`."""

from __future__ import annotations

from typing import Annotated

import typer

from jifen_cli.cli.options import Json, print_json, state
from jifen_cli.render.terminal import table

From = Annotated[str, typer.Option("--from", help="The first day it holds.", metavar="YYYY-MM-DD")]
Reason = Annotated[str, typer.Option("--reason", help="Why (the assembly's decision…).")]


def _day(value: str) -> str:
    from jifen_cli.values import parse_date

    return parse_date(value).isoformat()

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


@rule_app.command("edit")
def edit(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Rule code.")],
    valid_from: From,
    reason: Reason,
    title: Annotated[str | None, typer.Option("--title", help="New title.")] = None,
    points: Annotated[int | None, typer.Option("--points", help="New points per unit.")] = None,
    cap_month: Annotated[int | None, typer.Option(
        "--cap-month", min=0, help="New monthly cap (0: no cap).")] = None,
):
    """A new version of the rule from --from: claims dated from then are approved with it."""
    from jifen_cli import rules

    s = state(ctx)
    v = rules.edit(s.conn(), code, valid_from=_day(valid_from), reason=reason,
                   operator=s.operator(), title=title, points=points, cap_month=cap_month)
    s.say("rule_edited", code=v.code, date=v.valid_from, title=v.title, points=v.points,
          cap=v.cap_month or "—")


@rule_app.command("retire")
def retire(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Rule code.")],
    valid_from: From,
    reason: Reason,
):
    """Retire a rule: claims dated from --from on are refused."""
    from jifen_cli import rules

    s = state(ctx)
    date = rules.retire(s.conn(), code, valid_from=_day(valid_from), reason=reason,
                        operator=s.operator())
    s.say("rule_retired_ok", code=code, date=date)


@rule_app.command("list")
def list_(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="Every version of every rule.")] = False,
    json: Json = False,
):
    """The rule book: the version of each rule in force today (every version with --all)."""
    from jifen_cli import rules

    s = state(ctx)
    items = rules.list_all(s.conn(), every_version=all_)
    if json:
        print_json([v.as_dict() for v in items])
        return
    table(
        s.t("title_rules"),
        [s.t(c) for c in ("col_rule_code", "col_category", "col_title", "col_points", "col_cap",
                          "col_from", "col_retired")],
        ([v.code, v.category, v.title, f"{v.points:+d}", v.cap_month or "",
          v.as_dict()["from"] or "", v.retired or ""] for v in items),
        numeric=(3, 4),
    )

"""`jifen expire`: the year-end clearing (年度清零)."""

from __future__ import annotations

from typing import Annotated

import typer

from jifen_cli.cli.options import Date, Json, date_or_today, print_json, state


def expire(
    ctx: typer.Context,
    year: Annotated[int, typer.Option("--year", help="The year whose unspent points expire.")],
    date: Date = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Show what would expire; write nothing.")] = False,
    json: Json = False,
):
    """Year-end clearing (年度清零): unspent points earned in YEAR expire; honour points stay."""
    from jifen_cli import expiry

    s = state(ctx)
    operator = s.operator() if not dry_run else (s.operator_name or "")
    plan = expiry.expire(s.conn(), year, date=date_or_today(date), operator=operator,
                         dry_run=dry_run)
    if json:
        print_json({"year": plan.year, "date": plan.date, "dry_run": dry_run,
                    "points": plan.points, "first": plan.first or None,
                    "last": plan.last or None, "households": plan.households})
        return
    if plan.households:
        from jifen_cli.render.terminal import table

        table(
            s.t("title_expire", year=year),
            [s.t(c) for c in ("col_code", "col_name", "col_available", "col_expire")],
            ([h["household"], h["name"], h["available"], h["expire"]] for h in plan.households),
            numeric=(2, 3),
        )
    if dry_run:
        s.say("expire_preview", year=year, count=len(plan.households), points=plan.points)
    elif not plan.households:
        s.say("expire_nothing", year=year)
    else:
        s.say("expired", year=year, count=len(plan.households), points=plan.points,
              first=plan.first, last=plan.last, date=plan.date)

"""`jifen objection add|list|resolve`: objections (异议) raised while a disclosure is posted."""

from __future__ import annotations

from typing import Annotated

import typer

from jifen_cli.cli.options import Date, Json, date_or_today, print_json, state
from jifen_cli.render.terminal import table

objection_app = typer.Typer(help="Objections to a posted disclosure (异议).", no_args_is_help=True)
Quarter = Annotated[str, typer.Option("--quarter", help="The published quarter, e.g. 2024Q2.",
                                      metavar="YYYYQn")]


@objection_app.command("add")
def add(
    ctx: typer.Context,
    quarter: Quarter,
    text: Annotated[str, typer.Option("--text", help="What the villager says is wrong.")],
    household: Annotated[str | None, typer.Option(
        "--household", help="The household it concerns (code).")] = None,
    by: Annotated[str, typer.Option(
        "--by", help="Who raised it (kept in the village file, never posted).")] = "",
    date: Date = None,
):
    """Record an objection to a published quarter; prints its id."""
    from jifen_cli import objections

    s = state(ctx)
    o = objections.add(s.conn(), quarter=quarter, text=text, household=household, by=by,
                       date=date_or_today(date), operator=s.operator())
    s.say("objection_late" if o["late"] else "objection_added", id=o["id"], quarter=o["quarter"])


@objection_app.command("list")
def list_(
    ctx: typer.Context,
    quarter: Annotated[str | None, typer.Option(
        "--quarter", help="Only objections to this quarter.", metavar="YYYYQn")] = None,
    open_: Annotated[bool, typer.Option("--open", help="Only those still open.")] = False,
    json: Json = False,
):
    """Objections with their status and outcome."""
    from jifen_cli import objections

    s = state(ctx)
    items = objections.list_all(s.conn(), quarter=quarter, open_only=open_)
    if json:
        print_json(items)
        return
    if not items:
        s.say("no_objections")
        return
    table(s.t("title_objections"),
          [s.t(c) for c in ("col_id", "col_quarter", "col_household", "col_date", "col_text",
                            "col_status", "col_reason")],
          ([o["id"], o["quarter"], o["household"] or "", o["date"] + (
              f" {s.t('objection_late_mark')}" if o["late"] else ""), o["text"],
            s.t(f"objection_{o['status']}"), o["reason"] or ""] for o in items),
          numeric=(0,))


@objection_app.command("resolve")
def resolve(
    ctx: typer.Context,
    objection_id: Annotated[int, typer.Argument(help="The objection's id.", metavar="ID")],
    reason: Annotated[str, typer.Option("--reason", help="The working group's answer.")],
    upheld: Annotated[bool, typer.Option("--upheld", help="The objection is right.")] = False,
    dismissed: Annotated[bool, typer.Option("--dismissed", help="It is not.")] = False,
    reverse: Annotated[list[int] | None, typer.Option(
        "--reverse", help="A posting to reverse (repeatable; upheld only).", metavar="SEQ")] = None,
    date: Date = None,
):
    """Resolve an objection: upheld (reversing the postings named) or dismissed."""
    from jifen_cli import objections

    s = state(ctx)
    if upheld == dismissed:  # exactly one: the command's grammar, so a usage error (exit 2)
        raise typer.BadParameter(s.t("objection_upheld_or_dismissed"), ctx=ctx,
                                 param_hint="--upheld | --dismissed")
    done = objections.resolve(s.conn(), objection_id, upheld=upheld, reason=reason,
                              reverse=reverse or [], date=date_or_today(date),
                              operator=s.operator())
    for original, seq in done.reversals:
        s.say("reversed", original=original, seq=seq)
    s.say(f"objection_resolved_{done.objection['status']}", id=objection_id)

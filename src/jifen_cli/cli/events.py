"""`jifen event`: one activity many households took part in, one pending claim for each."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from jifen_cli.cli.options import Date, Json, date_or_today, print_json, state

# `--households H001 H002 H003`: the codes after the first arrive as extra arguments.
event_app = typer.Typer()


@event_app.command("event", context_settings={"allow_extra_args": True})
def event(
    ctx: typer.Context,
    rule: Annotated[str, typer.Argument(help="Rule code.")],
    households: Annotated[list[str] | None, typer.Option(
        "--households", metavar="H...",
        help="The households that took part: --households H001 H002 H003 (or H001,H002).",
    )] = None,
    group: Annotated[str | None, typer.Option(
        "--group", help="Every open household of this group took part.")] = None,
    date: Date = None,
    qty: Annotated[int, typer.Option("--qty", help="Units of the rule (default 1).")] = 1,
    note: Annotated[str, typer.Option("--note", help="What happened.")] = "",
    evidence: Annotated[list[Path] | None, typer.Option(
        "--evidence", help="A photo or sign-in sheet (repeatable); stored once, linked to "
        "every household's claim.",
    )] = None,
    json: Json = False,
):
    """Record an activity many households took part in (升旗仪式, 卫生评比).

    One pending claim per household, all in one transaction or none; prints the claim ids.
    """
    from jifen_cli import events

    s = state(ctx)
    extra = list(ctx.args)
    hint = "--households H... | --group G"
    if extra and households is None:
        raise typer.BadParameter(s.t("event_extra_arguments", args=" ".join(extra)), ctx=ctx,
                                 param_hint=hint)
    if (households is None) == (group is None):
        raise typer.BadParameter(s.t("event_households_or_group"), ctx=ctx, param_hint=hint)
    codes = None
    if households is not None:
        codes = [code for value in [*households, *extra]
                 for code in re.split(r"[,，\s]+", value) if code]
    done = events.record(s.conn(), rule, households=codes, group=group,
                         date=date_or_today(date), qty=qty, note=note,
                         evidence_files=evidence or [], operator=s.operator())
    if json:
        print_json({"event": done.id, "claims": done.claims, "households": done.households,
                    "evidence": done.files})
        return
    s.say("event_recorded" if done.files else "event_recorded_no_files", id=done.id,
          count=len(done.claims), files=done.files)
    for claim_id, code in zip(done.claims, done.households):
        s.say("event_claim", id=claim_id, household=code)

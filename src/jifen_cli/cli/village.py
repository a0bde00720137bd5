"""`jifen init` and `jifen reviewer`."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from jifen_cli.cli.options import Date, Json, date_or_today, print_json, state


class PublicLang(str, Enum):
    zh = "zh"
    en = "en"


class Mode(str, Enum):
    store = "store"
    partner = "partner"
    both = "both"


def init(
    ctx: typer.Context,
    village: Annotated[str, typer.Option("--village", help="The village's name.")],
    township: Annotated[str, typer.Option("--township", help="Township (乡镇).")] = "",
    county: Annotated[str, typer.Option("--county", help="County (县/区).")] = "",
    klass: Annotated[int, typer.Option(
        "--class", min=1, max=3,
        help="Village class: 1 (¥40,000 a year), 2 (¥30,000), 3 (¥20,000).",
    )] = 3,
    mode: Annotated[Mode, typer.Option(
        "--mode", help="store: a village store; partner: partner shops; both.",
    )] = Mode.store,
    public_lang: Annotated[PublicLang, typer.Option(
        "--public-lang", help="The language of the village's disclosures (公示), whoever "
                              "publishes them.",
    )] = PublicLang.zh,
) -> None:
    """Create the village file. Refuses to overwrite one."""
    from jifen_cli import village as domain

    s = state(ctx)
    domain.init(s.db, name=village, township=township, county=county, klass=klass, mode=mode.value,
                operator=s.operator(), public_lang=public_lang.value).close()
    s.say("created_village", village=village, path=s.db)


reviewer_app = typer.Typer(help="The working group's reviewers (审核人).", no_args_is_help=True)


@reviewer_app.command("add")
def reviewer_add(ctx: typer.Context, name: Annotated[str, typer.Argument(help="Reviewer's name.")]):
    """Add a working-group member who may review claims."""
    from jifen_cli import village as domain

    s = state(ctx)
    domain.add_reviewer(s.conn(), name, operator=s.operator())
    s.say("added_reviewer", name=name.strip())


@reviewer_app.command("retire")
def reviewer_retire(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Reviewer's name.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the register's history).")],
    date: Date = None,
):
    """A reviewer leaves the working group: no more reviews; past reviews stay theirs."""
    from jifen_cli import village as domain

    s = state(ctx)
    domain.retire_reviewer(s.conn(), name, reason=reason, operator=s.operator(),
                           date=date_or_today(date))
    s.say("reviewer_retired_ok", name=name.strip())


@reviewer_app.command("list")
def reviewer_list(ctx: typer.Context, json: Json = False):
    """List the reviewers (former ones marked)."""
    from jifen_cli import village as domain

    s = state(ctx)
    items = domain.reviewers(s.conn())
    if json:
        print_json(items)
        return
    for r in items:
        typer.echo(r["name"] if not r["retired"] else
                   f"{r['name']}（{s.t('retired_label')} {r['retired']}）")

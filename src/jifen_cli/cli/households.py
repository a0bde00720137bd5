"""`jifen household add|edit|close|reopen|merge|list|show`."""

from __future__ import annotations

from typing import Annotated

import typer

from jifen_cli.cli.options import Date, Json, changed_text, date_or_today, print_json, state
from jifen_cli.render.terminal import table

household_app = typer.Typer(help="The household register (户).", no_args_is_help=True)
Private = Annotated[bool, typer.Option(
    "--private", help="Show full ID numbers and phones (never in public outputs).",
)]


@household_app.command("add")
def add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Household code, e.g. H001.")],
    name: Annotated[str, typer.Argument(help="Head of household.")],
    group: Annotated[str, typer.Option("--group", help="Group / grid (组别).")] = "",
    members: Annotated[int, typer.Option("--members", min=0, help="Number of members.")] = 1,
    id_number: Annotated[str | None, typer.Option(
        "--id-number", help="ID number (private): 18 characters with a valid GB 11643 check "
                            "digit and birth date, one household per number.")] = None,
    phone: Annotated[str | None, typer.Option("--phone", help="Phone (private).")] = None,
):
    """Register a household."""
    from jifen_cli import households

    s = state(ctx)
    h = households.add(s.conn(), operator=s.operator(), code=code, name=name, group=group,
                       members=members, id_number=id_number, phone=phone)
    s.say("added_household", code=h["code"], name=h["name"])


Reason = Annotated[str, typer.Option("--reason", help="Why (kept in the register's history).")]


@household_app.command("edit")
def edit(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Household code.")],
    reason: Reason,
    name: Annotated[str | None, typer.Option("--name", help="New head of household.")] = None,
    group: Annotated[str | None, typer.Option("--group", help="Group / grid (组别).")] = None,
    members: Annotated[int | None, typer.Option("--members", min=0, help="Number of members.")] = None,
    id_number: Annotated[str | None, typer.Option("--id-number", help="ID number (private).")] = None,
    phone: Annotated[str | None, typer.Option("--phone", help="Phone (private).")] = None,
):
    """Correct or update a household; the old values stay in the register's history."""
    from jifen_cli import households

    s = state(ctx)
    changed = households.edit(s.conn(), code, operator=s.operator(), reason=reason, name=name,
                              group=group, members=members, id_number=id_number, phone=phone)
    s.say("household_edited", code=code, changes=changed_text(
        s, changed, shown=lambda k, v: "***" if k in ("id_number", "phone") and v else v))


@household_app.command("close")
def close(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Household code.")],
    reason: Reason,
    date: Date = None,
):
    """The household leaves (迁出/销户): its unspent points are cleared by a posting dated D."""
    from jifen_cli import households

    s = state(ctx)
    done = households.close(s.conn(), code, operator=s.operator(), reason=reason,
                            date=date_or_today(date))
    s.say("household_closed_ok", code=code, date=done.date, points=done.points,
          seq=done.seqs[0])


@household_app.command("reopen")
def reopen(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Household code.")],
    reason: Reason,
    date: Date = None,
):
    """A household closed or merged by mistake comes back, its points with it."""
    from jifen_cli import households

    s = state(ctx)
    done = households.reopen(s.conn(), code, operator=s.operator(), reason=reason,
                             date=date_or_today(date))
    s.say("household_reopened_merge" if done.into else "household_reopened", code=code,
          into=done.into, points=done.points, honour=done.honour, date=done.date,
          seqs=", ".join(f"#{n}" for n in done.seqs))


@household_app.command("merge")
def merge(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="The household registered twice (closed).",
                                          metavar="FROM")],
    target: Annotated[str, typer.Argument(help="The household it is merged into.",
                                          metavar="INTO")],
    reason: Reason,
    date: Date = None,
):
    """A household registered twice: FROM's points move to INTO, and FROM is closed."""
    from jifen_cli import households

    s = state(ctx)
    done = households.merge(s.conn(), source, target, operator=s.operator(), reason=reason,
                            date=date_or_today(date))
    s.say("household_merged_ok", source=source, target=target, date=done.date,
          points=done.points, honour=done.honour, out_seq=done.seqs[0], in_seq=done.seqs[1])


def _rows(s, items: list[dict], private: bool):
    for h in items:
        name = h["name"]
        if h["merged_into"]:
            name = f"{name}（{s.t('merged_label', into=h['merged_into'])} {h['closed_on']}）"
        elif h["closed"]:
            name = f"{name}（{s.t('closed_label')} {h['closed_on']}）"
        row = [h["code"], name, h["group"], h["members"], h["id_number"]]
        if private:
            row.append(h["phone"])
        yield row + [h["available"], h["honour"]]


def _show(s, items: list[dict], private: bool, title: str) -> None:
    cols = ["col_code", "col_name", "col_group", "col_members", "col_id_number"]
    if private:
        cols.append("col_phone")
    cols += ["col_available", "col_honour"]
    table(title, [s.t(c) for c in cols], _rows(s, items, private),
          numeric=(3, len(cols) - 2, len(cols) - 1))


JSON_KEYS = ("code", "name", "group", "members", "id_number", "phone", "available", "honour",
             "closed", "closed_on", "merged_into")


def _json(h: dict, private: bool) -> dict:
    out = {k: h[k] for k in JSON_KEYS}
    if not private:
        out.pop("phone")
    return out


@household_app.command("list")
def list_(
    ctx: typer.Context,
    group: Annotated[str | None, typer.Option("--group", help="Only this group.")] = None,
    search: Annotated[str | None, typer.Option(
        "--search", help="Match code, name, group, or the last 4 digits of an ID or phone.",
    )] = None,
    all_: Annotated[bool, typer.Option("--all", help="Closed households too.")] = False,
    private: Private = False,
    json: Json = False,
):
    """List households with their points (closed ones with --all)."""
    from jifen_cli import households

    s = state(ctx)
    items = households.list_all(s.conn(), group=group, private=private, search=search,
                                include_closed=all_)
    if json:
        print_json([_json(h, private) for h in items])
    elif not items:
        s.say("no_households_found")
    else:
        _show(s, items, private, s.t("title_households"))


@household_app.command("show")
def show(
    ctx: typer.Context,
    household: Annotated[str, typer.Argument(help="Household code, or the head's name.")],
    private: Private = False,
    json: Json = False,
):
    """One household's register entry, points, and the changes made to it."""
    from jifen_cli import households, registers

    s = state(ctx)
    conn = s.conn()
    h = households.get(conn, households.resolve(conn, household), private=private)
    changes = registers.listing(conn, register="household", code=h["code"], private=private)
    if json:
        print_json({**_json(h, private), "changes": changes})
        return
    _show(s, [h], private, f"{h['code']} {h['name']}")
    from jifen_cli.cli.changes import show_changes

    show_changes(s, changes, s.t("title_household_changes", code=h["code"]))

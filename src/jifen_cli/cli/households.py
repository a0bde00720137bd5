"""`jifen household add|list|show`."""

from __future__ import annotations

from typing import Annotated

import typer

from jifen_cli.cli.options import Json, print_json, state
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


def _rows(items: list[dict], private: bool):
    for h in items:
        row = [h["code"], h["name"], h["group"], h["members"], h["id_number"]]
        if private:
            row.append(h["phone"])
        yield row + [h["available"], h["honour"]]


def _show(s, items: list[dict], private: bool, title: str) -> None:
    cols = ["col_code", "col_name", "col_group", "col_members", "col_id_number"]
    if private:
        cols.append("col_phone")
    cols += ["col_available", "col_honour"]
    table(title, [s.t(c) for c in cols], _rows(items, private),
          numeric=(3, len(cols) - 2, len(cols) - 1))


def _json(h: dict, private: bool) -> dict:
    out = dict(h)
    if not private:
        out.pop("phone")
    return out


@household_app.command("list")
def list_(
    ctx: typer.Context,
    group: Annotated[str | None, typer.Option("--group", help="Only this group.")] = None,
    private: Private = False,
    json: Json = False,
):
    """List households with their points."""
    from jifen_cli import households

    s = state(ctx)
    items = households.list_all(s.conn(), group=group, private=private)
    if json:
        print_json([_json(h, private) for h in items])
    else:
        _show(s, items, private, s.t("title_households"))


@household_app.command("show")
def show(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Household code.")],
    private: Private = False,
    json: Json = False,
):
    """One household's register entry and points."""
    from jifen_cli import households

    s = state(ctx)
    h = households.get(s.conn(), code, private=private)
    if json:
        print_json(_json(h, private))
    else:
        _show(s, [h], private, f"{h['code']} {h['name']}")


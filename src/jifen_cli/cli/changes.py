"""`jifen changes`: every register change — when, who, what, old → new, why."""

from __future__ import annotations

from typing import Annotated

import typer

from jifen_cli.cli.options import Json, print_json, state
from jifen_cli.i18n import join


def _values(s, values: dict | None, keys: list[str]) -> str:
    if not values:
        return "—"
    return join(s.lang, [
        f"{s.t(f'field_{k}')} {'—' if values.get(k) in (None, '') else values.get(k)}"
        for k in keys if k in values])


def show_changes(s, changes: list[dict], title: str) -> None:
    """The changes as a table: when, who, register and code, what, old → new, reason."""
    from jifen_cli.render.terminal import table

    if not changes:
        s.say("no_changes")
        return

    def rows():
        for c in changes:
            keys = sorted({*(c["old"] or {}), *c["new"]})
            yield [c["seq"], c["at"][:16].replace("T", " "), c["by"],
                   s.t("what_" + c["register"]) + " " + c["code"],
                   s.t(f"change_{c['action']}"),
                   _values(s, c["old"], keys), _values(s, c["new"], keys),
                   c["effective"] if c["effective"] != "0000-01-01" else "",
                   c["reason"]]

    table(title, [s.t(k) for k in ("col_seq", "col_when", "col_by", "col_what", "col_action",
                                   "col_old", "col_new", "col_effective", "col_reason")],
          rows(), numeric=(0,))


def changes(
    ctx: typer.Context,
    since: Annotated[str | None, typer.Option(
        "--since", help="Only changes made on or after this day.", metavar="YYYY-MM-DD",
    )] = None,
    private: Annotated[bool, typer.Option(
        "--private", help="Show full ID numbers and phones (never in public outputs).",
    )] = False,
    json: Json = False,
):
    """Every register change: when, who, what, old → new, and the reason."""
    from jifen_cli import registers
    from jifen_cli.values import parse_date

    s = state(ctx)
    day = parse_date(since).isoformat() if since else None
    items = registers.listing(s.conn(), since=day, private=private)
    if json:
        print_json(items)
        return
    show_changes(s, items, s.t("title_changes"))

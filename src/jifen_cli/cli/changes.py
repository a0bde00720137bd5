"""`jifen changes`: every register change — when, who, what, old → new, why."""

from __future__ import annotations

from typing import Annotated

import typer

from jifen_cli.cli.options import Json, print_json, state

# The fields of each register in the order a person reads them, and the words that name them.
FIELDS = {
    "household": (("name", "field_name"), ("group", "field_group"), ("members", "field_members"),
                  ("id_number", "field_id_number"), ("phone", "field_phone"),
                  ("closed", "field_closed"), ("merged_into", "field_merged_into")),
    "rule": (("category", "field_category"), ("title", "field_title"), ("points", "field_points"),
             ("cap_month", "field_cap_month"), ("retired", "field_retired")),
    "item": (("name", "field_item_name"), ("points", "field_item_points"),
             ("value_fen", "field_value"), ("retired", "field_retired")),
    "reviewer": (("retired", "field_retired"),),
    "shop": (("contact", "field_contact"),),
}


def _values(s, register: str, values: dict | None) -> str:
    from jifen_cli.i18n import join
    from jifen_cli.values import yuan

    if not values:
        return "—"
    said = []
    for key, label in FIELDS[register]:
        if key in values:
            value = values[key]
            if value in (None, ""):
                value = "—"
            elif key == "value_fen":
                value = yuan(value)
            said.append(s.t("change_field", field=s.t(label), value=value))
    return join(s.lang, said)


def show_changes(s, changes: list[dict], title: str) -> None:
    """The changes as a table: when, who, register and code, what, old → new, reason."""
    from jifen_cli.periods import OPENING
    from jifen_cli.render.terminal import table

    if not changes:
        s.say("no_changes")
        return
    table(title, [s.t(k) for k in ("col_seq", "col_when", "col_by", "col_what", "col_action",
                                   "col_old", "col_new", "col_effective", "col_reason")],
          ([c["seq"], c["local_time"], c["by"], s.t("what_" + c["register"]) + " " + c["code"],
            s.t(f"change_{c['action']}"), _values(s, c["register"], c["old"]),
            _values(s, c["register"], c["new"]),
            "—" if c["effective"] == OPENING else c["effective"], c["reason"]]
           for c in changes),
          numeric=(0,), nowrap=(1, 3, 7))


def changes(
    ctx: typer.Context,
    since: Annotated[str | None, typer.Option(
        "--since", help="Only changes made on or after this day (by this computer's clock).",
        metavar="YYYY-MM-DD",
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

"""`jifen card`: printable household cards (积分卡)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from jifen_cli.cli.options import state


def card(
    ctx: typer.Context,
    households: Annotated[list[str] | None, typer.Argument(help="Household codes.")] = None,
    out: Annotated[Path, typer.Option("--out", help="Folder for cards.html.")] = Path("cards"),
    all_: Annotated[bool, typer.Option("--all", help="Every household.")] = False,
    group: Annotated[str | None, typer.Option("--group", help="Every household of a group.")] = None,
    last: Annotated[int, typer.Option("--last", min=0, max=20,
                                      help="How many recent postings to show.")] = 8,
):
    """Printable household cards (积分卡) with a QR code, six to an A4 page."""
    from jifen_cli import households as domain
    from jifen_cli.errors import BadInput
    from jifen_cli.render import cards

    s = state(ctx)
    conn = s.conn()
    codes = list(dict.fromkeys(households or []))
    if all_ or group is not None:
        members = domain.list_all(conn, group=None if all_ else group, include_closed=False)
        if not members and not all_:  # a group no household belongs to: say so, list the groups
            groups = list(dict.fromkeys(h["group"] for h in domain.list_all(conn) if h["group"]))
            raise BadInput("card_no_such_group" if groups else "card_no_groups", group=group,
                           groups=groups)
        codes += [h["code"] for h in members if h["code"] not in codes]
    if not codes:
        raise BadInput("card_needs_households")
    path = cards.write(conn, codes, out, lang=s.lang, last=last)
    s.say("cards_written", count=len(codes), path=path)

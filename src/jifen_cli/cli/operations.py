"""`jifen expire`, `jifen backup`, `jifen restore`, `jifen card`, `jifen check`."""

from __future__ import annotations

from pathlib import Path
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


def backup(
    ctx: typer.Context,
    dest: Annotated[str, typer.Argument(
        help="A new file, or a folder to put a file named after the village and ledger head "
             "(a trailing / says it is a folder, which must exist).", metavar="DEST")],
):
    """Copy the village file safely (even while others write) and verify the copy.

    Done already (exit 0, nothing written) when DEST holds a sound copy of the village exactly
    as it stands; anything else there is never overwritten."""
    from jifen_cli import backup as domain

    s = state(ctx)
    copy = domain.backup(s.conn(), dest)
    s.say("backup_exists" if copy.existing else "backed_up", path=copy.path,
          village=copy.village, postings=copy.postings, head=copy.head[:16])


def restore(
    ctx: typer.Context,
    source: Annotated[Path, typer.Argument(help="The backup to restore.")],
    to: Annotated[Path | None, typer.Option(
        "--to", help="Where to restore it (must not exist; default: the --db path).")] = None,
):
    """Verify a backup and copy it to a new village file (never over an existing one)."""
    from jifen_cli import backup as domain

    s = state(ctx)
    copy = domain.restore(source, to or s.db)
    s.say("restored", path=copy.path, village=copy.village, postings=copy.postings,
          head=copy.head[:16])


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


def check(
    ctx: typer.Context,
    file: Annotated[Path | None, typer.Argument(
        help="The village file to check (default: the --db file).")] = None,
    json: Json = False,
):
    """Whole-file health report: integrity, chain, balances, stock, digests, overdue work.

    Exit 3 when any check fails (damage); warnings do not change the exit code. A file it will
    not examine (an interrupted write, a newer schema, not a village file) is refused, exit 1;
    with --json the document says so too (`status`, `reason`). It never changes the file.
    """
    from jifen_cli import health
    from jifen_cli.errors import JifenError
    from jifen_cli.i18n import said

    s = state(ctx)
    path = file or s.db
    try:
        report = health.check(path)
    except JifenError as exc:  # refused (exit 1): with --json, the document says so too
        if json:
            print_json(health.refusal(path, exc))
        raise
    if json:
        print_json(report.as_dict())
    else:
        from jifen_cli.render.terminal import table

        table(
            s.t("title_check", path=report.path),
            [s.t("col_check"), s.t("col_status"), s.t("col_detail")],
            ([s.t(f"check_item_{c.name}"), s.t(f"status_{c.status}"), said(c.detail, s.lang)]
             for c in report.checks),
        )
        s.say(f"check_{report.status}")
    if report.status == health.FAIL:
        raise typer.Exit(3)

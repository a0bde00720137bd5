"""`jifen balance`, `jifen history`, `jifen verify`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from jifen_cli.cli.options import Json, print_json, state
from jifen_cli.render.terminal import table


def balance(
    ctx: typer.Context,
    household: Annotated[str | None, typer.Argument(
        help="Household code or head's name (default: all).")] = None,
    json: Json = False,
):
    """Available and honour points."""
    from jifen_cli import households

    s = state(ctx)
    conn = s.conn()
    if household is not None:
        household = households.resolve(conn, household)
        b = households.balance(conn, household)
        if json:
            print_json(b)
        else:
            h = households.get(conn, household)
            typer.echo(f"{h['code']} {h['name']}  {s.t('col_available')} {b['available']}  "
                       f"{s.t('col_honour')} {b['honour']}")
        return
    items = households.balances(conn)
    if json:
        print_json([{k: b[k] for k in ("household", "available", "honour")} for b in items])
        return
    table(
        s.t("title_balances"),
        [s.t(c) for c in ("col_code", "col_name", "col_group", "col_available", "col_honour")],
        ([b["household"], b["name"], b["group"], b["available"], b["honour"]] for b in items),
        numeric=(3, 4),
    )


def _what(posting: dict) -> str:
    """The rule or item a posting is about: its code and its name (A01 庭院整洁, G001 酥油)."""
    code = posting["rule"] or posting["item"]
    name = posting["title"] if posting["rule"] else posting["item_name"]
    return " ".join(part for part in (code, name) if part)


def history(
    ctx: typer.Context,
    household: Annotated[str, typer.Argument(help="Household code or head's name.")],
    json: Json = False,
):
    """A household's postings."""
    from jifen_cli import households

    s = state(ctx)
    conn = s.conn()
    household = households.resolve(conn, household)
    postings = households.history(conn, household)
    if json:
        print_json([
            {"seq": p["seq"], "date": p["date"], "kind": p["kind"], "points": p["points"],
             "rule": p["rule"], "item": p["item"], "qty": p["qty"], "note": p["note"],
             "shop": p["shop"], "reverses": p["reverses"], "recorded_by": p["recorded_by"],
             "reviewed_by": p["reviewed_by"], "created_at": p["created_at"],
             "title": p["title"], "item_name": p["item_name"]}
            for p in postings
        ])
        return
    h = households.get(conn, household)
    if not postings:
        s.say("no_postings", household=household)
        return
    table(
        s.t("title_history", household=h["code"], name=h["name"]),
        [s.t(c) for c in ("col_seq", "col_date", "col_kind", "col_points", "col_rule_item",
                          "col_note")],
        ([p["seq"], p["date"], s.t(f"kind_{p['kind']}"), f"{p['points']:+d}", _what(p),
          (f"#{p['reverses']} " if p["reverses"] else "") + (p["note"] or "")]
         for p in postings),
        numeric=(0, 3),
    )


def verify(
    ctx: typer.Context,
    disclosure: Annotated[Path | None, typer.Option(
        "--disclosure", help="Check a folder (a copy of what was posted) against the "
                             "publication recorded in the village file instead.", metavar="DIR",
    )] = None,
    quarter: Annotated[str | None, typer.Option(
        "--quarter", help="With --disclosure: the quarter it should be (default: what the "
                          "folder's manifest says).", metavar="YYYYQn",
    )] = None,
    json: Json = False,
):
    """Check the file's pages (SQLite's quick_check), recompute the hash chain and every balance
    and stock level; exit 3 on damage. With --disclosure, check a posted copy instead."""
    if disclosure is not None:
        return _verify_disclosure(state(ctx), disclosure, quarter, json)
    import sqlite3

    from jifen_cli import health, ledger
    from jifen_cli.db import is_busy
    from jifen_cli.errors import LedgerDamaged, VillageDamaged

    s = state(ctx)
    try:
        report = health.verify_file(s.conn())
    except sqlite3.DatabaseError as exc:
        if is_busy(exc):  # held by another process too long: busy, not damaged (the edge says so)
            raise
        report = ledger.Report(problems=[ledger.Problem("verify_file_damaged", detail=str(exc))])
    except VillageDamaged as exc:  # a village file with damaged pages
        report = ledger.Report(problems=[
            ledger.Problem("verify_file_damaged", detail=exc.params["detail"])])
    if json:
        print_json({"ok": report.ok, "postings": report.postings, "head": report.head,
                    "publications": report.publications, "problems": report.problems})
        if not report.ok:
            raise typer.Exit(LedgerDamaged.exit_code)
        return
    if not report.ok:
        for problem in report.problems[1:]:
            typer.echo(problem.message(s.lang), err=True)
        raise LedgerDamaged(detail=report.problems[0].message(s.lang))
    s.say("verify_ok", postings=report.postings, publications=report.publications,
          head=report.head)


def _verify_disclosure(s, folder: Path, quarter: str | None, json: bool) -> None:
    """Every file of the publication present and byte-identical in `folder`; exit 3 if not."""
    from jifen_cli import publication
    from jifen_cli.errors import LedgerDamaged

    found = publication.check_folder(s.conn(), folder, quarter)
    if found.ignored and not json:
        typer.echo(s.t("disclosure_ignored", names=", ".join(found.ignored)), err=True)
    if json:
        print_json({"ok": found.ok, "quarter": found.quarter, "published": found.published,
                    "digest": found.digest, "folder": str(folder), "files": found.files,
                    "missing": found.missing, "extra": found.extra, "changed": found.changed,
                    "ignored": found.ignored})
        if not found.ok:
            raise typer.Exit(LedgerDamaged.exit_code)
        return
    if found.ok:
        s.say("disclosure_matches", folder=str(folder), quarter=found.quarter,
              published=found.published, files=found.files, digest=found.digest)
        return
    for key, names in (("disclosure_missing", found.missing), ("disclosure_extra", found.extra),
                       ("disclosure_changed", found.changed)):
        for name in names:
            typer.echo(s.t(key, name=name), err=True)
    raise LedgerDamaged("disclosure_differs", folder=str(folder), quarter=found.quarter,
                        published=found.published,
                        count=len(found.missing) + len(found.extra) + len(found.changed))

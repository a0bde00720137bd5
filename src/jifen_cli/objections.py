"""Objections (异议) to a posted disclosure, and their outcome (the 公示 loop).

A quarter's notice hangs on the board for its objection period (公示期): from the publication
date, `objection_days` days (publish --objection-days, default 7). A villager who disagrees tells
the working group; the clerk records it (`add`) against the published quarter, naming the
household it concerns when there is one. One recorded after the period is still kept, and
marked late. The working group resolves it (`resolve`): upheld — and then, in the same
transaction, every posting it names is reversed, each reversal naming the objection — or
dismissed, always with the reason. The next quarter's disclosure lists every objection resolved
since the one before, with its outcome.

Who raised an objection is kept in the village file and never printed on a public disclosure:
a villager who objects must not be exposed for it.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

from jifen_cli import db, ledger, periods
from jifen_cli.errors import BadInput, UnknownObjection
from jifen_cli.values import check_text, now, optional_text, today

DEFAULT_DAYS = 7
STATUSES = ("open", "upheld", "dismissed")
KEYS = ("id", "quarter", "household", "text", "by", "date", "status", "reason", "late",
        "recorded_by", "recorded_at", "resolved_by", "resolved_on", "reversals", "reported_in")


def period(date: str, days: int) -> tuple[str, str]:
    """The objection period of a publication dated `date`: its first and last day."""
    first = dt.date.fromisoformat(date)
    return first.isoformat(), (first + dt.timedelta(days=days - 1)).isoformat()


def publication_period(conn: sqlite3.Connection, quarter: str) -> tuple[str, str]:
    row = conn.execute("SELECT date, objection_days FROM publications WHERE quarter = ?",
                       (quarter,)).fetchone()
    if row is None:
        raise BadInput("objection_unpublished", quarter=quarter)
    return period(*row)


def add(conn: sqlite3.Connection, *, quarter: str, text: str, household: str | None,
        by: str, date: str, operator: str) -> dict:
    quarter = periods.parse_quarter(quarter)
    text = optional_text(text, "text", note=True)
    if not text:
        raise BadInput("bad_name", field="text")
    by = optional_text(by, "by")
    if date > today().isoformat():
        raise BadInput("future_date", value=date, today=today().isoformat())
    with db.transaction(conn):
        first, last = publication_period(conn, quarter)
        if date < first:
            raise BadInput("objection_before", quarter=quarter, date=date, first=first)
        if household is not None:
            from jifen_cli import households

            household = households.get(conn, household)["code"]
        late = int(date > last)
        cursor = conn.execute(
            "INSERT INTO objections (quarter, household, text, raised_by, date, late, recorded_by,"
            " recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (quarter, household, text, by, date, late, operator, now()))
    return get(conn, cursor.lastrowid)


def _row(conn: sqlite3.Connection, row: tuple) -> dict:
    (oid, quarter, household, text, by, date, status, reason, late, recorded_by, recorded_at,
     resolved_by, resolved_on, reported_in) = row
    reversals = [seq for (seq,) in conn.execute(
        "SELECT seq FROM postings WHERE ref LIKE ? ORDER BY seq", (f"objection:{oid}:%",))]
    return dict(zip(KEYS, (oid, quarter, household, text, by, date, status, reason, bool(late),
                           recorded_by, recorded_at, resolved_by, resolved_on, reversals,
                           reported_in)))


_SELECT = ("SELECT id, quarter, household, text, raised_by, date, status, reason, late,"
           " recorded_by, recorded_at, resolved_by, resolved_on, reported_in FROM objections")


def get(conn: sqlite3.Connection, objection_id: int) -> dict:
    if not 0 < objection_id < 2**63:
        raise UnknownObjection(id=objection_id)
    row = conn.execute(f"{_SELECT} WHERE id = ?", (objection_id,)).fetchone()
    if row is None:
        raise UnknownObjection(id=objection_id)
    return _row(conn, row)


def list_all(conn: sqlite3.Connection, *, quarter: str | None = None,
             open_only: bool = False) -> list[dict]:
    sql, params = f"{_SELECT} WHERE 1 = 1", []
    if quarter:
        sql += " AND quarter = ?"
        params.append(periods.parse_quarter(quarter))
    if open_only:
        sql += " AND status = 'open'"
    return [_row(conn, row) for row in conn.execute(sql + " ORDER BY id", params)]


@dataclass
class Resolved:
    objection: dict
    reversals: list[tuple[int, int]]  # (original seq, reversal seq)


def resolve(conn: sqlite3.Connection, objection_id: int, *, upheld: bool, reason: str,
            reverse: list[int], date: str, operator: str) -> Resolved:
    """Uphold or dismiss an open objection, with the reason; an upheld one reverses the
    postings it names in the same transaction, each reversal naming the objection."""
    from jifen_cli.claims import require_reviewer

    reason = check_text(reason, "reason")
    if reverse and not upheld:
        raise BadInput("objection_reverse_dismissed")
    done = []
    with db.transaction(conn):
        require_reviewer(conn, operator)
        objection = get(conn, objection_id)
        if objection["status"] != "open":
            raise BadInput("objection_resolved", id=objection_id,
                           status_key=f"objection_{objection['status']}")
        for seq in dict.fromkeys(reverse):
            original = ledger.get_posting(conn, seq)
            if objection["household"] and original["household"] != objection["household"]:
                raise BadInput("objection_other_household", id=objection_id, seq=seq,
                               household=objection["household"],
                               other=original["household"] or "—")
            new = ledger.reverse(conn, seq, reason=f"异议 #{objection_id}：{reason}", date=date,
                                 operator=operator, ref=f"objection:{objection_id}:{seq}")
            done.append((original["seq"], new))
        conn.execute(
            "UPDATE objections SET status = ?, reason = ?, resolved_by = ?, resolved_at = ?,"
            " resolved_on = ?, resolved_after = (SELECT max(quarter) FROM publications)"
            " WHERE id = ?",
            ("upheld" if upheld else "dismissed", reason, operator, now(), date, objection_id))
    return Resolved(get(conn, objection_id), done)


def to_report(conn: sqlite3.Connection) -> list[dict]:
    """Objections resolved and not yet reported on a disclosure (oldest first)."""
    return [_row(conn, row) for row in conn.execute(
        f"{_SELECT} WHERE status <> 'open' AND reported_in IS NULL ORDER BY id")]


def reported_in(conn: sqlite3.Connection, quarter: str) -> list[dict]:
    """The objections the disclosure of `quarter` reported (the same ones on every reprint)."""
    return [_row(conn, row) for row in conn.execute(
        f"{_SELECT} WHERE reported_in = ? ORDER BY id", (quarter,))]


def mark_reported(conn: sqlite3.Connection, ids: list[int], quarter: str) -> None:
    conn.executemany("UPDATE objections SET reported_in = ? WHERE id = ?",
                     [(quarter, i) for i in ids])


def overdue(conn: sqlite3.Connection, on: str) -> list[dict]:
    """Open objections whose quarter's objection period ended before `on`."""
    out = []
    for objection in list_all(conn, open_only=True):
        _, last = publication_period(conn, objection["quarter"])
        if last < on:
            out.append({**objection, "period_end": last})
    return out


def problems(conn: sqlite3.Connection) -> list:
    """Objections a disclosure should have reported and did not (or reported when open): every
    objection resolved before a publication is reported by the first one after it."""
    from jifen_cli.i18n import Message

    found = []
    for oid, reported, due in conn.execute(
        "SELECT o.id, o.reported_in, CASE WHEN o.status <> 'open' THEN"
        " (SELECT min(p.quarter) FROM publications p WHERE p.quarter > o.resolved_after) END"
        " FROM objections o ORDER BY o.id"
    ):
        if reported != due:
            found.append(Message("objection_misreported", id=oid, reported=reported or "—",
                                 due=due or "—"))
    return found

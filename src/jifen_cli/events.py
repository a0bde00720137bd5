"""Events: one activity many households took part in (升旗仪式, 卫生评比), recorded once.

An event is still 一事一记录 for each household: it makes one pending claim per household, each
checked exactly as `jifen record` checks a claim (claims.check_claim) and reviewed on its own.
What the event adds is that it is typed once and happens whole: all the claims in one
transaction, or — if any household is unknown, closed or listed twice — none, with that
household named. Its evidence (the sign-in sheet, the photo) is stored once and linked to every
claim of the event, so the quarter's archive lists it under each household.

The claims name their event (`claims.event`, an `events` row with the rule, date, qty, note and
who recorded it), so the reviewer's desk can say which activity a claim belongs to and how many
households it counted.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from jifen_cli import claims, db, evidence
from jifen_cli.errors import BadInput, EventRefused, HouseholdClosed, UnknownHousehold
from jifen_cli.i18n import Message
from jifen_cli.values import now, optional_text


@dataclass
class Event:
    id: int
    claims: list[int]
    households: list[str]
    files: int


def record(conn: sqlite3.Connection, rule: str, *, households: list[str] | None = None,
           group: str | None = None, date: str, qty=1, note: str = "",
           evidence_files: list[Path] = (), operator: str) -> Event:
    """One pending claim per household (the ones named, or every open household of `group`),
    all in one transaction, the evidence stored once and linked to each."""
    files = claims.read_evidence(list(evidence_files))
    note = optional_text(note, "note", note=True)
    with db.transaction(conn):
        codes = _households(conn, households, group)
        checked_qty = None
        for code in codes:
            try:
                checked_qty = claims.check_claim(conn, code, rule, qty, date)
            except (UnknownHousehold, HouseholdClosed) as exc:
                raise EventRefused(household=code,
                                   detail=Message(exc.key, **exc.params)) from None
        stamp = now()
        event_id = conn.execute(
            "INSERT INTO events (rule, date, qty, note, recorded_by, recorded_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (rule, date, checked_qty, note, operator, stamp)).lastrowid
        ids = []
        for code in codes:
            ids.append(conn.execute(
                "INSERT INTO claims (household, rule, qty, date, note, recorded_by, recorded_at,"
                " event) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (code, rule, checked_qty, date, note, operator, stamp, event_id)).lastrowid)
        evidence.link(conn, ids, files, operator=operator)
    return Event(event_id, ids, codes, len(files))


def _households(conn: sqlite3.Connection, households: list[str] | None,
                group: str | None) -> list[str]:
    """The event's households: those named (each once), or the open households of a group."""
    if group is not None:
        codes = [code for (code,) in conn.execute(
            "SELECT code FROM households WHERE grp = ? AND closed_on IS NULL ORDER BY code",
            (group,))]
        if not codes:
            raise BadInput("event_empty_group", group=group)
        return codes
    codes = [str(code).strip() for code in households or []]
    if not codes:
        raise BadInput("event_needs_households")
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise EventRefused(household=code,
                               detail=Message("event_household_twice", code=code))
        seen.add(code)
    return codes

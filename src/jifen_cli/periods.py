"""Quarters and the lock that publication puts on them."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3

from jifen_cli.errors import BadInput, PeriodLocked

# Before and after every date: the first version of a rule holds from OPENING, and "all time"
# is OPENING through ENDING.
OPENING = "0000-01-01"
ENDING = "9999-12-31"
QUARTER_RE = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
LAST_DAY = {1: 31, 2: 30, 3: 30, 4: 31}  # of March, June, September, December


def parse_quarter(value: str) -> str:
    """`2024Q2` or `2024-Q2` -> `2024Q2`."""
    match = QUARTER_RE.match(str(value).strip())
    if not match or match[1] == "0000":  # the calendar starts at year 1
        raise BadInput("bad_quarter", value=value)
    return f"{match[1]}Q{match[2]}"


def quarter_bounds(quarter: str) -> tuple[dt.date, dt.date]:
    """First and last day of a quarter: 2024Q2 -> 2024-04-01, 2024-06-30."""
    quarter = parse_quarter(quarter)
    year, number = int(quarter[:4]), int(quarter[5])
    # The last day named outright, not "the day before the next quarter": 9999Q4 has no next.
    return dt.date(year, 3 * number - 2, 1), dt.date(year, 3 * number, LAST_DAY[number])


def quarter_of(date: dt.date | str) -> str:
    if isinstance(date, str):
        date = dt.date.fromisoformat(date)
    return f"{date.year}Q{(date.month - 1) // 3 + 1}"


def locked_through(conn: sqlite3.Connection) -> str | None:
    """The last day of the latest published quarter, or None.

    Publishing a quarter requires every earlier quarter with postings to be published, and a
    quarter's opening balances depend on everything before it, so the lock covers every date up
    to the end of the latest published quarter.
    """
    row = conn.execute("SELECT max(quarter) FROM publications").fetchone()
    if not row or row[0] is None:
        return None
    return quarter_bounds(row[0])[1].isoformat()


def ensure_open(conn: sqlite3.Connection, date: str, locked: str | None = None) -> None:
    """Refuse a date inside (or before) a published quarter. `locked` may be passed pre-read."""
    if locked is None:
        locked = locked_through(conn)
    if locked is not None and date <= locked:
        raise locked_out(date, locked)


def locked_out(date: str, locked: str) -> PeriodLocked:
    """The refusal of `date`, on or before `locked` (the last day of the latest published
    quarter, as locked_through gives it): it names that quarter, which is what locks the date —
    not the date's own quarter, which may never have been published (1900Q1)."""
    return PeriodLocked(date=date, quarter=quarter_of(locked), through=locked)

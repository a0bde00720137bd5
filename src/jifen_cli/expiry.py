"""Year-end clearing (年度清零): points earned in a year and not spent expire, once, per household.

Many villages clear each household's unspent points once a year; others never do. `jifen expire
--year Y` is therefore a command a village runs or does not, and it does nothing else: honour
points and the rankings are untouched (an `expire` posting does not count for honour).

Which points are "earned in Y and not spent" — first in, first out. The household's postings are
replayed in the order they were recorded (seq). Every posting that adds points makes a *lot*
dated on a day; every posting that takes points away draws on the oldest lots first:

- `earn` adds a lot dated on the day the event happened;
- `deduct` and `redeem` take points away, oldest lots first (a deduction is not tied to the
  points of its own year: it lowers what the household holds, like spending does);
- `reverse` undoes its original: the reversal of an `earn` first removes what is left of that
  earn's own lot (a mistaken reward never outlives its correction), and any part of it already
  spent is taken from the oldest lots; the reversal of a deduction, redemption or expiry gives
  the points back as a new lot dated on the reversal's own day;
- an `expire` for year Y takes the lots dated in Y (what it cleared when it was posted);
- points taken away when no lot is left are a shortfall that the next lots pay off first.

What expires for year Y is what is left of the lots dated in Y, never more than the household's
available balance and never negative. Households with nothing left from Y get no posting.

When. A year's figures are final only once its last quarter is published: publishing Y Q4 locks
every date up to Y-12-31 (and publishing requires the earlier quarters first), so no reward for
Y can appear after the clearing. The clearing is therefore refused until Y Q4 is published — and
because a posting cannot be dated inside a locked quarter, it is dated the day it is run (or
`--date`), which must be after the year. It then shows in the next disclosure, under 本季调整
(`adjusted`, see figures.py). Each posting carries the ref `expire:Y:HOUSEHOLD` and the note
"Y年度清零"; the clearing of a year is refused once any such posting exists, so it can never
happen twice (UNIQUE refs guard against two processes racing as well). A mistaken clearing of
one household is corrected with `jifen reverse`, like any other posting.
"""

from __future__ import annotations

import bisect
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field

from jifen_cli import db, ledger, periods
from jifen_cli.errors import BadInput
from jifen_cli.ledger import Posting
from jifen_cli.values import today


@dataclass(slots=True)
class _Lots:
    """One household's unspent points, as lots ordered by (date, seq)."""

    order: list[tuple[str, int]] = field(default_factory=list)  # (date, seq), sorted
    left: dict[int, int] = field(default_factory=dict)          # seq -> points left
    date: dict[int, str] = field(default_factory=dict)
    shortfall: int = 0

    def add(self, seq: int, date: str, points: int) -> None:
        paid = min(points, self.shortfall)
        self.shortfall -= paid
        points -= paid
        if points:
            bisect.insort(self.order, (date, seq))
            self.left[seq] = points
            self.date[seq] = date

    def take_from(self, seq: int, points: int) -> int:
        """Take up to `points` from lot `seq`; returns what could not be taken there."""
        have = self.left.get(seq, 0)
        used = min(have, points)
        if used:
            self.left[seq] = have - used
        return points - used

    def take_oldest(self, points: int, year: str | None = None) -> None:
        for date, seq in self.order:
            if not points:
                break
            if year is None or date.startswith(year):
                points = self.take_from(seq, points)
        self.shortfall += points
        spent = 0
        while spent < len(self.order) and not self.left[self.order[spent][1]]:
            spent += 1
        del self.order[:spent]

    def of_year(self, year: str) -> int:
        return sum(self.left[seq] for date, seq in self.order if date.startswith(year))


def unspent(conn: sqlite3.Connection, year: int) -> dict[str, int]:
    """Per household, the points earned in `year` not yet spent (first in, first out)."""
    y = f"{year:04d}-"
    lots: defaultdict[str, _Lots] = defaultdict(_Lots)
    kinds: dict[int, str] = {}
    for seq, kind, date, household, points, reverses, ref in conn.execute(
        "SELECT seq, kind, date, household, points, reverses, ref FROM postings"
        " WHERE household IS NOT NULL ORDER BY seq"
    ):
        kinds[seq] = kind
        book = lots[household]
        if kind == "reverse" and kinds.get(reverses) == "earn":
            rest = book.take_from(reverses, -points)
            if rest:
                book.take_oldest(rest)
        elif points > 0:
            book.add(seq, date, points)
        elif points < 0:
            if kind == "expire" and ref and ref.startswith("expire:"):
                book.take_oldest(-points, ref.split(":")[1] + "-")
            else:
                book.take_oldest(-points)
    return {household: book.of_year(y) for household, book in lots.items()}


@dataclass
class Clearing:
    year: int
    date: str
    households: list[dict]  # household, name, available, expire
    first: int = 0
    last: int = 0

    @property
    def points(self) -> int:
        return sum(h["expire"] for h in self.households)


def _plan(conn: sqlite3.Connection, year: int, date: str) -> Clearing:
    if conn.execute(
        "SELECT 1 FROM postings WHERE kind = 'expire' AND ref LIKE ?", (f"expire:{year}:%",)
    ).fetchone():
        raise BadInput("expire_done", year=year)
    year_end = f"{year:04d}-12-31"
    locked = periods.locked_through(conn)
    if locked is None or locked < year_end:
        raise BadInput("expire_unpublished", year=year, quarter=f"{year}Q4")
    if date <= year_end:
        raise BadInput("expire_date", year=year, date=date)
    if date > today().isoformat():
        raise BadInput("future_date", value=date)
    periods.ensure_open(conn, date, locked)
    left = unspent(conn, year)
    households = []
    for code, name, available in conn.execute(
        "SELECT code, name, available FROM households ORDER BY code"
    ):
        amount = min(left.get(code, 0), max(available, 0))
        if amount > 0:
            households.append({"household": code, "name": name, "available": available,
                               "expire": amount})
    return Clearing(year, date, households)


def expire(conn: sqlite3.Connection, year: int, *, date: str, operator: str,
           dry_run: bool = False) -> Clearing:
    """Post the year-end clearing of `year` (or with dry_run, only say what it would post)."""
    if not 2000 <= year <= 9998:
        raise BadInput("bad_int", field="year", value=year)
    with db.transaction(conn):
        plan = _plan(conn, year, date)
        if dry_run or not plan.households:
            return plan
        appended = ledger.append(conn, [
            Posting(kind="expire", date=date, household=h["household"], points=-h["expire"],
                    ref=f"expire:{year}:{h['household']}", note=f"{year}年度清零",
                    recorded_by=operator, reviewed_by=operator)
            for h in plan.households
        ])
        plan.first, plan.last = appended.first, appended.last
    return plan

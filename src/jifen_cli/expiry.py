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
  back to each lot what it took from it, with that lot's own date — also the lots that later
  paid off what it took below zero — so a corrected mistake neither turns last year's points
  into this year's nor costs the household anything (a reward that was itself reversed gets
  nothing back: the lots its reversal had to take instead do);
- an `expire` for year Y takes the lots dated in Y (what it cleared when it was posted);
- points taken away when no lot is left are owed, and the next lots pay them off first.

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
from dataclasses import dataclass, field

from jifen_cli import db, ledger, periods
from jifen_cli.errors import BadInput
from jifen_cli.ledger import Posting
from jifen_cli.values import today


@dataclass(slots=True)
class Owed:
    """Points posting `taker` took when no lot was left, still to be paid off by later lots."""
    taker: int
    points: int


@dataclass(slots=True)
class _Lots:
    """One household's unspent points, as lots ordered by (date, seq), and what it owes.

    `owed` holds, oldest first, [seq, points] for postings that took more than every lot held
    (a deduction below zero); later points pay them off first. For the postings in `tracked`
    (those reversed later), `took[seq]` remembers every lot that paid for them, so that their
    reversal can give those very points back."""

    tracked: set[int]
    order: list[tuple[str, int]] = field(default_factory=list)  # (date, seq) of lots with points
    left: dict[int, int] = field(default_factory=dict)          # seq -> points left
    date: dict[int, str] = field(default_factory=dict)
    owed: list[Owed] = field(default_factory=list)
    took: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    dead: dict[int, int] = field(default_factory=dict)           # reversed reward -> reversal

    def _paid(self, taker: int, lot: int, points: int) -> None:
        if taker in self.tracked:
            self.took.setdefault(taker, []).append((lot, points))

    def add(self, seq: int, date: str, points: int) -> None:
        """A new lot; it first pays off what is owed, oldest first."""
        self.date[seq], self.left[seq] = date, 0
        while points and self.owed:
            piece = self.owed[0]
            paid = min(points, piece.points)
            self._paid(piece.taker, seq, paid)
            piece.points -= paid
            points -= paid
            if not piece.points:
                self.owed.pop(0)
        if points:
            self._restore(seq, points)

    def _restore(self, seq: int, points: int) -> None:
        if seq in self.dead:  # a reversed reward gets nothing back: what its reversal took does
            self._undo_reversal(self.dead[seq], points)
            return
        key = (self.date[seq], seq)
        at = bisect.bisect_left(self.order, key)
        if at == len(self.order) or self.order[at] != key:
            self.order.insert(at, key)
        self.left[seq] += points

    def reverse_earn(self, seq: int, earn: int, points: int) -> None:
        """Posting `seq` reverses reward `earn`: first what is left of the reward's own lot, then
        (the part already spent) the oldest lots."""
        self.dead[earn] = seq
        self.tracked.add(seq)
        rest = self.take_from(earn, points)
        if rest:
            self.take_oldest(seq, rest)

    def _undo_reversal(self, seq: int, points: int) -> None:
        """Give back `points` that reversal `seq` took beyond its reward: forgive what it still
        owes, then return points to the lots it took them from."""
        for piece in [piece for piece in self.owed if piece.taker == seq]:
            forgiven = min(points, piece.points)
            piece.points -= forgiven
            points -= forgiven
        self.owed = [piece for piece in self.owed if piece.points]
        took = self.took.get(seq, [])
        while points and took:
            lot, had = took.pop()
            back = min(points, had)
            if had > back:
                took.append((lot, had - back))
            self._restore(lot, back)
            points -= back

    def take_from(self, seq: int, points: int) -> int:
        """Take up to `points` from lot `seq`; returns what could not be taken there."""
        have = self.left.get(seq, 0)
        used = min(have, points)
        if used:
            self.left[seq] = have - used
        return points - used

    def take_oldest(self, taker: int, points: int, year: str | None = None,
                    pieces: list | None = None) -> None:
        """Posting `taker` takes `points`, from the oldest lots (of `year` only, if given); what
        no lot can pay is owed. `pieces` collects (date, points) of what each lot gave."""
        for date, seq in self.order:
            if not points:
                break
            if year is None or date.startswith(year):
                rest = self.take_from(seq, points)
                if rest != points:
                    self._paid(taker, seq, points - rest)
                    if pieces is not None:
                        pieces.append((date, points - rest))
                points = rest
        if points:
            self.owed.append(Owed(taker, points))
        spent = 0
        while spent < len(self.order) and not self.left[self.order[spent][1]]:
            spent += 1
        del self.order[:spent]

    def give_back(self, taker: int) -> None:
        """Undo posting `taker`: what it still owed is forgiven, and every lot that paid for it
        gets its points back (with its own date). Other debts are then paid from the oldest lots."""
        self.owed = [piece for piece in self.owed if piece.taker != taker]
        for lot, points in self.took.pop(taker, ()):
            self._restore(lot, points)
        owed, self.owed = self.owed, []
        for piece in owed:
            self.take_oldest(piece.taker, piece.points)

    def of_year(self, year: str) -> int:
        return sum(self.left[seq] for date, seq in self.order if date.startswith(year))


def unspent(conn: sqlite3.Connection, year: int) -> dict[str, int]:
    """Per household, the points earned in `year` not yet spent (first in, first out)."""
    y = f"{year:04d}-"
    tracked = {seq for (seq,) in conn.execute(
        "SELECT reverses FROM postings WHERE kind = 'reverse' AND household IS NOT NULL")}
    lots: dict[str, _Lots] = {}
    kinds: dict[int, str] = {}
    moving: list[tuple[str, int]] | None = None  # the lots a merge takes, for its other half
    for seq, kind, date, household, points, reverses, ref in conn.execute(
        "SELECT seq, kind, date, household, points, reverses, ref FROM postings"
        " WHERE household IS NOT NULL ORDER BY seq"
    ):
        kinds[seq] = kind
        book = lots.get(household) or lots.setdefault(household, _Lots(tracked))
        if kind == "reverse" and kinds.get(reverses) == "earn":
            book.reverse_earn(seq, reverses, -points)
        elif kind == "reverse" and points > 0:
            book.give_back(reverses)
        elif kind == "merge" and points < 0:  # the points leave with their own dates...
            moving = []
            book.take_oldest(seq, -points, pieces=moving)
        elif kind == "merge" and points > 0 and moving is not None:
            # ... and arrive in the household merged into (the next posting) with them, so a
            # merge neither saves last year's points from the clearing nor ages this year's
            for n, (day, piece) in enumerate(moving, start=1):
                book.add(-(seq * 1000 + n), day, piece)  # keys of their own, below any seq
            if points > sum(piece for _, piece in moving):  # what the lots did not cover
                book.add(seq, date, points - sum(piece for _, piece in moving))
            moving = None
        elif points > 0:
            book.add(seq, date, points)
        elif points < 0:
            if kind == "expire" and ref and ref.startswith("expire:"):
                book.take_oldest(seq, -points, ref.split(":")[1] + "-")
            else:
                book.take_oldest(seq, -points)
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
        raise BadInput("future_date", value=date, today=today().isoformat())
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

"""One definition of the quarter's figures, used by publish, rollup, cards and checks alike.

Per household, for a quarter [first, last] by the date each posting happened:

    opening   = every points change dated before the quarter
    earned    = rewards (earn postings) in the quarter
    deducted  = deductions in the quarter, as a positive number
    redeemed  = points spent on goods in the quarter, as a positive number
    adjusted  = reversals, year-end expiry, and points cleared or moved when a household
                leaves or is merged (close, merge), in the quarter, signed
    closing   = opening + earned - deducted - redeemed + adjusted

Every posting that names a household falls in exactly one bucket, so the identity holds by
construction; tests check it on random ledgers anyway. A household that left before the quarter
is not in it; one that left during the quarter keeps its row for that quarter. `entries` (记录数, person-times) counts
the earn and deduct postings. The honour ranking (光明榜) uses earned - deducted plus any
reversal of a reward or deduction in the quarter (`net`), so a corrected mistake does not rank.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from jifen_cli.periods import quarter_bounds

HOUSEHOLD_SQL = """
SELECT h.code, h.name, h.grp,
       coalesce(f.opening, 0), coalesce(f.earned, 0), coalesce(f.deducted, 0),
       coalesce(f.redeemed, 0), coalesce(f.adjusted, 0), coalesce(f.entries, 0),
       coalesce(f.corrections, 0), coalesce(f.deductions, 0)
FROM households h LEFT JOIN (
    SELECT household,
           sum(CASE WHEN date < :first THEN points END) AS opening,
           sum(CASE WHEN date >= :first AND kind = 'earn' THEN points END) AS earned,
           -sum(CASE WHEN date >= :first AND kind = 'deduct' THEN points END) AS deducted,
           -sum(CASE WHEN date >= :first AND kind = 'redeem' THEN points END) AS redeemed,
           sum(CASE WHEN date >= :first AND kind IN ('reverse', 'expire', 'close', 'merge')
                    THEN points END) AS adjusted,
           sum(CASE WHEN date >= :first AND kind IN ('earn', 'deduct') THEN 1 END) AS entries,
           sum(CASE WHEN date >= :first AND kind = 'reverse' AND rule IS NOT NULL
                    THEN points END) AS corrections,
           sum(CASE WHEN date >= :first AND kind = 'deduct' THEN 1 END) AS deductions
    FROM postings
    WHERE household IS NOT NULL AND date <= :last
    GROUP BY household
) f ON f.household = h.code
WHERE h.closed_on IS NULL OR h.closed_on >= :first
ORDER BY h.code
"""


@dataclass(slots=True)
class HouseholdQuarter:
    code: str
    name: str
    group: str
    opening: int
    earned: int
    deducted: int
    redeemed: int
    adjusted: int
    entries: int
    corrections: int  # reversals of rewards/deductions in the quarter (part of `adjusted`)
    deductions: int   # how many deduct postings (the honour ranking's first tie-break)

    @property
    def closing(self) -> int:
        return self.opening + self.earned - self.deducted - self.redeemed + self.adjusted

    @property
    def net(self) -> int:
        """Earned - deducted in the quarter, corrections included: the honour ranking's score."""
        return self.earned - self.deducted + self.corrections


def households(conn: sqlite3.Connection, quarter: str) -> list[HouseholdQuarter]:
    first, last = quarter_bounds(quarter)
    return [
        HouseholdQuarter(*row)
        for row in conn.execute(HOUSEHOLD_SQL, {"first": first.isoformat(), "last": last.isoformat()})
    ]


def honour_board(rows: list[HouseholdQuarter], top: int = 10) -> list[HouseholdQuarter]:
    """光明榜: the top households by net points, ties by fewer deductions, then by code.

    Only households that gained points in the quarter (net > 0) are honoured."""
    ranked = [r for r in rows if r.net > 0]
    ranked.sort(key=lambda r: (-r.net, r.deductions, r.code))
    return ranked[:top]


VILLAGE_SQL = """
SELECT
    (SELECT count(*) FROM households WHERE closed_on IS NULL OR closed_on >= :first),
    count(DISTINCT CASE WHEN p.kind IN ('earn', 'deduct') THEN p.household END),
    coalesce(sum(p.kind IN ('earn', 'deduct')), 0),
    coalesce(sum(CASE WHEN p.kind = 'earn' THEN p.points END), 0),
    coalesce(-sum(CASE WHEN p.kind = 'deduct' THEN p.points END), 0),
    coalesce(-sum(CASE WHEN p.kind = 'redeem' THEN p.points END), 0),
    coalesce(sum(CASE WHEN p.kind = 'redeem' THEN p.fen END), 0)
      + coalesce(sum(CASE WHEN p.kind = 'reverse' AND o.kind = 'redeem' THEN p.fen END), 0),
    coalesce(sum(CASE WHEN p.kind = 'reverse' AND o.kind = 'redeem' THEN -p.points END), 0)
FROM postings p LEFT JOIN postings o ON o.seq = p.reverses
WHERE p.date BETWEEN :first AND :last
"""


@dataclass(slots=True)
class VillageQuarter:
    households: int
    participating: int   # households with at least one reward or deduction in the quarter
    entries: int         # person-times: earn and deduct postings
    earned: int
    deducted: int
    redeemed: int        # points spent on goods (before reversals)
    redeemed_fen: int    # yuan value of goods redeemed, net of reversed redemptions
    redeem_reversed: int  # points given back by reversed redemptions


def village(conn: sqlite3.Connection, quarter: str) -> VillageQuarter:
    first, last = quarter_bounds(quarter)
    row = conn.execute(VILLAGE_SQL, {"first": first.isoformat(), "last": last.isoformat()}).fetchone()
    return VillageQuarter(*row)


FUND_SQL = """
SELECT
    coalesce(sum(CASE WHEN k = 'grant' THEN fen END), 0),
    coalesce(sum(CASE WHEN k = 'restock' THEN fen END), 0),
    coalesce(sum(CASE WHEN k = 'redeem' AND shop IS NOT NULL THEN fen END), 0),
    coalesce(sum(CASE WHEN k = 'settle' THEN fen END), 0)
FROM (
    SELECT p.fen, p.shop, CASE WHEN p.kind = 'reverse' THEN o.kind ELSE p.kind END AS k
    FROM postings p LEFT JOIN postings o ON o.seq = p.reverses
    WHERE p.date BETWEEN :first AND :last
)
"""


@dataclass(slots=True)
class Fund:
    """Money in fen. Reversals count against the kind they reverse."""

    granted: int        # operating fund received (fund grant)
    spent_on_stock: int  # restock costs
    owed_accrued: int   # goods value redeemed at partner shops
    paid: int           # settlements paid to partner shops

    @property
    def balance(self) -> int:
        return self.granted - self.spent_on_stock - self.paid

    @property
    def owed(self) -> int:
        return self.owed_accrued - self.paid


def fund(conn: sqlite3.Connection, first: str = "0000-01-01", last: str = "9999-12-31") -> Fund:
    """Fund movements dated between first and last (ISO dates, inclusive); all time by default."""
    return Fund(*conn.execute(FUND_SQL, {"first": first, "last": last}).fetchone())

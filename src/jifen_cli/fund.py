"""The village's operating fund and what it owes partner shops, as postings on the ledger.

Money postings carry `fen` and no household:
- `grant`   — operating fund received (class 1 ¥40,000, class 2 ¥30,000, class 3 ¥20,000 a year);
- `restock` — goods bought for the village store (`item restock --cost`, in store.py);
- `settle`  — a payment to a partner shop (合作商超), naming the shop.
A `redeem` with a shop is owed to that shop at the goods' yuan value until it is settled. A
reversal counts against the kind it reverses, so a mistaken grant or payment is undone the same
way as any other posting. The figures themselves are defined once, in figures.fund.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from jifen_cli import db, figures, ledger
from jifen_cli.errors import BadInput
from jifen_cli.ledger import Posting
from jifen_cli.values import check_text, parse_yuan, today, yuan

OWED_SQL = """
SELECT shop, sum(CASE k WHEN 'redeem' THEN fen WHEN 'settle' THEN -fen ELSE 0 END)
FROM (
    SELECT p.fen, p.shop, CASE WHEN p.kind = 'reverse' THEN o.kind ELSE p.kind END AS k
    FROM postings p LEFT JOIN postings o ON o.seq = p.reverses
    WHERE p.shop IS NOT NULL AND p.date BETWEEN :first AND :last
)
WHERE k IN ('redeem', 'settle')
GROUP BY shop
ORDER BY shop
"""


def owed_by_shop(conn: sqlite3.Connection, first: str = "0000-01-01",
                 last: str = "9999-12-31") -> dict[str, int]:
    """Per partner shop: goods redeemed there minus payments, in fen, for postings dated
    between first and last (all time by default)."""
    return dict(conn.execute(OWED_SQL, {"first": first, "last": last}).fetchall())


@dataclass
class ShopAccount:
    """What the village and one partner shop owe each other, in fen."""

    shop: str
    accrued: int = 0  # goods handed out for points, net of returns
    paid: int = 0     # payments to the shop

    @property
    def owed(self) -> int:
        return max(self.accrued - self.paid, 0)

    @property
    def credit(self) -> int:
        return max(self.paid - self.accrued, 0)


def shop_accounts(conn: sqlite3.Connection) -> dict[str, ShopAccount]:
    accounts: dict[str, ShopAccount] = {}
    for shop, kind, fen in conn.execute(
        "SELECT p.shop, CASE WHEN p.kind = 'reverse' THEN o.kind ELSE p.kind END, sum(p.fen)"
        " FROM postings p LEFT JOIN postings o ON o.seq = p.reverses"
        " WHERE p.shop IS NOT NULL GROUP BY 1, 2"
    ):
        account = accounts.setdefault(shop, ShopAccount(shop))
        if kind == "redeem":
            account.accrued += fen
        elif kind == "settle":
            account.paid += fen
    return accounts


def _amount(value, field: str) -> int:
    fen = parse_yuan(value, field)
    if fen <= 0:
        raise BadInput("amount_not_positive", field=field, value=str(value).strip())
    return fen


def _check_date(date: str) -> None:
    if date > today().isoformat():
        raise BadInput("future_date", value=date)


def grant(conn: sqlite3.Connection, amount, *, date: str, operator: str, note: str = "") -> dict:
    """Record fund received. Returns the posting seq and the fund balance after it."""
    fen = _amount(amount, "amount")
    _check_date(date)
    with db.transaction(conn):
        appended = ledger.append(conn, [Posting(
            kind="grant", date=date, fen=fen, note=note.strip(), recorded_by=operator,
            reviewed_by=operator,
        )])
        balance = figures.fund(conn).balance
    return {"seq": appended.last, "fen": fen, "balance": balance}


def settle(conn: sqlite3.Connection, shop: str, amount, *, date: str, operator: str,
           note: str = "") -> dict:
    """Record a payment to a partner shop; never more than it is owed as of that date."""
    shop = check_text(shop, "shop")
    fen = _amount(amount, "amount")
    _check_date(date)
    with db.transaction(conn):
        from jifen_cli.shops import require

        require(conn, shop)
        owed = owed_by_shop(conn, last=date).get(shop, 0)
        if fen > owed:
            raise BadInput("settle_too_much", shop=shop, amount=yuan(fen), owed=yuan(owed),
                           date=date)
        room, later = _room_after(conn, shop, date, owed)
        if fen > room:
            raise BadInput("settle_too_much_later", shop=shop, amount=yuan(fen), owed=yuan(owed),
                           date=date, later=later, room=yuan(max(room, 0)))
        appended = ledger.append(conn, [Posting(
            kind="settle", date=date, shop=shop, fen=fen, note=note.strip(), recorded_by=operator,
            reviewed_by=operator,
        )])
    return {"seq": appended.last, "shop": shop, "fen": fen, "owed": owed - fen}


DAILY_SQL = """
SELECT date, sum(CASE k WHEN 'redeem' THEN fen WHEN 'settle' THEN -fen ELSE 0 END)
FROM (
    SELECT p.date, p.fen, CASE WHEN p.kind = 'reverse' THEN o.kind ELSE p.kind END AS k
    FROM postings p LEFT JOIN postings o ON o.seq = p.reverses
    WHERE p.shop = :shop AND p.date > :date
)
GROUP BY date
ORDER BY date
"""


def _room_after(conn: sqlite3.Connection, shop: str, date: str, owed: int) -> tuple[int, str]:
    """How much a payment dated `date` may be without the shop being overpaid on any later day
    (payments dated later were checked against what was owed without this one), and the day
    that limits it."""
    room, later, running = owed, date, owed
    for day, change in conn.execute(DAILY_SQL, {"shop": shop, "date": date}):
        running += change
        if running < room:
            room, later = running, day
    return room, later


def status(conn: sqlite3.Connection) -> dict:
    """The fund as of now: granted, spent, paid, balance, and what is owed to each shop."""
    f = figures.fund(conn)
    return {
        "granted": f.granted, "spent_on_stock": f.spent_on_stock, "paid": f.paid,
        "owed": f.owed, "balance": f.balance,
        "shops": {shop: owed for shop, owed in owed_by_shop(conn).items() if owed},
    }


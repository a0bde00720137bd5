"""The village's operating fund and what it owes partner shops, as postings on the ledger.

Money postings carry `fen` and no household:
- `grant`   — operating fund received (class 1 ¥40,000, class 2 ¥30,000, class 3 ¥20,000 a year);
- `restock` — goods bought for the village store (`item restock --cost`, in items.py);
- `settle`  — a payment to a partner shop (合作商超), naming the shop; with negative fen, a refund:
  money the shop pays back (`settle SHOP --refund`).
A `redeem` with a shop is owed to that shop at the goods' yuan value until it is settled. A
reversal counts against the kind it reverses, so a mistaken grant or payment is undone the same
way as any other posting. The figures themselves are defined once, in figures.py.

Each shop has its own account (figures.ShopAccount): the village owes it (`owed`) or, when a
redemption was returned after the shop was paid, the shop owes money back (`credit`). A payment
is never more than the shop is owed, a refund never more than its credit. The fund itself never
goes below zero: restocking beyond its balance is refused, and so is a reversal that would take
money out of it (of a grant, or of a refund) that it does not have.
"""

from __future__ import annotations

import sqlite3

from jifen_cli import db, figures, ledger, periods
from jifen_cli.errors import BadInput
from jifen_cli.ledger import Posting
from jifen_cli.values import check_text, parse_yuan, today, yuan


def owed_by_shop(conn: sqlite3.Connection, first: str = periods.OPENING,
                 last: str = periods.ENDING) -> dict[str, int]:
    """Per partner shop, in fen: goods redeemed there (net of returns) minus payments plus
    refunds, for postings dated between first and last (all time by default). Positive: the
    village owes the shop; negative: the shop owes money back."""
    return {a.shop: a.redeemed - a.paid + a.refunded
            for a in figures.shop_accounts(conn, first, last)}


def _amount(value, field: str) -> int:
    fen = parse_yuan(value, field)
    if fen <= 0:
        raise BadInput("amount_not_positive", field=field, value=str(value).strip())
    return fen


def _check_date(date: str) -> None:
    if date > today().isoformat():
        raise BadInput("future_date", value=date, today=today().isoformat())


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


def _net_as_of(conn: sqlite3.Connection, shop: str, date: str) -> int:
    return owed_by_shop(conn, last=date).get(shop, 0)


def settle(conn: sqlite3.Connection, shop: str, amount, *, date: str, operator: str,
           note: str = "") -> dict:
    """Record a payment to a partner shop; never more than it is owed as of that date."""
    shop = check_text(shop, "shop")
    if str(amount).strip().startswith(("-", "−")):
        raise BadInput("settle_negative", shop=shop, value=str(amount).strip())
    fen = _amount(amount, "amount")
    _check_date(date)
    with db.transaction(conn):
        from jifen_cli.shops import require

        require(conn, shop)
        net = _net_as_of(conn, shop, date)
        owed = max(net, 0)
        if fen > owed and net < 0:  # the shop owes money back: a refund, not a payment
            raise BadInput("settle_shop_in_credit", shop=shop, amount=yuan(fen),
                           credit=yuan(-net), date=date)
        if fen > owed:
            raise BadInput("settle_too_much", shop=shop, amount=yuan(fen), owed=yuan(owed),
                           date=date)
        room, later = _room_after(conn, shop, date, owed, payments=True)
        if fen > room:
            raise BadInput("settle_too_much_later", shop=shop, amount=yuan(fen), owed=yuan(owed),
                           date=date, later=later, room=yuan(max(room, 0)))
        appended = ledger.append(conn, [Posting(
            kind="settle", date=date, shop=shop, fen=fen, note=note.strip(), recorded_by=operator,
            reviewed_by=operator,
        )])
        net = _net_as_of(conn, shop, periods.ENDING)
    return {"seq": appended.last, "shop": shop, "fen": fen, "owed": max(net, 0),
            "credit": max(-net, 0)}


def refund(conn: sqlite3.Connection, shop: str, amount, *, date: str, operator: str,
           note: str = "") -> dict:
    """Record money a partner shop pays back (a `settle` posting with negative fen); never more
    than its credit — what it owes the village — as of that date."""
    shop = check_text(shop, "shop")
    fen = _amount(amount, "refund")
    _check_date(date)
    with db.transaction(conn):
        credit = max(-_net_as_of(conn, shop, date), 0)
        if fen > credit:
            raise BadInput("refund_too_much", shop=shop, amount=yuan(fen), credit=yuan(credit),
                           date=date)
        room, later = _room_after(conn, shop, date, credit, payments=False)
        if fen > room:
            raise BadInput("refund_too_much_later", shop=shop, amount=yuan(fen),
                           credit=yuan(credit), date=date, later=later, room=yuan(max(room, 0)))
        appended = ledger.append(conn, [Posting(
            kind="settle", date=date, shop=shop, fen=-fen, note=note.strip(),
            recorded_by=operator, reviewed_by=operator,
        )])
        net = _net_as_of(conn, shop, periods.ENDING)
    return {"seq": appended.last, "shop": shop, "fen": fen, "owed": max(net, 0),
            "credit": max(-net, 0)}


DAILY_SQL = """
SELECT p.date, sum(CASE WHEN coalesce(o.kind, p.kind) = 'redeem' THEN p.fen ELSE -p.fen END),
       max(p.kind = 'settle' AND p.fen > 0), max(p.kind = 'settle' AND p.fen < 0)
FROM postings p LEFT JOIN postings o ON o.seq = p.reverses
WHERE p.shop = :shop AND p.date > :date AND coalesce(o.kind, p.kind) IN ('redeem', 'settle')
GROUP BY p.date
ORDER BY p.date
"""


def _room_after(conn: sqlite3.Connection, shop: str, date: str, allowed: int, *,
                payments: bool) -> tuple[int, str]:
    """How much a payment (or a refund) dated `date` may be without undoing a later one:
    each payment dated later was checked against what the shop was owed without this one
    (each later refund, against its credit), so whatever is taken now must still leave it
    room at the end of that day. Returns the room and the day that limits it."""
    room, later = allowed, date
    net = _net_as_of(conn, shop, date)
    for day, change, paid, refunded in conn.execute(DAILY_SQL, {"shop": shop, "date": date}):
        net += change
        standing = net if payments else -net
        if (paid if payments else refunded) and standing < room:
            room, later = standing, day
    return room, later


def ensure_affordable(conn: sqlite3.Connection, fen: int, *, date: str, what: str,
                      **facts) -> None:
    """Refuse taking `fen` out of the fund on `date` when it would leave the fund below zero
    that day or on any later one (money taken out later was checked without this), naming
    the balance. `what` is the message key that says what the money is for."""
    if fen <= 0:
        return
    periods.ensure_open(conn, date)  # a date in a published quarter is refused as such first
    balance, lowest, day = figures.lowest_balance_from(conn, date)
    if fen > balance:
        raise BadInput("fund_too_little", amount=yuan(fen), balance=yuan(balance), date=date,
                       what_key=what, **facts)
    if fen > lowest:
        raise BadInput("fund_too_little_later", amount=yuan(fen), balance=yuan(balance),
                       date=date, later=day, lowest=yuan(lowest), what_key=what, **facts)


def check_reversal(conn: sqlite3.Connection, original: dict, date: str) -> None:
    """A reversal that takes money out of the fund (of a grant, or of a shop's refund) must find
    it there. Inside the reversal's transaction, before it is appended."""
    if original["kind"] == "grant":
        out = original["fen"]
    elif original["kind"] in ("restock", "settle"):
        out = -original["fen"]
    else:
        return
    ensure_affordable(conn, out, date=date, what="fund_what_reverse", seq=original["seq"])


def status(conn: sqlite3.Connection) -> dict:
    """The fund as of now, in fen: granted, spent on stock, paid to shops, refunded by them,
    balance (granted - spent_on_stock - paid + refunded), what the shops are owed and owe
    back in all (`owed`, `credit`) and per shop (`shops`, `credits`)."""
    f = figures.fund(conn)
    return {
        "granted": f.granted, "spent_on_stock": f.spent_on_stock, "paid": f.paid,
        "refunded": f.refunded, "owed": f.owed, "credit": f.credit, "balance": f.balance,
        "shops": {a.shop: a.owed for a in f.shops if a.owed},
        "credits": {a.shop: a.credit for a in f.shops if a.credit},
    }

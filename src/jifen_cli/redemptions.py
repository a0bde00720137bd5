"""Redemptions (兑换): points exchanged for goods of the catalogue (items.py).

A redemption at a partner shop (合作商超) does not touch village stock: the shop hands out the
goods and the village owes it their yuan value until it settles. Where goods may be handed out
follows the village's mode (`check_where`).
"""

from __future__ import annotations

import sqlite3

from jifen_cli import db, ledger, periods
from jifen_cli.errors import BadInput, InsufficientPoints, InsufficientStock
from jifen_cli.households import balance as household_balance
from jifen_cli.households import ensure_open as household_open
from jifen_cli.items import in_use, village_mode
from jifen_cli.ledger import Posting
from jifen_cli.values import optional_text, parse_int


def redeem(conn: sqlite3.Connection, household: str, item: str, qty=1, *, date: str,
           operator: str, shop: str | None = None, ref: str | None = None) -> dict:
    """Exchange points for goods, atomically: the balance and stock are read under the write
    lock and the posting is inserted before it is released."""
    qty = parse_int(qty, "qty", minimum=1)
    shop = optional_text(shop, "shop") or None
    with db.transaction(conn):
        result = redeem_in(conn, household, item, qty, date=date, operator=operator, shop=shop,
                           ref=ref)
    return result


def check_where(mode: str, shop: str | None) -> None:
    """A `store` village has no partner shops; a `partner` village has no store of its own."""
    if shop is None and mode == "partner":
        raise BadInput("no_village_store")
    if shop is not None and mode == "store":
        raise BadInput("no_partner_shops", shop=shop)


def redeem_in(conn: sqlite3.Connection, household: str, item: str, qty: int, *, date: str,
              operator: str, shop: str | None, ref: str | None) -> dict:
    """The body of `redeem`, for callers that already hold a transaction."""
    if qty < 1:
        raise BadInput("bad_positive", field="qty", value=qty)
    periods.ensure_open(conn, date)
    household_open(conn, household)
    check_where(village_mode(conn), shop)
    if shop is not None:
        from jifen_cli.shops import require

        require(conn, shop)
    goods = in_use(conn, item)
    available = household_balance(conn, household)["available"]
    needed = goods["points"] * qty
    if needed > available:
        raise InsufficientPoints(household=household, available=available, needed=needed)
    if shop is None and goods["stock"] < qty:
        raise InsufficientStock(item=item, stock=goods["stock"], qty=qty)
    appended = ledger.append(conn, [Posting(
        kind="redeem", date=date, household=household, item=item, qty=qty, points=-needed,
        stock=0 if shop else -qty, fen=goods["value_fen"] * qty, shop=shop, ref=ref,
        recorded_by=operator,
    )])
    return {"seq": appended.last, "household": household, "item": item, "qty": qty,
            "points": needed, "available": available - needed, "shop": shop}

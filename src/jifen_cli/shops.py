"""The partner shops (合作商超) a village redeems through and owes money to.

A shop is registered once (`shop add`), so that a misspelled name never opens a second account:
in a village with partner shops, `redeem --shop`, `settle` and imported redemptions take a
registered shop only, and an unknown name is refused with the closest registered names. Shops
named on postings before the register existed were registered by migration 3.
"""

from __future__ import annotations

import difflib
import sqlite3

from jifen_cli import db, registers
from jifen_cli.errors import BadInput, Duplicate, UnknownShop
from jifen_cli.values import check_text, now, optional_text


def names(conn: sqlite3.Connection) -> list[str]:
    return [name for (name,) in conn.execute("SELECT name FROM shops ORDER BY name")]


def require(conn: sqlite3.Connection, name: str) -> str:
    """`name` when it is a registered shop; else a refusal naming the closest registered ones."""
    if conn.execute("SELECT 1 FROM shops WHERE name = ?", (name,)).fetchone():
        return name
    known = names(conn)
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.3)
    if close:
        raise UnknownShop(name=name, close=", ".join(close))
    raise UnknownShop("unknown_shop_none" if not known else "unknown_shop_far", name=name,
                      known=", ".join(known[:5]))


def add(conn: sqlite3.Connection, name: str, *, contact: str = "", operator: str) -> str:
    name = check_text(name, "shop")
    contact = optional_text(contact, "contact")
    with db.transaction(conn):
        if conn.execute("SELECT mode FROM village").fetchone()[0] == "store":
            raise BadInput("no_partner_shops_add", shop=name)
        if conn.execute("SELECT 1 FROM shops WHERE name = ?", (name,)).fetchone():
            raise Duplicate("duplicate_shop", code=name)
        stamp = now()
        conn.execute("INSERT INTO shops (name, contact, created_at, created_by)"
                     " VALUES (?, ?, ?, ?)", (name, contact, stamp, operator))
        registers.append(conn, [registers.Change("shop", name, "add", {"contact": contact})],
                         operator=operator, at=stamp)
    return name


def list_all(conn: sqlite3.Connection) -> list[dict]:
    """Every registered shop with what the village owes it, has paid it, and any credit (money
    the shop owes back after a return), in fen."""
    from jifen_cli import figures

    money = {a.shop: a for a in figures.shop_accounts(conn)}
    out = []
    for name, contact in conn.execute("SELECT name, contact FROM shops ORDER BY name"):
        account = money.get(name) or figures.ShopAccount(name, 0, 0, 0, 0)
        out.append({"name": name, "contact": contact, "owed": account.owed,
                    "paid": account.paid, "refunded": account.refunded,
                    "credit": account.credit})
    return out

"""The items register: the catalogue of goods (商品) and their stock.

Stock moves only through postings (restock, redeem, their reversals), so `verify` can re-derive
it. Redemptions, which spend points on these goods, are in redemptions.py.
"""

from __future__ import annotations

import sqlite3

from jifen_cli import db, ledger, registers
from jifen_cli.errors import (
    BadInput,
    Duplicate,
    Retired,
    UnknownItem,
)
from jifen_cli.ledger import Posting
from jifen_cli.values import (
    check_code,
    check_text,
    now,
    parse_int,
    parse_yuan,
    yuan,
)

COLUMNS = ("code", "name", "points", "value_fen", "stock", "retired_on")


def clean(code, name, points, value, stock=0) -> dict:
    return {
        "code": check_code(code),
        "name": check_text(name, "item_name"),
        "points": parse_int(points, "item_points", minimum=1),
        "value_fen": value if isinstance(value, int) and not isinstance(value, bool)
        else parse_yuan(value, "value"),
        "stock": parse_int(0 if stock in (None, "") else stock, "stock", minimum=0),
    }


def insert_many(conn: sqlite3.Connection, items: list[dict], *, operator: str, date: str) -> None:
    """Add items; opening stock is a restock posting at no cost, so verify can derive it."""
    stamp = now()
    conn.executemany(
        "INSERT INTO items (code, name, points, value_fen, stock, created_at, created_by)"
        " VALUES (:code, :name, :points, :value_fen, 0, :stamp, :operator)",
        [{**i, "stamp": stamp, "operator": operator} for i in items],
    )
    registers.append(conn, [registers.Change(
        "item", i["code"], "add", {k: i[k] for k in ("name", "points", "value_fen")})
        for i in items], operator=operator, at=stamp)
    ledger.append(conn, [
        Posting(kind="restock", date=date, item=i["code"], qty=i["stock"], stock=i["stock"],
                note="期初库存", recorded_by=operator)
        for i in items if i["stock"]
    ])


def add(conn: sqlite3.Connection, *, operator: str, date: str, **fields) -> dict:
    item = clean(**fields)
    with db.transaction(conn):
        if conn.execute("SELECT 1 FROM items WHERE code = ?", (item["code"],)).fetchone():
            raise Duplicate(what="item", code=item["code"])
        insert_many(conn, [item], operator=operator, date=date)
    return item


def get(conn: sqlite3.Connection, code: str) -> dict:
    row = conn.execute(f"SELECT {', '.join(COLUMNS)} FROM items WHERE code = ?", (code,)).fetchone()
    if row is None:
        raise UnknownItem(code=code)
    return dict(zip(COLUMNS, row))


def public(item: dict) -> dict:
    """The `item list --json` shape: value in yuan."""
    return {"code": item["code"], "name": item["name"], "points": item["points"],
            "value": yuan(item["value_fen"]), "stock": item["stock"],
            "retired": item["retired_on"]}


def in_use(conn: sqlite3.Connection, code: str) -> dict:
    item = get(conn, code)
    if item["retired_on"]:
        raise Retired("item_retired", code=code, name=item["name"], date=item["retired_on"])
    return item


def edit(conn: sqlite3.Connection, code: str, *, operator: str, reason: str, name=None,
         points=None, value=None) -> dict:
    """A new name, points price or yuan value from now on; past redemptions keep theirs (each
    posting carries its points and yuan). Returns {field: (old, new)}."""
    from jifen_cli.values import check_text as text

    reason = text(reason, "reason")
    wanted = {}
    if name is not None:
        wanted["name"] = text(name, "item_name")
    if points is not None:
        wanted["points"] = parse_int(points, "item_points", minimum=1)
    if value is not None:
        wanted["value_fen"] = parse_yuan(value, "value")
    if not wanted:
        raise BadInput("edit_nothing", code=code)
    with db.transaction(conn):
        item = in_use(conn, code)
        changed = {k: (item[k], v) for k, v in wanted.items() if item[k] != v}
        if not changed:
            raise BadInput("edit_no_change", code=code)
        conn.execute("UPDATE items SET " + ", ".join(f"{k} = ?" for k in changed)
                     + " WHERE code = ?", (*(new for _, new in changed.values()), code))
        registers.append(conn, [registers.Change(
            "item", code, "edit", {k: new for k, (_, new) in changed.items()},
            old={k: old for k, (old, _) in changed.items()}, reason=reason)], operator=operator)
    return changed


def retire(conn: sqlite3.Connection, code: str, *, operator: str, reason: str,
           date: str) -> dict:
    """The item leaves the catalogue: no redemptions or restocking; its stock is still
    counted and verified."""
    from jifen_cli.values import check_text as text

    reason = text(reason, "reason")
    with db.transaction(conn):
        item = in_use(conn, code)
        registers.retire(conn, "item", code, date=date, reason=reason, operator=operator)
    return item


def list_all(conn: sqlite3.Connection) -> list[dict]:
    return [
        dict(zip(COLUMNS, row))
        for row in conn.execute(f"SELECT {', '.join(COLUMNS)} FROM items ORDER BY code")
    ]


def restock(conn: sqlite3.Connection, code: str, qty, *, cost, date: str, operator: str,
            note: str = "") -> tuple[int, int]:
    """Add stock bought with the village fund. Returns (posting seq, new stock)."""
    qty = parse_int(qty, "qty", minimum=1)
    cost_fen = parse_yuan(cost, "cost")
    with db.transaction(conn):
        if village_mode(conn) == "partner":  # its goods are handed out by the partner shops
            raise BadInput("no_village_store_restock", code=code)
        in_use(conn, code)
        from jifen_cli.fund import ensure_affordable

        ensure_affordable(conn, cost_fen, date=date, what="fund_what_restock", code=code, qty=qty)
        appended = ledger.append(conn, [Posting(
            kind="restock", date=date, item=code, qty=qty, stock=qty, fen=cost_fen,
            note=note, recorded_by=operator,
        )])
        return appended.last, get(conn, code)["stock"]


def village_mode(conn: sqlite3.Connection) -> str:
    return conn.execute("SELECT mode FROM village").fetchone()[0]

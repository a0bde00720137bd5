"""The household register (户): the accounts of the ledger."""

from __future__ import annotations

import sqlite3

from jifen_cli import db
from jifen_cli.errors import BadInput, Duplicate, UnknownHousehold
from jifen_cli.values import (
    check_code,
    check_id_number,
    check_phone,
    check_text,
    mask_id,
    now,
    optional_text,
)

COLUMNS = "code, name, grp, members, id_number, phone, available, honour"


def clean(code, name, group="", members=1, id_number=None, phone=None) -> dict:
    """Validate one household's fields (shared by `household add` and the importer)."""
    from jifen_cli.values import parse_int

    return {
        "code": check_code(code),
        "name": _name(name),
        "grp": optional_text(group, "group"),
        "members": parse_int(1 if members in (None, "") else members, "members", minimum=0),
        "id_number": check_id_number(id_number),
        "phone": check_phone(phone),
    }


def _name(value) -> str:
    name = check_text(value, "name")
    if "?" in name or "\ufffd" in name:  # what a GBK "CSV (逗号分隔)" makes of Tibetan script
        raise BadInput("name_question_mark", value=name)  # the importer words it for files
    return name


def insert_many(conn: sqlite3.Connection, households: list[dict], *, operator: str) -> None:
    stamp = now()
    conn.executemany(
        "INSERT INTO households (code, name, grp, members, id_number, phone, created_at, created_by)"
        " VALUES (:code, :name, :grp, :members, :id_number, :phone, :stamp, :operator)",
        [{**h, "stamp": stamp, "operator": operator} for h in households],
    )


def add(conn: sqlite3.Connection, *, operator: str, **fields) -> dict:
    household = clean(**fields)
    with db.transaction(conn):
        if exists(conn, household["code"]):
            raise Duplicate(what="household", code=household["code"])
        if household["id_number"]:
            ensure_id_free(id_holders(conn, household["id_number"]), household)
        insert_many(conn, [household], operator=operator)
    return household


def id_holders(conn: sqlite3.Connection, id_number: str | None = None
               ) -> dict[str, tuple[str, str]]:
    """ID number -> (code, name) of the open household registered with it (only `id_number`'s
    holder when given).

    The one place that says which households an ID number is unique among: the open ones (a
    household that has left, once households can leave, is to be left out here)."""
    sql = "SELECT id_number, code, name FROM households WHERE id_number IS NOT NULL"
    params: tuple = ()
    if id_number is not None:
        sql += " AND id_number = ?"
        params = (id_number,)
    return {number: (code, name) for number, code, name in conn.execute(sql, params)}


def ensure_id_free(holders: dict[str, tuple[str, str]], household: dict) -> None:
    """Refuse an ID number that another open household already has, naming that household."""
    id_number = household["id_number"]
    holder = holders.get(id_number) if id_number else None
    if holder is not None and holder[0] != household["code"]:
        raise Duplicate("id_number_taken", id_number=mask_id(id_number), code=holder[0],
                        name=holder[1])


def exists(conn: sqlite3.Connection, code: str) -> bool:
    return conn.execute("SELECT 1 FROM households WHERE code = ?", (code,)).fetchone() is not None


def _public(row: tuple, private: bool) -> dict:
    code, name, group, members, id_number, phone, available, honour = row
    return {
        "code": code,
        "name": name,
        "group": group,
        "members": members,
        "id_number": (id_number or "") if private else mask_id(id_number),
        "phone": (phone or "") if private else "",
        "available": available,
        "honour": honour,
    }


def get(conn: sqlite3.Connection, code: str, *, private: bool = False) -> dict:
    row = conn.execute(f"SELECT {COLUMNS} FROM households WHERE code = ?", (code,)).fetchone()
    if row is None:
        raise UnknownHousehold(code=code)
    return _public(row, private)


def list_all(conn: sqlite3.Connection, *, group: str | None = None, private: bool = False) -> list[dict]:
    sql = f"SELECT {COLUMNS} FROM households"
    params: tuple = ()
    if group is not None:
        sql += " WHERE grp = ?"
        params = (group,)
    return [_public(row, private) for row in conn.execute(sql + " ORDER BY code", params)]


def balance(conn: sqlite3.Connection, code: str) -> dict:
    row = conn.execute(
        "SELECT code, available, honour FROM households WHERE code = ?", (code,)
    ).fetchone()
    if row is None:
        raise UnknownHousehold(code=code)
    return {"household": row[0], "available": row[1], "honour": row[2]}


def balances(conn: sqlite3.Connection) -> list[dict]:
    return [
        {"household": code, "name": name, "group": grp, "available": available, "honour": honour}
        for code, name, grp, available, honour in conn.execute(
            "SELECT code, name, grp, available, honour FROM households ORDER BY code"
        )
    ]


HISTORY_KEYS = ("seq", "date", "kind", "points", "rule", "item", "qty", "note", "shop", "reverses",
                "recorded_by", "reviewed_by", "created_at", "title", "item_name")


def history(conn: sqlite3.Connection, code: str, *, limit: int | None = None) -> list[dict]:
    """A household's postings in the order things happened: by date, then as entered (the last
    `limit` of them when given), each with its rule's title or its item's name."""
    if not exists(conn, code):
        raise UnknownHousehold(code=code)
    sql = (
        "SELECT p.seq, p.date, p.kind, p.points, p.rule, p.item, p.qty, p.note, p.shop,"
        " p.reverses, p.recorded_by, p.reviewed_by, p.created_at, r.title, i.name"
        " FROM postings p LEFT JOIN rules r ON r.code = p.rule"
        " LEFT JOIN items i ON i.code = p.item WHERE p.household = ?"
    )
    params: tuple = (code,)
    if limit is None:
        sql += " ORDER BY p.date, p.seq"
    else:
        sql = f"SELECT * FROM ({sql} ORDER BY p.date DESC, p.seq DESC LIMIT ?) ORDER BY date, seq"
        params = (code, limit)
    return [dict(zip(HISTORY_KEYS, row)) for row in conn.execute(sql, params)]

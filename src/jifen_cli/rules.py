"""The rule book (评分指标): signed points per unit, category, optional monthly cap."""

from __future__ import annotations

import sqlite3

from jifen_cli import db
from jifen_cli.errors import BadInput, Duplicate, UnknownRule
from jifen_cli.values import check_code, check_text, now, parse_int

# The eight categories of the source, then its six activity drives.
CATEGORIES = (
    "爱党爱国", "遵纪守法", "维护团结", "政策响应", "人居环境", "家庭美德", "诚实守信", "勤劳致富",
    "树文明新风", "改陈规陋习", "建村规民约", "兴优秀传统文化", "美村容村貌", "强基层治理",
)
COLUMNS = ("code", "category", "title", "points", "cap_month")


def clean(code, category, title, points, cap_month=None) -> dict:
    points = parse_int(points, "points")
    if points == 0:
        raise BadInput("bad_zero_points")
    cap = None if cap_month in (None, "") else parse_int(cap_month, "cap_month", minimum=1)
    return {
        "code": check_code(code),
        "category": check_text(category, "category"),
        "title": check_text(title, "title"),
        "points": points,
        "cap_month": cap,
    }


def insert_many(conn: sqlite3.Connection, rules: list[dict], *, operator: str) -> None:
    stamp = now()
    conn.executemany(
        "INSERT INTO rules (code, category, title, points, cap_month, created_at, created_by)"
        " VALUES (:code, :category, :title, :points, :cap_month, :stamp, :operator)",
        [{**r, "stamp": stamp, "operator": operator} for r in rules],
    )


def add(conn: sqlite3.Connection, *, operator: str, **fields) -> dict:
    rule = clean(**fields)
    with db.transaction(conn):
        if conn.execute("SELECT 1 FROM rules WHERE code = ?", (rule["code"],)).fetchone():
            raise Duplicate(what="rule", code=rule["code"])
        insert_many(conn, [rule], operator=operator)
    return rule


def get(conn: sqlite3.Connection, code: str) -> dict:
    row = conn.execute(f"SELECT {', '.join(COLUMNS)} FROM rules WHERE code = ?", (code,)).fetchone()
    if row is None:
        raise UnknownRule(code=code)
    return dict(zip(COLUMNS, row))


def list_all(conn: sqlite3.Connection) -> list[dict]:
    return [
        dict(zip(COLUMNS, row))
        for row in conn.execute(f"SELECT {', '.join(COLUMNS)} FROM rules ORDER BY code")
    ]

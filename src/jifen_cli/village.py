"""The village itself: creating its file, its facts, and the working group's reviewers."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from jifen_cli import db
from jifen_cli.errors import BadInput, Duplicate
from jifen_cli.ledger import GENESIS
from jifen_cli.values import check_text, now

MODES = ("store", "partner", "both")


def init(
    path: str | Path, *, name: str, township: str = "", county: str = "", klass: int = 3,
    mode: str = "store", operator: str,
) -> sqlite3.Connection:
    name = check_text(name, "village")
    if klass not in (1, 2, 3):
        raise BadInput("bad_class")
    if mode not in MODES:
        raise BadInput("bad_mode")
    conn = db.create(path)
    with db.transaction(conn):
        conn.execute(
            "INSERT INTO village (id, name, township, county, class, mode, created_at, created_by,"
            " head_seq, head_hash) VALUES (1, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
            (name, township.strip(), county.strip(), klass, mode, now(), operator, GENESIS),
        )
    return conn


def info(conn: sqlite3.Connection) -> dict:
    row = conn.execute(
        "SELECT name, township, county, class, mode, created_at, head_seq, head_hash FROM village"
    ).fetchone()
    keys = ("village", "township", "county", "class", "mode", "created_at", "head_seq", "head")
    return dict(zip(keys, row))


def add_reviewer(conn: sqlite3.Connection, name: str, *, operator: str) -> str:
    name = check_text(name, "reviewer")
    with db.transaction(conn):
        if conn.execute("SELECT 1 FROM reviewers WHERE name = ?", (name,)).fetchone():
            raise Duplicate("duplicate_reviewer", code=name)
        conn.execute(
            "INSERT INTO reviewers (name, added_at, added_by) VALUES (?, ?, ?)",
            (name, now(), operator),
        )
    return name


def is_reviewer(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM reviewers WHERE name = ?", (name,)).fetchone() is not None


def reviewers(conn: sqlite3.Connection) -> list[str]:
    return [name for (name,) in conn.execute("SELECT name FROM reviewers ORDER BY name")]

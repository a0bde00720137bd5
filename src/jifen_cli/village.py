"""The village itself: creating its file, its facts, and the working group's reviewers."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from jifen_cli import db, registers
from jifen_cli.errors import BadInput, Duplicate, NotReviewer, Retired
from jifen_cli.ledger import GENESIS
from jifen_cli.values import check_text, now

MODES = ("store", "partner", "both")


PUBLIC_LANGS = ("zh", "en")


def init(
    path: str | Path, *, name: str, township: str = "", county: str = "", klass: int = 3,
    mode: str = "store", operator: str, public_lang: str = "zh",
) -> sqlite3.Connection:
    name = check_text(name, "village")
    if klass not in (1, 2, 3):
        raise BadInput("bad_class")
    if mode not in MODES:
        raise BadInput("bad_mode")
    if public_lang not in PUBLIC_LANGS:
        raise BadInput("bad_public_lang", value=public_lang)
    conn = db.create(path)
    with db.transaction(conn):
        conn.execute(
            "INSERT INTO village (id, name, township, county, class, mode, created_at, created_by,"
            " head_seq, head_hash, public_lang) VALUES (1, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
            (name, township.strip(), county.strip(), klass, mode, now(), operator, GENESIS,
             public_lang),
        )
    return conn


def info(conn: sqlite3.Connection) -> dict:
    row = conn.execute(
        "SELECT name, township, county, class, mode, created_at, head_seq, head_hash, public_lang"
        " FROM village"
    ).fetchone()
    keys = ("village", "township", "county", "class", "mode", "created_at", "head_seq", "head",
            "public_lang")
    return dict(zip(keys, row))


def public_lang(conn: sqlite3.Connection) -> str:
    """The language of everything the village posts (its disclosures), whoever publishes."""
    return conn.execute("SELECT public_lang FROM village").fetchone()[0]


def add_reviewer(conn: sqlite3.Connection, name: str, *, operator: str) -> str:
    name = check_text(name, "reviewer")
    with db.transaction(conn):
        if conn.execute("SELECT 1 FROM reviewers WHERE name = ?", (name,)).fetchone():
            raise Duplicate("duplicate_reviewer", code=name)
        stamp = now()
        conn.execute(
            "INSERT INTO reviewers (name, added_at, added_by) VALUES (?, ?, ?)",
            (name, stamp, operator),
        )
        registers.append(conn, [registers.Change("reviewer", name, "add", {})],
                         operator=operator, at=stamp)
    return name


def reviewer_retired(conn: sqlite3.Connection, name: str) -> str | None | bool:
    """False for someone who was never a reviewer, None for a serving one, else the day they
    retired."""
    row = conn.execute("SELECT retired_on FROM reviewers WHERE name = ?", (name,)).fetchone()
    return False if row is None else row[0]


def require_reviewer(conn: sqlite3.Connection, reviewer: str) -> None:
    """Only a member of the working group who has not left it reviews, resolves objections, or
    closes and merges households."""
    retired = reviewer_retired(conn, reviewer)
    if retired is False:
        raise NotReviewer(name=reviewer)
    if retired:
        raise Retired("reviewer_retired", name=reviewer, date=retired)


def retire_reviewer(conn: sqlite3.Connection, name: str, *, reason: str, operator: str,
                    date: str) -> str:
    """A reviewer leaves the working group: no more reviews; what they reviewed stays theirs."""
    name = check_text(name, "reviewer")
    reason = check_text(reason, "reason")
    with db.transaction(conn):
        retired = reviewer_retired(conn, name)
        if retired is False:
            raise NotReviewer("not_reviewer_to_retire", name=name)
        if retired:
            raise Retired("reviewer_retired", name=name, date=retired)
        registers.retire(conn, "reviewer", name, date=date, reason=reason, operator=operator)
    return name


def reviewers(conn: sqlite3.Connection) -> list[dict]:
    return [{"name": name, "retired": retired} for name, retired in conn.execute(
        "SELECT name, retired_on FROM reviewers ORDER BY name")]

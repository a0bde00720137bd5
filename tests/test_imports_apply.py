"""The import's fast path (issue 13): the canonical JSON by template, many rows to a statement,
indexes built after a big import, cap usage read once — each held to what it replaces."""

from __future__ import annotations

import re
import sqlite3

import pytest
from conftest import earn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_imports import write_csv

from jifen_cli import db, ledger
from jifen_cli.imports import apply
from jifen_cli.ledger import Posting

# Text as a village writes it, and worse: quotes, backslashes, line breaks and tabs, every
# plane of Unicode (no lone surrogates: SQLite and UTF-8 cannot hold them).
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
OPTIONAL = st.none() | TEXT
NUMBER = st.integers(-(2**62), 2**62)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=TEXT, date=TEXT.filter(bool), household=OPTIONAL, rule=OPTIONAL, item=OPTIONAL, qty=NUMBER,
       points=NUMBER, stock=NUMBER, fen=NUMBER, shop=OPTIONAL,
       reverses=st.none() | st.integers(1, 2**62), claim=st.none() | st.integers(1, 2**62),
       ref=OPTIONAL, note=TEXT, recorded_by=TEXT, reviewed_by=OPTIONAL)
def test_the_template_hashes_exactly_what_the_reference_encoding_hashes(village, **fields):
    conn = db.open_village(village.db)
    try:
        chain = ledger.Chain(conn)
        chain.locked = ""  # any date: this posting is hashed, never inserted
        before = chain.prev
        seq = chain.add(Posting(**fields))
        row = chain.rows[-1]
        assert row[:-1] == (seq, *(fields[f] for f in ledger.FIELDS[1:-1]), chain.created_at)
        assert chain.prev == ledger.chain_hash(before, row[:-1]) == row[-1]
    finally:
        conn.close()


def test_insert_rows_keeps_the_order_and_every_null_past_a_statement(tmp_path):
    conn = sqlite3.connect(tmp_path / "t.db", isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("CREATE TABLE t (n INTEGER PRIMARY KEY, a TEXT, b INTEGER REFERENCES t(n))")
    rows = [(n, None if n % 3 else f"x{n}", None if n % 7 else n - 1) for n in range(1, 240)]
    rows[100:160] = [(n, "same", None) for n in range(101, 161)]  # one run of a pattern > 50
    db.insert_rows(conn, "t", ("n", "a", "b"), rows)
    assert conn.execute("SELECT n, a, b FROM t ORDER BY rowid").fetchall() == rows
    assert conn.execute("SELECT count(*) FROM t WHERE a IS NULL").fetchone()[0] == \
        sum(a is None for _, a, _ in rows)


# --- a ref repeated in a later batch -------------------------------------------------------------


@pytest.mark.parametrize("lang, message", [
    ("en", "ref Y1 already appears earlier in this file"),
    ("zh", "流水号 Y1 在本文件前面已出现过"),
])
def test_a_redemption_ref_repeated_in_a_later_batch_is_refused_at_its_row(
        village, tmp_path, monkeypatch, lang, message):
    """Before, the postings of a batch reached the register only at the end, so the next batch
    did not see their refs and the import died on the UNIQUE index, naming no row."""
    earn(village, "H001", "A02", 100)
    monkeypatch.setattr(apply, "BATCH", 2)
    path = write_csv(tmp_path / "兑换.csv", [
        ["household", "item", "date", "qty", "ref"],
        ["H001", "G001", "2024-06-01", "1", "Y1"],
        ["H001", "G001", "2024-06-01", "1", "Y2"],
        ["H001", "G001", "2024-06-02", "1", "Y3"],
        ["H001", "G001", "2024-06-02", "1", "Y1"],  # row 5: another batch
    ])
    before = village.sql("SELECT head_seq, head_hash FROM village")
    r = village.refused("import", "redemptions", str(path), lang=lang)
    assert [line for line in r.stderr.splitlines() if line.startswith(str(path))] == [
        f"{path}:5: {message}"]
    assert village.sql("SELECT head_seq, head_hash FROM village") == before


# --- indexes built after a big import ------------------------------------------------------------


def _indexes(village) -> list:
    return village.sql("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index'"
                       " ORDER BY name")


def _records(tmp_path, count: int, *, bad_at: int | None = None):
    rows = [["household", "rule", "date", "qty", "note", "ref"]]
    for n in range(count):
        household = "H999" if n == bad_at else f"H00{n % 4 + 1}"
        rows.append([household, "A02", f"2024-05-{n % 28 + 1:02d}", "1", "打扫", f"K{n}"])
    return write_csv(tmp_path / f"记录{count}-{bad_at}.csv", rows)


def test_a_big_import_builds_the_indexes_after_and_commits_with_every_one(village, tmp_path,
                                                                         monkeypatch):
    monkeypatch.setattr(apply, "REBUILD_ROWS", 100)
    dropped = []
    real = apply._drop_indexes
    monkeypatch.setattr(apply, "_drop_indexes", lambda *a, **k: dropped.append(real(*a, **k))
                        or dropped[-1])
    indexes = _indexes(village)
    village.ok("import", "records", str(_records(tmp_path, 3000)), "--approve",
               "--recorded-by", "文书", operator="格桑")
    names = {re.search(r"INDEX (\w+)", sql)[1] for sql in dropped[0]}
    assert {"postings_household", "postings_date", "claims_status_date"} <= names
    assert "claims_ref" not in names  # the refs are checked against it while the import runs
    assert _indexes(village) == indexes
    report = village.json("check")
    assert {c["name"]: c["status"] for c in report["checks"]}["schema"] == "ok"
    village.ok("verify")
    # and they serve: a household's history reads through its index
    plan = village.sql("EXPLAIN QUERY PLAN SELECT * FROM postings WHERE household = 'H001'")
    assert "postings_household" in str(plan)


def test_a_big_import_refused_at_a_row_leaves_every_index_as_it_was(village, tmp_path,
                                                                    monkeypatch):
    monkeypatch.setattr(apply, "REBUILD_ROWS", 100)
    indexes = _indexes(village)
    path = _records(tmp_path, 3000, bad_at=2500)
    r = village.refused("import", "records", str(path), "--approve", "--recorded-by", "文书",
                        operator="格桑")
    assert f"{path}:2502: No household H999" in r.stderr
    assert _indexes(village) == indexes
    assert village.sql("SELECT count(*) FROM claims")[0][0] == 0


def test_a_small_import_into_a_big_ledger_keeps_its_indexes(village, tmp_path, monkeypatch):
    monkeypatch.setattr(apply, "REBUILD_ROWS", 100)
    village.ok("import", "records", str(_records(tmp_path, 3000)), "--approve",
               "--recorded-by", "文书", operator="格桑")
    calls = []
    real = apply._drop_indexes
    monkeypatch.setattr(apply, "_drop_indexes",
                        lambda *a, **k: calls.append(real(*a, **k)) or calls[-1])
    village.ok("import", "records", str(_records(tmp_path, 200)), "--approve",
               "--recorded-by", "文书", operator="格桑")
    assert calls == [[]]


# --- monthly caps read once ----------------------------------------------------------------------


def test_cap_usage_read_at_once_is_what_reading_it_key_by_key_gives(village):
    from jifen_cli.claims import CapBook
    from jifen_cli.rules import Book

    for household, qty, date in (("H001", 2, "2024-04-03"), ("H001", 1, "2024-05-02"),
                                 ("H002", 3, "2024-05-09"), ("H001", 1, "2024-05-30")):
        earn(village, household, "A01", qty, date)
    (seq,) = village.sql("SELECT seq FROM postings WHERE date = '2024-04-03'")[0]
    village.ok("reverse", str(seq), "--reason", "记错", "--date", "2024-05-20", operator="格桑")
    conn = db.open_village(village.db)
    try:
        rule = Book(conn).on("A01", "2024-05-01")
        one_by_one, at_once = CapBook(conn), CapBook(conn)
        at_once.read_all(["A01"])
        for household in ("H001", "H002", "H003"):
            for month in ("2024-04", "2024-05", "2024-06"):
                assert at_once.room(household, rule, month) == \
                    one_by_one.room(household, rule, month), (household, month)
        assert at_once.room("H001", rule, "2024-04") == 15  # the April reward was reversed
    finally:
        conn.close()

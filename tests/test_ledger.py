"""Defects found reviewing the ledger core, each pinned through the command line."""

from __future__ import annotations

import sqlite3

import pytest
from conftest import earn, rechain

from jifen_cli import db

HUGE = str(10**30)


@pytest.mark.parametrize("args", [
    ("record", "H001", "A01", "--qty", HUGE),
    ("record", "H001", "A01", "--qty", str(10**12)),
    ("item", "restock", "G001", HUGE, "--cost", "1"),
    ("item", "add", "G009", "青稞", "--points", HUGE, "--value", "1"),
    ("item", "add", "G009", "青稞", "--points", "1", "--value", "1E+999999"),
    ("rule", "add", "Z01", "--category", "人居环境", "--title", "x", "--points", HUGE),
    ("household", "add", "H009", "尼玛", "--members", HUGE),
    ("redeem", "H001", "G001", "--qty", HUGE),
    ("reverse", HUGE, "--reason", "x"),
    ("review", "approve", HUGE),
    ("review", "reject", HUGE, "--reason", "x"),
])
def test_huge_numbers_are_refused_not_a_traceback(village, args):
    before = village.sql("SELECT count(*) FROM postings")
    result = village.refused(*args, operator="格桑")
    assert result.stderr.strip()
    assert village.sql("SELECT count(*) FROM postings") == before


def test_a_busy_file_is_busy_not_damaged(village, monkeypatch):
    """Another process holding the file past the busy timeout is not damage: exit 1, say busy."""
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 50)
    holder = sqlite3.connect(village.db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # as another jifen's commit would, for too long
    try:
        for args in (("balance", "H001"), ("household", "add", "H009", "尼玛")):
            result = village.refused(*args)
            assert "busy" in result.stderr and "damaged" not in result.stderr
        zh = village.refused("balance", "H001", lang="zh")
        assert "占用" in zh.stderr and "损坏" not in zh.stderr
        verify = village("verify")
        assert verify.exit_code == 1 and "busy" in verify.stderr
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    village.ok("verify")


def test_verify_accepts_a_quarter_published_before_the_first_posting(jifen, tmp_path):
    jifen.ok("init", "--village", "新村")
    jifen.ok("publish", "--quarter", "2024Q1", "--out", tmp_path / "q1", "--date", "2024-04-01")
    jifen.ok("verify")
    jifen.ok("household", "add", "H001", "次仁卓玛")
    jifen.ok("item", "add", "G001", "酥油", "--points", "30", "--value", "35", "--stock", "3",
             "--date", "2024-04-02")
    assert jifen.json("verify")["ok"] is True


def test_a_reversal_counts_against_the_cap_of_the_month_it_corrects(village):
    """Rule A01 caps at 15 a month. Reversing a May reward in June frees room in May, not June."""
    earn(village, "H001", "A01", 3, date="2024-05-03")  # seq 3: May +15, full
    earn(village, "H001", "A01", 3, date="2024-06-03")  # seq 4: June +15, full
    village.ok("reverse", "3", "--reason", "重复录入", "--date", "2024-06-10")
    village.ok("record", "H001", "A01", "--qty", "3", "--date", "2024-06-12")
    village.ok("record", "H001", "A01", "--qty", "2", "--date", "2024-05-20")
    village.ok("review", "approve", "--all", operator="格桑")
    earned = village.sql(
        "SELECT substr(date, 1, 7), sum(points) FROM postings WHERE kind = 'earn' GROUP BY 1")
    assert earned == [("2024-05", 25), ("2024-06", 15)]  # May: 15 reversed, then 10 more
    statuses = {c["date"]: c["status"] for c in village.json("review", "list", "--status", "all")}
    assert statuses["2024-06-12"] == "rejected"  # June was already at its cap


def test_reversing_a_reward_of_another_month_does_not_eat_this_months_room(village):
    earn(village, "H001", "A01", 3, date="2024-05-03")  # seq 3: May +15
    village.ok("reverse", "3", "--reason", "重复录入", "--date", "2024-06-10")
    earn(village, "H001", "A01", 3, date="2024-06-12")
    assert village.json("history", "H001")[-1]["points"] == 15


@pytest.mark.parametrize("args", [
    ("redeem", "H001", "G002", "--date", "2024-07-01"),
    ("item", "restock", "G001", "5", "--cost", "10", "--date", "2204-05-01"),
    ("item", "add", "G009", "青稞", "--points", "5", "--value", "1", "--stock", "1",
     "--date", "2024-12-01"),
    ("reverse", "3", "--reason", "x", "--date", "2025-01-01"),
])
def test_nothing_is_posted_with_a_date_in_the_future(village, args):
    earn(village, "H001", "A01", 3)  # seq 3
    before = village.sql("SELECT count(*) FROM postings")
    assert "future" in village.refused(*args).stderr
    assert village.sql("SELECT count(*) FROM postings") == before


def test_approve_refuses_ids_together_with_all(village):
    village.ok("record", "H001", "A01", "--date", "2024-05-01")
    village.ok("record", "H002", "A01", "--date", "2024-05-01")
    assert village("review", "approve", "1", "--all", operator="格桑").exit_code == 2  # usage
    assert village.sql("SELECT count(*) FROM postings WHERE household IS NOT NULL") == [(0,)]


def test_verify_names_a_posting_for_an_item_not_in_the_catalogue(village):
    conn = sqlite3.connect(village.db)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("UPDATE items SET stock = 0 WHERE code = 'G002'")  # cached matches
    conn.execute("DROP TRIGGER postings_no_update")
    conn.execute("UPDATE postings SET item = 'G999' WHERE item = 'G002'")
    rechain(conn)
    conn.commit()
    conn.close()
    result = village("verify")
    assert result.exit_code == 3 and "G999" in result.stderr


def test_verify_problems_are_in_chinese_too(village):
    village.sql("UPDATE households SET available = 1000 WHERE code = 'H002'")
    result = village("verify", lang="zh")
    assert result.exit_code == 3
    assert "H002" in result.stderr and "does not match" not in result.stderr


def test_evidence_that_is_not_a_regular_file_is_refused_without_reading_it(village, tmp_path):
    result = village.refused("record", "H001", "A01", "--evidence", "/dev/zero")  # read forever
    assert "cannot be read" in result.stderr
    result = village.refused("record", "H001", "A01", "--evidence", str(tmp_path))
    assert "is a folder" in result.stderr and "name the files in it" in result.stderr
    assert village.sql("SELECT count(*) FROM claims") == [(0,)]

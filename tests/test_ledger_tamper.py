"""Edits made to the file behind jifen's back are caught by `verify`, which names them (exit 3)."""

from __future__ import annotations

import sqlite3

import pytest
import sqlite_utils
from conftest import earn, rechain

from jifen_cli.ledger import FIELDS, chain_hash


@pytest.fixture
def ledger(village):
    earn(village, "H001", "A01", 2)                     # seq 3
    earn(village, "H002", "A02", 20, date="2024-05-02")  # seq 4
    village.ok("redeem", "H002", "G001", "--date", "2024-05-03")  # seq 5
    earn(village, "H003", "B01", date="2024-05-04")     # seq 6
    village.ok("verify")
    return village


def _tamper(village, *statements):
    db = sqlite_utils.Database(village.db)
    db.execute("DROP TRIGGER IF EXISTS postings_no_update")
    db.execute("DROP TRIGGER IF EXISTS postings_no_delete")
    for statement in statements:
        db.execute(statement)
    db.conn.commit()
    db.close()


def _damaged(village) -> str:
    result = village("verify")
    assert result.exit_code == 3, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    json_result = village("verify", "--json")
    assert json_result.exit_code == 3
    return result.stderr


def test_changed_points_are_named(ledger):
    _tamper(ledger)  # drop the triggers, then edit the row as any SQLite tool would
    db = sqlite_utils.Database(ledger.db)
    db["postings"].update(4, {"points": 50})
    db.close()
    assert "posting #4 does not match its hash" in _damaged(ledger)


def test_changed_points_with_cached_balance_fixed_too(ledger):
    _tamper(ledger, "UPDATE postings SET points = 50 WHERE seq = 3",
            "UPDATE households SET available = 50, honour = 50 WHERE code = 'H001'")
    assert "posting #3" in _damaged(ledger)


def test_a_deleted_posting_is_named(ledger):
    _tamper(ledger, "DELETE FROM postings WHERE seq = 4")
    assert "posting #4 is missing" in _damaged(ledger)


def test_deleting_the_last_posting_is_caught(ledger):
    _tamper(ledger, "DELETE FROM postings WHERE seq = 6")
    stderr = _damaged(ledger)
    assert "#5" in stderr and "#6" in stderr


def test_an_inserted_posting_with_a_valid_hash_is_caught(ledger):
    conn = sqlite3.connect(ledger.db)
    prev = conn.execute("SELECT hash FROM postings ORDER BY seq DESC LIMIT 1").fetchone()[0]
    fields = (7, "earn", "2024-05-05", "H003", "A02", None, 100, 200, 0, 0, None, None, None, None,
              "", "文书", "格桑", "2024-05-05T00:00:00Z")
    conn.execute(f"INSERT INTO postings ({', '.join(FIELDS)}, hash) VALUES "
                 f"({', '.join('?' * (len(FIELDS) + 1))})", (*fields, chain_hash(prev, fields)))
    conn.commit()
    conn.close()
    stderr = _damaged(ledger)
    assert "#7" in stderr


def test_a_rewritten_chain_is_still_caught_by_the_balances(ledger):
    """Change a posting and recompute every later hash: the cached balances no longer agree."""
    conn = sqlite3.connect(ledger.db)
    conn.execute("DROP TRIGGER postings_no_update")
    conn.execute("UPDATE postings SET points = 500 WHERE seq = 3")
    rechain(conn)
    conn.commit()
    conn.close()
    assert "household H001" in _damaged(ledger)


def test_changed_stock_is_named(ledger):
    _tamper(ledger, "UPDATE items SET stock = 99 WHERE code = 'G001'")
    assert "item G001" in _damaged(ledger)


def test_a_changed_balance_is_named(ledger):
    _tamper(ledger, "UPDATE households SET available = 1000 WHERE code = 'H002'")
    assert "household H002" in _damaged(ledger)


def test_the_message_is_in_chinese_too(ledger):
    _tamper(ledger, "UPDATE postings SET note = '改过' WHERE seq = 5")
    result = ledger("verify", lang="zh")
    assert result.exit_code == 3
    assert "台账已损坏或被篡改" in result.stderr and "#5" in result.stderr


def test_damaged_pages_are_reported_as_damage(ledger):
    data = bytearray(ledger.db.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    data[page_size:] = b"\xff" * (len(data) - page_size)  # every page but the schema page
    ledger.db.write_bytes(bytes(data))
    assert "damaged" in _damaged(ledger)

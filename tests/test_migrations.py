"""Numbered migrations: a blank file migrates to the latest; an older file is upgraded on open."""

from __future__ import annotations

import sqlite3

import pytest

from jifen_cli import db, migrations
from jifen_cli.errors import NewerSchema, NotAVillage


def test_blank_migrate_reaches_the_latest_version(tmp_path):
    conn = db.create(tmp_path / "v.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.LATEST
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"village", "households", "rules", "items", "claims", "postings", "publications"} <= tables


@pytest.mark.parametrize("start", range(1, migrations.LATEST + 1))
def test_an_older_file_is_upgraded_on_open(tmp_path, jifen, start):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA application_id = {db.APPLICATION_ID}")
    migrations.migrate(conn, upto=start)
    conn.execute(
        "INSERT INTO village (id, name, class, mode, created_at, created_by, head_hash)"
        " VALUES (1, '旧村', 3, 'store', '2024-01-01T00:00:00Z', 'x', ?)", ("0" * 64,))
    conn.close()
    jifen.db = path
    result = jifen("--db", str(path), "verify")
    assert result.exit_code == 0, result.stderr
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == migrations.LATEST


def test_a_newer_schema_is_refused_without_touching_it(tmp_path):
    path = tmp_path / "new.db"
    db.create(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {migrations.LATEST + 1}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(NewerSchema):
        db.open_village(path)
    assert path.read_bytes() == before


def test_a_file_of_another_application_is_not_a_village(tmp_path):
    path = tmp_path / "other.db"
    sqlite3.connect(path).execute("CREATE TABLE x (y)").connection.close()
    with pytest.raises(NotAVillage):
        db.open_village(path)


def test_the_ledger_refuses_update_and_delete_in_the_schema(tmp_path):
    from conftest import Jifen

    jifen = Jifen(tmp_path / "village.db")
    jifen.ok("init", "--village", "X")
    jifen.ok("item", "add", "G1", "茶", "--points", "1", "--value", "1", "--stock", "1")
    conn = sqlite3.connect(jifen.db)
    for statement in ("UPDATE postings SET points = 99", "DELETE FROM postings",
                      "DELETE FROM publications"):
        if "publications" in statement:
            conn.execute("INSERT INTO publications (quarter, head_seq, digest, published_at,"
                         " published_by) VALUES ('2024Q1', 1, 'x', 'now', 'x')")
        with pytest.raises(sqlite3.IntegrityError, match="append-only|cannot be"):
            conn.execute(statement)


def test_a_file_made_by_the_released_version_opens_upgraded_with_its_history(tmp_path,
                                                                           monkeypatch):
    """Migration 3 on a file 0.1 wrote: every row's history starts with it as it was, in the
    order the rows were made; the shop named on its postings is registered; its publication
    pins the registers it was published with; verify and check pass, and the schema is the one
    a new file gets."""
    from conftest import Jifen
    from v1_village import OPERATOR, build

    monkeypatch.setenv("JIFEN_TODAY", "2024-07-30")
    path = build(tmp_path / "v1.db")
    jifen = Jifen(path)
    assert jifen("--db", str(path), "verify").exit_code == 0
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == migrations.LATEST
    history = jifen.json("--db", str(path), "changes")
    assert [(c["register"], c["code"], c["action"]) for c in history] == [
        ("household", "H001", "add"), ("household", "H002", "add"), ("household", "H003", "add"),
        ("rule", "A01", "add"), ("item", "G001", "add"), ("reviewer", "格桑", "add"),
        ("shop", "那曲百货", "add"), ("household", "H004", "add")]
    assert {c["by"] for c in history} == {OPERATOR}
    assert history[0]["new"] == {"name": "次仁卓玛", "group": "一组", "members": 3,
                                 "id_number": "540102********1233", "phone": None}
    assert jifen.json("--db", str(path), "shop", "list") == [
        {"name": "那曲百货", "contact": "", "owed": "35.00", "paid": "0.00", "refunded": "0.00",
         "credit": "0.00"}]
    assert jifen.json("--db", str(path), "rule", "list")[0]["from"] is None
    pinned = sqlite3.connect(path).execute(
        "SELECT changes_seq FROM publications WHERE quarter = '2024Q2'").fetchone()[0]
    assert pinned == 7  # the seven rows made before 2024-07-01, not H004
    assert jifen("--db", str(path), "check").exit_code == 0  # the schema of a new file
    # and it lives on: a register change, a closing
    jifen.ok("--db", str(path), "household", "edit", "H003", "--name", "王建军", "--reason", "更正")
    jifen.ok("--db", str(path), "household", "close", "H002", "--reason", "迁出",
             "--date", "2024-07-20", operator="格桑")
    assert jifen("--db", str(path), "verify").exit_code == 0


def test_a_shop_named_on_postings_is_registered_by_who_recorded_its_first_posting(tmp_path):
    from conftest import Jifen
    from v1_village import OPERATOR, build

    path = build(tmp_path / "v1.db", later_settle_by="卓玛")  # 卓 sorts before 次
    jifen = Jifen(path)
    shop = [c for c in jifen.json("--db", str(path), "changes") if c["register"] == "shop"]
    assert [(c["code"], c["by"]) for c in shop] == [("那曲百货", OPERATOR)]
    assert sqlite3.connect(path).execute("SELECT created_by FROM shops").fetchall() == [
        (OPERATOR,)]
    assert jifen("--db", str(path), "verify").exit_code == 0


def test_a_quarter_published_by_the_released_version_is_checked_but_not_redrawn(tmp_path,
                                                                              monkeypatch):
    """0.1 kept no files and drew them differently: writing its quarter again is refused, clearly
    (exit 1), while a posted copy of it is still checked byte for byte against its manifest."""
    from conftest import Jifen
    from v1_village import build, posted

    monkeypatch.setenv("JIFEN_TODAY", "2024-07-30")
    path = build(tmp_path / "v1.db")
    jifen = Jifen(path)
    r = jifen.refused("--db", str(path), "publish", "--quarter", "2024Q2", "--out",
                      str(tmp_path / "again"))
    assert "earlier jifen" in r.stderr and "verify --disclosure" in r.stderr
    assert not (tmp_path / "again").exists()
    board = posted(tmp_path / "board", path)
    assert jifen.json("--db", str(path), "verify", "--disclosure", str(board))["ok"]
    assert jifen.json("--db", str(path), "objection", "list") == []
    jifen.ok("--db", str(path), "objection", "add", "--quarter", "2024Q2", "--text", "兑换有误")
    assert jifen("--db", str(path), "verify").exit_code == 0

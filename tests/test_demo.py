"""`jifen demo`: the sample village built from sample_data/ through the import code."""

from __future__ import annotations

import json
import sqlite3

from jifen_cli import demo


def test_demo_builds_the_sample_village_through_the_imports(jifen, tmp_path):
    out = tmp_path / "demo"
    result = jifen.ok("demo", "--out", str(out), operator=None)
    assert "Ledger intact" in result.stdout
    assert "The 10 households with the most points" in result.stdout
    with sqlite3.connect(out / "jifen.db") as conn:
        (name, township, county, klass, mode), = conn.execute(
            "SELECT name, township, county, class, mode FROM village")
        assert (name, township, county, klass, mode) == ("扎西岗村", "罗玛镇", "色尼区", 2, "both")
        # Every file went through `jifen import`, and is recorded as such.
        assert conn.execute("SELECT kind, file_name FROM imports ORDER BY id").fetchall() == [
            ("households", "households.csv"), ("households", "households_extra.csv"),
            ("rules", "rules.csv"), ("items", "items.xlsx"), ("records", "records.csv"),
            ("redemptions", "redemptions.csv")]
        assert conn.execute("SELECT count(*) FROM households").fetchone() == (134,)
        assert conn.execute("SELECT name FROM households WHERE code = 'H129'").fetchone() == ("བཀྲ་ཤིས་",)
        # Records came in pending, recorded by the clerk the file names (记录人), and were
        # reviewed by a working-group member, not the clerk.
        assert conn.execute(
            "SELECT status, recorded_by, reviewed_by, count(*) FROM claims GROUP BY 1, 2, 3"
        ).fetchall() == [("approved", demo.CLERK, "格桑", 1500)]
        assert conn.execute("SELECT min(date), max(date) FROM postings WHERE kind IN"
                            " ('earn', 'deduct', 'redeem')").fetchone() == ("2024-04-01", "2024-06-30")
        assert conn.execute("SELECT min(available) FROM households").fetchone()[0] >= 0
    again = jifen.refused("demo", "--out", str(out), operator=None)
    assert "already exists" in again.stderr


def test_demo_is_reproducible(jifen, tmp_path):
    balances = []
    for folder in ("one", "two"):
        jifen.ok("demo", "--out", str(tmp_path / folder), operator=None)
        balances.append(json.loads(jifen.ok("--db", str(tmp_path / folder / "jifen.db"), "balance",
                                            "--json").stdout))
    assert balances[0] == balances[1]


def test_sample_data_is_found():
    folder = demo.sample_dir()
    assert {p.name for p in folder.iterdir()} >= {name for _, name in demo.FILES} | {
        "records.csv", "redemptions.csv"}


def test_a_demo_that_cannot_publish_refuses_before_building_anything(jifen, tmp_path):
    out = tmp_path / "demo"
    (out / "disclosure-2024Q2").mkdir(parents=True)
    (out / "disclosure-2024Q2" / "旧公示.txt").write_text("old", encoding="utf-8")
    result = jifen.refused("demo", "--out", str(out))
    assert "disclosure-2024Q2" in result.stderr
    assert not (out / "jifen.db").exists()

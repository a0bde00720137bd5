"""A damaged page that the hash chain cannot see (an index of the claims): `verify`, `rollup` and
`export` run SQLite's own quick_check, call the file damaged, and prefer a clean copy."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import Jifen, damage_index_page

from jifen_cli import ledger


@pytest.fixture
def refs(village, tmp_path) -> Path:
    """The small village with 120 claims imported with their 流水号 (claims_ref), approved."""
    lines = ["household,rule,date,qty,note,ref"]
    lines += [f"H00{n % 4 + 1},A02,2024-05-{n % 28 + 1:02d},1,升旗 {n},R{n:04d}" for n in range(120)]
    path = tmp_path / "records.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    village.ok("import", "records", str(path))
    village.ok("review", "approve", "--all", operator="格桑")
    return village.db


def damaged_copy(source: Path, target: Path) -> Path:
    shutil.copyfile(source, target)
    damage_index_page(target, "claims_ref")
    with sqlite3.connect(target) as conn:  # what verify alone saw: nothing wrong
        assert ledger.verify(conn).ok
        assert conn.execute("PRAGMA quick_check").fetchone() != ("ok",)
        assert any("missing from index claims_ref" in row for (row,) in
                   conn.execute("PRAGMA integrity_check"))
    conn.close()
    return target


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_verify_calls_a_damaged_index_page_damage(refs, tmp_path, lang):
    bad = damaged_copy(refs, tmp_path / "损坏.db")
    j = Jifen(bad)
    result = j("--db", str(bad), "verify", lang=lang)
    assert result.exit_code == 3 and "Traceback" not in result.stderr
    words = "quick_check" if lang == "en" else "数据页已损坏"
    assert words in result.stderr and "page" in result.stderr
    document = json.loads(j("--db", str(bad), "verify", "--json").stdout)
    assert not document["ok"] and document["problems"][0].startswith(
        "the file's pages are damaged (SQLite's quick_check: ")
    assert j("--db", str(refs), "verify").exit_code == 0  # the intact original


def test_rollup_counts_the_clean_copy_never_the_damaged_one(refs, tmp_path):
    folder = tmp_path / "收到"
    folder.mkdir()
    bad = damaged_copy(refs, folder / "a-损坏.jifen")  # sorts first: it won on the old code
    good = folder / "b-完好.jifen"
    shutil.copyfile(refs, good)
    j = Jifen(refs)
    both = j.json("rollup", str(folder), "--quarter", "2024Q2")
    rows = {Path(r["path"]).name: r for r in both["villages"]}
    assert rows["b-完好.jifen"]["status"] == "ok" and rows["b-完好.jifen"]["verified"] == "yes"
    assert rows["a-损坏.jifen"]["verified"] == "damaged"
    assert rows["a-损坏.jifen"]["status"] != "ok" and "quick_check" in rows["a-损坏.jifen"]["detail"]
    alone = j.json("rollup", str(good), "--quarter", "2024Q2")
    assert both["total"] == alone["total"] and both["total"]["villages"] == 1
    # the damaged file on its own: a damaged row, not counted
    [row] = j.json("rollup", str(bad), "--quarter", "2024Q2")["villages"]
    assert row["status"] == "damaged" and "quick_check" in row["detail"]
    assert j.json("rollup", str(bad), "--quarter", "2024Q2")["total"]["villages"] == 0


def test_export_skips_a_damaged_copy_and_exports_the_clean_one(refs, tmp_path):
    folder = tmp_path / "收到"
    folder.mkdir()
    damaged_copy(refs, folder / "a-损坏.jifen")
    shutil.copyfile(refs, folder / "b-完好.jifen")
    j = Jifen(refs)
    out = tmp_path / "lake"
    summary = j.json("export", str(folder), "--parquet", str(out))
    assert summary["villages"] == 1
    assert summary["postings"] == j.json("verify")["postings"]
    skipped = {Path(r["path"]).name: r for r in summary["skipped"]}
    assert skipped["a-损坏.jifen"]["status"] == "damaged"
    assert "quick_check" in skipped["a-损坏.jifen"]["detail"]
    assert len(list(out.rglob("*.parquet"))) == 1
    # alone, the damaged copy is not exported at all
    summary = j.json("export", str(folder / "a-损坏.jifen"), "--parquet", str(tmp_path / "l2"))
    assert summary["villages"] == 0 and summary["skipped"][0]["status"] == "damaged"

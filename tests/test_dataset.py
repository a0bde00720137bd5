"""`jifen export --parquet`: the postings of many villages as a partitioned Parquet dataset that
DuckDB (standing in for Spark or Trino) reads back to the same totals as `jifen rollup`."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import test_rollup as shared

from jifen_cli import dataset

city = shared.city  # the same four villages (built once per session) and a private copy
town = shared.town
_add_bad_files = shared._add_bad_files


def query(sql: str, params: list):
    import duckdb

    return duckdb.execute(sql, params).fetchone()

TOTALS_SQL = """
WITH p AS (
    SELECT * FROM read_parquet(?, hive_partitioning = true, hive_types_autocast = false)
)
SELECT
    count(*) FILTER (WHERE kind IN ('earn', 'deduct')),
    count(DISTINCT (village, household)) FILTER (WHERE kind IN ('earn', 'deduct')),
    coalesce(sum(points) FILTER (WHERE kind = 'earn'), 0),
    coalesce(-sum(points) FILTER (WHERE kind = 'deduct'), 0),
    coalesce(-sum(points) FILTER (WHERE kind = 'redeem'), 0),
    coalesce(sum(value_fen) FILTER (WHERE kind = 'redeem'), 0),
    coalesce(sum(value_fen) FILTER (WHERE kind = 'grant'), 0),
    count(DISTINCT village)
FROM p WHERE quarter = '2024Q2'
"""


def test_duckdb_reads_back_the_rollups_totals(jifen, town, tmp_path):
    out = tmp_path / "lake"
    jifen.ok("export", str(town), "--parquet", str(out))
    assert any(out.rglob("*.parquet"))
    glob = str(out / "**" / "*.parquet")
    row = query(TOTALS_SQL, [glob])
    total = jifen.json("rollup", str(town), "--quarter", "2024Q2")["total"]
    assert row == (total["entries"], total["participating"], total["earned"], total["deducted"],
                   total["redeemed"], total["redeemed_fen"], total["fund_granted"],
                   total["villages"])
    assert total["entries"] > 0 and total["villages"] == 4
    # Every posting of every village is there once, over all quarters.
    count = query("SELECT count(*), count(DISTINCT (village, seq)) FROM read_parquet(?, "
                  "hive_partitioning = true, hive_types_autocast = false)", [glob])
    postings = sum(
        jifen.json("--db", str(f), "verify")["postings"] for f in sorted(town.rglob("v*.jifen"))
    )
    assert count == (postings, postings)


def test_layout_and_schema_are_the_documented_ones(jifen, city, tmp_path):
    out = tmp_path / "lake"
    jifen.ok("export", str(city / "villages"), "--parquet", str(out), "--quarter", "2024Q2")
    rollup = jifen.json("rollup", str(city / "villages"), "--quarter", "2024Q2")
    zhaxi = next(r for r in rollup["villages"] if r["village"] == "扎西岗村")
    part = (out / "county=色尼区" / "township=罗玛镇" / f"village={zhaxi['village_id']}"
            / "quarter=2024Q2" / "part-0.parquet")
    assert part.is_file()
    assert not list(out.rglob("quarter=2024Q1"))  # --quarter exports only that quarter
    import pyarrow.parquet as pq

    schema = pq.read_schema(part)
    assert [(f.name, str(f.type)) for f in schema] == list(dataset.COLUMNS)
    assert schema.metadata[b"jifen_schema_version"] == b"1"
    table = pq.read_table(part).to_pylist()
    assert {r["village_name"] for r in table} == {"扎西岗村"}
    grant = next(r for r in table if r["kind"] == "grant")
    assert str(grant["value_yuan"]) == "20000.00" and grant["household"] is None
    earn = next(r for r in table if r["kind"] == "earn")
    assert earn["category"] in ("人居环境", "爱党爱国") and earn["reviewed_by"] == "格桑"


def test_bad_files_are_not_exported_and_are_named(jifen, town, tmp_path):
    _add_bad_files(town)
    out = tmp_path / "lake"
    result = jifen.ok("export", str(town), "--parquet", str(out))
    assert "damaged.jifen" in result.stderr and "truncated.db" in result.stderr
    assert "notes.db" in result.stderr and "newer.db" in result.stderr
    villages = {p.name for p in out.rglob("village=*")}
    assert len(villages) == 4
    # Exporting again replaces the partitions: the same rows, not twice as many.
    glob = str(out / "**" / "*.parquet")
    first = query("SELECT count(*) FROM read_parquet(?)", [glob])
    jifen.ok("export", str(town), "--parquet", str(out))
    assert query("SELECT count(*) FROM read_parquet(?)", [glob]) == first


def test_without_pyarrow_the_message_says_what_to_install(jifen, city, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    result = jifen.refused("export", str(city / "villages"), "--parquet", str(tmp_path / "x"))
    assert "pip install 'jifen[parquet]'" in result.stderr
    assert not Path(tmp_path / "x").exists()


@pytest.mark.parametrize("name,segment", [
    ("罗玛镇", "罗玛镇"), ("", "__HIVE_DEFAULT_PARTITION__"), ("a/b=c%", "a%2Fb%3Dc%25"),
])
def test_partition_names(name, segment):
    assert dataset.segment(name) == segment

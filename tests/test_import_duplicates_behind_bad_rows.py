"""A duplicate key in an import is reported even when the first of its rows is refused for
something else: the row's claim to its code (or ref) is recorded before its other checks, so the
second row is named as a repeat and nothing is imported."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest


def write_csv(path: Path, rows: list[list]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    return path


def counts(jifen) -> tuple:
    return (jifen.sql("SELECT count(*) FROM households"), jifen.sql("SELECT count(*) FROM imports"),
            jifen.sql("SELECT head_seq, head_hash FROM village"))


@pytest.mark.parametrize("lang, repeat", [
    ("en", "code H010 repeats row 2 of this file"),
    ("zh", "编号 H010 与第 2 行重复"),
])
def test_a_household_code_repeated_after_a_bad_row_is_reported_too(village, tmp_path, lang,
                                                                    repeat):
    path = write_csv(tmp_path / "户籍.csv", [
        ["户号", "户主", "组别", "人口"],
        ["H010", "次仁卓玛", "一组", "five"],   # row 2: a bad value, and the code of row 3
        ["H010", "བཀྲ་ཤིས་", "二组", "3"],
        ["H011", "王建国", "一组", "2"],
    ])
    before = counts(village)
    result = village.refused("import", "households", str(path), lang=lang)
    lines = [line for line in result.stderr.splitlines() if line.startswith(f"{path}:")]
    assert [line.split(":")[1] for line in lines] == ["2", "3"], result.stderr
    assert "five" in lines[0], lines[0]
    assert lines[1] == f"{path}:3: {repeat}", lines[1]
    assert counts(village) == before


def test_a_rule_code_repeated_after_a_bad_row_is_reported_too(village, tmp_path):
    path = write_csv(tmp_path / "rules.csv", [
        ["code", "category", "title", "points"],
        ["C01", "人居环境", "门前三包", "lots"],
        ["C01", "人居环境", "门前三包", "3"],
    ])
    result = village.refused("import", "rules", str(path))
    assert f"{path}:2: " in result.stderr
    assert f"{path}:3: code C01 repeats row 2 of this file" in result.stderr
    assert village.sql("SELECT count(*) FROM rules WHERE code = 'C01'") == [(0,)]


def test_a_ref_repeated_after_a_bad_record_row_is_reported_too(village, tmp_path):
    path = write_csv(tmp_path / "records.csv", [
        ["household", "rule", "date", "qty", "note", "ref"],
        ["H001", "A02", "2024-13-01", "1", "", "R-1"],   # a bad date, and the ref of row 3
        ["H002", "A02", "2024-05-02", "1", "", "R-1"],
    ])
    before = village.sql("SELECT count(*) FROM claims")
    result = village.refused("import", "records", str(path))
    assert f"{path}:2: " in result.stderr
    assert f"{path}:3: ref R-1 repeats row 2 of this file" in result.stderr
    assert village.sql("SELECT count(*) FROM claims") == before

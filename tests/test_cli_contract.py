"""SPEC's command-line contract, checked as a script would: real processes, real environment
variables, stdin closed, stdout and stderr read apart."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def jifen(*args: str, cwd: Path, **env: str | None) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items()
               if k not in ("JIFEN_DB", "JIFEN_OPERATOR", "JIFEN_LANG", "LANG", "LC_ALL")}
    environ.update({k: v for k, v in env.items() if v is not None}, COLUMNS="200")
    return subprocess.run([sys.executable, "-m", "jifen_cli", *args], cwd=cwd, env=environ,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """A village as `jifen.db` in the current folder (the default), with claims of May: made
    once, by real processes, in a folder of its own; `folder` gives each test a copy."""
    where = tmp_path_factory.mktemp("contract")
    steps = [
        ("init", "--village", "扎西岗村", "--mode", "both"),
        ("reviewer", "add", "格桑"),
        ("household", "add", "H001", "次仁卓玛", "--id-number", "540102199001011233",
         "--phone", "13800001234"),
        ("rule", "add", "A01", "--category", "人居环境", "--title", "庭院整洁", "--points", "5"),
        ("record", "H001", "A01", "--date", "2024-04-03"),
        ("record", "H001", "A01", "--date", "2024-05-03"),
    ]
    with pytest.MonkeyPatch.context() as env:  # as conftest's _env sets it for a test
        env.setenv("JIFEN_TODAY", "2024-06-30")
        env.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("contract-cache")))
        for step in steps:
            done = jifen(*step, cwd=where, JIFEN_OPERATOR="次仁")
            assert done.returncode == 0, done.stderr
    assert (where / "jifen.db").is_file()
    return where / "jifen.db"


@pytest.fixture
def folder(built, tmp_path) -> Path:
    """The current folder of a test, holding a copy of `built`."""
    shutil.copy(built, tmp_path / "jifen.db")
    return tmp_path


def statuses(folder: Path) -> list[str]:
    done = jifen("review", "list", "--status", "all", "--json", cwd=folder)
    return [c["status"] for c in json.loads(done.stdout)]


def test_global_options_come_from_the_environment_and_lang_from_LANG(folder):
    zh = jifen("balance", "H999", cwd=folder, LANG="zh_CN.UTF-8")
    en = jifen("balance", "H999", cwd=folder, LANG="en_US.UTF-8")
    chosen = jifen("balance", "H999", cwd=folder, LANG="zh_CN.UTF-8", JIFEN_LANG="en")
    assert (zh.returncode, en.returncode, chosen.returncode) == (1, 1, 1)
    assert zh.stdout == en.stdout == chosen.stdout == ""
    assert "没有" in zh.stderr and "No household H999" in en.stderr == chosen.stderr
    unnamed = jifen("reviewer", "add", "罗布", cwd=folder)
    assert unnamed.returncode == 1 and "--operator" in unnamed.stderr
    elsewhere = jifen("balance", "--json", cwd=folder.parent, JIFEN_DB=str(folder / "jifen.db"))
    assert json.loads(elsewhere.stdout) == [{"household": "H001", "available": 0, "honour": 0}]


def test_read_commands_print_one_json_document_and_nothing_else(folder):
    for command in (["household", "list"], ["household", "show", "H001"], ["rule", "list"],
                    ["item", "list"], ["review", "list"], ["balance"], ["balance", "H001"],
                    ["history", "H001"], ["verify"]):
        done = jifen(*command, "--json", cwd=folder, LANG="zh_CN.UTF-8")
        assert (done.returncode, done.stderr) == (0, ""), command
        document = json.loads(done.stdout)
        assert "540102199001011233" not in done.stdout and "13800001234" not in done.stdout
        if command == ["review", "list"]:
            assert {"id", "household", "rule", "qty", "date", "status", "recorded_by"} <= set(
                document[0])


@pytest.mark.parametrize("args", [[], ["1", "--all"], ["--month", "2024-05"]])
def test_approve_takes_ids_or_all_and_anything_else_is_a_usage_error(folder, args):
    """`review approve (ID... | --all) [--month M]`: neither or both is exit 2, like a missing
    argument, in either language; nothing is approved."""
    for lang in ("zh", "en"):
        done = jifen("--lang", lang, "review", "approve", *args, cwd=folder, JIFEN_OPERATOR="格桑")
        assert done.returncode == 2, (done.stdout, done.stderr)
        assert done.stdout == "" and "Traceback" not in done.stderr
        assert ("--all" in done.stderr) and (lang == "en" or "记录编号" in done.stderr)
    assert statuses(folder) == ["pending", "pending"]


def test_approve_ids_with_month_only_approves_claims_of_that_month(folder):
    april = jifen("review", "approve", "1", "2", "--month", "2024-05", cwd=folder,
                  JIFEN_OPERATOR="格桑", JIFEN_LANG="en")
    assert april.returncode == 1 and april.stdout == ""
    assert "Claim 1 is dated 2024-04-03, not in 2024-05" in april.stderr
    assert statuses(folder) == ["pending", "pending"]
    may = jifen("review", "approve", "2", "--month", "2024-05", cwd=folder, JIFEN_OPERATOR="格桑")
    assert may.returncode == 0, may.stderr
    assert statuses(folder) == ["pending", "approved"]


def test_rollup_csv_has_the_columns_as_listed_verified_yes_or_no_and_a_totals_row(folder, tmp_path):
    """A damaged village is a row whose `verified` is `no` (its status says why), and the files
    rolled up are left as they were."""
    import csv
    import hashlib
    import io
    import shutil
    import sqlite3

    approved = jifen("review", "approve", "--all", cwd=folder, JIFEN_OPERATOR="格桑")
    assert approved.returncode == 0, approved.stderr
    other = tmp_path / "other"
    other.mkdir()
    for step in (("init", "--village", "帕那村"), ("household", "add", "H001", "格桑"),
                 ("item", "add", "G001", "酥油", "--points", "1", "--value", "1", "--stock", "2")):
        assert jifen(*step, cwd=other, JIFEN_OPERATOR="次仁").returncode == 0
    shutil.copy(other / "jifen.db", tmp_path / "damaged.db")
    conn = sqlite3.connect(tmp_path / "damaged.db")
    conn.execute("DROP TRIGGER postings_no_update")
    conn.execute("UPDATE postings SET stock = stock + 1")
    conn.commit()
    conn.close()
    files = [folder / "jifen.db", tmp_path / "damaged.db"]
    before = [hashlib.sha256(f.read_bytes()).hexdigest() for f in files]
    done = jifen("rollup", *map(str, files), "--quarter", "2024Q2", "--out", "r.csv",
                 cwd=tmp_path, JIFEN_LANG="en")
    assert done.returncode == 0, done.stderr
    assert [hashlib.sha256(f.read_bytes()).hexdigest() for f in files] == before
    raw = (tmp_path / "r.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header, *rows = csv.reader(io.StringIO(raw.decode("utf-8-sig")))
    listed = ["village", "township", "county", "households", "participating households",
              "entries", "earned", "deducted", "redeemed", "value of goods redeemed (yuan)",
              "verified"]
    assert [c for c in header if c in listed] == listed
    table = [dict(zip(header, row)) for row in rows]
    assert sorted(r["verified"] for r in table[:-1]) == ["no", "yes"]
    assert table[-1]["village"].startswith("total") and table[-1]["earned"] == "10"

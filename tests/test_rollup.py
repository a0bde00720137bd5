"""`jifen rollup`: a township's village files added up, read-only, every bad file a row."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import shutil
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import Jifen

from jifen_cli import ledger

# name, township, county, class, mode, scale, has a Q1 (published before Q2)
VILLAGES = [
    ("扎西岗村", "罗玛镇", "色尼区", 2, "both", 1, False),
    ("达嘎村", "罗玛镇", "色尼区", 1, "store", 2, True),
    ("日玛村", "那曲镇", "色尼区", 3, "partner", 3, False),
    ("བཀྲ་ཤིས་སྒང་", "帕那镇", "安多县", 2, "both", 4, False),
]


def _seq(result) -> int:
    return int(re.search(r"#(\d+)", result.stdout)[1])


def build_village(path: Path, name, township, county, klass, mode, k, q1, *, publish=True) -> Path:
    """A small village built through the CLI; its Q2 published into a folder next to it."""
    j = Jifen(path)
    db = ("--db", str(path))
    j.ok(*db, "init", "--village", name, "--township", township, "--county", county,
         "--class", str(klass), "--mode", mode, "--public-lang", "en")
    j.ok(*db, "reviewer", "add", "格桑")
    for code, who in (("H001", "次仁卓玛"), ("H002", "བཀྲ་ཤིས་"), ("H003", "王建国")):
        j.ok(*db, "household", "add", code, who)
    j.ok(*db, "rule", "add", "A01", "--category", "人居环境", "--title", "庭院整洁", "--points", "5")
    j.ok(*db, "rule", "add", "A02", "--category", "爱党爱国", "--title", "升国旗", "--points", "2")
    j.ok(*db, "rule", "add", "B01", "--category", "遵纪守法", "--title", "酒后滋事", "--points", "-20")
    if q1:  # a quarter before: in the fund balance and the opening, not in Q2's figures
        j.ok(*db, "fund", "grant", "10000", "--date", "2024-02-01")
        j.ok(*db, "record", "H003", "A01", "--qty", "7", "--date", "2024-03-10")
        j.ok(*db, "review", "approve", "--all", operator="格桑")
        j.ok(*db, "publish", "--quarter", "2024Q1", "--out", str(path.parent / f"{path.stem}-q1"),
             "--date", "2024-04-01")
    j.ok(*db, "item", "add", "G001", "酥油", "--points", "10", "--value", "35.00", "--stock", "5",
         "--date", "2024-04-01")
    j.ok(*db, "item", "add", "G002", "砖茶", "--points", "4", "--value", "12.50", "--stock", "3",
         "--date", "2024-04-01")
    j.ok(*db, "fund", "grant", str(10000 * klass), "--date", "2024-04-02")
    if mode != "store":
        j.ok(*db, "shop", "add", "那曲百货")
    for household, rule, qty, date in (("H001", "A01", k + 4, "2024-04-10"),
                                       ("H002", "A02", 3, "2024-05-01"),
                                       ("H001", "B01", 1, "2024-05-02"),
                                       ("H002", "A01", 2, "2024-05-20")):
        j.ok(*db, "record", household, rule, "--qty", str(qty), "--date", date)
    j.ok(*db, "review", "approve", "--all", operator="格桑")
    # where goods are handed out follows the village's mode: its store, partner shops, or both
    store = () if mode != "partner" else ("--shop", "那曲百货")
    shop = ("--shop", "那曲百货") if mode != "store" else ()
    j.ok(*db, "redeem", "H001", "G002", "--date", "2024-05-21", *store)
    j.ok(*db, "redeem", "H002", "G002", "--date", "2024-05-22", *shop)
    wrong = _seq(j.ok(*db, "redeem", "H002", "G001", "--date", "2024-05-23", *store))
    j.ok(*db, "reverse", str(wrong), "--reason", "兑换记错", "--date", "2024-06-01")
    if mode != "partner":  # a partner-only village has no store of its own to stock
        j.ok(*db, "item", "restock", "G001", "10", "--cost", "300", "--date", "2024-06-02")
    if publish:
        j.ok(*db, "publish", "--quarter", "2024Q2", "--out", str(path.parent / f"{path.stem}-pub"),
             "--date", "2024-06-30")
    return path


_CITY: list[Path] = []  # built once per session: the modules that import `city` share it


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> Path:
    """Four villages in three townships of two counties, each in its own folder. Read only:
    a test that changes files works on `town`, its own copy."""
    if not _CITY:
        root = tmp_path_factory.mktemp("city")
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("JIFEN_TODAY", "2024-06-30")
            for n, spec in enumerate(VILLAGES):
                folder = root / "villages" / spec[2] / spec[1]
                folder.mkdir(parents=True, exist_ok=True)
                build_village(folder / f"v{n}.jifen", *spec)
        _CITY.append(root)
    return _CITY[0]


@pytest.fixture
def town(city, tmp_path) -> Path:
    """A private copy of the city's files that a test may add broken files to."""
    return Path(shutil.copytree(city / "villages", tmp_path / "villages"))


def rollup(jifen: Jifen, *args) -> dict:
    return jifen.json("rollup", *map(str, args), "--quarter", "2024Q2")


def _csv(path: Path) -> list[dict]:
    text = path.read_bytes().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def expected_from_publication(folder: Path) -> dict:
    """What the village itself published: ledger.csv, redemptions.csv and fund.csv."""
    ledger_rows = _csv(folder / "ledger.csv")
    fund = {r["item"]: r for r in _csv(folder / "fund.csv")}
    return {
        "households": len(ledger_rows),
        "participating": sum(int(r["entries"]) > 0 for r in ledger_rows),
        "entries": sum(int(r["entries"]) for r in ledger_rows),
        "earned": sum(int(r["earned"]) for r in ledger_rows),
        "deducted": sum(int(r["deducted"]) for r in ledger_rows),
        "redeemed": sum(int(r["redeemed"]) for r in ledger_rows),
        # redeemed is gross, as the notice says it: every redemption of the quarter, the
        # returned 酥油 (¥35) too; its return is a figure of its own
        "redeemed_fen": int(sum(Decimal(r["value"]) for r in _csv(folder / "redemptions.csv"))
                            * 100),
        "returned": sum(int(r["points"]) for r in _csv(folder / "redemptions.csv")
                        if r["note"].startswith("returned")),
        "returned_fen": int(sum(Decimal(r["value"]) for r in _csv(folder / "redemptions.csv")
                                if r["note"].startswith("returned")) * 100),
        "fund_granted": int(Decimal(fund["fund granted"]["this quarter (movement)"]) * 100),
        "fund_balance": int(Decimal(fund["balance"]["at the quarter's end"]) * 100),
    }


def test_totals_equal_the_sum_of_every_villages_published_ledger(jifen, city):
    result = rollup(jifen, city / "villages")
    rows = result["villages"]
    assert [r["status"] for r in rows] == ["ok"] * 4
    assert {r["village"] for r in rows} == {v[0] for v in VILLAGES}
    total = dict.fromkeys(expected_from_publication(next(city.rglob("v0-pub"))), 0)
    for row in rows:
        published = expected_from_publication(Path(row["path"]).with_name(
            Path(row["path"]).stem + "-pub"))
        figures = {k: row["figures"][k] for k in published}
        assert figures == published, row["village"]
        assert row["verified"] == "yes" and row["published"] is True
        for key, value in published.items():
            total[key] += value
    assert {k: result["total"][k] for k in total} == total
    assert result["total"]["villages"] == 4
    # The Q1 of 达嘎村 stays out of Q2 (its earn) but its Q1 grant is in the fund balance.
    daga = next(r for r in rows if r["village"] == "达嘎村")
    assert daga["figures"]["fund_granted"] == 1_000_000
    assert daga["figures"]["fund_balance"] == 1_000_000 + 1_000_000 - 30_000
    assert daga["class"] == 1 and daga["mode"] == "store"


def _fingerprints(folder: Path) -> dict:
    return {p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _add_bad_files(town: Path) -> dict[str, Path]:
    files = sorted(town.rglob("v*.jifen"))
    bad = town / "bad"
    bad.mkdir()
    damaged = bad / "damaged.jifen"
    shutil.copyfile(files[0], damaged)
    conn = sqlite3.connect(damaged)
    conn.execute("DROP TRIGGER postings_no_update")
    conn.execute("UPDATE postings SET points = points + 100 WHERE kind = 'earn' AND seq = "
                 "(SELECT min(seq) FROM postings WHERE kind = 'earn')")
    conn.execute("UPDATE village SET name = '被改的村'")  # a village of its own, not a copy
    conn.commit()
    conn.close()
    truncated = bad / "truncated.db"
    data = files[1].read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    foreign = bad / "foreign.sqlite"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    text = bad / "notes.db"
    text.write_text("这不是数据库\n", encoding="utf-8")
    newer = bad / "newer.db"
    shutil.copyfile(files[2], newer)
    conn = sqlite3.connect(newer)
    conn.execute("PRAGMA user_version = 99")
    conn.execute("UPDATE village SET name = '未来村'")
    conn.commit()
    conn.close()
    older = bad / "older.db"
    shutil.copyfile(files[3], older)
    conn = sqlite3.connect(older)
    conn.execute("PRAGMA user_version = 0")
    conn.commit()
    conn.close()
    (bad / "readme.txt").write_text("not a village, not named like one", encoding="utf-8")
    return {"damaged": damaged, "truncated": truncated, "foreign": foreign, "text": text,
            "newer": newer, "older": older}


def test_every_bad_file_is_a_row_that_says_which(jifen, town):
    bad = _add_bad_files(town)
    result = rollup(jifen, town, town / "nowhere.db")
    by_path = {Path(r["path"]).name: r for r in result["villages"]}
    assert by_path["damaged.jifen"]["status"] == "damaged"
    assert by_path["damaged.jifen"]["verified"] == "damaged"
    assert "does not match its hash" in by_path["damaged.jifen"]["detail"]
    assert by_path["damaged.jifen"]["figures"]["earned"] > 0  # still shown, not counted
    assert by_path["truncated.db"]["status"] == "truncated"
    assert by_path["foreign.sqlite"]["status"] == "not_village"
    assert by_path["notes.db"]["status"] == "not_village"
    assert by_path["newer.db"]["status"] == "newer_schema"
    assert by_path["older.db"]["status"] == "older_schema"
    assert by_path["nowhere.db"]["status"] == "missing"
    assert "readme.txt" not in by_path
    assert len(result["villages"]) == 4 + len(bad) + 1
    for row in result["villages"]:
        if row["status"] != "ok":
            assert row["verified"] in ("no", "damaged")
    # Only the four sound villages are in the totals.
    assert result["total"]["villages"] == 4
    sound = rollup(jifen, *sorted(town.glob("*/*/v*.jifen")))
    assert result["total"] == sound["total"]
    assert result["statuses"] == {"ok": 4, "damaged": 1, "not_village": 2, "newer_schema": 1,
                                  "older_schema": 1, "truncated": 1, "missing": 1}


def test_the_table_names_each_problem_and_says_what_was_left_out(jifen, town):
    _add_bad_files(town)
    result = jifen("rollup", str(town), "--quarter", "2024Q2", lang="zh")
    assert result.exit_code == 0, result.stderr
    for words in ("扎西岗村", "台账损坏", "文件不完整", "不是村台账", "版本过新", "版本过旧",
                  "合计（4 个村）"):
        assert words in result.stdout
    assert "6 个文件未计入合计" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_reading_never_changes_a_file(jifen, town):
    _add_bad_files(town)
    before = _fingerprints(town)
    rollup(jifen, town)
    jifen.ok("rollup", str(town), "--quarter", "2024Q2", "--out", str(town.parent / "r.xlsx"))
    assert _fingerprints(town) == before  # bytes and mtime of every file, and no new files


def test_the_same_file_twice_and_a_copy_are_counted_once(jifen, city, town):
    files = sorted(town.rglob("v*.jifen"))
    copy = town / "copy-of-v0.db"
    shutil.copyfile(files[0], copy)
    single = rollup(jifen, town)["total"]
    assert single["villages"] == 4
    result = rollup(jifen, town, files[0], town / ".." / town.name / files[1].relative_to(town))
    dupes = [r for r in result["villages"] if r["status"] == "duplicate"]
    assert len(dupes) == 3
    assert result["total"] == single
    assert any("identical copy" in r["detail"] for r in dupes)
    assert sum("the same file as" in r["detail"] for r in dupes) == 2


def test_of_two_copies_the_longer_ledger_is_counted(jifen, town, monkeypatch):
    files = sorted(town.rglob("v*.jifen"))
    older = town / "older-copy.jifen"
    shutil.copyfile(files[0], older)
    monkeypatch.setenv("JIFEN_TODAY", "2024-07-05")
    jifen.ok("--db", str(files[0]), "record", "H003", "A02", "--date", "2024-07-02")
    jifen.ok("--db", str(files[0]), "review", "approve", "--all", operator="格桑")
    rows = rollup(jifen, town)["villages"]
    counted = [r for r in rows if r["path"] == str(files[0])][0]
    old = [r for r in rows if r["path"] == str(older)][0]
    assert counted["status"] == "ok" and old["status"] == "duplicate"
    assert "older copy" in old["detail"] and old["same_as"] == str(files[0])


def test_a_tampered_copy_of_a_village_is_called_damaged_not_older(jifen, town):
    files = sorted(town.rglob("v*.jifen"))
    forged = town / "forged-copy.jifen"
    shutil.copyfile(files[0], forged)
    conn = sqlite3.connect(forged)
    conn.execute("DROP TRIGGER postings_no_update")
    conn.execute("UPDATE postings SET points = points + 100 WHERE seq = "
                 "(SELECT max(seq) FROM postings WHERE kind = 'earn')")
    conn.commit()
    conn.close()
    rows = {Path(r["path"]).name: r for r in rollup(jifen, town)["villages"]}
    assert rows["forged-copy.jifen"]["status"] == "duplicate"
    assert rows["forged-copy.jifen"]["verified"] == "damaged"
    assert "damaged copy" in rows["forged-copy.jifen"]["detail"]
    assert "does not match its hash" in rows["forged-copy.jifen"]["detail"]
    assert "older" not in rows["forged-copy.jifen"]["detail"]


def test_csv_with_township_subtotals(jifen, city, tmp_path):
    out = tmp_path / "汇总.csv"
    jifen.ok("rollup", str(city / "villages"), "--quarter", "2024Q2", "--by", "township",
             "--out", str(out), lang="zh")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header = rows[0]
    assert header[:3] == ["村", "乡镇", "县区"] and "记录数(人次)" in header
    names = [r[0] for r in rows[1:]]
    assert names.count("合计（4 个村）") == 1 and names[-1] == "合计（4 个村）"
    assert "小计 罗玛镇 色尼区" in names and "小计 帕那镇 安多县" in names
    earned = header.index("获得积分")
    luoma = next(r for r in rows if r[0] == "小计 罗玛镇 色尼区")
    villages = [r for r in rows[1:] if r[1] == "罗玛镇"]
    assert int(luoma[earned]) == sum(int(r[earned]) for r in villages) > 0
    total = rows[-1]
    assert int(total[earned]) == sum(int(r[earned]) for r in rows[1:] if r[0].startswith("小计"))


def test_xlsx_keeps_numbers_and_neutralises_formulas(jifen, city, tmp_path, monkeypatch):
    from openpyxl import load_workbook

    monkeypatch.setenv("JIFEN_TODAY", "2024-06-30")
    odd = build_village(tmp_path / "odd.jifen", "=HYPERLINK(\"http://x\")", "罗玛镇", "色尼区",
                        3, "store", 1, False, publish=False)
    out = tmp_path / "city.xlsx"
    jifen.ok("rollup", str(city / "villages"), str(odd), "--quarter", "2024Q2", "--by", "county",
             "--out", str(out))
    sheet = load_workbook(out).active
    rows = list(sheet.iter_rows(values_only=True))
    odd_cell = next(row[0] for row in sheet.iter_rows() if row[-1].value == str(odd))
    assert odd_cell.data_type == "s" and odd_cell.quotePrefix  # text behind a hidden quote
    assert rows[0][0] == "village"
    odd_row = next(r for r in rows if r[-1] == str(odd))
    assert odd_row[0] == '=HYPERLINK("http://x")'  # as typed, no visible apostrophe
    assert odd_row[rows[0].index("published")] == "no"
    assert isinstance(rows[-1][rows[0].index("earned")], int)
    assert rows[-1][0] == "total (5 villages)"


def test_progress_stays_off_a_pipe_and_the_table_goes_to_stdout(jifen, city):
    result = jifen.ok("rollup", str(city / "villages"), "--quarter", "2024-Q2")
    assert "扎西岗村" in result.stdout and "total (4" in result.stdout
    assert result.stderr == ""


def test_refusals(jifen, city, tmp_path):
    (tmp_path / "empty").mkdir()
    assert "No village files" in jifen.refused("rollup", str(tmp_path / "empty"),
                                               "--quarter", "2024Q2").stderr
    assert ".csv or .xlsx" in jifen.refused("rollup", str(city), "--quarter", "2024Q2",
                                            "--out", str(tmp_path / "r.pdf")).stderr
    assert "2024Q9" in jifen.refused("rollup", str(city), "--quarter", "2024Q9").stderr


def test_worker_processes_give_the_same_answer(jifen, town):
    for n in range(12):  # enough files for several chunks, so the pool is used
        shutil.copyfile(sorted(town.rglob("v*.jifen"))[n % 4], town / f"c{n:02d}.jifen")
    one = jifen.json("rollup", str(town), "--quarter", "2024Q2", "--jobs", "1")
    two = jifen.json("rollup", str(town), "--quarter", "2024Q2", "--jobs", "2")
    assert one == two
    assert one["total"]["villages"] == 4 and one["statuses"] == {"ok": 4, "duplicate": 12}


# --- ledger.verify's fast path gives the reference loop's report, to the letter -------------


def _reference(conn) -> ledger.Report:
    original = ledger._verify_fast
    ledger._verify_fast = lambda conn: None
    try:
        return ledger.verify(conn)
    finally:
        ledger._verify_fast = original


@pytest.mark.parametrize("tamper", [
    None,
    "UPDATE postings SET points = points + 1 WHERE seq = 3",
    "UPDATE postings SET note = 'x' WHERE seq = 4",
    "UPDATE postings SET qty = 1.5 WHERE seq = 5",
    "UPDATE postings SET qty = 2.5e15 WHERE seq = 5",  # SQLite's JSON: 2.5e+15
    "UPDATE postings SET note = 12 WHERE seq = 4",  # a number where text was hashed
    "DELETE FROM postings WHERE seq = 2",
    "UPDATE households SET available = available + 1 WHERE code = 'H001'",
    "UPDATE items SET stock = stock + 1",
    "UPDATE village SET head_seq = head_seq - 1",
    "UPDATE publications SET digest = '00' WHERE 1",
])
def test_fast_verify_agrees_with_the_reference(jifen, tmp_path, monkeypatch, tamper):
    monkeypatch.setenv("JIFEN_TODAY", "2024-06-30")
    path = build_village(tmp_path / "v.jifen", *VILLAGES[1])
    # Notes with every character JSON must escape, and Tibetan: SQLite's json_array must
    # encode them exactly as Python's json does, or the fast path would never be taken.
    monkeypatch.setenv("JIFEN_TODAY", "2024-07-05")
    jifen.ok("--db", str(path), "fund", "grant", "1", "--date", "2024-07-01",
             "--note", 'a"b\\c\nd\te\x01f\x7f བཀྲ་ཤིས་ 🙂')
    conn = sqlite3.connect(path)
    if tamper:
        for trigger in ("postings_no_update", "postings_no_delete", "publications_no_update"):
            conn.execute(f"DROP TRIGGER {trigger}")
        conn.execute(tamper)
        conn.commit()
    fast = ledger._verify_fast(conn)
    assert (fast is not None) == (tamper is None)
    assert ledger.verify(conn) == _reference(conn)
    conn.close()


def test_a_file_with_an_interrupted_write_says_so_and_loses_nothing(jifen, tmp_path):
    """A process killed mid-write leaves a hot journal: the read-only roll-up must not roll it
    back, and must not call the file damaged; any ordinary jifen command then rolls it back."""
    import subprocess
    import sys

    path = build_village(tmp_path / "中断村.db", "中断村", "罗玛镇", "色尼区", 2, "both", 1, False)
    before = Jifen(path).json("--db", str(path), "balance")
    script = (
        "import os, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA cache_size = 1')\n"
        "c.execute('BEGIN IMMEDIATE')\n"
        "c.execute('DROP TRIGGER postings_no_update')\n"
        "c.execute(\"UPDATE postings SET note = hex(randomblob(200))\")\n"
        "c.execute(\"UPDATE households SET available = available + 1000\")\n"
        "os._exit(9)\n"
    )
    subprocess.run([sys.executable, "-c", script, str(path)], check=False, timeout=60)
    journal = path.with_name(path.name + "-journal")
    assert journal.is_file() and journal.stat().st_size > 0
    stamp = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
    [row] = rollup(jifen, path)["villages"]
    assert row["status"] == "interrupted" and "run any jifen command" in row["detail"]
    assert (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns) == stamp
    # an ordinary open rolls the unfinished write back: nothing committed is lost
    assert Jifen(path).json("--db", str(path), "balance") == before
    Jifen(path).ok("--db", str(path), "verify")
    assert rollup(jifen, path)["villages"][0]["status"] == "ok"


def test_a_published_quarter_counts_the_households_its_notice_counted(jifen, city, tmp_path,
                                                                      monkeypatch):
    """Households registered after a quarter was posted are not in that quarter's count."""
    path = Path(shutil.copy(next((city / "villages").rglob("v0.jifen")), tmp_path / "v0.jifen"))
    posted = expected_from_publication(next((city / "villages").rglob("v0-pub")))
    before = rollup(jifen, path)["villages"][0]
    assert before["figures"]["households"] == posted["households"] == 3
    monkeypatch.setenv("JIFEN_TODAY", "2024-07-05")
    jifen.ok("--db", str(path), "household", "add", "H004", "ཚེ་རིང་སྒྲོལ་མ་")
    after = rollup(jifen, path)["villages"][0]
    assert after["figures"]["households"] == 3 and after["published"]
    q3 = jifen.json("rollup", str(path), "--quarter", "2024Q3")["villages"][0]
    assert q3["figures"]["households"] == 4  # an unpublished quarter: the register as it is


def test_a_file_whose_name_means_something_in_a_uri_is_read_as_itself(jifen, city, tmp_path):
    """Read-only opens go through an SQLite URI: ?, #, % and spaces in a name are quoted, and
    a Windows share's path keeps an empty authority (SQLite refuses file://server/...)."""
    from jifen_cli.db import readonly_uri

    odd = tmp_path / "扎西岗村 #1?%.jifen"
    shutil.copyfile(next((city / "villages").rglob("v0.jifen")), odd)
    row = rollup(jifen, odd)["villages"][0]
    assert (row["status"], row["verified"], row["path"]) == ("ok", "yes", str(odd))
    assert readonly_uri("//server/share/村/v.db") == \
        "file:////server/share/%E6%9D%91/v.db?mode=ro"
    assert readonly_uri("/home/次仁/v.db").startswith("file:///home/%E6%AC%A1")

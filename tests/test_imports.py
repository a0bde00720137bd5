"""`jifen import`: encodings, XLSX, headers, every refusal with its row, all-or-nothing, refs,
idempotence, --dry-run, --approve, a real process killed mid-import, and hostile files."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import earn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jifen_cli.imports import readers


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.create_sheet("说明").append(["this second sheet is ignored", "x"])
    book.save(path)
    return path


def ledger_state(jifen) -> tuple:
    """Everything an import could change, to compare before and after."""
    return (
        jifen.sql("SELECT head_seq, head_hash FROM village"),
        jifen.sql("SELECT count(*) FROM claims"),
        jifen.sql("SELECT count(*) FROM imports"),
        jifen.sql("SELECT code, available, honour FROM households ORDER BY code"),
        jifen.sql("SELECT code, stock FROM items ORDER BY code"),
        jifen.sql("SELECT count(*) FROM rules"),
    )


# --- encodings, formats, headers ----------------------------------------------------------------


def test_gbk_csv_with_chinese_headers(village, tmp_path):
    path = write_csv(tmp_path / "户籍.csv", [
        ["户号", "户主", "组别", "人口", "身份证号", "电话"],
        ["H010", "次仁卓玛", "一组", "5", "540600198503150022", "13800001234"],
        ["H011", "王建国", "二组", "", "", ""],
    ], encoding="gbk")
    out = village.ok("import", "households", str(path)).stdout
    assert "2 written" in out
    shown = village.json("household", "show", "H010", "--private")
    assert (shown["name"], shown["group"], shown["members"]) == ("次仁卓玛", "一组", 5)
    assert shown["id_number"] == "540600198503150022" and shown["phone"] == "13800001234"
    assert village.json("household", "show", "H011")["members"] == 1


def test_utf8_bom_tibetan_names_english_headers_in_any_order_with_spaces(village, tmp_path):
    path = tmp_path / "extra.csv"
    path.write_bytes(b"\xef\xbb\xbf" + " Group , NAME ,code\r\n三组,བཀྲ་ཤིས་,H020\r\n,ཚེ་རིང་སྒྲོལ་མ་,H021\r\n"
                     .encode())
    village.ok("import", "households", str(path))
    assert village.json("household", "show", "H020")["name"] == "བཀྲ་ཤིས་"
    assert village.json("household", "show", "H020")["group"] == "三组"
    assert village.json("household", "show", "H021")["name"] == "ཚེ་རིང་སྒྲོལ་མ་"


def test_xlsx_items_and_records_with_excel_numbers_and_dates(village, tmp_path):
    items = write_xlsx(tmp_path / "商品.xlsx", [
        ["编号", "名称", "积分", "价值", "库存"],
        ["G010", "青稞面（5kg）", 55.0, 55.5, 60.0],
        [None, None, None, None, None],
        ["G011", "酥油茶壶", 80, 79.9, None],
    ])
    village.ok("import", "items", str(items), "--date", "2024-04-02")
    listed = {i["code"]: i for i in village.json("item", "list")}
    assert listed["G010"] == {"code": "G010", "name": "青稞面（5kg）", "points": 55, "value": "55.50",
                              "stock": 60, "retired": None}
    assert listed["G011"]["stock"] == 0 and listed["G011"]["value"] == "79.90"
    assert village.sql("SELECT date FROM postings WHERE item = 'G010'") == [("2024-04-02",)]

    records = write_xlsx(tmp_path / "记录.xlsx", [
        ["户号", "指标编号", "日期", "数量", "备注", "流水号"],
        ["H001", "A02", dt.datetime(2024, 5, 3), 2.0, "升旗", 1001.0],
    ])
    village.ok("import", "records", str(records))
    assert village.sql("SELECT household, rule, date, qty, note, ref FROM claims") == [
        ("H001", "A02", "2024-05-03", 2, "升旗", "1001")]


def test_a_multibyte_character_split_across_read_chunks(village, tmp_path, monkeypatch):
    # Tiny chunks put many 2-byte GBK and 3-byte UTF-8 characters across a chunk boundary.
    monkeypatch.setattr(readers, "CHUNK", 7)
    rows = [["户号", "户主", "组别"], ["H030", "旺堆次仁", "一组"], ["H031", "格桑曲珍", "二组"]]
    gbk = write_csv(tmp_path / "gbk.csv", rows, encoding="gbk")
    assert readers.fingerprint(gbk).format == "gb18030"
    village.ok("import", "households", str(gbk))
    rows = [["户号", "户主", "组别"], ["H032", "ཉི་མ་", "一组"], ["H033", "拉巴", "二组"]]
    utf8 = write_csv(tmp_path / "utf8.csv", rows)
    assert readers.fingerprint(utf8).format == "utf-8-sig"
    village.ok("import", "households", str(utf8))
    names = {h["code"]: h["name"] for h in village.json("household", "list")}
    assert [names[c] for c in ("H030", "H031", "H032", "H033")] == ["旺堆次仁", "格桑曲珍", "ཉི་མ་", "拉巴"]


def test_unknown_and_missing_columns_are_named(village, tmp_path):
    path = write_csv(tmp_path / "r.csv", [["户号", "colour", "日期", "重量"], ["H001", "red", "2024-05-01", "3"]])
    r = village.refused("import", "records", str(path))
    assert f"{path}:1: unknown column(s): colour, 重量" in r.stderr
    assert "missing required column(s): rule/指标编号" in r.stderr
    assert village.sql("SELECT count(*) FROM imports") == [(0,)]


def test_empty_file_and_header_only_file(village, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert "is empty" in village.refused("import", "records", str(empty)).stderr
    header_only = write_csv(tmp_path / "header.csv", [["household", "rule", "date"]])
    assert "0 rows" in village.ok("import", "records", str(header_only)).stdout


# --- every refusal, with its row ----------------------------------------------------------------


def test_each_bad_record_is_reported_with_its_excel_row_and_nothing_is_written(village, tmp_path):
    village.ok("publish", "--quarter", "2024Q1", "--out", str(tmp_path / "q1"))
    before = ledger_state(village)
    path = write_csv(tmp_path / "records.csv", [
        ["household", "rule", "date", "qty", "note", "ref"],
        ["H001", "A02", "2024-05-01", "1", "好", "R1"],  # 2: fine
        ["H999", "A02", "2024-05-01", "1", "", "R2"],  # 3: unknown household
        ["H001", "Z99", "2024-05-01", "1", "", "R3"],  # 4: unknown rule
        ["H001", "A02", "2024-13-45", "1", "", "R4"],  # 5: bad date
        ["H001", "A02", "2024-05-01", "1.5", "", "R5"],  # 6: not a whole number
        ["", "", "", "", "", ""],  # 7: blank, still counted as a row
        ["H001", "A02", "2024-03-15", "1", "", "R6"],  # 8: locked quarter
        ["H001", "A02", "2024-07-02", "1", "", "R7"],  # 9: in the future
        ["H002", "A02", "2024-05-02", "1", "", "R1"],  # 10: ref repeats row 2
        ["H002", "A02", "2024-05-02", "1", "", "R8", "extra"],  # 11: more cells than the header
        ["H003", "A02", "2024/5/3", "2", "", "R9"],  # 12: fine (Excel's date style)
    ])
    r = village.refused("import", "records", str(path))
    lines = [line for line in r.stderr.splitlines() if line.startswith(str(path))]
    assert lines == [
        f"{path}:3: No household H999. See `jifen household list`.",
        f"{path}:4: No rule Z99. See `jifen rule list`.",
        f"{path}:5: bad date 2024-13-45: use YYYY-MM-DD (e.g. 2024-05-01)",
        f"{path}:6: qty must be a whole number, got 1.5",
        f"{path}:8: 2024-03-15 lies in the locked period: 2024Q1, the latest published quarter, "
        "locks every date up to 2024-03-31. Correct a mistake with `jifen reverse`, dated after "
        "2024-03-31.",
        f"{path}:9: date 2024-07-02 is in the future (today is 2024-06-30):"
        " nothing is recorded before it happens",
        f"{path}:10: ref R1 repeats row 2 of this file",
        f"{path}:11: this row has 7 cells, more than the header's 6 columns",
    ]
    assert "8 invalid row(s); nothing was written" in r.stderr
    assert ledger_state(village) == before


def test_bad_register_rows_name_their_rows_in_chinese_too(village, tmp_path):
    path = write_csv(tmp_path / "items.csv", [
        ["编号", "名称", "积分", "价值", "库存"],
        ["G010", "糌粑", "12.5", "10", "5"],  # 2: points not a whole number
        ["G011", "茶", "10", "10", "-1"],  # 3: negative stock
        ["G012", "盐", "3", "2.5", "1"],  # 4: fine
        ["G012", "盐", "3", "2.5", "1"],  # 5: code repeats row 4
        ["G001", "酥油", "30", "35", "1"],  # 6: already in the register
        ["G013", "", "3", "abc", "1"],  # 7: empty name
    ])
    before = ledger_state(village)
    r = village.refused("import", "items", str(path), lang="zh")
    assert f"{path}:2: 积分应为整数，收到 12.5" in r.stderr
    assert f"{path}:3: 库存不能为负数，收到 -1" in r.stderr
    assert f"{path}:5: 编号 G012 与第 4 行重复" in r.stderr
    assert f"{path}:6: 商品 G001 已存在，编号不能重复。" in r.stderr
    assert f"{path}:7: 名称不能为空" in r.stderr
    assert "5 行有误，什么都没有写入" in r.stderr
    assert ledger_state(village) == before

    rules = write_csv(tmp_path / "rules.csv", [
        ["code", "category", "title", "points", "cap_month"],
        ["C01", "家庭美德", "孝敬老人", "十", ""],
        ["C02", "家庭美德", "邻里和睦", "0", ""],
    ])
    r = village.refused("import", "rules", str(rules))
    assert f"{rules}:2: points must be a whole number, got 十" in r.stderr
    assert f"{rules}:3: points cannot be 0" in r.stderr


def test_redemptions_are_checked_against_balance_and_stock_after_the_rows_above(village, tmp_path):
    earn(village, "H001", "A02", 10)  # 20 points
    earn(village, "H002", "A02", 30)  # 60 points; G002 (12 points) has 2 in stock
    village.ok("shop", "add", "惠民超市")
    before = ledger_state(village)
    path = write_csv(tmp_path / "兑换.csv", [
        ["户号", "商品编号", "日期", "数量", "商店", "流水号"],
        ["H001", "G002", "2024-06-01", "1", "", "X1"],  # 2: 20 -> 8
        ["H001", "G002", "2024-06-02", "1", "", "X2"],  # 3: 12 > 8 left after row 2
        ["H002", "G002", "2024-06-02", "1", "", "X3"],  # 4: stock 1 left after row 2
        ["H002", "G002", "2024-06-03", "1", "", "X4"],  # 5: stock 0 left after row 4
        ["H002", "G002", "2024-06-03", "2", "惠民超市", "X5"],  # 6: a partner shop: no village stock
        ["H003", "G009", "2024-06-03", "1", "", "X6"],  # 7: unknown item
    ])
    r = village.refused("import", "redemptions", str(path))
    lines = [line for line in r.stderr.splitlines() if line.startswith(str(path))]
    assert lines == [
        f"{path}:3: H001 has 8 points available; 12 are needed.",
        f"{path}:5: Item G002 has 0 in stock; 1 are needed. Restock with "
        "`jifen item restock G002 QTY --cost YUAN`.",
        f"{path}:7: No item G009. See `jifen item list`.",
    ]
    assert ledger_state(village) == before

    fixed = write_csv(tmp_path / "fixed.csv", [
        ["household", "item", "date", "qty", "shop", "ref"],
        ["H001", "G002", "2024-06-01", "1", "", "X1"],
        ["H002", "G002", "2024-06-02", "1", "", "X3"],
        ["H002", "G002", "2024-06-03", "2", "惠民超市", "X5"],
    ])
    out = village.ok("import", "redemptions", str(fixed)).stdout
    assert "redeem postings: 3" in out and "points -48, stock -2" in out
    assert village.json("balance", "H002")["available"] == 60 - 36
    assert village.sql("SELECT shop, stock, fen, ref FROM postings WHERE ref = 'X5'") == [
        ("惠民超市", 0, 2500, "X5")]
    village.ok("verify")


# --- idempotence, refs, dry run, approve --------------------------------------------------------


def records_file(path: Path, refs: list[str], household: str = "H001") -> Path:
    return write_csv(path, [["household", "rule", "date", "qty", "note", "ref"]]
                     + [[household, "A02", "2024-05-01", "1", "", ref] for ref in refs])


@pytest.fixture
def lhasa_clock(monkeypatch):
    """The clerk's clock in Tibet (UTC+8, as all of China)."""
    import time

    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_the_same_file_twice_is_a_no_op_that_says_when(village, tmp_path, lhasa_clock):
    import datetime as dt

    path = records_file(tmp_path / "r.csv", ["R1", "R2"])
    village.ok("import", "records", str(path))
    before = ledger_state(village)
    (stored,) = village.sql("SELECT imported_at FROM imports")[0]
    assert stored.endswith("Z")  # the file keeps UTC; the clerk is told his own clock's time
    when = (dt.datetime.fromisoformat(stored[:-1]) + dt.timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")
    again = village.ok("import", "records", str(path))
    assert f"already imported on {when} by 文书 (import #1); same content, nothing changed" in again.stdout
    assert ledger_state(village) == before
    copy = tmp_path / "renamed.csv"
    copy.write_bytes(path.read_bytes())
    assert "already imported" in village.ok("import", "records", str(copy)).stdout


def test_refs_already_imported_by_another_file_are_skipped_and_counted(village, tmp_path):
    village.ok("import", "records", str(records_file(tmp_path / "a.csv", ["R1", "R2", "R3"])))
    out = village.ok("import", "records",
                     str(records_file(tmp_path / "b.csv", ["R2", "R3", "R4", "R5"], "H002"))).stdout
    assert "4 rows, 2 written, 2 skipped" in out
    assert village.sql("SELECT ref, household, import_id FROM claims ORDER BY ref") == [
        ("R1", "H001", 1), ("R2", "H001", 1), ("R3", "H001", 1), ("R4", "H002", 2), ("R5", "H002", 2)]
    assert village.sql("SELECT file_name, rows, written, skipped, operator FROM imports ORDER BY id") == [
        ("a.csv", 3, 3, 0, "文书"), ("b.csv", 4, 2, 2, "文书")]


def test_dry_run_reports_what_would_be_written_and_writes_nothing(village, tmp_path):
    before = ledger_state(village)
    path = write_csv(tmp_path / "r.csv", [["household", "rule", "date", "qty", "ref"],
                                           ["H001", "A02", "2024-05-01", "3", "R1"],
                                           ["H002", "B01", "2024-05-02", "1", "R2"]])
    out = village.ok("import", "records", str(path), "--dry-run", "--approve",
                     "--recorded-by", "文书", operator="格桑").stdout
    assert "Dry run of" in out and "2 would be written" in out
    assert "earn postings: 1" in out and "deduct postings: 1" in out and "points -14" in out
    assert ledger_state(village) == before
    # A dry run is not an import: the real one afterwards is not a no-op.
    assert "2 written" in village.ok("import", "records", str(path)).stdout


def test_approve_posts_at_once_with_the_operator_as_reviewer_and_caps_apply(village, tmp_path):
    path = write_csv(tmp_path / "r.csv", [["household", "rule", "date", "qty", "ref"]] + [
        ["H001", "A01", f"2024-05-0{day}", "1", f"R{day}"] for day in range(1, 5)  # 4 x 5, cap 15
    ])
    r = village.refused("import", "records", str(path), "--approve", "--recorded-by", "次仁")
    assert "文书 is not a reviewer" in r.stderr
    out = village.ok("import", "records", str(path), "--approve", "--recorded-by", "文书",
                     operator="格桑").stdout
    assert "earn postings: 3" in out and "rejected, monthly cap already reached: 1" in out
    assert village.sql(
        "SELECT c.ref, c.status, c.reviewed_by, p.points, p.reviewed_by, p.claim = c.id"
        " FROM claims c LEFT JOIN postings p ON p.seq = c.posting ORDER BY c.ref") == [
        ("R1", "approved", "格桑", 5, "格桑", 1), ("R2", "approved", "格桑", 5, "格桑", 1),
        ("R3", "approved", "格桑", 5, "格桑", 1), ("R4", "rejected", "格桑", None, None, None)]
    assert village.json("balance", "H001") == {"household": "H001", "available": 15, "honour": 15}
    village.ok("verify")


def test_approve_only_for_records_and_an_unreadable_file(village, tmp_path):
    path = records_file(tmp_path / "r.csv", ["R1"])
    assert "--approve applies only" in village.refused(
        "import", "households", str(path), "--approve").stderr
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    assert "not a readable Excel" in village.refused("import", "items", str(broken)).stderr
    utf16 = tmp_path / "u16.csv"
    utf16.write_bytes("户号,户主\r\nH050,拉巴\r\n".encode("utf-16"))
    assert "UTF-16" in village.refused("import", "households", str(utf16)).stderr


# --- hostile files ------------------------------------------------------------------------------

cell = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["H001", "H002", "A01", "A02", "B01", "G001", "G002", "2024-05-01", "1", "-3",
                     "=1+1", "@SUM(A1)", "+cmd|' /C calc'!A0", "1e9", "９", "\x00", '"', "\r\n"]),
    st.just("x" * 140_000),  # over the csv module's field limit
)
header = st.lists(st.sampled_from(
    ["household", "rule", "date", "qty", "ref", "户号", "商品编号", "item", "code", "name", "points",
     "value", "stock", "category", "title", "junk", ""]), max_size=7)


@st.composite
def hostile_file(draw) -> bytes:
    form = draw(st.sampled_from(["bytes", "table", "empty"]))
    if form == "bytes":
        return draw(st.binary(max_size=400))
    if form == "empty":
        return b""
    rows = [draw(header)] + draw(st.lists(st.lists(cell, max_size=8), max_size=6))
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gbk", "utf-16", "latin-1", "big5"]))
    return buffer.getvalue().encode(encoding, errors="replace")


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=hostile_file(), kind=st.sampled_from(
    ["households", "rules", "items", "records", "redemptions"]), dry=st.booleans())
def test_hostile_files_never_produce_a_traceback(village, tmp_path, data, kind, dry):
    path = tmp_path / "hostile.csv"
    path.write_bytes(data)
    result = village("import", kind, str(path), *(["--dry-run"] if dry else []))
    assert result.exit_code in (0, 1), (result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr


# --- a real process killed mid-import -----------------------------------------------------------


@pytest.mark.slow
def test_sigkill_at_several_points_of_a_large_import_leaves_the_ledger_as_it_was(tmp_path):
    env = {**os.environ, "JIFEN_DB": str(tmp_path / "v.db"), "JIFEN_OPERATOR": "格桑",
           "JIFEN_LANG": "en"}
    jifen = [sys.executable, "-m", "jifen_cli"]

    def run(*args):
        return subprocess.run([*jifen, *args], env=env, capture_output=True, text=True)

    run("init", "--village", "扎西岗村")
    run("reviewer", "add", "格桑")
    write_csv(tmp_path / "h.csv", [["户号", "户主"]] + [[f"H{i:03d}", f"户{i}"] for i in range(200)])
    write_csv(tmp_path / "r.csv", [["编号", "类别", "指标", "分值"], ["A01", "人居环境", "庭院整洁", "5"],
                                   ["B01", "遵纪守法", "酒后滋事", "-2"]])
    run("import", "households", str(tmp_path / "h.csv"))
    run("import", "rules", str(tmp_path / "r.csv"))
    big = write_csv(tmp_path / "big.csv", [["household", "rule", "date", "qty", "note", "ref"]] + [
        [f"H{i % 200:03d}", "AB"[i % 3 == 0] + "01", f"2024-05-{i % 28 + 1:02d}", "1", "扫地", f"K{i}"]
        for i in range(150_000)])
    def schema(db=tmp_path / "v.db"):
        with contextlib.closing(sqlite3.connect(db)) as conn:
            return conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()

    def killed(db: Path, delay: float) -> bool:
        """The import started on `db` and killed `delay` s after its write began (False when it
        finished first)."""
        proc = subprocess.Popen([*jifen, "import", "records", str(big), "--approve",
                                 "--recorded-by", "文书"], env={**env, "JIFEN_DB": str(db)},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        journal = db.with_name(db.name + "-journal")
        deadline = time.monotonic() + 60
        while not journal.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)  # the write transaction has begun once the journal exists
        time.sleep(delay)
        if proc.poll() is not None:
            return False
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return True

    def state(db=tmp_path / "v.db"):
        with_db = {**env, "JIFEN_DB": str(db)}
        return tuple(subprocess.run([*jifen, *args], env=with_db, capture_output=True,
                                    text=True).stdout
                     for args in (("balance", "--json"), ("verify", "--json"))) + (schema(db),)

    before = state()
    for delay in (0.0, 0.8, 2.0):
        assert killed(tmp_path / "v.db", delay), "the import finished before it could be killed"
        assert state() == before
    assert run("verify").returncode == 0
    shutil.copyfile(tmp_path / "v.db", tmp_path / "late.db")  # the ledger as it was, again

    # The file is still whole and usable: the same import, on a pipe, runs to the end silently.
    started = time.monotonic()
    done = run("import", "records", str(big), "--approve", "--recorded-by", "文书")
    whole = time.monotonic() - started
    assert done.returncode == 0 and done.stderr == ""
    assert "150000 written" in done.stdout
    assert run("verify").returncode == 0

    # Near its end, where the indexes dropped for a big import are built again: the copy's
    # import killed at 90% of the time the whole import just took.
    if killed(tmp_path / "late.db", max(0.9 * whole - 0.3, 0)):
        assert state(tmp_path / "late.db") == before


# --- what Excel and stray bytes do to a file ----------------------------------------------------


def test_an_id_number_stored_as_a_number_in_excel_is_refused_not_rounded(village, tmp_path):
    # Excel keeps 15 significant digits: an ID typed as a number is stored rounded (5.40102E+17).
    # A phone number fits, and is read as the digits a person typed.
    before = ledger_state(village)
    path = write_xlsx(tmp_path / "户籍.xlsx", [
        ["户号", "户主", "组别", "身份证号", "电话"],
        ["H010", "次仁卓玛", "一组", "540600198503150022", 13800001234],
        ["H011", "王建国", "二组", 540102199001011000.0, None],
        ["H012", "拉巴", "二组", None, 13800001235.0],
        ["H013", "尼玛", "三组", 5.4010219900101e17, None],
    ])
    r = village.refused("import", "households", str(path))
    lines = [line for line in r.stderr.splitlines() if line.startswith(str(path))]
    assert lines == [
        f"{path}:3: cell D3 holds the number 5.40102E+17, longer than the 15 digits Excel keeps "
        "exactly, so its last digits may be lost: format the column as Text and type it again",
        f"{path}:5: cell D5 holds the number 5.40102E+17, longer than the 15 digits Excel keeps "
        "exactly, so its last digits may be lost: format the column as Text and type it again",
    ]
    assert "单元格 D3 是数字 5.40102E+17" in village.refused(
        "import", "households", str(path), lang="zh").stderr
    assert ledger_state(village) == before
    fixed = write_xlsx(tmp_path / "fixed.xlsx", [
        ["户号", "户主", "身份证号", "电话"],
        ["H010", "次仁卓玛", "540600198503150022", 13800001234],
        ["H012", "拉巴", None, 13800001235.0],
    ])
    village.ok("import", "households", str(fixed))
    assert village.json("household", "show", "H012", "--private")["phone"] == "13800001235"


def test_every_row_with_undecodable_bytes_is_named_and_the_rest_still_checked(village, tmp_path):
    gbk = tmp_path / "户籍.csv"
    gbk.write_bytes(b"".join([
        "户号,户主,组别\r\n".encode("gbk"),
        "H020,次仁卓玛,一组\r\n".encode("gbk"),  # 2: fine
        b"H021,\x80\xff,\xd2\xbb\r\n",  # 3: bytes that are not GBK
        "H001,王建国,二组\r\n".encode("gbk"),  # 4: already in the register
        b"H022,\xff,\r\n",  # 5: not GBK either
    ] + [f"H{n:03d},格桑,三组\r\n".encode("gbk") for n in range(100, 3000)]))
    r = village.refused("import", "households", str(gbk))
    lines = [line for line in r.stderr.splitlines() if line.startswith(str(gbk))]
    bad = "neither UTF-8 nor GB18030 (GBK) text"
    assert [line.split(": ", 1)[0] for line in lines] == [f"{gbk}:3", f"{gbk}:4", f"{gbk}:5"]
    assert bad in lines[0] and "H001 already exists" in lines[1] and bad in lines[2]
    assert "这一行含有既不是 UTF-8 也不是 GB18030" in village.refused(
        "import", "households", str(gbk), lang="zh").stderr

    # A UTF-8 file with one stray byte pasted in: that row, not every Chinese row read as GBK.
    utf8 = tmp_path / "extra.csv"
    utf8.write_bytes("code,name,group\r\nH030,次仁卓玛,一组\r\nH031,扎西,二组\r\n".encode()
                     + b"H032,Jos\xe9,\r\n" + "H033,ཚེ་རིང་,三组\r\n".encode())
    r = village.refused("import", "households", str(utf8))
    assert [line.split(": ", 1)[0] for line in r.stderr.splitlines()
            if line.startswith(str(utf8))] == [f"{utf8}:4"]


def test_an_xls_or_password_protected_workbook_is_named_as_such(village, tmp_path):
    # Both are OLE2 compound files: a password-protected .xlsx too, whatever its name says.
    path = tmp_path / "加密.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + b"\xff" * 512)
    r = village.refused("import", "households", str(path))
    assert "old Excel (.xls) workbook or a password-protected Excel file" in r.stderr
    assert "加了密码" in village.refused("import", "households", str(path), lang="zh").stderr
    assert village.sql("SELECT count(*) FROM imports") == [(0,)]



def test_imported_redemptions_follow_the_village_mode(jifen, tmp_path):
    jifen.ok("init", "--village", "日玛村", "--mode", "partner")
    jifen.ok("reviewer", "add", "格桑")
    jifen.ok("household", "add", "H001", "次仁卓玛")
    jifen.ok("rule", "add", "A01", "--category", "人居环境", "--title", "庭院整洁", "--points", "5")
    jifen.ok("item", "add", "G001", "砖茶", "--points", "5", "--value", "12.50", "--stock", "3",
             "--date", "2024-04-01")
    jifen.ok("record", "H001", "A01", "--qty", "4", "--date", "2024-05-01")
    jifen.ok("review", "approve", "--all", operator="格桑")
    jifen.ok("shop", "add", "那曲百货")
    path = tmp_path / "兑换.csv"
    path.write_text("户号,商品编号,日期,数量,商店\nH001,G001,2024-05-02,1,那曲百货\n"
                    "H001,G001,2024-05-03,1,\n", encoding="utf-8")
    result = jifen.refused("import", "redemptions", str(path))
    assert f"{path.name}:3:" in result.stderr and "partner shops" in result.stderr
    assert f"{path.name}:2:" not in result.stderr
    assert jifen.json("balance", "H001")["available"] == 20

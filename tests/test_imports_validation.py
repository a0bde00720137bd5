"""`jifen import`, issue 9: four eyes on `--approve`, repeats of ref-less rows, rows in the other
encoding, title rows above the header, broken quotes and workbooks, a folder given as the file,
thousands of bad rows (`--errors FILE`), and the words jifen writes into the ledger."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from test_imports import ledger_state, write_csv, write_xlsx

from jifen_cli import migrations
from jifen_cli.values import local_time

HEADER = ["household", "rule", "date", "qty", "note"]


def lines_of(result, path: Path) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith(str(path))]


# --- four eyes: the recorder of each row, never the reviewer who posts it ------------------------


def test_approve_refuses_a_file_that_names_no_recorder_saying_how_to_name_one(village, tmp_path):
    path = write_csv(tmp_path / "记录.csv", [["户号", "指标编号", "日期"], ["H001", "A02", "2024-05-01"]])
    before = ledger_state(village)
    r = village.refused("import", "records", str(path), "--approve", operator="格桑")
    assert lines_of(r, path) == [
        f"{path}:1: records imported with --approve must name who recorded them (the reviewer is "
        "never the recorder): add a column 记录人 (or recorded_by), or name the recorder of the "
        "whole file with --recorded-by NAME"]
    zh = village.refused("import", "records", str(path), "--approve", operator="格桑", lang="zh")
    assert f"{path}:1: 用 --approve 导入记录时必须写明记录人" in zh.stderr
    assert "加一列“记录人”" in zh.stderr and "--recorded-by 姓名" in zh.stderr
    assert ledger_state(village) == before


def test_approve_refuses_the_rows_the_operator_recorded_and_rows_without_a_recorder(village,
                                                                                  tmp_path):
    path = write_csv(tmp_path / "记录.csv", [
        ["户号", "指标编号", "日期", "数量", "记录人"],
        ["H001", "A02", "2024-05-01", "1", "次仁卓玛"],  # 2: fine
        ["H002", "A02", "2024-05-01", "2", "格桑"],  # 3: the reviewer's own record
        ["H003", "A02", "2024-05-02", "1", ""],  # 4: no recorder
        ["H004", "A02", "2024-05-02", "1", "བཀྲ་ཤིས་"],  # 5: fine, a Tibetan name
    ])
    before = ledger_state(village)
    r = village.refused("import", "records", str(path), "--approve", operator="格桑")
    assert lines_of(r, path) == [
        f"{path}:3: this row was recorded by 格桑, who is approving it: nobody approves what they "
        "recorded (four eyes). Have another reviewer import it, or import it without --approve "
        "for review",
        f"{path}:4: this row names no recorder: with --approve every row needs one (or give "
        "--recorded-by NAME)",
    ]
    zh = village.refused("import", "records", str(path), "--approve", operator="格桑", lang="zh")
    assert f"{path}:3: 这一行的记录人是 格桑，也就是本次审核人：自己记录的不能自己审核（四眼原则）" in zh.stderr
    assert f"{path}:4: 这一行没有填记录人" in zh.stderr
    assert ledger_state(village) == before
    # --recorded-by names the recorder of the rows that name none; the reviewer's own row stays
    # refused.
    r = village.refused("import", "records", str(path), "--approve", "--recorded-by", "文书",
                        operator="格桑")
    assert [line.split(": ", 1)[0] for line in lines_of(r, path)] == [f"{path}:3"]
    # Another reviewer may post the whole file.
    village.ok("import", "records", str(path), "--approve", "--recorded-by", "文书", operator="罗布")
    assert village.sql("SELECT c.household, c.recorded_by, c.reviewed_by, p.recorded_by,"
                       " p.reviewed_by FROM claims c JOIN postings p ON p.seq = c.posting"
                       " ORDER BY c.household") == [
        ("H001", "次仁卓玛", "罗布", "次仁卓玛", "罗布"), ("H002", "格桑", "罗布", "格桑", "罗布"),
        ("H003", "文书", "罗布", "文书", "罗布"), ("H004", "བཀྲ་ཤིས་", "罗布", "བཀྲ་ཤིས་", "罗布")]
    village.ok("verify")


def test_recorded_by_names_the_recorder_of_the_whole_file(village, tmp_path):
    path = write_csv(tmp_path / "r.csv", [HEADER, ["H001", "A02", "2024-05-01", "1", "升旗"]])
    r = village.refused("import", "records", str(path), "--approve", "--recorded-by", "格桑",
                        operator="格桑")
    assert "--recorded-by 格桑 is the operator: nobody approves what they recorded" in r.stderr
    assert "--recorded-by 格桑 就是本次审核人" in village.refused(
        "import", "records", str(path), "--approve", "--recorded-by", "格桑", operator="格桑",
        lang="zh").stderr
    assert "--recorded-by applies only to importing records" in village.refused(
        "import", "households", str(path), "--recorded-by", "次仁").stderr
    # Without --approve the claims are pending, recorded by the person named; that person cannot
    # approve them in the review either.
    village.ok("import", "records", str(path), "--recorded-by", "格桑")
    assert village.sql("SELECT status, recorded_by FROM claims") == [("pending", "格桑")]
    out = village.ok("review", "approve", "--all", operator="格桑").stdout
    assert "Left for another reviewer (you recorded them): 1" in out
    assert village.sql("SELECT status FROM claims") == [("pending",)]
    village.ok("review", "approve", "--all", operator="罗布")
    assert village.sql("SELECT status, recorded_by, reviewed_by FROM claims") == [
        ("approved", "格桑", "罗布")]


def test_a_recorder_column_without_approve_and_a_bad_recorder_cell(village, tmp_path):
    path = write_csv(tmp_path / "r.csv", [
        ["household", "rule", "date", "recorded_by"],
        ["H001", "A02", "2024-05-01", "次仁卓玛"],
        ["H002", "A02", "2024-05-01", ""],  # no recorder, no --approve: the operator, as before
        ["H003", "A02", "2024-05-01", "拉\x07巴"],  # a control character
    ])
    r = village.refused("import", "records", str(path))
    assert lines_of(r, path) == [
        f"{path}:4: recorded_by holds invisible control characters; remove them and type it again"]
    assert f"{path}:4: 记录人含有不可见的控制字符" in village.refused(
        "import", "records", str(path), lang="zh").stderr
    path = write_csv(tmp_path / "r2.csv", [
        ["household", "rule", "date", "recorded_by"],
        ["H001", "A02", "2024-05-01", "次仁卓玛"],
        ["H002", "A02", "2024-05-01", ""],
    ])
    village.ok("import", "records", str(path))
    assert village.sql("SELECT household, recorded_by FROM claims ORDER BY household") == [
        ("H001", "次仁卓玛"), ("H002", "文书")]


# --- repeats: a grown file without refs, imported again -----------------------------------------


def test_a_grown_file_without_refs_is_refused_at_the_rows_already_imported(village, tmp_path):
    april = write_csv(tmp_path / "四月.csv", [
        ["户号", "指标编号", "日期", "数量", "备注"],
        ["H001", "A02", "2024-04-01", "1", "升旗"],
        ["H002", "A02", "2024-04-01", "1", "升旗"],
        ["H001", "A02", "2024-04-01", "1", "升旗"],  # the same event twice in one file: two claims
    ])
    village.ok("import", "records", str(april))
    (stored,) = village.sql("SELECT imported_at FROM imports")[0]
    stamp = local_time(stored)[:10]  # the day on the clerk's clock
    grown = write_csv(tmp_path / "四月-续.csv", [
        ["户号", "指标编号", "日期", "数量", "备注"],
        ["H001", "A02", "2024/4/1", "1", "升旗"],  # 2: row 2 of import #1 (the same date)
        ["H002", "A02", "2024-04-01", "1", "升旗"],  # 3: row 3 of import #1
        ["H002", "A02", "2024-04-01", "1", "升旗仪式"],  # 4: another note: a new row
        ["H003", "A02", "2024-04-02", "1", ""],  # 5: new
        ["H002", "A02", "2024-04-01", "2", "升旗"],  # 6: another qty: new
    ])
    before = ledger_state(village)
    r = village.refused("import", "records", str(grown))
    assert lines_of(r, grown) == [
        f"{grown}:2: repeats row 2 of import #1 (四月.csv, imported {stamp}): same household, "
        "rule or item, date, qty and note or shop. Remove the rows already imported; if they "
        "are new events that look the same, import with --allow-repeats",
        f"{grown}:3: repeats row 3 of import #1 (四月.csv, imported {stamp}): same household, "
        "rule or item, date, qty and note or shop. Remove the rows already imported; if they "
        "are new events that look the same, import with --allow-repeats",
    ]
    assert "2 invalid row(s); nothing was written" in r.stderr
    zh = village.refused("import", "records", str(grown), lang="zh")
    assert f"{grown}:2: 与导入 #1（四月.csv，{stamp} 导入）第 2 行完全相同" in zh.stderr
    assert "--allow-repeats" in zh.stderr
    assert ledger_state(village) == before

    out = village.ok("import", "records", str(grown), "--allow-repeats").stdout
    assert "5 rows, 5 written" in out
    assert village.sql("SELECT count(*) FROM claims") == [(8,)]
    # The repeats allowed are remembered too: a third copy names the first import still.
    third = write_csv(tmp_path / "又一份.csv", [["户号", "指标编号", "日期", "备注"],
                                               ["H003", "A02", "2024-04-02", ""]])
    r = village.refused("import", "records", str(third))
    assert lines_of(r, third) == [
        f"{third}:2: repeats row 5 of import #2 (四月-续.csv, imported {stamp}): same household, "
        "rule or item, date, qty and note or shop. Remove the rows already imported; if they "
        "are new events that look the same, import with --allow-repeats"]


def test_repeated_redemptions_without_refs_and_files_with_refs(village, tmp_path):
    village.ok("shop", "add", "惠民超市")
    village.ok("record", "H001", "A02", "--qty", "40", "--date", "2024-05-01")
    village.ok("review", "approve", "--all", operator="格桑")
    first = write_csv(tmp_path / "兑换.csv", [["户号", "商品编号", "日期", "数量", "商店"],
                                             ["H001", "G002", "2024-06-01", "1", ""],
                                             ["H001", "G002", "2024-06-01", "1", "惠民超市"]])
    village.ok("import", "redemptions", str(first))
    again = write_csv(tmp_path / "兑换2.csv", [["户号", "商品编号", "日期", "数量", "商店"],
                                              ["H001", "G002", "2024-06-01", "1", "惠民超市"],
                                              ["H001", "G002", "2024-06-02", "1", "惠民超市"]])
    before = ledger_state(village)
    r = village.refused("import", "redemptions", str(again))
    assert [line.split(": ", 1)[0] for line in lines_of(r, again)] == [f"{again}:2"]
    assert "repeats row 3 of import #1 (兑换.csv" in r.stderr
    assert ledger_state(village) == before
    village.ok("import", "redemptions", str(again), "--allow-repeats")
    assert village.json("balance", "H001")["available"] == 80 - 4 * 12
    # Rows with a ref are told apart by it: the same row with a new ref is a new event.
    with_refs = write_csv(tmp_path / "refs.csv", [["household", "rule", "date", "ref"],
                                                  ["H002", "A02", "2024-05-03", "K1"]])
    village.ok("import", "records", str(with_refs))
    with_refs2 = write_csv(tmp_path / "refs2.csv", [["household", "rule", "date", "ref"],
                                                    ["H002", "A02", "2024-05-03", "K2"]])
    assert "1 written" in village.ok("import", "records", str(with_refs2)).stdout


def test_an_older_village_file_gains_the_repeat_register_on_open(tmp_path, jifen):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    from jifen_cli import db

    conn.execute(f"PRAGMA application_id = {db.APPLICATION_ID}")
    for statement in migrations._statements(migrations.MIGRATIONS[0]):
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO village (id, name, class, mode, created_at, created_by, head_hash)"
                 " VALUES (1, '旧村', 3, 'store', '2024-01-01T00:00:00Z', 'x', ?)", ("0" * 64,))
    conn.close()
    jifen.db = path
    jifen.ok("--db", str(path), "household", "add", "H001", "次仁卓玛")
    jifen.ok("--db", str(path), "rule", "add", "A01", "--category", "人居环境", "--title", "庭院整洁",
             "--points", "5")
    rows = write_csv(tmp_path / "r.csv", [HEADER, ["H001", "A01", "2024-05-01", "1", ""]])
    jifen.ok("--db", str(path), "import", "records", str(rows))
    again = write_csv(tmp_path / "r2.csv", [HEADER, ["H001", "A01", "2024-05-01", "1", ""],
                                            ["H001", "A01", "2024-05-02", "1", ""]])
    assert "repeats row 2 of import #1" in jifen.refused("--db", str(path), "import", "records",
                                                         str(again)).stderr
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == migrations.LATEST


# --- a row in the other encoding ------------------------------------------------------------------


def test_a_gbk_file_with_a_row_saved_as_utf8_is_refused_at_that_row(village, tmp_path):
    path = tmp_path / "户籍.csv"
    path.write_bytes(b"".join([
        "户号,户主,组别\r\n".encode("gbk"),
        "H010,次仁卓玛,一组\r\n".encode("gbk"),  # 2
        "H011,扎西,二组\r\n".encode(),  # 3: UTF-8 that GBK reads as 鎵庤タ, 浜岀粍
        "H012,瑜措吉,三组\r\n".encode("gbk"),  # 4: GBK whose bytes are valid UTF-8 (褴뼪): fine
        "H013,拉巴,一组\r\n".encode(),  # 5: UTF-8 that GBK cannot read
        "H014,王建国,三组\r\n".encode("gbk"),  # 6
    ]))
    before = ledger_state(village)
    r = village.refused("import", "households", str(path))
    assert lines_of(r, path) == [
        f'{path}:3: this row is saved as UTF-8 (it reads "H011,扎西,二组") while the rest of the '
        "file is GBK, as which it reads as mojibake: type the row again, or copy it again from "
        "its source, so that the whole file has one encoding",
        f'{path}:5: this row is saved as UTF-8 (it reads "H013,拉巴,一组") while the rest of the '
        "file is GBK, as which it reads as mojibake: type the row again, or copy it again from "
        "its source, so that the whole file has one encoding",
    ]
    zh = village.refused("import", "households", str(path), lang="zh")
    assert f"{path}:3: 这一行是 UTF-8 编码（内容应为“H011,扎西,二组”），而文件其余部分是 GBK" in zh.stderr
    assert ledger_state(village) == before
    assert "鎵庤" not in str(village.json("household", "list"))

    # A records file: the note of a UTF-8 row would have reached the ledger and the notice.
    records = tmp_path / "记录.csv"
    records.write_bytes("户号,指标编号,日期,备注\r\nH001,A02,2024-05-01,升旗仪式\r\n".encode("gbk")
                        + "H002,A02,2024-05-01,打扫卫生\r\n".encode())
    r = village.refused("import", "records", str(records))
    assert [line.split(": ", 1)[0] for line in lines_of(r, records)] == [f"{records}:3"]


def test_a_utf8_file_with_a_row_saved_as_gbk_is_named_as_such(village, tmp_path):
    path = tmp_path / "extra.csv"
    path.write_bytes("code,name,group\r\nH030,བཀྲ་ཤིས་,一组\r\nH031,扎西,二组\r\n".encode()
                     + "H032,次仁卓玛,三组\r\n".encode("gbk") + "H033,ཚེ་རིང་,三组\r\n".encode())
    r = village.refused("import", "households", str(path))
    assert lines_of(r, path) == [
        f'{path}:4: this row is saved as GBK (it reads "H032,次仁卓玛,三组") while the rest of the '
        "file is UTF-8: type the row again, or copy it again from its source, so that the whole "
        "file has one encoding"]
    assert "这一行是 GBK 编码（内容应为“H032,次仁卓玛,三组”）" in village.refused(
        "import", "households", str(path), lang="zh").stderr


def test_the_sample_gbk_files_import_cleanly(jifen):
    from jifen_cli.demo import sample_dir

    samples = sample_dir()
    jifen.ok("init", "--village", "扎西岗村", "--mode", "both")
    jifen.ok("reviewer", "add", "格桑")
    for kind, name in (("households", "households.csv"), ("households", "households_extra.csv"),
                       ("rules", "rules.csv")):
        jifen.ok("import", kind, str(samples / name))
    out = jifen.ok("import", "records", str(samples / "records.csv"), "--approve",
                   operator="格桑", lang="zh").stdout
    assert "写入 1500" in out
    assert jifen.sql("SELECT DISTINCT recorded_by, reviewed_by FROM claims") == [("次仁（文书）", "格桑")]
    names = {h["code"]: h["name"] for h in jifen.json("household", "list")}
    assert all("\u4e00" <= ch <= "\u9fff" or "\u0f00" <= ch <= "\u0fff" for n in names.values()
               for ch in n)


# --- title rows above the header ----------------------------------------------------------------


def test_title_rows_above_the_header_are_skipped_in_csv_and_xlsx(village, tmp_path):
    rows = [
        ["达孜村户籍登记表", "", "", ""],
        ["", "", "", ""],
        ["填表日期：2024-05-01", "", "填表人：次仁", ""],
        ["户号", "户主", "组别", "人口"],
        ["H010", "旺堆", "一组", "4"],
        ["H011", "", "二组", "3"],  # 6: no name
        ["H012", "ཉི་མ་", "三组", "2"],
    ]
    csv_path = write_csv(tmp_path / "户籍.csv", rows)
    r = village.refused("import", "households", str(csv_path))
    assert lines_of(r, csv_path) == [f"{csv_path}:6: name cannot be empty"]
    assert f"{csv_path}:6: 户主不能为空" in village.refused(
        "import", "households", str(csv_path), lang="zh").stderr

    xlsx = write_xlsx(tmp_path / "户籍.xlsx", [[c or None for c in row] for row in rows])
    r = village.refused("import", "households", str(xlsx))
    assert lines_of(r, xlsx) == [f"{xlsx}:6: name cannot be empty"]
    fixed = write_xlsx(tmp_path / "户籍2.xlsx", [[c or None for c in row] for row in rows[:5]]
                       + [["H012", "ཉི་མ་", "三组", 2]])
    from openpyxl import load_workbook

    book = load_workbook(fixed)
    book.active.merge_cells("A1:D1")  # the title across the sheet, as a clerk lays it out
    book.save(fixed)
    assert "2 written" in village.ok("import", "households", str(fixed)).stdout
    assert village.json("household", "show", "H012")["name"] == "ཉི་མ་"

    records = write_csv(tmp_path / "记录.csv", [["扎西岗村 2024 年 5 月积分记录"],
                                               ["户号", "指标编号", "日期"],
                                               ["H001", "A02", "2024-05-01"], ["H001", "Z9", "2024-05-01"]])
    r = village.refused("import", "records", str(records))
    assert lines_of(r, records) == [f"{records}:4: No rule Z9. See `jifen rule list`."]


def test_a_header_with_a_misspelt_column_below_a_title_is_named(village, tmp_path):
    path = write_csv(tmp_path / "r.csv", [["四月记录"], ["户号", "指标编码", "日期"],
                                          ["H001", "A02", "2024-05-01"]])
    r = village.refused("import", "records", str(path))
    assert f"{path}:2: unknown column(s): 指标编码" in r.stderr
    assert f"{path}:2: missing required column(s): rule/指标编号" in r.stderr


# --- files that are not what they say -----------------------------------------------------------


def test_a_folder_given_as_the_import_file(village, tmp_path):
    folder = tmp_path / "四月"
    folder.mkdir()
    r = village.refused("import", "records", str(folder))
    assert f"{folder} is a folder, not a file: name the CSV or XLSX file to import" in r.stderr
    assert f"{folder} 是文件夹，不是文件" in village.refused("import", "records", str(folder),
                                                       lang="zh").stderr


def test_a_file_named_xlsx_that_is_not_a_workbook(village, tmp_path):
    for name in ("fake.xlsx", "旧表.XLS"):
        path = tmp_path / name
        path.write_text("户号,户主\nH050,拉巴\n", encoding="utf-8")
        r = village.refused("import", "households", str(path))
        assert f"{path} is named as an Excel file but is not an Excel workbook" in r.stderr
        assert "unknown column" not in r.stderr
        assert f"{path} 名为 Excel 文件，但不是 Excel 工作簿" in village.refused(
            "import", "households", str(path), lang="zh").stderr
    assert village.sql("SELECT count(*) FROM imports") == [(0,)]


def test_an_unclosed_quote_is_refused_at_the_row_where_it_opens(village, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text('household,rule,date,note\r\nH001,A02,2024-05-01,好\r\n'
                    'H002,A02,2024-05-01,"扫地\r\nH003,A02,2024-05-02,升旗\r\n', encoding="utf-8")
    before = ledger_state(village)
    r = village.refused("import", "records", str(path))
    assert lines_of(r, path) == [
        f'{path}:3: a quote (") opened in this row is never closed: everything from here to the '
        "end of the file would be one cell. Close or remove it"]
    assert f'{path}:3: 这一行的引号（"）没有配对' in village.refused(
        "import", "records", str(path), lang="zh").stderr
    assert ledger_state(village) == before
    # A quote that a later row's quote "closes" would swallow the rows between: refused too.
    path.write_text('household,rule,date,note\r\nH001,A02,2024-05-01,"扫地\r\n'
                    'H002,A02,2024-05-01,好\r\nH003,A02,2024-05-02,"升旗"\r\n', encoding="utf-8")
    r = village.refused("import", "records", str(path))
    assert [line.split(": ", 1)[0] for line in lines_of(r, path)] == [f"{path}:2"]
    assert "check the quotes of this row" in r.stderr
    assert ledger_state(village) == before
    # In a long file the open quote swallows rows until the cell passes the csv module's limit.
    path.write_text('household,rule,date,note\r\nH001,A02,2024-05-01,"扫地\r\n'
                    + "H002,A02,2024-05-01,好\r\n" * 10_000, encoding="utf-8")
    r = village.refused("import", "records", str(path))
    assert lines_of(r, path) == [
        f"{path}:2: a cell in this row is longer than 131,072 characters: most likely a quote (\") "
        "opened here is never closed and the rows below ran into it. Check the quotes of this row"]
    assert f'{path}:2: 这一行有一个单元格超过 131,072 个字符：多半是这一行的引号（"）没有配对' in village.refused(
        "import", "records", str(path), lang="zh").stderr


# --- many bad rows ------------------------------------------------------------------------------


def test_twenty_thousand_bad_rows_show_fifty_and_all_go_to_the_errors_file(village, tmp_path):
    path = write_csv(tmp_path / "r.csv", [HEADER] + [
        [f"X{n:05d}", "A02", "2024-05-01", "1", ""] for n in range(20_000)])
    errors = tmp_path / "错误.txt"
    before = ledger_state(village)
    r = village.refused("import", "records", str(path), "--errors", str(errors))
    shown = lines_of(r, path)
    assert len(shown) == 50
    assert shown[0] == f"{path}:2: No household X00000. See `jifen household list`."
    assert shown[-1] == f"{path}:51: No household X00049. See `jifen household list`."
    assert f"… and 19,950 more; all of them in {errors}" in r.stderr
    assert "20000 invalid row(s); nothing was written" in r.stderr
    assert len(r.stderr.splitlines()) == 52
    data = errors.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel and Notepad read it right
    written = data.decode("utf-8-sig").splitlines()
    assert len(written) == 20_000
    assert written[0] == shown[0]
    assert written[-1] == f"{path}:20001: No household X19999. See `jifen household list`."
    assert ledger_state(village) == before

    zh = village.refused("import", "records", str(path), lang="zh")
    assert len(lines_of(zh, path)) == 50
    assert "……另有 19,950 行有误未显示；加 --errors 文件名 可把全部写入文件" in zh.stderr
    assert "… and 19,950 more; write them all to a file with --errors FILE" in village.refused(
        "import", "records", str(path)).stderr

    # A good import with --errors leaves the file empty: no stale errors of an earlier run.
    good = write_csv(tmp_path / "good.csv", [HEADER, ["H001", "A02", "2024-05-01", "1", ""]])
    village.ok("import", "records", str(good), "--errors", str(errors))
    assert errors.read_text(encoding="utf-8-sig") == ""


def test_header_problems_go_to_the_errors_file_too(village, tmp_path):
    path = write_csv(tmp_path / "r.csv", [["户号", "colour"], ["H001", "red"]])
    errors = tmp_path / "errors.txt"
    r = village.refused("import", "records", str(path), "--errors", str(errors))
    assert lines_of(r, path) == errors.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines_of(r, path)) == 2


# --- words -------------------------------------------------------------------------------------


def test_a_question_mark_in_a_name_is_worded_for_the_command_line_and_for_files(village, tmp_path):
    r = village.refused("household", "add", "H009", "尼玛?", lang="zh")
    assert "尼玛?" in r.stderr and "GBK" not in r.stderr and "导入" not in r.stderr
    assert "名字里不能有问号" in r.stderr
    r = village.refused("household", "add", "H009", "尼玛?")
    assert "a name cannot hold a question mark" in r.stderr and "GBK" not in r.stderr
    path = write_csv(tmp_path / "h.csv", [["户号", "户主"], ["H009", "尼玛?"]], encoding="gbk")
    r = village.refused("import", "households", str(path), lang="zh")
    assert f"{path}:2: 户主 尼玛? 含有“?”：文件另存为 GBK 的 CSV 时丢失了藏文等字符" in r.stderr


def test_the_opening_stock_note_is_chinese(village, tmp_path):
    village.ok("item", "add", "G003", "青稞", "--points", "5", "--value", "4", "--stock", "7",
               "--date", "2024-04-01")
    items = write_csv(tmp_path / "商品.csv", [["编号", "名称", "积分", "价值", "库存"],
                                             ["G004", "砖茶", "12", "12.5", "3"]])
    village.ok("import", "items", str(items), "--date", "2024-04-02")
    assert village.sql("SELECT item, note FROM postings WHERE kind = 'restock' AND item IN"
                       " ('G003', 'G004') ORDER BY item") == [("G003", "期初库存"), ("G004", "期初库存")]

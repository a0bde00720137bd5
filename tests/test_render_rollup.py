"""The roll-up as people read it: a 100-column terminal, one definition of redeemed points and
value shared with the notice and the manifest, and a workbook set up for print like the
disclosure's."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
import test_rollup as shared
from conftest import Jifen
from rich.cells import cell_len

from jifen_cli.values import yuan

FONT = "Microsoft YaHei"  # 微软雅黑, a named sans-serif CJK face

city = shared.city  # four villages, one with a Tibetan name, built once per session


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory) -> Path:
    """The sample village: a quarter with numbers as wide as a real village's (7330 earned)."""
    out = tmp_path_factory.mktemp("demo") / "demo"
    Jifen(out / "unused.db").ok("demo", "--out", str(out), operator=None)
    return out / "jifen.db"


def _numbers(figures: dict) -> set[str]:
    return {*(str(figures[k]) for k in ("households", "entries", "earned", "deducted",
                                        "redeemed")), yuan(figures["redeemed_fen"])}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_screen_table_keeps_to_100_columns_without_breaking_a_number(
        jifen, city, demo_file, monkeypatch, lang):
    files = (str(city / "villages"), str(demo_file))
    result = jifen.json("rollup", *files, "--quarter", "2024Q2")
    assert result["total"]["earned"] > 7330  # a five-digit figure, as in the report
    expected = _numbers(result["total"])
    for row in result["villages"]:
        expected |= _numbers(row["figures"])
    monkeypatch.setenv("COLUMNS", "100")
    for by in ((), ("--by", "township")):
        out = jifen.ok("rollup", *files, "--quarter", "2024Q2", *by, lang=lang).stdout
        assert max(cell_len(line) for line in out.splitlines()) <= 100
        assert expected <= set(re.findall(r"\d+(?:\.\d\d)?", out)), "a number was split"
        assert "བཀྲ་ཤིས་སྒང་" in out and "扎西岗村" in out


def _csv(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


def test_redeemed_points_and_value_mean_the_same_in_notice_manifest_and_rollup(jifen, tmp_path,
                                                                                monkeypatch):
    """A Q1 redemption returned in Q2, and a Q2 redemption returned in Q2: both are Q2 returns;
    redeemed stays what was redeemed in Q2, as the notice lists it."""
    j, db = Jifen(tmp_path / "v.jifen"), ("--db", str(tmp_path / "v.jifen"))
    j.ok(*db, "init", "--village", "བཀྲ་ཤིས་སྒང་", "--township", "帕那镇", "--mode", "store")
    j.ok(*db, "reviewer", "add", "格桑")
    j.ok(*db, "household", "add", "H001", "次仁卓玛")
    j.ok(*db, "household", "add", "H002", "བཀྲ་ཤིས་")
    j.ok(*db, "rule", "add", "A01", "--category", "人居环境", "--title", "庭院整洁", "--points", "60")
    j.ok(*db, "item", "add", "G001", "酥油", "--points", "30", "--value", "35.00", "--stock", "9",
         "--date", "2024-02-01")
    j.ok(*db, "item", "add", "G002", "砖茶", "--points", "12", "--value", "12.50", "--stock", "9",
         "--date", "2024-02-01")
    j.ok(*db, "record", "H001", "A01", "--date", "2024-02-10")
    j.ok(*db, "record", "H002", "A01", "--date", "2024-04-10")
    j.ok(*db, "review", "approve", "--all", operator="格桑")
    q1 = j.ok(*db, "redeem", "H001", "G001", "--date", "2024-03-10").stdout
    j.ok(*db, "publish", "--quarter", "2024Q1", "--out", str(tmp_path / "q1"), "--date",
         "2024-04-01")
    j.ok(*db, "redeem", "H002", "G002", "--qty", "2", "--date", "2024-05-01")
    q2 = j.ok(*db, "redeem", "H002", "G001", "--date", "2024-05-02").stdout
    for out in (q1, q2):
        j.ok(*db, "reverse", out.split("#")[-1].strip(), "--reason", "退货", "--date", "2024-05-20")
    j.ok(*db, "publish", "--quarter", "2024Q2", "--out", str(tmp_path / "q2"), "--date",
         "2024-06-30", lang="zh")

    manifest = json.loads((tmp_path / "q2" / "manifest.json").read_text(encoding="utf-8"))
    totals = manifest["totals"]
    redemptions = _csv(tmp_path / "q2" / "redemptions.csv")
    assert totals["redeemed_value_fen"] == 2500 + 3500 == sum(
        int(float(r["价值(元)"]) * 100) for r in redemptions)
    assert totals["redeemed"] == 24 + 30
    assert totals["returned"] == 30 + 30 and totals["returned_value_fen"] == 3500 + 3500
    notice = (tmp_path / "q2" / "notice.html").read_text(encoding="utf-8")
    assert "兑换 <b>54</b> 分（价值 ¥60.00）" in notice
    ledger = _csv(tmp_path / "q2" / "ledger.csv")
    assert sum(int(r["本季兑换"]) for r in ledger) == totals["redeemed"]
    for r in ledger:  # the returns are in 本季调整, so the closing identity holds
        assert int(r["期末积分"]) == (int(r["期初积分"]) + int(r["本季获得"]) - int(r["本季扣减"])
                                     - int(r["本季兑换"]) + int(r["本季调整"]))

    [row] = jifen.json("rollup", str(tmp_path / "v.jifen"), "--quarter", "2024Q2")["villages"]
    figures = row["figures"]
    assert (figures["redeemed"], figures["redeemed_fen"]) == (totals["redeemed"],
                                                             totals["redeemed_value_fen"])
    assert (figures["returned"], figures["returned_fen"]) == (totals["returned"],
                                                             totals["returned_value_fen"])
    out = tmp_path / "r.csv"
    jifen.ok("rollup", str(tmp_path / "v.jifen"), "--quarter", "2024Q2", "--out", str(out))
    [village_row, _total] = _csv(out)
    assert village_row["value of goods redeemed (yuan)"] == "60.00"
    assert village_row["value of goods returned (yuan)"] == "70.00"
    assert village_row["village id"] == row["village_id"]


def _print_setup(sheet) -> None:
    setup = sheet.page_setup
    assert setup.orientation == "landscape" and int(setup.paperSize) == 9  # A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert setup.fitToWidth in (None, 1) and setup.fitToHeight == 0  # width, any pages down
    assert sheet.print_title_rows == "$1:$1"  # headings on every page
    assert "&P" in sheet.oddFooter.center.text and "&N" in sheet.oddFooter.center.text
    fonts = {cell.font.name for row in sheet.iter_rows() for cell in row if cell.value is not None}
    assert fonts == {FONT}


def test_the_rollup_workbook_prints_like_the_disclosure_and_names_each_village(jifen, city,
                                                                              tmp_path):
    from openpyxl import load_workbook

    result = jifen.json("rollup", str(city / "villages"), "--quarter", "2024Q2")
    ids = {r["path"]: r["village_id"] for r in result["villages"]}
    out = tmp_path / "汇总.xlsx"
    jifen.ok("rollup", str(city / "villages"), "--quarter", "2024Q2", "--by", "township",
             "--out", str(out), lang="zh")
    sheet = load_workbook(out).active
    _print_setup(sheet)
    assert "2024Q2 积分超市汇总" in sheet.oddHeader.left.text
    rows = list(sheet.iter_rows())
    header = [c.value for c in rows[0]]
    assert "村编号" in header and "退回物品价值(元)" in header
    for row in rows[1:]:
        values = [c.value for c in row]
        if values[-1] is None:  # a subtotal or the total, in bold
            assert row[0].font.b and values[0].startswith(("小计", "合计"))
        else:
            assert values[header.index("村编号")] == ids[values[-1]]
            assert not row[0].font.b


def test_the_disclosure_workbook_keeps_its_print_setup_and_its_bytes(village, tmp_path):
    from openpyxl import load_workbook

    village.ok("publish", "--quarter", "2024Q2", "--out", str(tmp_path / "a"), "--dry-run")
    village.ok("publish", "--quarter", "2024Q2", "--out", str(tmp_path / "b"), "--dry-run",
               lang="zh")
    a, b = ((tmp_path / d / "disclosure.xlsx").read_bytes() for d in "ab")
    assert a == b
    book = load_workbook(tmp_path / "a" / "disclosure.xlsx")
    assert book.sheetnames == ["积分台账", "兑换明细", "分类统计", "光明榜", "资金收支", "异议处理"]
    for sheet in book.worksheets:
        _print_setup(sheet)
        assert sheet.oddHeader.left.text.startswith("扎西岗村 2024Q2 ")

"""`jifen publish`: the quarter's tables, its files, the lock, and the digest verify re-checks."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import tempfile
import zipfile
from pathlib import Path

import pytest
from conftest import earn, rechain
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jifen_cli import db, figures, ledger, publication, village
from jifen_cli.ledger import Posting

HOSTILE = {
    "H101": ('=HYPERLINK("http://x","y")', "一组"),
    "H102": ("<script>document.title='pwned'</script>", "+二组"),
    "H103": ("<img src=x onerror=alert(1)>", "@三组"),
    "H104": ("-次仁", "-4组"),
}


def read_csv(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), f"{path.name} has no UTF-8 BOM"
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))


def quarter_activity(jifen) -> None:
    """Rewards, a deduction, a store and a partner-shop redemption, a reversal, all in 2024Q2."""
    earn(jifen, "H001", "A01", 2, "2024-04-10")
    earn(jifen, "H001", "A02", 1, "2024-05-03")
    earn(jifen, "H002", "A01", 3, "2024-05-20")
    earn(jifen, "H003", "A02", 4, "2024-06-01")
    earn(jifen, "H003", "B01", 1, "2024-06-02")
    earn(jifen, "H004", "A01", 1, "2024-06-03")
    jifen.ok("redeem", "H002", "G002", "--date", "2024-06-05")
    jifen.ok("redeem", "H001", "G002", "--date", "2024-06-06", "--shop", "那曲百货")
    seq = jifen.sql("SELECT max(seq) FROM postings WHERE household = 'H004'")[0][0]
    jifen.ok("reverse", str(seq), "--reason", "录错了", "--date", "2024-06-20")


@pytest.fixture
def active(village):
    quarter_activity(village)
    return village


def test_publish_writes_every_file_locks_the_quarter_and_prints_the_digest(active, tmp_path):
    out = tmp_path / "board"
    result = active.ok("publish", "--quarter", "2024-Q2", "--out", str(out))
    head = active.json("verify")["head"]
    assert head in result.stdout
    assert str(out / "notice.html") in result.stdout
    assert sorted(p.name for p in out.iterdir()) == sorted(publication.FILES)
    [(quarter, head_seq, digest, stored)] = active.sql(
        "SELECT quarter, head_seq, digest, manifest FROM publications")
    assert (quarter, digest) == ("2024Q2", head)
    assert head_seq == active.sql("SELECT max(seq) FROM postings")[0][0]
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert json.loads(stored) == manifest
    assert manifest["digest"] == head and manifest["quarter"] == "2024Q2"
    assert manifest["village"]["name"] == "扎西岗村"
    for name in publication.FILES[:-1]:
        assert manifest["files"][name] == hashlib.sha256((out / name).read_bytes()).hexdigest()
    assert manifest["counts"]["households"] == 4
    assert manifest["counts"]["redemptions"] == 2
    # nothing half-written lies around
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    # the quarter is locked now
    refused = active.refused("record", "H001", "A01", "--date", "2024-06-30")
    assert "2024Q2" in refused.stderr


def test_ledger_table_matches_the_ledger_and_the_closing_identity(active, tmp_path):
    out = tmp_path / "q2"
    active.ok("publish", "--quarter", "2024Q2", "--out", str(out))
    rows = read_csv(out / "ledger.csv")
    # the operator reads English (--lang en); the village posts in Chinese, its public language
    assert rows[0] == ["户号", "户主", "组别", "期初积分", "本季获得", "本季扣减", "本季兑换", "本季调整",
                       "期末积分", "记录数"]
    body = {r[0]: r for r in rows[1:]}
    assert list(body) == ["H001", "H002", "H003", "H004"]
    assert body["H001"] == ["H001", "次仁卓玛", "一组", "0", "12", "0", "12", "0", "0", "2"]
    assert body["H002"][1] == "བཀྲ་ཤིས་"
    assert body["H003"][3:] == ["0", "8", "20", "0", "0", "-12", "2"]
    assert body["H004"][3:] == ["0", "5", "0", "0", "-5", "0", "1"]
    balances = {b["household"]: b["available"] for b in active.json("balance")}
    for code, _, _, opening, earned, deducted, redeemed, adjusted, closing, _ in rows[1:]:
        o, e, d, r, a, c = map(int, (opening, earned, deducted, redeemed, adjusted, closing))
        assert o + e - d - r + a == c
        assert c == balances[code]
    # the other tables add up to the ledger's columns
    redemptions = read_csv(out / "redemptions.csv")
    assert redemptions[0] == ["日期", "户号", "户主", "商品", "数量", "积分", "价值(元)", "商店", "备注"]
    assert redemptions[1:] == [
        ["2024-06-05", "H002", "བཀྲ་ཤིས་", "砖茶", "1", "12", "12.50", "", ""],
        ["2024-06-06", "H001", "次仁卓玛", "砖茶", "1", "12", "12.50", "那曲百货", ""],
    ]
    assert sum(int(r[5]) for r in redemptions[1:]) == sum(int(r[6]) for r in rows[1:])
    categories = read_csv(out / "categories.csv")
    assert categories[1:] == [["人居环境", "3", "30", "0"], ["爱党爱国", "2", "10", "0"],
                              ["遵纪守法", "1", "0", "20"]]
    assert sum(int(r[2]) for r in categories[1:]) == sum(int(r[4]) for r in rows[1:])
    honour = read_csv(out / "honour.csv")
    # Only households that gained points rank: H004's reward was reversed (net 0), H003 lost 12.
    assert [r[1] for r in honour[1:]] == ["H002", "H001"]
    assert honour[1][0] == "1"


def test_a_returned_redemption_stays_listed_and_says_so(active, tmp_path):
    seq = active.sql("SELECT seq FROM postings WHERE kind = 'redeem' AND household = 'H002'")[0][0]
    back = active.ok("reverse", str(seq), "--reason", "退货", "--date", "2024-06-25").stdout
    back_seq = int(back.split("#")[-1])
    out = tmp_path / "returned"
    active.ok("publish", "--quarter", "2024Q2", "--out", str(out), lang="zh")
    rows = read_csv(out / "redemptions.csv")
    assert rows[0][-1] == "备注"
    assert rows[1][:2] == ["2024-06-05", "H002"]
    assert rows[1][-1] == f"已退回（#{back_seq}，2024-06-25）"
    assert rows[2][-1] == ""
    # the points came back under 本季调整, so the household's closing is right
    ledger = {r[0]: r for r in read_csv(out / "ledger.csv")[1:]}
    assert ledger["H002"][6:9] == ["12", "12", str(active.json("balance", "H002")["available"])]
    assert f"已退回（#{back_seq}，2024-06-25）" in (out / "notice.html").read_text("utf-8")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_chinese_headers_whatever_the_operators_lang(active, tmp_path, lang):
    out = tmp_path / "zh"
    active.ok("publish", "--quarter", "2024Q2", "--out", str(out), lang=lang)
    assert read_csv(out / "ledger.csv")[0] == [
        "户号", "户主", "组别", "期初积分", "本季获得", "本季扣减", "本季兑换", "本季调整", "期末积分", "记录数"]
    assert "光明榜" in (out / "notice.html").read_text("utf-8")


def test_honour_board_ranks_by_net_then_fewer_deductions_then_code(village, tmp_path):
    for code in ("H005", "H006", "H007", "H008", "H009", "H010", "H011", "H012"):
        village.ok("household", "add", code, f"户{code}")
    # H001: 10 + 10 - 20 + ... vs H002 clean 10: equal net, fewer deductions first
    earn(village, "H001", "A01", 3, "2024-04-02")  # 15
    earn(village, "H001", "B01", 1, "2024-04-03")  # -20
    earn(village, "H001", "A01", 3, "2024-05-02")  # 15 -> net 10, one deduction
    earn(village, "H002", "A02", 5, "2024-04-02")  # net 10, no deduction
    earn(village, "H003", "A02", 5, "2024-04-02")  # net 10, no deduction, code after H002
    for i, code in enumerate(("H005", "H006", "H007", "H008", "H009", "H010", "H011", "H012")):
        earn(village, code, "A01", 3, f"2024-06-{i + 1:02d}")  # net 15 each
    out = tmp_path / "honour"
    village.ok("publish", "--quarter", "2024Q2", "--out", str(out))
    rows = read_csv(out / "honour.csv")[1:]
    assert len(rows) == 10
    assert [r[1] for r in rows] == ["H005", "H006", "H007", "H008", "H009", "H010", "H011",
                                    "H012", "H002", "H003"]
    assert [r[0] for r in rows] == [str(i) for i in range(1, 11)]


def test_same_ledger_same_bytes(active, tmp_path):
    preview = tmp_path / "preview"
    r = active.ok("publish", "--quarter", "2024Q2", "--out", str(preview), "--dry-run")
    assert "not lock" in r.stdout
    assert active.sql("SELECT count(*) FROM publications") == [(0,)]
    copy = tmp_path / "copy.db"
    shutil.copy(active.db, copy)
    real = tmp_path / "real"
    other = tmp_path / "other"
    active.ok("publish", "--quarter", "2024Q2", "--out", str(real))
    active.ok("--db", str(copy), "publish", "--quarter", "2024Q2", "--out", str(other))
    for name in publication.FILES:
        a, b, c = ((d / name).read_bytes() for d in (preview, real, other))
        assert a == b == c, name


def test_dry_run_does_not_lock(active, tmp_path):
    active.ok("publish", "--quarter", "2024Q2", "--out", str(tmp_path / "p"), "--dry-run")
    active.ok("record", "H001", "A01", "--date", "2024-06-30")


def test_refuses_while_claims_are_pending_and_lists_them(village, tmp_path):
    earn(village, "H001", "A01", 1, "2024-04-10")
    village.ok("record", "H002", "A02", "--date", "2024-05-09")
    village.ok("record", "H004", "A01", "--date", "2024-06-30")
    out = tmp_path / "never"
    r = village.refused("publish", "--quarter", "2024Q2", "--out", str(out))
    assert "2 pending claim" in r.stderr
    assert "H002 2024-05-09" in r.stderr and "H004 2024-06-30" in r.stderr
    assert not out.exists()
    assert village.sql("SELECT count(*) FROM publications") == [(0,)]
    ids = [str(i) for (i,) in village.sql("SELECT id FROM claims WHERE status = 'pending'")]
    village.ok("review", "reject", *ids, "--reason", "无佐证", operator="格桑")
    village.ok("publish", "--quarter", "2024Q2", "--out", str(out))


def test_refuses_while_an_earlier_quarter_is_unpublished(village, tmp_path, monkeypatch):
    earn(village, "H001", "A01", 1, "2024-03-30")
    earn(village, "H001", "A01", 1, "2024-04-10")
    r = village.refused("publish", "--quarter", "2024Q2", "--out", str(tmp_path / "q2"))
    assert "2024Q1" in r.stderr and "jifen publish --quarter 2024Q1" in r.stderr
    village.ok("publish", "--quarter", "2024Q1", "--out", str(tmp_path / "q1"))
    village.ok("publish", "--quarter", "2024Q2", "--out", str(tmp_path / "q2"))
    q2 = read_csv(tmp_path / "q2" / "ledger.csv")
    assert q2[1][:5] == ["H001", "次仁卓玛", "一组", "5", "5"]  # Q1's closing is Q2's opening
    # a published quarter is written again, never published twice
    again = village.ok("publish", "--quarter", "2024Q1", "--out", str(tmp_path / "again")).stdout
    assert "2024Q1 was published on" in again and "not a second publication" in again
    assert village.sql("SELECT count(*) FROM publications") == [(2,)]
    r = village.refused("publish", "--quarter", "2023Q4", "--out", str(tmp_path / "old"))
    assert "2024Q2" in r.stderr


def test_refuses_an_unfinished_quarter_a_bad_quarter_and_a_used_folder(village, tmp_path,
                                                                         monkeypatch):
    r = village.refused("publish", "--quarter", "2024Q3", "--out", str(tmp_path / "q3"))
    assert "2024-09-30" in r.stderr
    assert not (tmp_path / "q3").exists()
    r = village.refused("publish", "--quarter", "2024Q5")
    assert "2024Q2" in r.stderr  # says what a quarter looks like
    used = tmp_path / "used"
    used.mkdir()
    (used / "keep.txt").write_text("mine")
    r = village.refused("publish", "--quarter", "2024Q2", "--out", str(used))
    assert str(used) in r.stderr
    assert [p.name for p in used.iterdir()] == ["keep.txt"]
    assert village.sql("SELECT count(*) FROM publications") == [(0,)]
    monkeypatch.setenv("JIFEN_TODAY", "2024-06-29")
    r = village.refused("publish", "--quarter", "2024Q2", "--out", str(tmp_path / "early"))
    assert "2024-06-30" in r.stderr
    r = village.refused("publish", "--quarter", "2024Q2", operator=None)
    assert "--operator" in r.stderr


def test_publish_writes_into_the_default_folder(village, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = village.ok("publish", "--quarter", "2024Q2")
    assert (tmp_path / "disclosure-2024Q2" / "notice.html").is_file()
    assert "disclosure-2024Q2" in r.stdout


def test_a_failed_publication_record_leaves_no_files_and_no_lock(active, tmp_path):
    with sqlite3.connect(active.db) as conn:
        conn.execute("CREATE TRIGGER no_pub BEFORE INSERT ON publications "
                     "BEGIN SELECT RAISE(ABORT, 'disk says no'); END")
    out = tmp_path / "board"
    r = active.refused("publish", "--quarter", "2024Q2", "--out", str(out))
    assert "disk says no" in r.stderr
    assert not out.exists()
    assert list(tmp_path.glob(".board*")) == []
    assert active.sql("SELECT count(*) FROM publications") == [(0,)]
    active.ok("record", "H001", "A01", "--date", "2024-06-30")


@pytest.fixture
def locked(active, tmp_path, monkeypatch):
    """2024Q2 published; today is in July."""
    active.ok("publish", "--quarter", "2024Q2", "--out", str(tmp_path / "q2"))
    monkeypatch.setenv("JIFEN_TODAY", "2024-07-15")
    return active


def test_nothing_can_be_written_into_a_published_quarter(locked, tmp_path):
    jifen = locked
    earn(jifen, "H002", "A01", 3, "2024-07-01")  # enough points that only the date is wrong
    deduction = jifen.sql("SELECT seq FROM postings WHERE kind = 'deduct'")[0][0]
    cases = [
        ("record", "H001", "A01", "--date", "2024-06-30"),
        ("redeem", "H002", "G002", "--date", "2024-05-01"),
        ("redeem", "H004", "G001", "--date", "2024-05-01"),  # cannot afford it either: the lock
        ("item", "restock", "G001", "5", "--cost", "10", "--date", "2024-04-01"),
        ("reverse", str(deduction), "--reason", "wrong", "--date", "2024-06-30"),
        ("fund", "grant", "100", "--date", "2024-06-30"),
        ("settle", "那曲百货", "--amount", "1", "--date", "2024-06-30"),
        ("item", "add", "G009", "青稞", "--points", "5", "--value", "3", "--stock", "4",
         "--date", "2024-06-30"),
    ]
    before = jifen.sql("SELECT count(*) FROM postings")
    for args in cases:
        r = jifen.refused(*args)
        assert "2024Q2" in r.stderr and "locked" in r.stderr, (args, r.stderr)
        assert "jifen reverse" in r.stderr
    records = tmp_path / "records.csv"
    records.write_text("household,rule,date,qty\nH001,A01,2024-06-01,1\n", encoding="utf-8")
    r = jifen.refused("import", "records", str(records), "--approve", "--recorded-by", "文书",
                      operator="格桑")
    assert "2024Q2" in r.stderr
    # an approval of a claim dated inside the quarter is refused too (the claim is forged in
    # behind the CLI's back: publish never leaves one pending)
    with sqlite3.connect(jifen.db) as conn:
        conn.execute("INSERT INTO claims (household, rule, qty, date, recorded_by, recorded_at)"
                     " VALUES ('H001', 'A01', 1, '2024-06-01', '文书', '2024-06-01T00:00:00Z')")
    claim = jifen.sql("SELECT max(id) FROM claims")[0][0]
    r = jifen.refused("review", "approve", str(claim), operator="格桑")
    assert "2024Q2" in r.stderr
    assert jifen.sql("SELECT count(*) FROM postings") == before
    # a correction dated in the open quarter is how a mistake is fixed
    jifen.ok("reverse", str(deduction), "--reason", "wrong", "--date", "2024-07-01")
    jifen.ok("redeem", "H002", "G002", "--date", "2024-07-02")
    assert jifen.json("verify")["ok"]


def test_verify_rechecks_every_published_digest_after_later_postings(locked, tmp_path,
                                                                       monkeypatch):
    jifen = locked
    earn(jifen, "H001", "A01", 1, "2024-07-03")
    report = jifen.json("verify")
    assert report["ok"] and report["publications"] == 1
    monkeypatch.setenv("JIFEN_TODAY", "2024-10-02")
    jifen.ok("publish", "--quarter", "2024Q3", "--out", str(tmp_path / "q3"))
    earn(jifen, "H002", "A01", 1, "2024-10-01")
    report = jifen.json("verify")
    assert report["ok"] and report["publications"] == 2
    q3 = read_csv(tmp_path / "q3" / "ledger.csv")
    q2 = read_csv(tmp_path / "q2" / "ledger.csv")
    assert [r[3] for r in q3[1:]] == [r[8] for r in q2[1:]]  # opening = last closing


def _raw(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP TRIGGER IF EXISTS postings_no_update")
    conn.execute("DROP TRIGGER IF EXISTS postings_no_delete")
    return conn


def test_verify_catches_a_posting_forged_into_a_published_quarter(locked):
    jifen = locked
    earn(jifen, "H001", "A01", 1, "2024-07-03")
    conn = _raw(jifen.db)
    seq, prev = conn.execute("SELECT head_seq, head_hash FROM village").fetchone()
    fields = (seq + 1, "earn", "2024-05-15", "H002", "A02", None, 50, 100, 0, 0, None, None,
              None, None, "", "文书", "格桑", "2024-07-15T00:00:00Z")
    digest = ledger.chain_hash(prev, fields)
    conn.execute(f"INSERT INTO postings ({', '.join(ledger.FIELDS)}, hash) VALUES "
                 f"({', '.join('?' * (len(fields) + 1))})", (*fields, digest))
    conn.execute("UPDATE village SET head_seq = ?, head_hash = ?", (seq + 1, digest))
    conn.execute("UPDATE households SET available = available + 100, honour = honour + 100 "
                 "WHERE code = 'H002'")
    conn.close()
    r = jifen("verify")
    assert r.exit_code == 3
    assert f"posting #{seq + 1}" in r.stderr and "published quarter" in r.stderr


def test_verify_and_publish_catch_a_rewritten_history(locked, tmp_path, monkeypatch):
    """Someone changes a Q2 posting and recomputes the whole chain: only the digest knows."""
    jifen = locked
    earn(jifen, "H001", "A01", 1, "2024-07-03")
    conn = _raw(jifen.db)
    target = conn.execute("SELECT seq FROM postings WHERE kind = 'deduct'").fetchone()[0]
    conn.execute("UPDATE postings SET points = 0, note = 'never happened' WHERE seq = ?",
                 (target,))
    rechain(conn)
    conn.execute("UPDATE households SET available = available + 20, honour = honour + 20 "
                 "WHERE code = 'H003'")
    conn.close()
    r = jifen("verify")
    assert r.exit_code == 3
    assert "2024Q2" in r.stderr and "no longer matches" in r.stderr
    monkeypatch.setenv("JIFEN_TODAY", "2024-10-02")
    r = jifen("publish", "--quarter", "2024Q3", "--out", str(tmp_path / "q3"))
    assert r.exit_code == 3, r.stderr
    assert "jifen verify" in r.stderr
    assert not (tmp_path / "q3").exists()


def test_publish_refuses_to_pin_a_digest_on_a_broken_chain(locked, tmp_path, monkeypatch):
    """A posting after the last publication was edited in the file: publish names it, exit 3."""
    jifen = locked
    earn(jifen, "H001", "A01", 1, "2024-07-03")
    earn(jifen, "H002", "A01", 1, "2024-07-04")
    target = jifen.sql("SELECT min(seq) FROM postings WHERE date >= '2024-07-01'")[0][0]
    conn = _raw(jifen.db)
    conn.execute("UPDATE postings SET points = 500 WHERE seq = ?", (target,))
    conn.close()
    monkeypatch.setenv("JIFEN_TODAY", "2024-10-02")
    r = jifen("publish", "--quarter", "2024Q3", "--out", str(tmp_path / "q3"))
    assert r.exit_code == 3
    assert f"posting #{target}" in r.stderr and "jifen verify" in r.stderr
    assert not (tmp_path / "q3").exists()
    assert jifen.sql("SELECT count(*) FROM publications") == [(1,)]


def test_hostile_names_are_neutralised_and_private_fields_never_shown(village, tmp_path):
    import openpyxl

    ids = ("540102199001015672", "540102199001015680", "540102199001015699",
           "54010219900101571X")  # valid (GB 11643), one each: an ID belongs to one household
    for (code, (name, group)), id_number in zip(HOSTILE.items(), ids):
        village.ok("household", "add", "--group", group, "--id-number", id_number,
                   "--phone", "13912345678", "--", code, name)
        earn(village, code, "A01", 1, "2024-05-05")
    earn(village, "H001", "A01", 2, "2024-05-06")
    seq = village.sql("SELECT max(seq) FROM postings")[0][0]
    village.ok("reverse", str(seq), "--reason", "重复", "--date", "2024-06-01")  # adjusted -10
    earn(village, "H101", "A01", 2, "2024-05-07")
    village.ok("shop", "add", "=cmd|' /C calc'!A0")
    village.ok("redeem", "H101", "G002", "--shop", "=cmd|' /C calc'!A0", "--date", "2024-06-02")
    out = tmp_path / "q2"
    village.ok("publish", "--quarter", "2024Q2", "--out", str(out))

    ledger_rows = {r[0]: r for r in read_csv(out / "ledger.csv")}
    assert ledger_rows["H101"][1] == "'" + HOSTILE["H101"][0]
    assert ledger_rows["H102"][2] == "'+二组"
    assert ledger_rows["H103"][2] == "'@三组"
    assert ledger_rows["H104"][1:3] == ["'-次仁", "'-4组"]
    assert ledger_rows["H001"][7] == "-10"  # a negative number stays a number
    assert read_csv(out / "redemptions.csv")[1][7] == "'=cmd|' /C calc'!A0"
    for name in ("ledger.csv", "redemptions.csv", "honour.csv", "fund.csv", "categories.csv"):
        for row in read_csv(out / name):
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")) or \
                    cell.lstrip("-").replace(".", "").isdigit(), (name, cell)

    book = openpyxl.load_workbook(out / "disclosure.xlsx")
    assert book.sheetnames == ["积分台账", "兑换明细", "分类统计", "光明榜", "资金收支", "异议处理"]
    sheet = book["积分台账"]
    assert [c.value for c in sheet[1]] == ["户号", "户主", "组别", "期初积分", "本季获得", "本季扣减",
                                          "本季兑换", "本季调整", "期末积分", "记录数"]
    assert sheet.freeze_panes == "A2"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.fitToHeight == 0
    by_code = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    hyperlink = by_code["H101"][1]
    # text as typed, behind Excel's hidden quote prefix: never a formula, no visible apostrophe
    assert hyperlink.data_type == "s" and hyperlink.value == HOSTILE["H101"][0]
    assert hyperlink.quotePrefix and not by_code["H001"][1].quotePrefix
    assert by_code["H001"][7].value == -10 and by_code["H001"][7].data_type == "n"
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value.startswith(
                        ("=", "+", "-", "@", "\t", "\r")):
                    assert cell.quotePrefix, (ws.title, cell.coordinate, cell.value)
    assert book["兑换明细"]["H2"].value == "=cmd|' /C calc'!A0"
    assert book["兑换明细"]["H2"].quotePrefix
    assert book["兑换明细"]["G2"].value == 12.5 and book["兑换明细"]["G2"].number_format == "0.00"
    widths = sheet.column_dimensions
    assert widths["B"].width >= 2 * len("次仁卓玛")

    html = (out / "notice.html").read_text("utf-8")
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html

    everything = b"".join((out / n).read_bytes() for n in publication.FILES)
    with zipfile.ZipFile(out / "disclosure.xlsx") as z:
        everything += b"".join(z.read(n) for n in z.namelist())
    for secret in (*ids, "540102199001011233", "13912345678", "13800001234"):
        assert secret.encode() not in everything, secret


# --- the closing identity on random ledgers ---------------------------------------------------

KINDS = st.sampled_from(["earn", "deduct", "redeem", "expire", "reverse"])
DATES = st.dates(min_value=dt.date(2023, 10, 1), max_value=dt.date(2024, 12, 31))
EVENTS = st.lists(
    st.tuples(KINDS, st.sampled_from(["H1", "H2", "H3"]), st.integers(1, 50), DATES),
    max_size=40,
)
QUARTERS = ["2023Q4", "2024Q1", "2024Q2", "2024Q3", "2024Q4"]


def _random_ledger(events) -> sqlite3.Connection:
    path = Path(tempfile.mkdtemp()) / "v.db"
    conn = village.init(path, name="随机村", operator="t")
    with db.transaction(conn):
        for code in ("H1", "H2", "H3"):
            conn.execute("INSERT INTO households (code, name, created_at, created_by) "
                         "VALUES (?, ?, '', 't')", (code, f"户{code}"))
        conn.execute("INSERT INTO rules (code, category, title, points, created_at, created_by)"
                     " VALUES ('R', '人居环境', '整洁', 1, '', 't')")
        conn.execute("INSERT INTO items (code, name, points, value_fen, created_at, created_by)"
                     " VALUES ('G', '酥油', 1, 100, '', 't')")
        appended: list[int] = []
        for kind, household, n, date in events:
            date = date.isoformat()
            if kind == "reverse":
                if not appended:
                    continue
                original = appended.pop(n % len(appended))
                date = max(date, ledger.get_posting(conn, original)["date"])  # never before it
                ledger.reverse(conn, original, reason="r", date=date, operator="t")
                continue
            points = {"earn": n, "deduct": -n, "redeem": -n, "expire": -n}[kind]
            posting = Posting(kind=kind, date=date, household=household, points=points,
                              rule="R" if kind in ("earn", "deduct") else None,
                              item="G" if kind == "redeem" else None, shop="店" if
                              kind == "redeem" else None, fen=n * 100 if kind == "redeem" else 0,
                              recorded_by="t")
            appended.append(ledger.append(conn, [posting]).last)
    return conn


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EVENTS)
def test_closing_identity_holds_on_random_ledgers(events):
    conn = _random_ledger(events)
    try:
        previous_closing: dict[str, int] | None = None
        for quarter in QUARTERS:
            d = publication.build(conn, quarter, date="2025-01-01")
            rows = d.table("ledger").rows
            last = publication.periods.quarter_bounds(quarter)[1].isoformat()
            truth = dict(conn.execute(
                "SELECT household, sum(points) FROM postings WHERE household IS NOT NULL "
                "AND date <= ? GROUP BY household", (last,)).fetchall())
            for code, _, _, opening, earned, deducted, redeemed, adjusted, closing, _ in rows:
                assert opening + earned - deducted - redeemed + adjusted == closing
                assert closing == truth.get(code, 0)
                if previous_closing is not None:
                    assert opening == previous_closing[code]
            previous_closing = {r[0]: r[8] for r in rows}
            redeemed_listed = sum(r[5] for r in d.table("redemptions").rows)
            assert redeemed_listed == sum(r[6] for r in rows)
            assert sum(r[2] for r in d.table("categories").rows) == sum(r[4] for r in rows)
            assert sum(r[3] for r in d.table("categories").rows) == sum(r[5] for r in rows)
            assert d.totals["closing"] == sum(truth.values())
            net = {r.code: r.net for r in figures.households(conn, quarter)}
            for rank, code, *_ in d.table("honour").rows:
                assert code in {r[0] for r in rows} and 1 <= rank <= 10 and net[code] > 0
        # the household figures are the figures module's, not a second definition
        assert [r.closing for r in figures.households(conn, "2024Q4")] == \
            [r[8] for r in publication.build(conn, "2024Q4", date="2025-01-01").table("ledger").rows]
    finally:
        path = conn.execute("PRAGMA database_list").fetchone()[2]
        conn.close()
        shutil.rmtree(os.path.dirname(path), ignore_errors=True)


def test_demo_ends_by_publishing_its_quarter(jifen, tmp_path):
    out = tmp_path / "demo"
    result = jifen.ok("demo", "--out", str(out), operator=None)
    notice = out / "disclosure-2024Q2" / "notice.html"
    assert str(notice) in result.stdout
    assert notice.is_file()
    report = jifen.json("--db", str(out / "jifen.db"), "verify")
    assert report["ok"] and report["publications"] == 1
    manifest = json.loads((notice.parent / "manifest.json").read_text("utf-8"))
    jifen.db = out / "jifen.db"
    assert jifen.sql("SELECT digest FROM publications") == [(manifest["digest"],)]
    assert manifest["counts"]["households"] == 134
    # the village lived on into July after the publication, and the posted copy still matches
    assert report["postings"] > manifest["head_seq"]
    assert jifen.json("--db", str(out / "jifen.db"), "verify", "--disclosure",
                      str(notice.parent))["ok"]


@pytest.mark.parametrize("quarter", ["0000Q1", "9999Q4"])
def test_a_quarter_at_the_edge_of_the_calendar_is_a_clear_refusal(village, tmp_path, quarter):
    r = village.refused("publish", "--quarter", quarter, "--out", str(tmp_path / "q"))
    assert quarter in r.stderr or "9999-12-31" in r.stderr
    r = village("rollup", str(village.db), "--quarter", quarter)  # raises on a traceback
    assert r.exit_code == (1 if quarter == "0000Q1" else 0), r.stderr
    assert village.sql("SELECT count(*) FROM publications") == [(0,)]


# --- a dry run, then the real thing into the same folder (issue 9, item 10) ----------------------


def test_a_dry_run_folder_of_the_same_quarter_is_replaced_by_the_real_publication(active, tmp_path):
    out = tmp_path / "公示"
    active.ok("publish", "--quarter", "2024Q2", "--out", str(out), "--dry-run")
    earn(active, "H002", "A02", 1, "2024-06-28")  # the preview showed an earlier ledger
    result = active.ok("publish", "--quarter", "2024Q2", "--out", str(out))
    assert active.sql("SELECT count(*) FROM publications") == [(1,)]
    assert sorted(p.name for p in out.iterdir()) == sorted(publication.FILES)
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["digest"] == active.json("verify")["head"] and manifest["digest"] in result.stdout
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("change", ["extra file", "edited file", "other quarter", "other village"])
def test_any_other_folder_is_still_refused(active, tmp_path, change):
    out = tmp_path / "公示"
    quarter = "2024Q1" if change == "other quarter" else "2024Q2"
    source = active
    if change == "other village":
        other = tmp_path / "other.db"
        shutil.copy(active.db, other)
        with sqlite3.connect(other) as conn:
            conn.execute("UPDATE village SET name = '达嘎村'")
        conn.close()
        active.ok("--db", str(other), "publish", "--quarter", quarter, "--out", str(out),
                  "--dry-run")
    else:
        source.ok("publish", "--quarter", quarter, "--out", str(out), "--dry-run")
    if change == "extra file":
        (out / "意见.txt").write_text("请张贴", encoding="utf-8")
    if change == "edited file":
        with open(out / "notice.html", "ab") as fh:
            fh.write(b"<!-- edited -->")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    r = active.refused("publish", "--quarter", "2024Q2", "--out", str(out), lang="zh")
    assert str(out) in r.stderr and "不会覆盖" in r.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert active.sql("SELECT count(*) FROM publications") == [(0,)]


# --- the refusal names the quarter that locks the date (issue 9, item 9) -------------------------


@pytest.mark.parametrize("date", ["1900-01-01", "2023-11-30", "2024-06-30"])
def test_a_locked_date_is_refused_naming_the_latest_published_quarter(locked, tmp_path, date):
    zh = locked.refused("record", "H001", "A01", "--date", date, lang="zh").stderr
    assert f"{date} 在已锁定的期间内" in zh and "最近公示的季度是 2024Q2" in zh
    assert "2024-06-30 及以前的日期都已锁定" in zh
    en = locked.refused("record", "H001", "A01", "--date", date, lang="en").stderr
    assert (f"{date} lies in the locked period: 2024Q2, the latest published quarter, locks "
            "every date up to 2024-06-30") in en
    own = f"{date[:4]}Q{(int(date[5:7]) - 1) // 3 + 1}"
    if own != "2024Q2":  # its own quarter was never published: not named as if it were
        assert own not in zh and own not in en
    records = tmp_path / "records.csv"
    records.write_text(f"household,rule,date,qty\nH001,A01,{date},1\n", encoding="utf-8")
    r = locked.refused("import", "records", str(records))
    assert f"{records}:2: {date} lies in the locked period: 2024Q2, the latest" in r.stderr

"""The 公示 loop: one public language, a quarter written again byte for byte, a posted copy
checked against the village file, and objections through their whole life."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from conftest import earn
from test_publish import read_csv


def files_of(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture
def published(village, tmp_path):
    """2024Q2 of the small village, published on 2024-06-30 with a 7-day objection period."""
    earn(village, "H001", "A01", 3, date="2024-04-10")   # +15
    earn(village, "H002", "A02", 10, date="2024-05-02")  # +20
    earn(village, "H003", "B01", 1, date="2024-05-03")   # -20
    village.ok("redeem", "H002", "G002", "--date", "2024-06-01")
    village.ok("redeem", "H001", "G002", "--shop", "那曲百货", "--date", "2024-06-02")
    out = tmp_path / "posted"
    village.ok("publish", "--quarter", "2024Q2", "--out", str(out), "--date", "2024-06-30")
    village.posted = out
    return village


# --- written again, never changed ------------------------------------------------------------


def test_a_published_quarter_is_written_again_byte_for_byte(published, tmp_path, monkeypatch):
    original = files_of(published.posted)
    # later: a new head of household, a renamed item, another operator, another language and day
    monkeypatch.setenv("JIFEN_TODAY", "2024-08-15")
    published.ok("household", "edit", "H002", "--name", "扎西次仁", "--reason", "户主变更")
    published.ok("item", "edit", "G002", "--name", "茯砖茶", "--points", "15", "--reason", "调价")
    published.ok("household", "add", "H005", "格桑曲珍", "--group", "二组")
    published.ok("household", "close", "H003", "--reason", "迁出", "--date", "2024-08-01", operator="格桑")
    earn(published, "H001", "A01", 1, date="2024-08-02")
    again = tmp_path / "again"
    r = published.ok("publish", "--quarter", "2024Q2", "--out", str(again), "--date", "2024-08-15",
                     operator="罗布", lang="en")
    assert "2024Q2 was published on 2024-06-30" in r.stdout and "byte for byte" in r.stdout
    assert "kept in the village file" not in r.stdout  # built again, not the kept copy
    assert files_of(again) == original
    assert published.sql("SELECT count(*) FROM publications") == [(1,)]
    rows = {row[0]: row for row in read_csv(again / "ledger.csv")[1:]}
    assert rows["H002"][1] == "བཀྲ་ཤིས་" and "H005" in published.ok("household", "list").stdout
    assert "H005" not in rows
    r = published.ok("publish", "--quarter", "2024Q2", "--out", str(tmp_path / "zh"), lang="zh")
    assert "2024-06-30 公示" in r.stdout and "一字节不差" in r.stdout
    # written into the same folder again: it is already there
    published.ok("publish", "--quarter", "2024Q2", "--out", str(again))
    assert files_of(again) == original
    as_json = published.json("publish", "--quarter", "2024Q2", "--out", str(again))
    assert as_json["written_again"] is True and as_json["published"] == "2024-06-30"


def test_a_folder_holding_something_else_is_not_overwritten_by_a_reprint(published, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("村委会记录", encoding="utf-8")
    r = published.refused("publish", "--quarter", "2024Q2", "--out", str(other))
    assert "never overwritten" in r.stderr
    assert [p.name for p in other.iterdir()] == ["notes.txt"]


def test_where_this_jifen_draws_differently_the_kept_copy_is_written(published, tmp_path,
                                                                      monkeypatch):
    from jifen_cli.render import html

    original = files_of(published.posted)
    real = html.notice
    monkeypatch.setattr(html, "notice", lambda disclosure: real(disclosure) + "<!-- v2 -->")
    again = tmp_path / "again"
    r = published.ok("publish", "--quarter", "2024Q2", "--out", str(again))
    assert "kept in the village file" in r.stdout
    assert files_of(again) == original


# --- a posted copy checked against the village file ------------------------------------------


def test_verify_disclosure_on_an_intact_copy(published):
    r = published.ok("verify", "--disclosure", str(published.posted))
    assert "2024Q2" in r.stdout and "byte for byte" in r.stdout
    report = published.json("verify", "--disclosure", str(published.posted))
    assert report["ok"] and report["quarter"] == "2024Q2" and report["published"] == "2024-06-30"
    assert report["files"] == len(list(published.posted.iterdir()))
    assert "完全一致" in published.ok("verify", "--disclosure", str(published.posted),
                                     lang="zh").stdout


def test_what_a_file_manager_leaves_in_the_folder_is_named_but_not_a_difference(published):
    folder = published.posted
    for name in ("Thumbs.db", ".DS_Store", "desktop.ini", "._notice.html"):
        (folder / name).write_bytes(b"\0clutter")
    r = published.ok("verify", "--disclosure", str(folder), lang="zh")
    assert "完全一致" in r.stdout
    assert "未核对文件管理器留下的文件" in r.stderr and "Thumbs.db" in r.stderr
    report = published.json("verify", "--disclosure", str(folder))
    assert report["ok"] and report["extra"] == []
    assert report["ignored"] == sorted(["Thumbs.db", ".DS_Store", "desktop.ini", "._notice.html"])
    (folder / "thumbs.txt").write_text("not clutter")
    assert published("verify", "--disclosure", str(folder)).exit_code == 3


def test_verify_disclosure_names_an_edited_a_missing_and_an_extra_file(published):
    folder = published.posted
    data = bytearray((folder / "ledger.csv").read_bytes())
    data[-3] ^= 1  # one byte of the last row
    (folder / "ledger.csv").write_bytes(bytes(data))
    r = published("verify", "--disclosure", str(folder))
    assert r.exit_code == 3 and "changed: ledger.csv" in r.stderr
    (folder / "honour.csv").unlink()
    (folder / "照片.jpg").write_bytes(b"\xff\xd8")
    r = published("verify", "--disclosure", str(folder), lang="zh")
    assert r.exit_code == 3
    assert "文件被改动：ledger.csv" in r.stderr and "缺少文件：honour.csv" in r.stderr
    assert "多出文件：照片.jpg" in r.stderr
    report = json.loads(published("verify", "--disclosure", str(folder), "--json").stdout)
    assert (report["ok"], report["changed"], report["missing"], report["extra"]) == (
        False, ["ledger.csv"], ["honour.csv"], ["照片.jpg"])


def test_verify_disclosure_finds_the_quarter_without_a_manifest(published):
    (published.posted / "manifest.json").unlink()
    r = published("verify", "--disclosure", str(published.posted))
    assert r.exit_code == 3 and "missing: manifest.json" in r.stderr and "2024Q2" in r.stderr
    assert "2024Q3 has not been published" in published.refused(
        "verify", "--disclosure", str(published.posted), "--quarter", "2024Q3").stderr


# --- one public language ---------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_english_village_posts_in_english_whatever_the_operators_lang(jifen, tmp_path, lang):
    jifen.ok("init", "--village", "Tashigang", "--public-lang", "en")
    jifen.ok("household", "add", "H001", "བཀྲ་ཤིས་")
    out = tmp_path / "posted"
    jifen.ok("publish", "--quarter", "2024Q2", "--out", str(out), lang=lang)
    assert read_csv(out / "ledger.csv")[0][:3] == ["household", "name", "group"]
    assert read_csv(out / "fund.csv")[1][0] == "fund granted"
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["lang"] == "en"
    from openpyxl import load_workbook

    book = load_workbook(out / "disclosure.xlsx")
    assert book.sheetnames == ["Points ledger", "Redemptions", "By category", "Honour board",
                               "Fund", "Objections"]
    assert [c.value for c in book["Points ledger"][1]][:3] == ["household", "name", "group"]


# --- objections ------------------------------------------------------------------------------


def test_objections_through_their_whole_life(published, tmp_path, monkeypatch):
    redemption = published.json("history", "H002")[-1]
    assert redemption["kind"] == "redeem"
    stock = {i["code"]: i["stock"] for i in published.json("item", "list")}["G002"]
    monkeypatch.setenv("JIFEN_TODAY", "2024-07-03")
    out = published.ok("objection", "add", "--quarter", "2024Q2", "--household", "H002",
                       "--text", "6月1日的砖茶并未领取", "--by", "扎西").stdout
    first = int(out.split("#")[1].split()[0])
    published.ok("objection", "add", "--quarter", "2024Q2", "--text", "<script>x</script>=1+1")
    monkeypatch.setenv("JIFEN_TODAY", "2024-07-10")  # after the period (06-30 .. 07-06)
    r = published.ok("objection", "add", "--quarter", "2024Q2", "--household", "H003",
                     "--text", "扣分有误", lang="zh")
    assert "逾期" in r.stdout
    listed = published.json("objection", "list")
    assert [(o["id"], o["status"], o["late"]) for o in listed] == [
        (first, "open", False), (first + 1, "open", False), (first + 2, "open", True)]
    assert {k: listed[0][k] for k in ("quarter", "household", "text", "by", "date", "reason")} \
        == {"quarter": "2024Q2", "household": "H002", "text": "6月1日的砖茶并未领取", "by": "扎西",
            "date": "2024-07-03", "reason": None}
    # the working group answers: upheld, reversing the redemption (points and stock back)
    r = published.ok("objection", "resolve", str(first), "--upheld", "--reason", "经核实未领取",
                     "--reverse", str(redemption["seq"]), operator="格桑")
    assert f"#{redemption['seq']}" in r.stdout
    back = published.json("history", "H002")[-1]
    assert back["kind"] == "reverse" and back["points"] == 12 and f"#{first}" in back["note"]
    assert {i["code"]: i["stock"] for i in published.json("item", "list")}["G002"] == stock + 1
    published.ok("objection", "resolve", str(first + 1), "--dismissed", "--reason", "与台账无关",
                 operator="格桑")
    assert [o["id"] for o in published.json("objection", "list", "--open")] == [first + 2]
    resolved = published.json("objection", "list", "--quarter", "2024Q2")[0]
    assert resolved["status"] == "upheld" and resolved["reason"] == "经核实未领取"
    assert resolved["reversals"]
    # a resolved objection stays resolved
    r = published.refused("objection", "resolve", str(first), "--dismissed", "--reason", "x",
                          operator="格桑")
    assert "already upheld" in r.stderr
    # the next disclosure lists the two resolved since the last one, with their outcome
    monkeypatch.setenv("JIFEN_TODAY", "2024-10-01")
    q3 = tmp_path / "q3"
    published.ok("publish", "--quarter", "2024Q3", "--out", str(q3))
    rows = read_csv(q3 / "objections.csv")
    assert rows[0] == ["编号", "公示季度", "户号", "户主", "日期", "异议内容", "处理结果", "处理意见",
                       "冲正记录"]
    assert [(r[0], r[2], r[6]) for r in rows[1:]] == [
        (str(first), "H002", "异议成立"), (str(first + 1), "", "异议不成立")]
    assert rows[2][5] == "<script>x</script>=1+1"  # text as typed: only HTML escapes it
    assert "扎西" not in (q3 / "objections.csv").read_text("utf-8")  # who objected is not posted
    manifest = json.loads((q3 / "manifest.json").read_text("utf-8"))
    assert manifest["counts"]["objections"] == 2 and manifest["counts"]["objections_upheld"] == 1
    # ... and only once: the one still open waits for a later disclosure
    monkeypatch.setenv("JIFEN_TODAY", "2025-01-02")
    published.ok("objection", "resolve", str(first + 2), "--dismissed", "--reason", "扣分无误",
                 operator="罗布")
    q4 = tmp_path / "q4"
    published.ok("publish", "--quarter", "2024Q4", "--out", str(q4))
    assert [r[0] for r in read_csv(q4 / "objections.csv")[1:]] == [str(first + 2)]
    # the Q3 disclosure written again still lists its own two
    again = tmp_path / "q3again"
    published.ok("publish", "--quarter", "2024Q3", "--out", str(again))
    assert files_of(again) == files_of(q3)


def test_objection_refusals(published, monkeypatch):
    monkeypatch.setenv("JIFEN_TODAY", "2024-07-02")
    assert "not published" in published.refused("objection", "add", "--quarter", "2024Q3",
                                                 "--text", "x").stderr
    assert "before it" in published.refused("objection", "add", "--quarter", "2024Q2",
                                             "--text", "x", "--date", "2024-06-29").stderr
    assert "No household" in published.refused("objection", "add", "--quarter", "2024Q2",
                                                "--text", "x", "--household", "H404").stderr
    out = published.ok("objection", "add", "--quarter", "2024Q2", "--text", "x").stdout
    oid = out.split("#")[1].split()[0]
    assert published("objection", "resolve", oid, "--reason", "x", operator="格桑").exit_code == 2
    assert published("objection", "resolve", oid, "--upheld", "--dismissed", "--reason", "x",
                     operator="格桑").exit_code == 2
    assert "Only an upheld" in published.refused("objection", "resolve", oid, "--dismissed",
                                                 "--reason", "x", "--reverse", "3",
                                                 operator="格桑").stderr
    assert "not a reviewer" in published.refused("objection", "resolve", oid, "--dismissed",
                                                 "--reason", "x").stderr
    assert "No objection 99" in published.refused("objection", "resolve", "99", "--dismissed",
                                                  "--reason", "x", operator="格桑").stderr
    # an upheld objection naming a posting that cannot be reversed changes nothing
    seq = published.json("history", "H003")[-1]["seq"]
    published.ok("reverse", str(seq), "--reason", "先已更正")
    r = published.refused("objection", "resolve", oid, "--upheld", "--reason", "x",
                          "--reverse", str(seq), operator="格桑")
    assert "already reversed" in r.stderr
    assert published.json("objection", "list")[0]["status"] == "open"


def test_the_notice_states_the_objection_period(published):
    html = (published.posted / "notice.html").read_text("utf-8")
    manifest = json.loads((published.posted / "manifest.json").read_text("utf-8"))
    assert manifest["objection_days"] == 7
    assert manifest["objection_period"] == {"first": "2024-06-30", "last": "2024-07-06"}
    assert "公示期" in html


# --- the next notice, in a real browser and on paper -----------------------------------------

HOSTILE_TEXT = "<img src=x onerror=\"document.title='pwned'\">=HYPERLINK(\"x\")"


@pytest.mark.browser
def test_the_next_notice_lists_the_resolved_objections_as_text(published, tmp_path, monkeypatch):
    from headless import Page, run_chromium
    from test_paper import page_texts, print_to_pdf

    monkeypatch.setenv("JIFEN_TODAY", "2024-07-02")
    for text in ("砖茶并未领取", HOSTILE_TEXT, "ཚེ་རིང་ 的扣分有误"):
        published.ok("objection", "add", "--quarter", "2024Q2", "--text", text,
                     "--household", "H002", "--by", "次仁")
    published.ok("objection", "add", "--quarter", "2024Q2", "--text", "仍在核实")  # stays open
    published.ok("objection", "resolve", "1", "--upheld", "--reason", "经核实属实", operator="格桑")
    published.ok("objection", "resolve", "2", "--dismissed", "--reason", "与台账无关",
                 operator="格桑")
    published.ok("objection", "resolve", "3", "--dismissed", "--reason", "扣分无误", operator="罗布")
    monkeypatch.setenv("JIFEN_TODAY", "2024-10-01")
    q3 = tmp_path / "q3"
    published.ok("publish", "--quarter", "2024Q3", "--out", str(q3), "--objection-days", "10")
    notice = q3 / "notice.html"
    dom = run_chromium(tmp_path, "--dump-dom", notice.as_uri()).stdout.decode("utf-8")
    page = Page()
    page.feed(dom)
    assert "pwned" not in page.title
    assert not any(tag == "img" for tag, _ in page.tags)
    assert page.rows["table-objections"] == 3
    assert HOSTILE_TEXT in page.cells  # the villager's words, shown as text
    assert "次仁" not in page.cells  # who raised it is not posted
    lines = "\n".join(page_texts(print_to_pdf(tmp_path, notice, tmp_path / "q3.pdf")))
    printed = lines.replace("\n", "")  # a cell's words may wrap onto its next line
    assert "公示期：2024年10月1日至2024年10月10日（10天）。" in printed
    assert "\n异议成立\n" in f"\n{lines}\n".replace(" ", "\n")  # an outcome is never broken
    assert "异议不成立" in lines and "经核实属实" in printed


@pytest.mark.browser
def test_an_english_villages_notice_is_in_english(jifen, tmp_path):
    from test_paper import page_texts, print_to_pdf

    jifen.ok("init", "--village", "Tashigang", "--township", "Loma", "--county", "Seni",
             "--public-lang", "en")
    jifen.ok("household", "add", "H001", "བཀྲ་ཤིས་")
    out = tmp_path / "posted"
    jifen.ok("publish", "--quarter", "2024Q2", "--out", str(out), lang="zh")
    html = (out / "notice.html").read_text("utf-8")
    assert '<html lang="en">' in html
    printed = " ".join(" ".join(page_texts(print_to_pdf(tmp_path, out / "notice.html",
                                                        tmp_path / "n.pdf"))).split())
    assert "Tashigang points supermarket: disclosure for Q2 2024" in printed
    assert "Objection period: 2024-06-30 to 2024-07-06 (7 days)." in printed
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in printed), printed


def test_check_warns_of_an_objection_open_past_its_period(published, monkeypatch):
    monkeypatch.setenv("JIFEN_TODAY", "2024-07-05")
    published.ok("objection", "add", "--quarter", "2024Q2", "--text", "扣分有误")
    found = {c["name"]: c for c in published.json("check")["checks"]}
    assert found["objections"]["status"] == "ok"  # still within 06-30 .. 07-06
    monkeypatch.setenv("JIFEN_TODAY", "2024-07-07")
    result = published("check", "--json")
    assert result.exit_code == 0  # a warning, not damage
    found = {c["name"]: c for c in json.loads(result.stdout)["checks"]}
    assert found["objections"]["status"] == "warn"
    assert "#1 (2024Q2, period ended 2024-07-06)" in found["objections"]["detail"]
    assert "公示期至 2024-07-06" in published.ok("check", lang="zh").stdout


def test_rollup_counts_the_objections_received_and_upheld(published, monkeypatch, tmp_path):
    monkeypatch.setenv("JIFEN_TODAY", "2024-07-03")
    for text in ("砖茶未领取", "扣分有误"):
        published.ok("objection", "add", "--quarter", "2024Q2", "--text", text)
    published.ok("objection", "resolve", "1", "--upheld", "--reason", "属实", operator="格桑")
    report = published.json("rollup", str(published.db), "--quarter", "2024Q2")
    figures = report["villages"][0]["figures"]
    assert (figures["objections"], figures["objections_upheld"]) == (2, 1)
    assert (report["total"]["objections"], report["total"]["objections_upheld"]) == (2, 1)
    out = tmp_path / "汇总.csv"
    published.ok("rollup", str(published.db), "--quarter", "2024Q2", "--out", str(out))
    header, village = read_csv(out)[:2]
    assert village[header.index("objections received")] == "2"
    assert village[header.index("objections upheld")] == "1"


# --- the publication kept honest --------------------------------------------------------------


def test_the_reprint_is_built_again_not_copied(published, tmp_path, monkeypatch):
    """Written again after renames, a closing and a merge, the files come from the ledger and the
    registers as they stood — the copies kept at publication are not what is written."""
    original = files_of(published.posted)
    monkeypatch.setenv("JIFEN_TODAY", "2024-08-15")
    published.ok("household", "edit", "H001", "--name", "扎西次仁", "--reason", "户主变更")
    published.ok("household", "close", "H003", "--reason", "迁出", operator="格桑")
    published.ok("household", "merge", "H004", "H002", "--reason", "重复登记", operator="格桑")
    for trigger in ("publication_files_no_delete",):
        published.sql(f"DROP TRIGGER {trigger}")
    published.sql("DELETE FROM publication_files")  # nothing kept to fall back on
    again = published.json("publish", "--quarter", "2024Q2", "--out", str(tmp_path / "again"))
    assert again["written_again"] and files_of(tmp_path / "again") == original


def test_a_register_changed_behind_jifens_back_is_never_published(published, tmp_path,
                                                                   monkeypatch):
    monkeypatch.setenv("JIFEN_TODAY", "2024-10-01")
    published.sql("UPDATE households SET name = '假名' WHERE code = 'H001'")
    r = published("publish", "--quarter", "2024Q3", "--out", str(tmp_path / "q3"))
    assert r.exit_code == 3 and "H001" in r.stderr and "outside jifen" in r.stderr
    assert not (tmp_path / "q3").exists()
    assert published.sql("SELECT quarter FROM publications") == [("2024Q2",)]
    # nor passed off as another jifen's drawing when the quarter is written again
    r = published("publish", "--quarter", "2024Q2", "--out", str(tmp_path / "again"))
    assert r.exit_code == 3 and "H001" in r.stderr and not (tmp_path / "again").exists()


def test_an_objection_hidden_from_the_next_disclosure_is_caught(published, monkeypatch):
    import sqlite3

    monkeypatch.setenv("JIFEN_TODAY", "2024-07-03")
    published.ok("objection", "add", "--quarter", "2024Q2", "--text", "兑换未领取")
    published.ok("objection", "resolve", "1", "--dismissed", "--reason", "已领取", operator="格桑")
    conn = sqlite3.connect(published.db)
    with pytest.raises(sqlite3.IntegrityError, match="reported by the disclosure"):
        conn.execute("UPDATE objections SET reported_in = '2099Q1' WHERE id = 1")
    conn.close()
    published.sql("DROP TRIGGER objections_reported_by_publication")
    published.sql("UPDATE objections SET reported_in = '2099Q1' WHERE id = 1")
    r = published("verify")
    assert r.exit_code == 3 and "objection #1" in r.stderr


def test_the_files_kept_at_publication_are_checked(published):
    published.sql("DROP TRIGGER publication_files_no_update")
    published.sql("UPDATE publication_files SET data = zeroblob(10) WHERE name = 'ledger.csv'")
    r = published("verify")
    assert r.exit_code == 3 and "ledger.csv" in r.stderr and "2024Q2" in r.stderr


def test_an_upheld_objection_reverses_only_the_postings_of_its_household(published, monkeypatch):
    monkeypatch.setenv("JIFEN_TODAY", "2024-07-03")
    published.ok("objection", "add", "--quarter", "2024Q2", "--household", "H001", "--text", "x")
    other = published.json("history", "H002")[-1]["seq"]
    r = published.refused("objection", "resolve", "1", "--upheld", "--reason", "x",
                          "--reverse", str(other), operator="格桑")
    assert "H002" in r.stderr and "H001" in r.stderr
    assert published.json("objection", "list")[0]["status"] == "open"


def test_a_reprint_says_which_options_it_does_not_take(published, tmp_path):
    out = published.ok("publish", "--quarter", "2024Q2", "--out", str(tmp_path / "a"),
                       "--objection-days", "30", "--dry-run").stdout
    assert "--dry-run, --objection-days" in out
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text("utf-8"))
    assert manifest["objection_days"] == 7

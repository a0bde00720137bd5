"""A Chinese reader (`--lang zh`, or LANG=zh_CN.UTF-8) gets Chinese: tables, statuses, the detail
of `check` and `rollup`, refusals naming an input. English output and `--json` stay as they were."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys

from conftest import earn

from jifen_cli.migrations import LATEST

# Three or more English words in a row: a sentence of ours that was not translated. Command
# hints in backticks (`jifen reverse`) and file paths are not sentences and are left out first.
ENGLISH = re.compile(r"[A-Za-z]{2,}(?:[ ,;:'()]+[A-Za-z]{2,}){2,}")


def english(text: str, *paths) -> list[str]:
    for path in paths:
        text = text.replace(str(path), "")
    text = re.sub(r"`[^`]*`", "", text)
    return ENGLISH.findall(text)


def tamper(path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TRIGGER postings_no_update")
        conn.execute("UPDATE postings SET points = points + 50 WHERE kind = 'earn'")
        conn.execute("UPDATE households SET available = 999 WHERE code = 'H002'")
        conn.execute("UPDATE items SET stock = stock + 3 WHERE code = 'G001'")


def test_everyday_commands_speak_chinese(village, tmp_path):
    earn(village, "H001", "A01", 3)
    village.ok("record", "H002", "A02")
    village.ok("redeem", "H001", "G002", "--date", "2024-05-02")
    for args in (("balance",), ("balance", "H001"), ("history", "H001"), ("household", "list"),
                 ("household", "show", "H001"), ("rule", "list"), ("item", "list"),
                 ("review", "list", "--status", "all"), ("verify",), ("fund", "show"),
                 ("check",), ("card", "--all", "--out", str(tmp_path / "cards"))):
        result = village.ok(*args, lang="zh")
        assert not english(result.stdout + result.stderr, tmp_path), (args, result.stdout)


def test_check_names_each_check_and_its_finding_in_chinese(village, tmp_path):
    earn(village, "H001", "A01", 2)
    copy = tmp_path / "tampered.db"
    shutil.copy(village.db, copy)
    tamper(copy)
    zh = village("check", str(copy), lang="zh")
    assert zh.exit_code == 3
    assert not english(zh.stdout, copy), zh.stdout
    for words in ("哈希链", "积分余额", "库存", "表结构", "触发器 postings_no_update",
                  "H002：保存的可用/荣誉积分 999/0，按记录应为 0/0", "与其哈希不符", "损坏"):
        assert words in zh.stdout, words
    sound = village.ok("check", lang="zh").stdout
    assert "条记录，链头" in sound and "4 户的积分与记录一致" in sound

    en = village("check", str(copy), lang="en")
    assert "H002: stored 999/0, postings 0/0" in en.stdout
    assert "changed, added or removed: trigger postings_no_update" in en.stdout
    as_json = json.loads(village("check", str(copy), "--json", lang="zh").stdout)
    detail = {c["name"]: c["detail"] for c in as_json["checks"]}
    assert as_json["status"] == "fail"  # machine words stay English under --lang zh
    assert detail["balances"].endswith("; H002: stored 999/0, postings 0/0")
    assert detail["file"] == f"jifen village file, schema {LATEST}"


def test_rollup_tells_a_township_in_chinese_what_is_wrong_with_each_file(village, tmp_path):
    earn(village, "H001", "A01", 2)
    town = tmp_path / "town"
    (town / "sub").mkdir(parents=True)
    shutil.copy(village.db, town / "扎西岗村.db")
    shutil.copy(village.db, town / "sub" / "copy.db")  # the same village twice
    shutil.copy(village.db, town / "tampered.db")
    tamper(town / "tampered.db")
    shutil.copy(village.db, town / "newer.db")
    with sqlite3.connect(town / "newer.db") as conn:
        conn.execute("PRAGMA user_version = 99")
    (town / "notes.db").write_text("not a database", encoding="utf-8")
    (town / "empty.db").write_bytes(b"")
    with sqlite3.connect(town / "other.sqlite") as conn:
        conn.execute("CREATE TABLE t (x)")
    data = town / "bytes.db"
    data.write_bytes((town / "扎西岗村.db").read_bytes()[:8192])  # cut short

    screen = village("rollup", str(town), "--quarter", "2024Q2", lang="zh")
    assert screen.exit_code == 0, screen.stderr
    assert not english(screen.stdout + screen.stderr, town), screen.stdout
    for words in ("空文件", "不是 SQLite 数据库", "是 SQLite 数据库，但不是 jifen 村台账",
                  "由更新版本的 jifen 创建（结构版本 99", "同一个村的相同副本；已计入",
                  "同一个村的损坏副本（第 #", "字节，应有"):
        assert words in screen.stdout, words

    out = tmp_path / "rollup.csv"
    village.ok("rollup", str(town), "--quarter", "2024Q2", "--out", str(out), lang="zh")
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    notes = [r["说明"] for r in rows if r["说明"]]
    assert len(notes) == 7 and not any(english(n, town) for n in notes), notes

    en = village("rollup", str(town), "--quarter", "2024Q2", lang="en").stdout
    assert "an identical copy of the same village; counted:" in en
    as_json = json.loads(village("rollup", str(town), "--quarter", "2024Q2", "--json",
                                 lang="zh").stdout)
    details = {r["status"]: r["detail"] for r in as_json["villages"]}
    assert details["newer_schema"] == (
        f"written by a newer jifen (schema 99; this one knows up to {LATEST})")
    assert any(r["detail"].startswith("a damaged copy of the same village (posting #")
               for r in as_json["villages"])


def test_a_refusal_names_the_input_in_chinese(village, tmp_path):
    assert "数量应为正整数，收到 0" in village.refused("record", "H001", "A01", "--qty", "0",
                                                     lang="zh").stderr
    assert "原因不能为空" in village.refused("reverse", "1", "--reason", " ", lang="zh").stderr
    assert "价值应以元为单位" in village.refused("item", "add", "G9", "盐", "--points", "3",
                                                 "--value", "abc", lang="zh").stderr
    assert "value must be an amount in yuan" in village.refused(
        "item", "add", "G9", "盐", "--points", "3", "--value", "abc").stderr
    claim = earn(village, "H001", "A01")
    again = village.refused("review", "approve", str(claim), operator="罗布", lang="zh").stderr
    assert f"记录 {claim} 已通过" in again and "approved" not in again
    assert "is already approved" in village.refused(
        "review", "approve", str(claim), operator="罗布").stderr
    missing = village.refused("backup", str(tmp_path / "nowhere" / "copy.db"), lang="zh").stderr
    assert "没有这个文件夹" in missing and not english(missing, tmp_path)


def test_lang_follows_a_chinese_locale_in_a_real_process(village, tmp_path):
    copy = tmp_path / "tampered.db"
    shutil.copy(village.db, copy)
    tamper(copy)
    env = {**os.environ, "LANG": "zh_CN.UTF-8"}  # no --lang, no JIFEN_LANG
    result = subprocess.run([sys.executable, "-m", "jifen_cli", "--db", str(copy), "check"],
                            capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 3, result.stderr
    assert "哈希链" in result.stdout and not english(result.stdout, copy), result.stdout

"""The reviewer's desk and the evidence archive: review list/show, evidence add/get/export,
events, and `check` of the stored evidence (issue "The reviewer's desk and the evidence
archive")."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import sqlite3
import sys
from pathlib import Path

import pytest

from jifen_cli import evidence as archive
from jifen_cli import migrations
from jifen_cli.values import local_time


def claim_id(result) -> int:
    return int(re.search(r"(?:claim|记录) (\d+)", result.stdout)[1])


def random_file(folder: Path, name: str, size: int) -> Path:
    path = folder / name
    path.write_bytes(os.urandom(size))
    return path


def counts(village) -> dict:
    return {table: village.sql(f"SELECT count(*) FROM {table}")[0][0]
            for table in ("claims", "events", "evidence", "evidence_blobs")}


# --- review list: names, titles, points as approval would post them ---------------------------


def test_review_list_gives_name_title_and_the_points_approval_posts(village):
    # Recorded out of date order: approval takes them by date, and so does the list.
    late = claim_id(village.ok("record", "H001", "A01", "--qty", "2", "--date", "2024-05-20"))
    early = claim_id(village.ok("record", "H001", "A01", "--qty", "2", "--date", "2024-05-01"))
    middle = claim_id(village.ok("record", "H001", "A01", "--qty", "2", "--date", "2024-05-10"))
    other = claim_id(village.ok("record", "H002", "B01", "--date", "2024-05-02"))
    listed = {c["id"]: c for c in village.json("review", "list")}
    assert {i: (c["name"], c["title"], c["points"]) for i, c in listed.items()} == {
        early: ("次仁卓玛", "庭院整洁", 10), middle: ("次仁卓玛", "庭院整洁", 5),
        late: ("次仁卓玛", "庭院整洁", 0), other: ("བཀྲ་ཤིས་", "酒后滋事", -20)}
    cap = listed[middle]["cap"]
    assert {k: cap[k] for k in ("rule", "cap", "household", "month", "used")} == {
        "rule": "A01", "cap": 15, "household": "H001", "month": "2024-05", "used": 10}
    assert listed[early]["cap"] is None and listed[other]["cap"] is None
    village.ok("review", "approve", "--all", operator="格桑")
    decided = {c["id"]: c for c in village.json("review", "list", "--status", "all")}
    assert {i: c["points"] for i, c in decided.items()} == {early: 10, middle: 5, late: None,
                                                            other: -20}
    assert decided[late]["status"] == "rejected"
    assert dict(village.sql("SELECT claim, points FROM postings WHERE claim IS NOT NULL")) == {
        early: 10, middle: 5, other: -20}


def test_review_list_takes_the_rule_version_of_the_claims_date(village):
    village.ok("record", "H001", "A02", "--date", "2024-05-01")
    village.ok("rule", "edit", "A02", "--title", "参加升旗仪式并合唱国歌", "--points", "3",
               "--from", "2024-06-01", "--reason", "村民大会修订")
    village.ok("record", "H001", "A02", "--date", "2024-06-02")
    assert [(c["title"], c["points"]) for c in village.json("review", "list")] == [
        ("参加升国旗仪式", 2), ("参加升旗仪式并合唱国歌", 3)]


def test_review_list_table_in_both_languages_marks_capped_points(village):
    village.ok("record", "H001", "A01", "--qty", "4", "--date", "2024-05-01", "--note", "五月检查")
    village.ok("record", "H004", "A02", "--date", "2024-05-02")
    en = village.ok("review", "list").stdout
    assert "次仁卓玛" in en and "庭院整洁" in en and "+15*" in en and "ཚེ་རིང་སྒྲོལ་མ་" in en
    assert "monthly cap" in en
    zh = village.ok("review", "list", lang="zh").stdout
    assert "户号" in zh and "+15*" in zh and "按月上限" in zh and "参加升国旗仪式" in zh


def _strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r", "", text)


def run_in_terminal(args: list[str], *, columns: int = 100, **env: str) -> str:
    """Run `jifen ARGS` as a person would, in a terminal `columns` wide (a pseudo-terminal on
    stdin, stdout and stderr); returns what the terminal received."""
    import fcntl
    import pty
    import struct
    import subprocess
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    environ = {**os.environ, "COLUMNS": str(columns), "LINES": "50", "TERM": "xterm", **env}
    proc = subprocess.Popen([sys.executable, "-m", "jifen_cli", *args], stdin=slave,
                            stdout=slave, stderr=slave, env=environ, close_fds=True)
    os.close(slave)
    received = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child has closed the terminal
            break
        if not data:
            break
        received.append(data)
    os.close(master)
    assert proc.wait(timeout=60) == 0, b"".join(received).decode(errors="replace")
    return b"".join(received).decode()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_review_list_fits_a_100_column_terminal_one_line_per_claim(village, lang):
    from rich.cells import cell_len

    long_note = "五月检查：院子打扫得很干净，花草都种上了，牛圈也清理过，邻居都说好" * 3
    village.ok("record", "H004", "A02", "--date", "2024-05-01", "--note", long_note)
    village.ok("record", "H002", "A01", "--qty", "4", "--date", "2024-05-02",
               "--note", "第一行\n第二行")
    village.ok("record", "H001", "B01", "--date", "2024-05-03")
    screen = _strip_ansi(run_in_terminal(
        ["--db", str(village.db), "--lang", lang, "review", "list", "--status", "all"]))
    lines = screen.rstrip("\n").split("\n")
    assert max(cell_len(line.rstrip()) for line in lines) <= 100, screen
    assert len(lines) == 3 + 3 + 1, screen  # title, heading, rule, a line a claim, footnote
    body = lines[3:6]
    assert [int(line.split()[0]) for line in body] == [1, 2, 3], screen  # no row wraps
    assert "…" in body[0] and long_note not in screen  # the note is cut in the table …
    assert "H004 ཚེ་རིང" in body[0] and "H002 བཀྲ་ཤིས་" in body[1]
    notes = [c["note"] for c in village.json("review", "list")]
    assert notes[0] == long_note and notes[1] == "第一行\n第二行"  # … and whole in --json


# --- review show ------------------------------------------------------------------------------


def test_review_show_has_everything_a_reviewer_decides_on(village, tmp_path):
    photo = random_file(tmp_path, "庭院照片.jpg", 5000)
    village.ok("record", "H001", "A01", "--qty", "2", "--date", "2024-05-01")
    second = claim_id(village.ok("record", "H001", "A01", "--qty", "2", "--date", "2024-05-03",
                                 "--note", "五月复查", "--evidence", str(photo)))
    shown = village.json("review", "show", str(second))
    assert {k: shown[k] for k in ("id", "household", "name", "rule", "title", "qty", "date",
                                  "note", "points", "status", "recorded_by", "reviewed_by",
                                  "reason")} == {
        "id": second, "household": "H001", "name": "次仁卓玛", "rule": "A01", "title": "庭院整洁",
        "qty": 2, "date": "2024-05-03", "note": "五月复查", "points": 5, "status": "pending",
        "recorded_by": "文书", "reviewed_by": None, "reason": None}
    assert shown["recorded_at"] and shown["cap"]["cap"] == 15 and shown["ahead"] == [1]
    assert "cap" in shown["why"] and "15" in shown["why"]
    assert shown["evidence"] == [{
        "name": "庭院照片.jpg", "size": 5000, "sha256": hashlib.sha256(photo.read_bytes()).hexdigest(),
        "added_at": shown["evidence"][0]["added_at"], "added_by": "文书"}]
    screen = village.ok("review", "show", str(second)).stdout
    assert "庭院照片.jpg" in screen and "caps at 15" in screen and "#1" in screen
    assert shown["recorded_at"].endswith("Z")  # --json keeps UTC; the screen, the clerk's clock
    assert local_time(shown["recorded_at"]) in screen and shown["recorded_at"] not in screen
    zh = village.ok("review", "show", str(second), lang="zh").stdout
    assert "月上限 15" in zh and "待审核" in zh and "庭院照片.jpg" in zh and "4.9 KiB" in zh


def test_review_show_of_decided_claims_and_rule_versions(village):
    village.ok("record", "H002", "A02", "--date", "2024-05-01")
    village.ok("record", "H003", "A02", "--date", "2024-05-02")
    village.ok("review", "approve", "1", operator="格桑")
    village.ok("review", "reject", "2", "--reason", "没有签到", operator="罗布")
    village.ok("rule", "edit", "A02", "--title", "升旗仪式", "--from", "2024-06-01",
               "--reason", "修订")
    approved = village.json("review", "show", "1")
    assert (approved["title"], approved["points"], approved["status"], approved["reviewed_by"],
            approved["name"]) == ("参加升国旗仪式", 2, "approved", "格桑", "བཀྲ་ཤིས་")
    assert "posted as #" in approved["why"]
    rejected = village.json("review", "show", "2")
    assert (rejected["points"], rejected["reason"], rejected["reviewed_by"]) == (
        None, "没有签到", "罗布")
    assert "没有签到" in village.ok("review", "show", "2", lang="zh").stdout


def test_review_show_refuses_an_unknown_claim(village):
    assert "No claim 7" in village.refused("review", "show", "7").stderr
    assert "没有编号为 7 的记录" in village.refused("review", "show", "7", lang="zh").stderr
    assert "No claim" in village.refused("review", "show", "99999999999999999999").stderr


# --- evidence add / get: byte-identical, never overwriting, safe names -----------------------


def test_random_evidence_round_trips_byte_identical(village, tmp_path, monkeypatch):
    src = tmp_path / "src"
    src.mkdir()
    files = [random_file(src, "次仁卓玛的院子.jpg", 300_000),
             random_file(src, "བཀྲ་ཤིས་ལག་འཁྱེར.png", 70_001),
             random_file(src, "scan\x01:1?.pdf", 4096),   # a control character, : and ?
             random_file(src, "..\\..\\evil.txt", 17)]   # a Windows path
    first = claim_id(village.ok("record", "H001", "A01", "--date", "2024-05-01",
                                "--evidence", str(files[0]), "--evidence", str(files[1])))
    village.ok("evidence", "add", str(first), str(files[2]), str(files[3]))
    out = tmp_path / "got"
    done = village.ok("evidence", "get", str(first), "--out", str(out))
    assert "4 evidence file(s)" in done.stdout
    written = sorted(out.iterdir())
    assert [p.name for p in written] == sorted(
        ["次仁卓玛的院子.jpg", "བཀྲ་ཤིས་ལག་འཁྱེར.png", "scan__1_.pdf", "_._.._evil.txt"])
    by_name = {p.name: p.read_bytes() for p in written}
    assert by_name["次仁卓玛的院子.jpg"] == files[0].read_bytes()
    assert by_name["བཀྲ་ཤིས་ལག་འཁྱེར.png"] == files[1].read_bytes()
    assert by_name["scan__1_.pdf"] == files[2].read_bytes()
    assert by_name["_._.._evil.txt"] == files[3].read_bytes()
    # the default folder is the current one
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    village.ok("evidence", "get", str(first), lang="zh")
    assert sorted(p.name for p in here.iterdir()) == [p.name for p in written]


def test_get_never_overwrites_and_writes_nothing_when_a_name_is_taken(village, tmp_path):
    a = random_file(tmp_path, "甲.jpg", 1000)
    b = random_file(tmp_path, "乙.jpg", 1000)
    village.ok("record", "H001", "A01", "--evidence", str(a), "--evidence", str(b))
    out = tmp_path / "out"
    out.mkdir()
    (out / "乙.jpg").write_bytes(b"mine")
    for lang, words in (("en", "never overwritten"), ("zh", "不会覆盖")):
        result = village.refused("evidence", "get", "1", "--out", str(out), lang=lang)
        assert str(out / "乙.jpg") in result.stderr and words in result.stderr
    assert sorted(os.listdir(out)) == ["乙.jpg"] and (out / "乙.jpg").read_bytes() == b"mine"


def test_two_files_of_one_claim_with_the_same_name_are_both_written(village, tmp_path):
    one, two = tmp_path / "1", tmp_path / "2"
    one.mkdir()
    two.mkdir()
    first = random_file(one, "照片.JPG", 100)
    second = random_file(two, "照片.jpg", 200)  # the same name on FAT or Windows
    third = random_file(two, "照片.JPG", 300)
    village.ok("record", "H002", "A02", *sum((["--evidence", str(p)]
                                              for p in (first, second, third)), []))
    out = tmp_path / "out"
    village.ok("evidence", "get", "1", "--out", str(out))
    assert {p.name: p.read_bytes() for p in out.iterdir()} == {
        "照片.JPG": first.read_bytes(), "照片-2.jpg": second.read_bytes(),
        "照片-3.JPG": third.read_bytes()}


def test_names_stored_unsafe_are_written_safely_inside_the_folder(village, tmp_path):
    photo = random_file(tmp_path, "a.jpg", 10)
    village.ok("record", "H001", "A01", "--evidence", str(photo))
    (sha,) = village.sql("SELECT sha256 FROM evidence")[0]
    for name in ("../../etc/passwd", "..", "CON.txt", "nul", "a/b\\c", "x\ty\n.jpg",
                 "trailing. ", "<>:\"|?*", "长" * 200 + ".jpg"):
        village.sql("INSERT INTO evidence (claim, name, sha256, added_at, added_by)"
                    " VALUES (1, ?, ?, 'now', 'x')", (name, sha))
    out = tmp_path / "deep" / "out"
    village.ok("evidence", "get", "1", "--out", str(out))
    names = sorted(os.listdir(out))
    assert len(names) == 10 and all((out / n).read_bytes() == photo.read_bytes() for n in names)
    assert not (tmp_path / "etc").exists() and not (tmp_path / "deep" / "etc").exists()
    for name in names:
        assert "/" not in name and "\\" not in name and not name.startswith(".")
        assert not re.search(r'[\x00-\x1f<>:"|?*]', name) and len(name.encode()) <= 200
    assert {"_._.._etc_passwd", "_", "_CON.txt", "_nul", "a_b_c", "x_y_.jpg", "trailing",
            "_______", "a.jpg"} <= set(names)


def test_safe_names():
    assert archive.safe_name("照片.jpg") == "照片.jpg"
    assert archive.safe_name("..") == "_"
    assert archive.safe_name("../x") == "_._x"
    assert archive.safe_name("LPT1.log") == "_LPT1.log"
    assert archive.safe_name("COM10") == "COM10"
    assert archive.safe_name("a\x7fb") == "a_b"
    long = archive.safe_name("བཀྲ་ཤིས་" * 40 + ".jpeg")
    assert long.endswith(".jpeg") and len(long.encode()) <= archive.NAME_BYTES
    assert archive.unique_names(["a.jpg", "A.JPG", "a-2.jpg", "a.jpg"]) == [
        "a.jpg", "A-2.JPG", "a-2-2.jpg", "a-3.jpg"]


def test_evidence_add_refusals_leave_the_claim_as_it_was(village, tmp_path, monkeypatch):
    photo = random_file(tmp_path, "证明.jpg", 100)
    village.ok("record", "H001", "A01", "--date", "2024-05-01")
    village.ok("record", "H002", "A02", "--date", "2024-05-01")
    village.ok("review", "approve", "1", operator="格桑")
    village.ok("review", "reject", "2", "--reason", "重复", operator="格桑")
    for claim, en, zh in (("1", "already approved", "已通过"), ("2", "already rejected", "已驳回")):
        assert en in village.refused("evidence", "add", claim, str(photo)).stderr
        assert zh in village.refused("evidence", "add", claim, str(photo), lang="zh").stderr
    assert "No claim 9" in village.refused("evidence", "add", "9", str(photo)).stderr
    assert "没有编号为 9" in village.refused("evidence", "add", "9", str(photo), lang="zh").stderr
    village.ok("record", "H003", "A02")
    assert "none.jpg" in village.refused("evidence", "add", "3", str(photo),
                                         str(tmp_path / "none.jpg")).stderr
    monkeypatch.setattr("jifen_cli.claims.EVIDENCE_LIMIT", 99)
    assert "limit" in village.refused("evidence", "add", "3", str(photo)).stderr
    assert "上限" in village.refused("evidence", "add", "3", str(photo), lang="zh").stderr
    assert counts(village)["evidence"] == 0
    monkeypatch.setattr("jifen_cli.claims.EVIDENCE_LIMIT", 100)
    assert "Added 1" in village.ok("evidence", "add", "3", str(photo)).stdout
    assert "已为记录 3 添加 1 个" in village.ok("evidence", "add", "3", str(photo), lang="zh").stdout
    assert counts(village)["evidence"] == 2 and counts(village)["evidence_blobs"] == 1
    assert village("evidence", "add", "3").exit_code == 2  # FILE... is required


def test_evidence_get_of_a_claim_without_evidence_and_unknown_claims(village, tmp_path):
    village.ok("record", "H001", "A01")
    assert "has no evidence" in village.ok("evidence", "get", "1", "--out",
                                           str(tmp_path / "o")).stdout
    assert not (tmp_path / "o").exists()
    assert "No claim 2" in village.refused("evidence", "get", "2").stderr


# --- evidence export --------------------------------------------------------------------------


def read_index(folder: Path) -> list[dict]:
    raw = (folder / "index.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(raw[3:].decode("utf-8"))))


def test_the_quarters_archive_round_trips_byte_identical(village, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    photo = random_file(src, "院子.jpg", 250_000)
    tibetan = random_file(src, "བཀྲ་ཤིས་.png", 1234)
    unsafe = random_file(src, "a\\b:c.txt", 99)
    sheet = random_file(src, "签到表.pdf", 40_000)
    march = random_file(src, "三月.jpg", 10)
    village.ok("record", "H001", "A01", "--date", "2024-05-01", "--evidence", str(photo),
               "--evidence", str(unsafe))
    village.ok("record", "H002", "A01", "--date", "2024-06-01", "--evidence", str(tibetan))
    village.ok("evidence", "add", "2", str(tibetan))
    village.ok("event", "A02", "--households", "H001", "H002", "H004", "--date", "2024-04-15",
               "--note", "升旗仪式", "--evidence", str(sheet))
    village.ok("record", "H003", "A01", "--date", "2024-03-31", "--evidence", str(march))
    village.ok("review", "approve", "1", operator="格桑")
    out = tmp_path / "archive"
    done = village.ok("evidence", "export", "--quarter", "2024Q2", "--out", str(out))
    assert "7 file(s) of 5 claim(s) of 3 household(s)" in done.stdout
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()) == [
        "H001/1-a_b_c.txt", "H001/1-院子.jpg", "H001/3-签到表.pdf", "H002/2-བཀྲ་ཤིས་-2.png",
        "H002/2-བཀྲ་ཤིས་.png", "H002/4-签到表.pdf", "H004/5-签到表.pdf", "index.csv"]
    source = {hashlib.sha256(p.read_bytes()).hexdigest(): p.read_bytes()
              for p in (photo, unsafe, tibetan, sheet)}
    index = read_index(out)
    assert list(index[0]) == ["claim", "household", "name", "rule", "title", "date", "status",
                              "file", "size", "sha256"]
    assert [(r["claim"], r["household"], r["name"], r["rule"], r["title"], r["date"],
             r["status"]) for r in index] == [
        ("1", "H001", "次仁卓玛", "A01", "庭院整洁", "2024-05-01", "approved"),
        ("1", "H001", "次仁卓玛", "A01", "庭院整洁", "2024-05-01", "approved"),
        ("3", "H001", "次仁卓玛", "A02", "参加升国旗仪式", "2024-04-15", "pending"),
        ("2", "H002", "བཀྲ་ཤིས་", "A01", "庭院整洁", "2024-06-01", "pending"),
        ("2", "H002", "བཀྲ་ཤིས་", "A01", "庭院整洁", "2024-06-01", "pending"),
        ("4", "H002", "བཀྲ་ཤིས་", "A02", "参加升国旗仪式", "2024-04-15", "pending"),
        ("5", "H004", "ཚེ་རིང་སྒྲོལ་མ་", "A02", "参加升国旗仪式", "2024-04-15", "pending")]
    for row in index:  # every file byte-identical to the one recorded, its size and hash
        assert (out / row["file"]).read_bytes() == source[row["sha256"]]
        assert int(row["size"]) == len(source[row["sha256"]])
    assert {r["file"]: r["sha256"] for r in index}["H001/1-院子.jpg"] == hashlib.sha256(
        photo.read_bytes()).hexdigest()
    assert village.sql("SELECT count(*) FROM evidence_blobs") == [(5,)]  # the sheet once


def test_export_refuses_a_folder_in_use_and_leaves_nothing_on_damage(village, tmp_path):
    photo = random_file(tmp_path, "照片.jpg", 3000)
    village.ok("record", "H001", "A01", "--date", "2024-05-01", "--evidence", str(photo))
    used = tmp_path / "used"
    used.mkdir()
    (used / "old.txt").write_text("x")
    for lang, words in (("en", "not an empty folder"), ("zh", "不是空文件夹")):
        result = village.refused("evidence", "export", "--quarter", "2024Q2", "--out", str(used),
                                 lang=lang)
        assert str(used) in result.stderr and words in result.stderr
    assert os.listdir(used) == ["old.txt"]
    assert village("evidence", "export", "--quarter", "2024Q5", "--out",
                   str(tmp_path / "x")).exit_code == 1
    village.sql("UPDATE evidence_blobs SET data = zeroblob(size)")
    for lang, words in (("en", "no longer matches its SHA-256"), ("zh", "与其 SHA-256 不符")):
        result = village("evidence", "export", "--quarter", "2024Q2", "--out",
                         str(tmp_path / "new"), lang=lang)
        assert result.exit_code == 3 and "照片.jpg" in result.stderr and words in result.stderr
        assert "claim 1" in result.stderr or "记录 1" in result.stderr
    assert sorted(os.listdir(tmp_path)) == ["used", "village.db", "照片.jpg"]
    result = village("evidence", "get", "1", "--out", str(tmp_path / "one"))
    assert result.exit_code == 3 and "照片.jpg" in result.stderr
    assert not (tmp_path / "one").exists()


def test_export_shows_no_progress_bar_on_a_pipe_and_one_on_a_terminal(village, tmp_path):
    # Two 8.5 MiB files: over the size from which the export draws a bar.
    big = [random_file(tmp_path, f"大照片{n}.jpg", 8_500_000) for n in (1, 2)]
    village.ok("record", "H001", "A01", "--date", "2024-05-01", "--evidence", str(big[0]),
               "--evidence", str(big[1]))
    piped = village.ok("evidence", "export", "--quarter", "2024Q2", "--out", str(tmp_path / "a"))
    assert piped.stderr == "" and "Exporting" not in piped.stdout
    screen = run_in_terminal(["--db", str(village.db), "evidence", "export", "--quarter",
                              "2024Q2", "--out", str(tmp_path / "b")])
    assert "Exporting evidence" in screen and "17.0 MB" in _strip_ansi(screen)
    assert (tmp_path / "b" / "H001" / "1-大照片2.jpg").read_bytes() == big[1].read_bytes()


# --- events -----------------------------------------------------------------------------------


def test_an_event_makes_one_pending_claim_per_household_with_its_evidence_stored_once(
        village, tmp_path):
    sheet = random_file(tmp_path, "升旗签到表.jpg", 20_000)
    done = village.ok("event", "A02", "--households", "H001", "H002", "H004", "--date",
                      "2024-05-06", "--note", "五月升旗仪式", "--evidence", str(sheet))
    assert "Recorded event 1: 3 pending claim(s)" in done.stdout
    assert re.findall(r"claim (\d+): (H\d+)", done.stdout) == [("1", "H001"), ("2", "H002"),
                                                               ("3", "H004")]
    listed = village.json("review", "list")
    assert [(c["household"], c["rule"], c["date"], c["note"], c["status"], c["event"],
             c["evidence"], c["points"]) for c in listed] == [
        (h, "A02", "2024-05-06", "五月升旗仪式", "pending", 1, 1, 2)
        for h in ("H001", "H002", "H004")]
    assert counts(village) == {"claims": 3, "events": 1, "evidence": 3, "evidence_blobs": 1}
    shown = village.json("review", "show", "2")
    assert shown["event"] == 1 and shown["event_households"] == 3
    assert "event 1 (3 households)" in village.ok("review", "show", "2").stdout
    zh = village.ok("event", "A02", "--group", "一组", "--date", "2024-05-07", lang="zh")
    assert "已录入活动 2：2 户" in zh.stdout and "记录 4：H001" in zh.stdout
    assert "记录 5：H003" in zh.stdout
    as_json = village.json("event", "A01", "--households", "H002,H003", "--households", "H004",
                           "--qty", "2", "--date", "2024-05-08")
    assert as_json == {"event": 3, "claims": [6, 7, 8], "households": ["H002", "H003", "H004"],
                       "evidence": 0}
    assert [c["qty"] for c in village.json("review", "list")][-3:] == [2, 2, 2]
    village.ok("review", "approve", "--all", operator="格桑")
    assert village.json("balance", "H004")["available"] == 2 + 10


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_event_refusals_name_the_household_and_write_nothing(village, tmp_path, lang):
    sheet = random_file(tmp_path, "签到表.jpg", 500)
    village.ok("household", "close", "H003", "--reason", "迁往拉萨", "--date", "2024-06-01", operator="格桑")
    village.ok("household", "add", "H005", "格桑拉姆", "--group", "四组")
    village.ok("household", "close", "H005", "--reason", "迁出", "--date", "2024-06-01", operator="格桑")
    before = counts(village)
    cases = [
        (["--households", "H001", "H404", "H002"], "H404",
         {"en": "No household H404", "zh": "没有户号为 H404"}),
        (["--households", "H001", "H003"], "H003", {"en": "closed", "zh": "销户"}),
        (["--households", "H001", "H002", "H001"], "H001", {"en": "twice", "zh": "两次"}),
        (["--group", "九组"], "九组", {"en": "no open household", "zh": "没有未销户"}),
        (["--group", "四组"], "四组", {"en": "no open household", "zh": "没有未销户"}),
    ]
    for args, named, words in cases:
        result = village.refused("event", "A02", *args, "--date", "2024-06-02",
                                 "--evidence", str(sheet), lang=lang)
        assert named in result.stderr and words[lang] in result.stderr, result.stderr
        if args[0] == "--households":
            assert ("not recorded" if lang == "en" else "活动没有记录") in result.stderr
    assert counts(village) == before
    assert "No rule Z9" in village.refused("event", "Z9", "--households", "H001").stderr
    assert "in the future" in village.refused("event", "A02", "--households", "H001",
                                              "--date", "2030-01-01").stderr
    for usage in ([], ["--households", "H001", "--group", "一组"], ["H001", "H002"],
                  ["--group", "一组", "H009"]):
        result = village("event", "A02", *usage, lang=lang)
        assert result.exit_code == 2 and "Traceback" not in result.stderr, usage
    assert counts(village) == before


# --- check: the evidence's size, and evidence changed behind jifen's back ---------------------


def test_check_reports_the_evidence_size_and_names_tampered_evidence(village, tmp_path):
    photo = random_file(tmp_path, "院子.jpg", 2 * 1024 * 1024)
    sheet = random_file(tmp_path, "签到表.pdf", 1000)
    village.ok("record", "H001", "A01", "--evidence", str(photo))
    village.ok("event", "A02", "--households", "H002", "H004", "--evidence", str(sheet))
    report = village.json("check")
    found = {c["name"]: c for c in report["checks"]}
    assert found["evidence"]["status"] == "ok" and report["status"] in ("ok", "warn")
    assert "3 evidence file(s) on 3 claim(s); 2 stored, 2.0 MiB" in found["evidence"]["detail"]
    assert "2.0 MiB" in village.ok("check", lang="zh").stdout
    # One byte of the sheet changed behind the tool's back, as a tamperer would.
    conn = sqlite3.connect(village.db)
    (rowid, data) = conn.execute("SELECT rowid, data FROM evidence_blobs WHERE size = 1000"
                                 ).fetchone()
    conn.execute("UPDATE evidence_blobs SET data = ? WHERE rowid = ?",
                 (bytes([data[0] ^ 1]) + data[1:], rowid))
    conn.commit()
    conn.close()
    result = village("check", "--json")
    assert result.exit_code == 3
    detail = {c["name"]: c for c in json.loads(result.stdout)["checks"]}["evidence"]
    assert detail["status"] == "fail"
    assert "claim 2 file 签到表.pdf" in detail["detail"]
    assert "claim 3 file 签到表.pdf" in detail["detail"] and "院子" not in detail["detail"]
    zh = village("check", lang="zh")
    assert zh.exit_code == 3 and "记录 2 的 签到表.pdf" in zh.stdout and "SHA-256 不符" in zh.stdout


# --- a file with evidence made before the evidence was stored once ----------------------------


def test_evidence_made_before_migration_4_upgrades_intact(tmp_path, monkeypatch):
    from conftest import Jifen

    monkeypatch.setenv("JIFEN_TODAY", "2024-06-30")
    path = tmp_path / "old.db"
    before = migrations.MIGRATIONS.index(migrations.m004_evidence)  # the migrations before it
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = DELETE")
    from jifen_cli import db

    conn.execute(f"PRAGMA application_id = {db.APPLICATION_ID}")
    migrations.migrate(conn, upto=before)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == before
    at = "2024-05-01T02:00:00Z"
    conn.execute("INSERT INTO village (id, name, class, mode, created_at, created_by, head_hash)"
                 " VALUES (1, '扎西岗村', 2, 'both', ?, '次仁', ?)", (at, "0" * 64))
    for code, name in (("H001", "次仁卓玛"), ("H002", "བཀྲ་ཤིས་")):
        conn.execute("INSERT INTO households (code, name, created_at, created_by)"
                     " VALUES (?, ?, ?, '次仁')", (code, name, at))
    conn.execute("INSERT INTO rules (code, category, title, points, created_at, created_by)"
                 " VALUES ('A01', '人居环境', '庭院整洁', 5, ?, '次仁')", (at,))
    from jifen_cli import registers

    registers.start_history(conn)  # as migration 3 began it for the rows of its day
    photo, scan, shared = os.urandom(400_000), os.urandom(1500), os.urandom(7000)
    sha = {data: hashlib.sha256(data).hexdigest() for data in (photo, scan, shared)}
    old_rows = [(1, "次仁卓玛家.jpg", photo), (1, "scan:1.pdf", scan), (1, "签到.jpg", shared),
                (2, "签到.jpg", shared), (2, "བཀྲ་ཤིས་.jpg", shared)]
    for claim, household in ((1, "H001"), (2, "H002")):
        conn.execute("INSERT INTO claims (id, household, rule, qty, date, recorded_by,"
                     " recorded_at) VALUES (?, ?, 'A01', 1, '2024-05-01', '次仁', ?)",
                     (claim, household, at))
    # The old way: every row its own copy of the bytes. The first copy of `shared` was changed
    # behind jifen's back; the migration keeps a copy that still matches.
    for n, (claim, name, data) in enumerate(old_rows):
        stored = (b"\x00" + data[1:]) if n == 2 else data
        conn.execute("INSERT INTO evidence (claim, name, sha256, size, data, added_at)"
                     " VALUES (?, ?, ?, ?, ?, ?)", (claim, name, sha[data], len(data), stored, at))
    conn.close()

    jifen = Jifen(path)
    shown = jifen.json("--db", str(path), "review", "show", "1")  # opens it: migrates
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == \
        migrations.LATEST
    assert [(f["name"], f["size"], f["sha256"], f["added_by"]) for f in shown["evidence"]] == [
        ("次仁卓玛家.jpg", 400_000, sha[photo], "次仁"), ("scan:1.pdf", 1500, sha[scan], "次仁"),
        ("签到.jpg", 7000, sha[shared], "次仁")]
    assert jifen.sql("SELECT id, claim, name FROM evidence ORDER BY id") == [
        (n + 1, claim, name) for n, (claim, name, _) in enumerate(old_rows)]
    assert jifen.sql("SELECT count(*) FROM evidence_blobs") == [(3,)]
    for claim, expected in ((1, {"次仁卓玛家.jpg": photo, "scan_1.pdf": scan, "签到.jpg": shared}),
                            (2, {"签到.jpg": shared, "བཀྲ་ཤིས་.jpg": shared})):
        out = tmp_path / f"claim{claim}"
        jifen.ok("--db", str(path), "evidence", "get", str(claim), "--out", str(out))
        assert {p.name: p.read_bytes() for p in out.iterdir()} == expected
    report = {c["name"]: c for c in jifen.json("--db", str(path), "check")["checks"]}
    assert report["schema"]["status"] == "ok"  # the same schema a new file gets
    assert report["evidence"]["status"] == "ok" and report["foreign_keys"]["status"] == "ok"
    assert "5 evidence file(s) on 2 claim(s); 3 stored" in report["evidence"]["detail"]
    assert jifen("--db", str(path), "verify").exit_code == 0


def test_check_of_a_file_not_yet_upgraded_audits_its_old_evidence(tmp_path):
    """`check` opens read-only and never migrates: evidence laid out the old way is audited as
    it is."""
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrations.migrate(conn, upto=migrations.MIGRATIONS.index(migrations.m004_evidence))
    conn.execute("INSERT INTO households (code, name, created_at, created_by)"
                 " VALUES ('H001', '次仁卓玛', 'x', 'x')")
    conn.execute("INSERT INTO rules (code, category, title, points, created_at, created_by)"
                 " VALUES ('A01', '人居环境', '庭院整洁', 5, 'x', 'x')")
    conn.execute("INSERT INTO claims (id, household, rule, qty, date, recorded_by, recorded_at)"
                 " VALUES (1, 'H001', 'A01', 1, '2024-05-01', 'x', 'x')")
    for name, data, stored in (("好.jpg", b"good", b"good"), ("坏.jpg", b"bad", b"BAD")):
        conn.execute("INSERT INTO evidence (claim, name, sha256, size, data, added_at)"
                     " VALUES (1, ?, ?, ?, ?, 'x')",
                     (name, hashlib.sha256(data).hexdigest(), len(data), stored))
    audit = archive.audit(conn)
    assert (audit.files, audit.claims, audit.stored, audit.damaged) == (2, 1, 2, [(1, "坏.jpg")])
    conn.close()

"""Year-end clearing, backups and restores, household cards, and the health check."""

from __future__ import annotations

import json
import os
import sqlite3

import pytest
from conftest import earn

from jifen_cli import figures


def lock(jifen, quarter: str) -> None:
    """Lock a quarter the way publication does: a publications row pinning the ledger head."""
    seq, head = jifen.sql("SELECT head_seq, head_hash FROM village")[0]
    changes = jifen.sql("SELECT changes_seq, changes_hash FROM village")[0]
    manifest = json.dumps({"quarter": quarter, "digest": head, "files": {}})
    with sqlite3.connect(jifen.db) as conn:
        conn.execute(
            "INSERT INTO publications (quarter, head_seq, digest, published_at, published_by,"
            " manifest, changes_seq, changes_hash, date, objection_days)"
            " VALUES (?, ?, ?, '2025-01-05T00:00:00Z', '格桑', ?, ?, ?, '2025-01-05', 7)",
            (quarter, seq, head, manifest, *changes))


def balance(jifen, household):
    return jifen.json("balance", household)


# --- year-end clearing ---------------------------------------------------------------------


@pytest.fixture
def year_2024(village, monkeypatch):
    """2024 rewards, a redemption that spends oldest points first, and 2023 points left over."""
    monkeypatch.setenv("JIFEN_TODAY", "2024-12-31")
    earn(village, "H001", "A01", 3, "2023-11-02")   # 15 points from 2023
    earn(village, "H001", "A01", 2, "2024-03-01")   # 10 from 2024
    earn(village, "H001", "A02", 10, "2024-05-01")  # 20 from 2024
    village.ok("redeem", "H001", "G002", "--date", "2024-06-01")  # 12: all from 2023's 15
    earn(village, "H002", "A02", 5, "2024-09-09")   # 10 from 2024
    earn(village, "H002", "B01", 1, "2024-10-10")   # -20: takes the 10, leaves a shortfall
    earn(village, "H003", "A01", 1, "2024-12-01")   # 5 from 2024
    for quarter in ("2023Q4", "2024Q1", "2024Q2", "2024Q3", "2024Q4"):
        lock(village, quarter)
    monkeypatch.setenv("JIFEN_TODAY", "2025-01-10")
    return village


def test_expire_clears_unspent_points_of_the_year_first_in_first_out(year_2024):
    jifen = year_2024
    before = {h: balance(jifen, h) for h in ("H001", "H002", "H003")}
    assert before["H001"] == {"household": "H001", "available": 33, "honour": 45}
    out = jifen.json("expire", "--year", "2024")
    # H001: 3 of 2023's points are left, so all 30 of 2024's expire; H002 is at -10; H003: 5.
    assert {h["household"]: h["expire"] for h in out["households"]} == {"H001": 30, "H003": 5}
    assert out["date"] == "2025-01-10" and out["points"] == 35
    after = {h: balance(jifen, h) for h in ("H001", "H002", "H003")}
    assert after["H001"] == {"household": "H001", "available": 3, "honour": 45}
    assert after["H002"] == before["H002"]
    assert after["H003"]["available"] == 0 and after["H003"]["honour"] == 5
    history = jifen.json("history", "H001")
    assert history[-1]["kind"] == "expire" and history[-1]["points"] == -30
    assert history[-1]["note"] == "2024年度清零"
    jifen.ok("verify")


def test_expire_shows_in_the_next_disclosure_under_adjusted(year_2024):
    jifen = year_2024
    jifen.ok("expire", "--year", "2024")
    with sqlite3.connect(jifen.db) as conn:
        rows = {r.code: r for r in figures.households(conn, "2025Q1")}
    assert rows["H001"].adjusted == -30 and rows["H001"].earned == 0
    assert rows["H001"].closing == 3 and rows["H001"].net == 0


def test_expire_is_refused_twice(year_2024):
    jifen = year_2024
    jifen.ok("expire", "--year", "2024")
    result = jifen.refused("expire", "--year", "2024")
    assert "already done" in result.stderr
    result = jifen.refused("expire", "--year", "2024", lang="zh")
    assert "已经做过" in result.stderr
    assert jifen.sql("SELECT count(*) FROM postings WHERE kind = 'expire'") == [(2,)]


def test_expire_is_refused_until_the_year_is_published(village, monkeypatch):
    earn(village, "H001", "A01", 2, "2024-03-01")
    lock(village, "2024Q1")
    monkeypatch.setenv("JIFEN_TODAY", "2025-01-10")
    result = village.refused("expire", "--year", "2024")
    assert "publish 2024Q4 first" in result.stderr
    assert village.sql("SELECT count(*) FROM postings WHERE kind = 'expire'") == [(0,)]


def test_expire_dated_inside_the_year_is_refused(year_2024):
    result = year_2024.refused("expire", "--year", "2024", "--date", "2024-12-31")
    assert "after the year" in result.stderr


def test_expire_dry_run_writes_nothing_and_needs_no_operator(year_2024):
    out = year_2024.json("expire", "--year", "2024", "--dry-run", operator=None)
    assert out["points"] == 35 and out["dry_run"] is True
    assert year_2024.sql("SELECT count(*) FROM postings WHERE kind = 'expire'") == [(0,)]


def test_reversal_of_a_reward_removes_its_own_points_not_older_ones(village, monkeypatch):
    monkeypatch.setenv("JIFEN_TODAY", "2024-12-31")
    earn(village, "H004", "A01", 2, "2023-06-01")          # 10 from 2023
    claim = earn(village, "H004", "A02", 5, "2024-02-01")  # 10 from 2024, a mistake
    earn(village, "H004", "A01", 1, "2024-04-01")          # 5 from 2024
    seq = village.sql("SELECT posting FROM claims WHERE id = ?", (claim,))[0][0]
    village.ok("reverse", str(seq), "--reason", "记错户", "--date", "2024-05-01")
    for quarter in ("2023Q2", "2023Q3", "2023Q4", "2024Q1", "2024Q2", "2024Q3", "2024Q4"):
        lock(village, quarter)
    monkeypatch.setenv("JIFEN_TODAY", "2025-02-01")
    out = village.json("expire", "--year", "2024")
    assert out["households"][0]["expire"] == 5  # the 2023 points survive the correction
    assert balance(village, "H004")["available"] == 10


def test_a_corrected_redemption_or_deduction_gives_back_the_old_points_it_took(village,
                                                                               monkeypatch):
    monkeypatch.setenv("JIFEN_TODAY", "2024-12-31")
    earn(village, "H001", "A01", 3, "2023-06-01")                 # 15 from 2023
    out = village.ok("redeem", "H001", "G002", "--date", "2024-02-01").stdout  # 12, from 2023
    seq = int(out.split("#")[1].split()[0])
    village.ok("reverse", str(seq), "--reason", "记错户", "--date", "2024-02-02")
    earn(village, "H001", "A02", 5, "2024-03-01")                 # 10 from 2024
    earn(village, "H002", "A01", 2, "2023-05-01")                 # 10 from 2023
    earn(village, "H002", "B01", 1, "2024-03-01")                 # -20: the 10, and 10 owed
    earn(village, "H002", "A01", 1, "2024-04-01")                 # 5 from 2024, paying 5 owed
    (deduction,) = village.sql("SELECT seq FROM postings WHERE kind = 'deduct'")[0]
    village.ok("reverse", str(deduction), "--reason", "查无此事", "--date", "2024-04-05")
    for quarter in ("2023Q2", "2023Q3", "2023Q4", "2024Q1", "2024Q2", "2024Q3", "2024Q4"):
        lock(village, quarter)
    monkeypatch.setenv("JIFEN_TODAY", "2025-01-10")
    out = village.json("expire", "--year", "2024")
    # Only what 2024 brought expires: the corrections leave 2023's points as they were.
    assert {h["household"]: h["expire"] for h in out["households"]} == {"H001": 10, "H002": 5}
    assert balance(village, "H001")["available"] == 15
    assert balance(village, "H002")["available"] == 10


# --- backups and restores --------------------------------------------------------------------


def test_backup_into_a_folder_is_named_after_village_and_head_and_verified(village, tmp_path):
    earn(village, "H002", "A01", 2)
    folder = tmp_path / "u盘"
    folder.mkdir()
    out = village.ok("backup", str(folder)).stdout
    (copy,) = folder.iterdir()
    seq, head = village.sql("SELECT head_seq, head_hash FROM village")[0]
    assert copy.name == f"扎西岗村-20240630-n{seq}-{head[:8]}.jifen.db"
    assert "verified" in out
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert conn.execute("SELECT available FROM households WHERE code = 'H002'").fetchone() == (10,)


def test_backup_name_is_safe_on_a_usb_stick_whatever_the_village_is_called(jifen, tmp_path):
    name = 'བཀྲ་ཤིས་:*?"<>|/' * 12  # 180 characters, over 500 bytes in UTF-8
    jifen.ok("init", "--village", name)
    folder = tmp_path / "u盘"
    folder.mkdir()
    jifen.ok("backup", str(folder))
    (copy,) = folder.iterdir()
    assert len(copy.name.encode()) <= 200 and copy.name.endswith("-n0-00000000.jifen.db")
    assert copy.name.startswith("བཀྲ་ཤིས་_") and not set(':*?"<>|\\/') & set(copy.name)


def test_restore_onto_a_new_path_only(village, tmp_path, monkeypatch):
    earn(village, "H001", "A01", 3)
    backup = tmp_path / "copy.jifen.db"
    village.ok("backup", str(backup))
    result = village.refused("restore", str(backup), "--to", str(village.db))
    assert "never overwritten" in result.stderr
    target = tmp_path / "restored.db"
    village.ok("restore", str(backup), "--to", str(target))
    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT available FROM households WHERE code = 'H001'").fetchone() == (15,)
    monkeypatch.setenv("JIFEN_DB", str(target))
    village.ok("verify")
    assert village.json("balance", "H001")["available"] == 15


def test_restore_refuses_a_damaged_backup(village, tmp_path):
    earn(village, "H001", "A01", 3)
    backup = tmp_path / "copy.jifen.db"
    village.ok("backup", str(backup))
    with sqlite3.connect(backup) as conn:
        conn.execute("DROP TRIGGER postings_no_update")
        conn.execute("UPDATE postings SET points = 500 WHERE kind = 'earn'")
    target = tmp_path / "restored.db"
    result = village("restore", str(backup), "--to", str(target))
    assert result.exit_code == 3 and "Traceback" not in result.stderr
    assert "does not match its hash" in result.stderr
    assert not target.exists()


# --- household cards -------------------------------------------------------------------------


def test_cards_show_points_postings_and_digest_but_never_id_or_phone(village, tmp_path):
    earn(village, "H001", "A01", 3)
    village.ok("redeem", "H001", "G002")
    village.ok("household", "add", "H005", "<script>alert(1)</script>", "--group", "一组")
    out = tmp_path / "cards"
    village.ok("card", "--group", "一组", "--out", str(out), lang="zh")
    html = (out / "cards.html").read_text(encoding="utf-8")
    head = village.sql("SELECT head_hash FROM village")[0][0]
    assert html.count('class="card"') == 3  # H001, H003, H005 of 一组
    assert "次仁卓玛" in html and "王建国" in html and "བཀྲ་ཤིས་" not in html
    assert "庭院整洁 ×3" in html and "砖茶" in html and "-12" in html
    assert head in html and "<svg" in html
    assert "540102199001011233" not in html and "13800001234" not in html and "540102" not in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "可用积分" in html and "Noto Sans Tibetan" in html


def test_cards_put_six_to_a_page(village, tmp_path):
    for n in range(5, 12):
        village.ok("household", "add", f"H{n:03d}", f"ཚེ་རིང་{n}")
    village.ok("card", "--all", "--out", str(tmp_path))
    html = (tmp_path / "cards.html").read_text(encoding="utf-8")
    assert html.count('class="card"') == 11 and html.count('class="page"') == 2


FITS = """<style>@media screen { body { background: none; }
  .page { margin: 0 !important; padding: 0 !important; height: 277mm !important; } }</style>
<script>addEventListener("load", () => {
  const cut = [...document.querySelectorAll(".card")].filter(card => {
    const box = card.getBoundingClientRect(), foot = card.querySelector(".foot").getBoundingClientRect();
    const rows = card.querySelector(".postings");
    return foot.bottom > box.bottom || rows.scrollHeight > rows.clientHeight + 1;
  }).map(card => card.querySelector(".code").textContent);
  document.title = cut.length ? "cut: " + cut.join(" ") : "every card fits";
});</script></body>"""


@pytest.mark.browser
def test_a_card_with_its_last_eight_postings_fits_a_sixth_of_a4(village, tmp_path):
    from headless import run_chromium

    village.ok("rule", "add", "A03", "--category", "家庭美德", "--title", "孝敬老人、邻里和睦、勤俭持家" * 2,
               "--points", "2")
    for day in range(1, 8):
        earn(village, "H002", "A03", 1, f"2024-05-{day:02d}")
    village.ok("redeem", "H002", "G002", "--date", "2024-05-09")
    village.ok("household", "add", "H009", "ཚེ་རིང་སྒྲོལ་མ་" * 4, "--group", "一组")
    village.ok("card", "--all", "--out", str(tmp_path), lang="en")
    html = (tmp_path / "cards.html").read_text(encoding="utf-8")
    assert html.count("<tr><td>2024-05-") == 8
    page = tmp_path / "measure.html"
    page.write_text(html.replace("</body>", FITS), encoding="utf-8")
    dom = run_chromium(tmp_path, "--window-size=1240,1754", "--dump-dom", page.as_uri())
    title = dom.stdout.decode("utf-8").split("<title>")[1].split("</title>")[0]
    assert title == "every card fits"  # the postings and the ledger digest, none cut off


def test_card_of_an_unknown_household_is_refused(village, tmp_path):
    result = village.refused("card", "H999", "--out", str(tmp_path / "c"))
    assert "H999" in result.stderr
    assert not (tmp_path / "c" / "cards.html").exists()


# --- the health check ----------------------------------------------------------------------


def checks(result) -> dict:
    return {c["name"]: c for c in json.loads(result.stdout)["checks"]}


def test_check_of_a_sound_file(village):
    earn(village, "H001", "A01", 2)
    result = village.ok("check", "--json")
    found = checks(result)
    assert list(found) == ["file", "integrity", "schema", "foreign_keys", "chain", "registers",
                           "balances", "stock", "digests", "claims", "publication", "objections",
                           "evidence"]
    assert {c["status"] for c in found.values()} == {"ok"}


def test_check_warns_of_old_claims_and_overdue_quarters(village):
    earn(village, "H001", "A01", 1, "2024-02-01")
    village.ok("record", "H002", "A02", "--date", "2024-05-01")
    result = village.ok("check", "--json")
    found = checks(result)
    assert found["claims"]["status"] == "warn" and "2024-05-01" in found["claims"]["detail"]
    assert found["publication"]["status"] == "warn" and "2024Q1" in found["publication"]["detail"]
    assert json.loads(result.stdout)["status"] == "warn"


def test_check_fails_with_exit_3_on_a_changed_balance(village):
    earn(village, "H001", "A01", 2)
    with sqlite3.connect(village.db) as conn:
        conn.execute("UPDATE households SET available = 999 WHERE code = 'H001'")
    result = village("check", "--json")
    assert result.exit_code == 3
    found = checks(result)
    assert found["balances"]["status"] == "fail" and "H001" in found["balances"]["detail"]
    assert found["chain"]["status"] == "ok"


def test_check_fails_on_a_forged_posting_and_a_changed_digest(village):
    earn(village, "H001", "A01", 2)
    lock(village, "2024Q1")
    with sqlite3.connect(village.db) as conn:
        conn.execute("DROP TRIGGER postings_no_update")
        conn.execute("UPDATE postings SET note = '改过' WHERE kind = 'earn'")
        conn.execute("DROP TRIGGER publications_no_update")
        conn.execute("UPDATE publications SET digest = ?", ("f" * 64,))
    result = village("check", "--json")
    assert result.exit_code == 3
    found = checks(result)
    assert found["chain"]["status"] == "fail" and found["digests"]["status"] == "fail"
    assert found["schema"]["status"] == "fail" and "postings_no_update" in found["schema"]["detail"]


def test_check_of_a_file_that_is_not_a_village(tmp_path, jifen):
    junk = tmp_path / "junk.db"
    junk.write_bytes(os.urandom(8192))
    result = jifen("check", str(junk))
    assert result.exit_code == 3 and "Traceback" not in result.stderr
    assert "FAIL" in result.stdout


def test_check_of_a_newer_or_foreign_file_is_refused_not_called_damaged(village, tmp_path):
    newer = tmp_path / "newer.db"
    newer.write_bytes(village.db.read_bytes())
    with sqlite3.connect(newer) as conn:
        conn.execute("PRAGMA user_version = 99")
    result = village.refused("check", str(newer), "--json")
    assert "newer jifen" in result.stderr and "restore" not in result.stderr
    document = json.loads(result.stdout)  # --json prints its document, refusals included
    assert document["status"] == "newer_schema" and "newer jifen" in document["reason"]
    foreign = tmp_path / "微信.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE message (id, text)")
    result = village.refused("check", str(foreign), lang="zh")
    assert "不是" in result.stderr and "备份" not in result.stderr
    for path, status in ((foreign, "not_village"), (tmp_path / "没有.db", "missing")):
        result = village.refused("check", str(path), "--json")
        document = json.loads(result.stdout)
        assert document["status"] == status and document["file"] == str(path)
        assert document["reason"] and document["checks"] == []


def test_check_of_a_file_with_an_interrupted_write_says_so_not_damaged(jifen, tmp_path):
    import subprocess
    import sys

    jifen.ok("init", "--village", "扎西岗村")
    jifen.ok("household", "add", "H001", "次仁卓玛")
    script = (
        "import os, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA cache_size = 1')\n"
        "c.execute('BEGIN IMMEDIATE')\n"
        "c.execute(\"INSERT INTO reviewers (name, added_at, added_by) VALUES (hex(randomblob(900)), 'x', 'x')\")\n"
        "for _ in range(200):\n"
        "    c.execute(\"INSERT INTO reviewers (name, added_at, added_by) VALUES (hex(randomblob(900)), 'x', 'x')\")\n"
        "os._exit(9)\n"
    )
    subprocess.run([sys.executable, "-c", script, str(jifen.db)], check=False, timeout=60)
    assert jifen.db.with_name(jifen.db.name + "-journal").stat().st_size > 0
    result = jifen.refused("check", lang="zh")
    assert "中断" in result.stderr and "verify" in result.stderr
    jifen.ok("verify")  # the ordinary open rolls it back
    assert jifen.json("reviewer", "list") == []
    assert jifen("check").exit_code == 0


# --- traps and words (issue 9, items 9 and 10) -------------------------------------------------


def test_a_second_backup_of_an_unchanged_ledger_is_done_and_names_the_copy(village, tmp_path):
    earn(village, "H002", "A01", 2)
    folder = tmp_path / "u盘"
    folder.mkdir()
    village.ok("backup", str(folder))
    (copy,) = folder.iterdir()
    stamp = (copy.read_bytes(), copy.stat().st_mtime_ns)
    for lang, words in (("en", "Already backed up"), ("zh", "已是 扎西岗村 当前台账的备份")):
        out = village.ok("backup", str(folder), lang=lang).stdout
        assert words in out and str(copy) in out
    village.ok("backup", str(copy))  # the same copy named outright: done as well
    assert list(folder.iterdir()) == [copy] and (copy.read_bytes(), copy.stat().st_mtime_ns) == stamp
    # the ledger moves on: the next backup is a new file beside the first
    earn(village, "H001", "A02", 1)
    village.ok("backup", str(folder))
    assert len(list(folder.iterdir())) == 2


def test_a_backup_after_work_that_moved_no_posting_is_a_new_copy_not_already_done(village,
                                                                                    tmp_path):
    """A pending claim, a new household or an objection moves no posting: the ledger's head is
    the same, but the file is not, and the backup must hold them."""
    earn(village, "H002", "A01", 2)
    folder = tmp_path / "u盘"
    folder.mkdir()
    village.ok("backup", str(folder))
    village.ok("record", "H001", "A02", "--date", "2024-06-03")
    village.ok("household", "add", "H009", "格桑曲珍", "--group", "二组")
    out = village.ok("backup", str(folder)).stdout
    assert "Already backed up" not in out
    names = sorted(p.name for p in folder.iterdir())
    second = next(folder / n for n in names if n.endswith("-2.jifen.db"))
    assert {n.replace("-2.", ".") for n in names} == {second.name.replace("-2.", ".")}
    copy = type(village)(second)
    assert copy.json("--db", str(second), "household", "show", "H009")["name"] == "格桑曲珍"
    assert [c["household"] for c in copy.json("--db", str(second), "review", "list")] == ["H001"]
    assert "Already backed up" in village.ok("backup", str(folder)).stdout  # now it is
    assert len(list(folder.iterdir())) == 2
    r = village("backup", str(tmp_path / "没有的u盘") + "/")
    assert r.exit_code == 1 and not (tmp_path / "没有的u盘").exists()


def test_a_backup_never_overwrites_what_is_not_this_ledger_as_it_stands(village, tmp_path):
    earn(village, "H002", "A01", 2)
    folder = tmp_path / "u盘"
    folder.mkdir()
    village.ok("backup", str(folder))
    (copy,) = folder.iterdir()
    with sqlite3.connect(copy) as conn:  # the copy has been tampered with since
        conn.execute("DROP TRIGGER postings_no_update")
        conn.execute("UPDATE postings SET points = 500 WHERE kind = 'earn'")
    conn.close()
    damaged = copy.read_bytes()
    r = village.refused("backup", str(folder))
    assert str(copy) in r.stderr and "not a sound copy" in r.stderr and "never overwritten" in r.stderr
    assert copy.read_bytes() == damaged
    older = tmp_path / "older.db"
    village.ok("backup", str(older))
    earn(village, "H001", "A02", 1)
    r = village.refused("backup", str(older), lang="zh")
    assert "不是当前台账的完好副本" in r.stderr and "不会覆盖" in r.stderr


def test_restore_from_a_folder_says_it_is_a_folder_and_names_a_backup_in_it(village, tmp_path):
    folder = tmp_path / "u盘"
    folder.mkdir()
    target = tmp_path / "new.db"
    r = village.refused("restore", str(folder), "--to", str(target))
    assert f"{folder} is a folder, not a backup file, and holds no backup" in r.stderr
    assert "jifen init" not in r.stderr
    village.ok("backup", str(folder))
    (copy,) = folder.iterdir()
    for lang, words in (("en", f"{folder} is a folder, not a backup file"),
                        ("zh", f"{folder} 是文件夹，不是备份文件")):
        r = village.refused("restore", str(folder), "--to", str(target), lang=lang)
        assert words in r.stderr and f"jifen restore '{copy}' --to" in r.stderr
        assert "init" not in r.stderr
    r = village.refused("restore", str(tmp_path / "没有.jifen.db"), "--to", str(target), lang="zh")
    assert "找不到备份文件" in r.stderr and "init" not in r.stderr
    assert not target.exists()


def test_restore_onto_an_existing_path_says_so(village, tmp_path):
    backup = tmp_path / "copy.jifen.db"
    village.ok("backup", str(backup))
    for args in (("--to", str(village.db)), ()):  # named with --to, or the --db file
        r = village.refused("restore", str(backup), *args)
        assert f"{village.db} already exists: a restore writes a new village file" in r.stderr
        assert "--to NEW.db" in r.stderr
    r = village.refused("restore", str(backup), "--to", str(village.db), lang="zh")
    assert "恢复只写新的村台账文件" in r.stderr


def test_cards_for_a_group_that_does_not_exist_name_the_groups(village, tmp_path):
    village.ok("household", "add", "H005", "བཀྲ་ཤིས་རྡོ་རྗེ", "--group", "ནང་ཆེན་")
    r = village.refused("card", "--group", "九组", "--out", str(tmp_path / "c"), lang="zh")
    assert "没有组别“九组”" in r.stderr and "现有组别：一组；二组；三组；ནང་ཆེན་" in r.stderr
    r = village.refused("card", "--group", "九组", "--out", str(tmp_path / "c"), lang="en")
    assert "There is no group 九组. The groups are: 一组; 二组; 三组; ནང་ཆེན་." in r.stderr
    assert not (tmp_path / "c").exists()


def test_cards_for_a_group_when_no_household_has_one(jifen, tmp_path):
    jifen.ok("init", "--village", "扎西岗村")
    jifen.ok("household", "add", "H001", "次仁卓玛")
    r = jifen.refused("card", "--group", "九组", lang="zh")
    assert "没有组别“九组”：还没有哪一户登记了组别" in r.stderr

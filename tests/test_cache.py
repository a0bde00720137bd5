"""The verification cache (issue 13): a roll-up never verifies the same bytes twice.

Calls to `health.verify_file` are counted in-process (`--jobs 1`), so a test knows which files
a roll-up verified and which it took from the cache."""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import test_rollup as shared

from jifen_cli import cache, health

city = shared.city  # the four villages of test_rollup, built once per session
town = shared.town


@pytest.fixture
def verified(monkeypatch) -> list[str]:
    """The files health.verify_file is called on, in this process."""
    calls: list[str] = []
    real = health.verify_file

    def counting(conn):
        (path,) = [row[2] for row in conn.execute("PRAGMA database_list") if row[1] == "main"]
        calls.append(Path(path).name)
        return real(conn)

    monkeypatch.setattr(health, "verify_file", counting)
    return calls


def rollup(jifen, *args, lang="en") -> dict:
    return json.loads(jifen.ok("rollup", *map(str, args), "--quarter", "2024Q2", "--jobs", "1",
                               "--json", lang=lang).stdout)


def without_paths(result: dict) -> dict:
    return {"total": result["total"], "statuses": result["statuses"],
            "villages": sorted(result["villages"], key=lambda r: r["path"])}


def cache_file(folder: Path) -> dict:
    """The cache's entries, each row checked against its own digest."""
    conn = sqlite3.connect(folder / cache.NAME)
    try:
        rows = conn.execute("SELECT sha256, verifier, entry, digest FROM entries").fetchall()
    finally:
        conn.close()
    for sha256, version, text, digest in rows:
        assert digest == cache._digest(f"{sha256}\n{version}\n{text}")
        assert version == cache.verifier()
    return {"entries": {sha256: json.loads(text) for sha256, _, text, _ in rows}}


def write_entries(folder: Path, entries: dict, *, version: str | None = None) -> None:
    """Rows written as the cache writes them (each with its digest), whatever they hold."""
    version = version or cache.verifier()
    conn = sqlite3.connect(folder / cache.NAME)
    with conn:
        for sha256, entry in entries.items():
            text = entry if isinstance(entry, str) else json.dumps(entry, ensure_ascii=False)
            conn.execute("UPDATE entries SET verifier = ?, entry = ?, digest = ? WHERE sha256 = ?",
                         (version, text, cache._digest(f"{sha256}\n{version}\n{text}"), sha256))
    conn.close()


def test_a_repeated_roll_up_verifies_nothing_again_and_gives_the_same_rows(jifen, town,
                                                                           tmp_path, verified):
    folder = tmp_path / "c"
    first = rollup(jifen, town, "--cache", folder)
    assert sorted(verified) == ["v0.jifen", "v1.jifen", "v2.jifen", "v3.jifen"]
    entries = cache_file(folder)["entries"]
    assert len(entries) == 4
    for row in first["villages"]:  # keyed by the SHA-256 of the file's bytes
        digest = hashlib.sha256(Path(row["path"]).read_bytes()).hexdigest()
        assert entries[digest]["head"] == row["head"]
        assert entries[digest]["quarters"]["2024Q2"]["figures"] == row["figures"]
    verified.clear()
    again = rollup(jifen, town, "--cache", folder)
    assert verified == []
    assert again == first
    # by county, for another quarter: still no verification, only that quarter's figures
    by = json.loads(jifen.ok("rollup", str(town), "--quarter", "2024Q1", "--by", "county",
                             "--jobs", "1", "--cache", str(folder), "--json").stdout)
    assert verified == [] and by["statuses"] == {"ok": 4}
    assert all("2024Q1" in e["quarters"] for e in cache_file(folder)["entries"].values())


def test_a_file_changed_by_one_byte_is_verified_afresh_and_a_tampered_one_is_damaged(
        jifen, town, tmp_path, verified):
    folder = tmp_path / "c"
    before = rollup(jifen, town, "--cache", folder)
    victim = sorted(town.rglob("v1.jifen"))[0]
    data = bytearray(victim.read_bytes())
    at = data.index("兑换记错".encode())  # the note of a posting (a reversal)
    data[at + 2] ^= 0x01  # one byte of one character
    victim.write_bytes(bytes(data))
    verified.clear()
    after = rollup(jifen, town, "--cache", folder)
    assert verified == ["v1.jifen"]
    row = next(r for r in after["villages"] if r["path"] == str(victim))
    assert (row["status"], row["verified"]) == ("damaged", "damaged")
    assert "does not match" in row["detail"]
    assert after["total"]["villages"] == before["total"]["villages"] - 1
    # and again: a damaged file has no entry, it is verified (and described) every time
    verified.clear()
    assert rollup(jifen, town, "--cache", folder)["villages"] == after["villages"]
    assert verified == ["v1.jifen"]


def test_a_file_changed_through_jifen_is_verified_afresh_with_its_new_figures(jifen, town,
                                                                              tmp_path,
                                                                              verified):
    folder = tmp_path / "c"
    q3 = ("--quarter", "2024Q3", "--cache", str(folder))
    before = jifen.json("rollup", str(town), *q3)
    grown = sorted(town.rglob("v2.jifen"))[0]
    jifen.ok("--db", str(grown), "household", "add", "H009", "ཚེ་དབང་")
    verified.clear()
    result = jifen.json("rollup", str(town), *q3)
    assert verified == ["v2.jifen"]
    row, old = (next(r for r in x["villages"] if r["path"] == str(grown))
                for x in (result, before))
    assert row["status"] == "ok" and row["verified"] == "yes"
    assert row["figures"]["households"] == old["figures"]["households"] + 1
    assert len(cache_file(folder)["entries"]) == 5  # the old bytes' entry stays, harmless


@pytest.mark.parametrize("lang, note", [
    ("en", "Note: the verification cache {path} is damaged (its content is incomplete or does "
           "not match its digest); it was not used: every file is verified again and the cache "
           "is rebuilt."),
    ("zh", "提示：校验缓存 {path} 已损坏（内容不完整或对不上摘要）；已不使用，本次所有文件重新校验，缓存将重建。"),
])
@pytest.mark.parametrize("damage", ["garbage", "truncated", "another table"])
def test_a_corrupt_cache_is_ignored_and_rebuilt_with_a_note(jifen, town, tmp_path, verified,
                                                            damage, lang, note):
    folder = tmp_path / "c"
    clean = rollup(jifen, town, "--cache", folder)
    path = folder / cache.NAME
    data = path.read_bytes()
    if damage == "garbage":
        path.write_bytes(b"\x00\xffnot a database at all" * 100)
    elif damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    else:  # an SQLite file, but not the cache's
        path.unlink()
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE entries (x)")
        conn.close()
    verified.clear()
    r = jifen.ok("rollup", str(town), "--quarter", "2024Q2", "--jobs", "1", "--cache",
                 str(folder), "--json", lang=lang)
    assert note.format(path=path) in r.stderr
    assert sorted(verified) == ["v0.jifen", "v1.jifen", "v2.jifen", "v3.jifen"]
    assert json.loads(r.stdout) == clean
    assert len(cache_file(folder)["entries"]) == 4  # rebuilt, whole again
    verified.clear()
    quiet = jifen.ok("rollup", str(town), "--quarter", "2024Q2", "--jobs", "1", "--cache",
                     str(folder), "--json")
    assert quiet.stderr == "" and verified == []


@pytest.mark.parametrize("lang, note", [
    ("en", "Note: 1 entries of the verification cache {path} do not match their own digest; "
           "they were not used: those files were verified again and their entries written anew."),
    ("zh", "提示：校验缓存 {path} 中有 1 条记录对不上自己的摘要，没有使用：相应文件已重新校验，记录已重写。"),
])
def test_an_entry_edited_on_disk_is_not_used_and_written_anew(jifen, town, tmp_path, verified,
                                                             lang, note):
    folder = tmp_path / "c"
    clean = rollup(jifen, town, "--cache", folder)
    conn = sqlite3.connect(folder / cache.NAME)
    with conn:  # one figure changed, the row's digest left as it was
        (sha256, text), = conn.execute("SELECT sha256, entry FROM entries LIMIT 1").fetchall()
        entry = json.loads(text)
        entry["quarters"]["2024Q2"]["figures"]["earned"] += 1000
        conn.execute("UPDATE entries SET entry = ? WHERE sha256 = ?",
                     (json.dumps(entry, ensure_ascii=False), sha256))
    conn.close()
    verified.clear()
    r = jifen.ok("rollup", str(town), "--quarter", "2024Q2", "--jobs", "1", "--cache",
                 str(folder), "--json", lang=lang)
    assert note.format(path=folder / cache.NAME) in r.stderr
    assert len(verified) == 1 and json.loads(r.stdout) == clean
    assert cache_file(folder)["entries"][sha256]["quarters"]["2024Q2"]["figures"]["earned"] == \
        entry["quarters"]["2024Q2"]["figures"]["earned"] - 1000


def test_no_cache_reads_and_writes_nothing(jifen, town, tmp_path, verified):
    default = Path(os.environ["XDG_CACHE_HOME"]) / "jifen"
    rollup(jifen, town)  # the default: the user's cache folder
    assert (default / cache.NAME).is_file()
    verified.clear()
    before = {p: p.stat().st_mtime_ns for p in default.iterdir()}
    rollup(jifen, town, "--no-cache")
    assert sorted(verified) == ["v0.jifen", "v1.jifen", "v2.jifen", "v3.jifen"]
    assert {p: p.stat().st_mtime_ns for p in default.iterdir()} == before
    shutil.rmtree(default)
    rollup(jifen, town, "--no-cache")
    assert not default.exists()


def test_cache_dir_is_where_the_cache_goes_and_both_options_are_a_usage_error(jifen, town,
                                                                              tmp_path):
    default = Path(os.environ["XDG_CACHE_HOME"]) / "jifen"
    rollup(jifen, town, "--cache", tmp_path / "elsewhere" / "deep")
    assert (tmp_path / "elsewhere" / "deep" / cache.NAME).is_file()
    assert not default.exists()
    r = jifen("rollup", str(town), "--quarter", "2024Q2", "--cache", str(tmp_path),
              "--no-cache")
    assert r.exit_code == 2 and "--cache and --no-cache: give one, not both" in r.stderr


def test_the_default_cache_folder_is_the_users(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.default_folder() == tmp_path / "xdg" / "jifen"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/is/ignored")  # as the XDG spec says
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.default_folder() == tmp_path / "home" / ".cache" / "jifen"
    monkeypatch.setattr(sys, "platform", "darwin")
    assert cache.default_folder() == tmp_path / "home" / "Library" / "Caches" / "jifen"
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "local"))
    assert cache.default_folder() == tmp_path / "local" / "jifen" / "Cache"


def test_an_unwritable_cache_folder_is_a_note_and_the_roll_up_is_whole(jifen, town, tmp_path):
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x", encoding="utf-8")
    r = jifen.ok("rollup", str(town), "--quarter", "2024Q2", "--jobs", "1", "--cache",
                 str(blocker / "c"), "--json")
    assert json.loads(r.stdout)["statuses"] == {"ok": 4}
    assert "could not be written" in r.stderr and "The roll-up itself is complete." in r.stderr


def test_the_cache_is_keyed_by_the_bytes_not_the_name(jifen, town, tmp_path, verified):
    """A copy elsewhere, under another name, of bytes already verified is not verified again;
    a different file given the name of a verified one is."""
    folder = tmp_path / "c"
    rollup(jifen, town, "--cache", folder)
    files = sorted(town.rglob("v*.jifen"))
    elsewhere = tmp_path / "usb"
    elsewhere.mkdir()
    shutil.copyfile(files[0], elsewhere / "扎西岗村-备份.jifen")
    verified.clear()
    rollup(jifen, elsewhere, "--cache", folder)
    assert verified == []
    shutil.copyfile(files[1], files[0])  # one name, the other bytes (mtime and size may match)
    os.utime(files[0], ns=(files[1].stat().st_atime_ns, files[1].stat().st_mtime_ns))
    verified.clear()
    rollup(jifen, files[0], "--cache", folder)
    assert verified == []  # bytes verified before, whatever the name
    conn = sqlite3.connect(files[0])
    conn.execute("UPDATE village SET township = '别的镇'")  # new bytes under an old name
    conn.commit()
    conn.close()
    verified.clear()
    rollup(jifen, files[0], "--cache", folder)
    assert verified == [files[0].name]


# --- export --parquet uses the same cache ------------------------------------------------------


def test_export_uses_the_cache_the_roll_up_filled_and_fills_it(jifen, town, tmp_path,
                                                               verified):
    folder = tmp_path / "c"
    rollup(jifen, town, "--cache", folder)
    verified.clear()
    jifen.ok("export", str(town), "--parquet", str(tmp_path / "lake"), "--jobs", "1",
             "--cache", str(folder))
    assert verified == []
    other = tmp_path / "c2"
    jifen.ok("export", str(town), "--parquet", str(tmp_path / "lake2"), "--jobs", "1",
             "--cache", str(other))
    assert len(verified) == 4
    verified.clear()
    rollup(jifen, town, "--cache", other)  # verified by the export: only figures to compute
    assert verified == []
    jifen.ok("export", str(town), "--parquet", str(tmp_path / "lake3"), "--jobs", "1",
             "--no-cache")
    assert len(verified) == 4


# --- concurrent roll-ups -----------------------------------------------------------------------


@pytest.mark.slow
def test_two_roll_ups_at_once_on_one_cache_both_succeed_and_keep_every_entry(town, tmp_path):
    """Real processes, each with files of its own (so both have entries to write) and some in
    common, started together, several times over; the cache stays readable throughout."""
    files = sorted(town.rglob("v*.jifen"))
    groups = []
    for n in range(2):
        folder = tmp_path / f"set{n}"
        folder.mkdir()
        for k, f in enumerate(files):
            copy = folder / f"{k}.jifen"
            shutil.copyfile(f, copy)
            conn = sqlite3.connect(copy)  # bytes of its own, and a village of its own
            conn.execute("UPDATE village SET name = name || ?", (f"-{n}",))
            conn.commit()
            conn.close()
        groups.append(folder)
    folder = tmp_path / "shared-cache"
    env = {**os.environ, "JIFEN_LANG": "en"}
    for round_ in range(3):
        procs = [subprocess.Popen(
            [sys.executable, "-m", "jifen_cli", "rollup", str(group), str(files[0]),
             "--quarter", f"2024Q{1 + (round_ + n) % 2}", "--cache", str(folder), "--json"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for n, group in enumerate(groups)]
        for proc in procs:
            out, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, err
            assert "Note:" not in err  # never a damaged cache, even read mid-write
            assert json.loads(out)["statuses"] == {"ok": 5}
        entries = cache_file(folder)["entries"]
        assert len(entries) == 2 * len(files) + 1  # every file's bytes, both runs' entries
    assert all({"2024Q1", "2024Q2"} <= set(e["quarters"]) for e in entries.values())
    assert list(folder.iterdir()) == [folder / cache.NAME]  # no journal left behind


# --- what the cache must never be fooled by (a review's findings) ------------------------------


def _tamper_in_wal_mode(path: Path) -> None:
    """Another program puts the file in WAL mode and changes a posting behind jifen's back,
    exiting without a checkpoint: the change sits in the -wal file, the file's own bytes are as
    before."""
    script = (
        "import os, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA journal_mode = WAL')\n"
        "c.execute('DROP TRIGGER postings_no_update')\n"
        "c.execute('UPDATE postings SET points = points + 100 WHERE seq = 3')\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", script, str(path)], check=True)


def test_a_file_in_wal_mode_is_never_taken_from_the_cache(jifen, town, tmp_path, verified):
    folder = tmp_path / "c"
    path = sorted(town.rglob("v1.jifen"))[0]
    rollup(jifen, path, "--cache", folder)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    conn = sqlite3.connect(path)  # WAL mode alone first: the file's bytes change (its header)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    _tamper_in_wal_mode(path)
    assert Path(f"{path}-wal").stat().st_size > 0
    r = jifen("rollup", str(path), "--quarter", "2024Q2", "--jobs", "1", "--cache",
              str(folder), "--json")
    row = json.loads(r.stdout)["villages"][0]
    assert (row["status"], row["verified"]) == ("interrupted", "no"), row
    assert "WAL mode" in row["detail"] and f"--db {shlex.quote(str(path))} verify" in row["detail"]
    r = jifen("rollup", str(path), "--quarter", "2024Q2", "--cache", str(folder), lang="zh")
    assert "WAL 模式" in r.stdout + r.stderr
    # The way back the row names folds the -wal in: the file alone is the village again, and
    # what was changed behind jifen's back is found.
    assert jifen("--db", str(path), "verify").exit_code == 3
    assert not Path(f"{path}-wal").exists() and path.read_bytes()[18:20] == b"\x01\x01"
    assert hashlib.sha256(path.read_bytes()).hexdigest() != before
    row = rollup(jifen, path, "--cache", folder)["villages"][0]
    assert (row["status"], row["verified"]) == ("damaged", "damaged")


def test_a_file_renamed_over_while_it_is_opened_is_not_cached_as_the_other(
        jifen, town, tmp_path, monkeypatch, verified):
    """The file is hashed through a handle opened before SQLite opens the path: a sync client
    renaming another file over the path in between must not have the second file's verdict
    stored under the first one's bytes."""
    from jifen_cli import db

    folder = tmp_path / "c"
    sound = sorted(town.rglob("v1.jifen"))[0]
    tampered = tmp_path / "tampered.jifen"
    shutil.copyfile(sound, tampered)
    conn = sqlite3.connect(tampered)
    conn.execute("DROP TRIGGER postings_no_update")
    conn.execute("UPDATE postings SET points = points + 100 WHERE seq = 3")
    conn.commit()
    conn.close()
    inbox = tmp_path / "inbox" / "v.jifen"
    inbox.parent.mkdir()
    shutil.copyfile(tampered, inbox)
    replacement = tmp_path / "replacement.jifen"
    shutil.copyfile(sound, replacement)
    real = db.open_village

    def renamed_over_first(path, **kwargs):
        if replacement.exists():
            os.replace(replacement, path)
        return real(path, **kwargs)

    monkeypatch.setattr(db, "open_village", renamed_over_first)
    row = rollup(jifen, inbox, "--cache", folder)["villages"][0]
    assert row["verified"] == "yes"  # it verified what SQLite read: the sound file
    monkeypatch.setattr(db, "open_village", real)
    digest = hashlib.sha256(tampered.read_bytes()).hexdigest()
    kept = cache_file(folder)["entries"] if (folder / cache.NAME).exists() else {}
    assert digest not in kept  # the sound file's verdict is not stored under the tampered bytes
    row = rollup(jifen, tampered, "--cache", folder)["villages"][0]
    assert (row["status"], row["verified"]) == ("damaged", "damaged")


@pytest.mark.parametrize("spoil", ["a field more", "no head", "figures not a dict",
                                   "nested too deep", "not json"])
def test_an_entry_that_does_not_read_as_one_is_not_used_and_the_file_is_verified(
        jifen, town, tmp_path, verified, spoil):
    folder = tmp_path / "c"
    clean = rollup(jifen, town, "--cache", folder)
    entries = cache_file(folder)["entries"]
    for sha256, entry in entries.items():
        if spoil == "a field more":
            entry["quarters"]["2024Q2"]["figures"]["new_field"] = 1
        elif spoil == "no head":
            del entry["head"]
        elif spoil == "figures not a dict":
            entry["quarters"]["2024Q2"]["figures"] = [1, 2]
        elif spoil == "nested too deep":
            entries[sha256] = "[" * 200_000
        else:
            entries[sha256] = "{not json"
    write_entries(folder, entries)  # rows as sound as their digests say, the wrong entries
    verified.clear()
    r = jifen.ok("rollup", str(town), "--quarter", "2024Q2", "--jobs", "1", "--cache",
                 str(folder), "--json")
    assert json.loads(r.stdout) == clean and "Traceback" not in r.stderr
    assert sorted(verified) == ["v0.jifen", "v1.jifen", "v2.jifen", "v3.jifen"]


def test_another_jifen_versions_entries_are_not_used(jifen, town, tmp_path, verified,
                                                     monkeypatch):
    folder = tmp_path / "c"
    rollup(jifen, town, "--cache", folder)
    monkeypatch.setattr("jifen_cli.__version__", "9.9.9")
    verified.clear()
    rollup(jifen, town, "--cache", folder)
    assert len(verified) == 4


def test_a_cache_held_by_another_run_is_waited_for_a_while_not_for_ever(jifen, town, tmp_path,
                                                                        monkeypatch):
    folder = tmp_path / "c"
    rollup(jifen, sorted(town.rglob("v0.jifen"))[0], "--cache", folder)
    monkeypatch.setattr(cache, "LOCK_WAIT", 0.3)
    held = sqlite3.connect(folder / cache.NAME, isolation_level=None)
    held.execute("BEGIN EXCLUSIVE")  # another run, paused in the middle of its write
    try:
        r = jifen.ok("rollup", str(town), "--quarter", "2024Q2", "--jobs", "1", "--cache",
                     str(folder), "--json")
    finally:
        held.execute("ROLLBACK")
        held.close()
    assert json.loads(r.stdout)["statuses"] == {"ok": 4}
    assert "could not be written (another run held it for 0.3 s)" in r.stderr
    assert len(cache_file(folder)["entries"]) == 1


def test_a_writer_killed_mid_write_leaves_the_cache_as_it_was(jifen, town, tmp_path):
    folder = tmp_path / "c"
    rollup(jifen, sorted(town.rglob("v0.jifen"))[0], "--cache", folder)
    before = cache_file(folder)
    script = (
        "import os, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('BEGIN IMMEDIATE')\n"
        "c.execute(\"UPDATE entries SET entry = '{}', used = 'x'\")\n"
        "c.execute('PRAGMA cache_spill = 1')\n"
        "c.execute(\"INSERT INTO entries VALUES ('k', 'v', ?, 'd', 'u')\", ('x' * 100000,))\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", script, str(folder / cache.NAME)], check=True)
    r = jifen.ok("rollup", str(town), "--quarter", "2024Q2", "--jobs", "1", "--cache",
                 str(folder), "--json")
    assert json.loads(r.stdout)["statuses"] == {"ok": 4} and r.stderr == ""
    after = cache_file(folder)["entries"]
    assert len(after) == 4 and all(after[k] == v for k, v in before["entries"].items())


def test_two_writers_that_overlap_keep_each_others_entries(tmp_path, monkeypatch):
    """Two saves at once, the first slowed down inside its write: the second waits for it, then
    adds its entries — and its quarter of the same bytes — to the first one's. A writer that
    read before the other's write ended would lose them."""
    import threading
    import time

    folder = tmp_path / "c"
    real_write = cache.Cache._write
    first_writing = threading.Event()

    def slow_write(self, conn):
        real_write(self, conn)
        if threading.current_thread().name == "first":
            first_writing.set()
            time.sleep(0.5)

    monkeypatch.setattr(cache.Cache, "_write", slow_write)
    one, two = cache.open_cache(folder), cache.open_cache(folder)  # both see no cache yet
    figures = {"published": True, "figures": {}}
    one.put("a" * 64, {"size": 1, "head_seq": 1, "head": "x", "quarters": {"2024Q1": figures}})
    two.put("a" * 64, {"size": 1, "head_seq": 1, "head": "x", "quarters": {"2024Q2": figures}})
    two.put("b" * 64, {"size": 2, "head_seq": 2, "head": "y", "quarters": {}})
    first = threading.Thread(target=one.save, name="first")
    first.start()
    assert first_writing.wait(5)
    two.save()
    first.join()
    assert one.unwritable is None and two.unwritable is None
    entries = cache_file(folder)["entries"]
    assert set(entries) == {"a" * 64, "b" * 64}
    assert set(entries["a" * 64]["quarters"]) == {"2024Q1", "2024Q2"}

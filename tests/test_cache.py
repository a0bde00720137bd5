"""The verification cache (issue 13): a roll-up never verifies the same bytes twice.

Calls to `health.verify_file` are counted in-process (`--jobs 1`), so a test knows which files
a roll-up verified and which it took from the cache."""

from __future__ import annotations

import hashlib
import json
import os
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
    document = json.loads((folder / cache.NAME).read_text(encoding="utf-8"))
    assert document["sha256"] == cache._digest(document["entries"])
    return document


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
    before = rollup(jifen, town, "--cache", folder)
    grown = sorted(town.rglob("v2.jifen"))[0]
    jifen.ok("--db", str(grown), "household", "add", "H009", "ཚེ་དབང་")
    verified.clear()
    result = rollup(jifen, town, "--cache", folder)
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
@pytest.mark.parametrize("damage", ["garbage", "truncated", "edited"])
def test_a_corrupt_cache_is_ignored_and_rebuilt_with_a_note(jifen, town, tmp_path, verified,
                                                            damage, lang, note):
    folder = tmp_path / "c"
    clean = rollup(jifen, town, "--cache", folder)
    path = folder / cache.NAME
    text = path.read_text(encoding="utf-8")
    if damage == "garbage":
        path.write_bytes(b"\x00\xffnot json at all")
    elif damage == "truncated":
        path.write_text(text[: len(text) // 2], encoding="utf-8")
    else:  # still JSON, one figure changed: the digest says so
        document = json.loads(text)
        entry = next(iter(document["entries"].values()))
        entry["quarters"]["2024Q2"]["figures"]["earned"] += 1000
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
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
    pytest.importorskip("pyarrow")
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
    assert not list(folder.glob(".*.tmp"))

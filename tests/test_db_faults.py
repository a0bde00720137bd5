"""Faults, in real processes: a disk that fills mid-import, a read-only file, flipped bytes, a
truncated file. Each gets a clear message and an exit code, never a traceback, and nothing that
was committed before is lost (compared with the file before the fault, or with its backup)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import earn


def jifen_process(db: Path, *args: str, preexec=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "JIFEN_DB": str(db), "JIFEN_OPERATOR": "格桑", "JIFEN_LANG": "en"}
    return subprocess.run([sys.executable, "-m", "jifen_cli", *args], capture_output=True,
                          text=True, env=env, preexec_fn=preexec, timeout=120)


def committed(db: Path) -> dict:
    """Everything the ledger promises to keep: postings, publications, balances, stock."""
    with sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True) as conn:
        return {
            "postings": conn.execute("SELECT * FROM postings ORDER BY seq").fetchall(),
            "publications": conn.execute("SELECT * FROM publications").fetchall(),
            "balances": conn.execute(
                "SELECT code, available, honour FROM households ORDER BY code").fetchall(),
            "stock": conn.execute("SELECT code, stock FROM items ORDER BY code").fetchall(),
            "claims": conn.execute("SELECT count(*) FROM claims").fetchone(),
        }


def assert_clean(result: subprocess.CompletedProcess, *codes: int) -> None:
    assert result.returncode in codes, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout


@pytest.fixture
def ledger(village) -> Path:
    """The small village with a few postings, one with a note we can find in the file's bytes."""
    earn(village, "H001", "A01", 3, "2024-04-10")
    earn(village, "H002", "A02", 3, "2024-05-02")
    village.ok("record", "H003", "A01", "--date", "2024-05-03", "--note", "NOTE-MARKER-0001")
    village.ok("review", "approve", "--all", operator="格桑")
    village.ok("redeem", "H001", "G002", "--date", "2024-05-04")
    return village.db


def _records_csv(path: Path, rows: int) -> Path:
    lines = ["household,rule,date,qty,note,ref"]
    for n in range(rows):
        lines.append(f"H00{n % 4 + 1},A02,2024-06-{n % 28 + 1:02d},1,"
                     f"参加升国旗仪式 第{n}次 {'x' * 60},FULL-{n:05d}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_disk_full_mid_import_writes_nothing_and_loses_nothing(ledger, tmp_path):
    before = committed(ledger)
    csv = _records_csv(tmp_path / "records.csv", 3000)
    limit = ledger.stat().st_size + 48 * 1024  # room for a few pages, not for 3000 rows

    def small_disk():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    result = jifen_process(ledger, "import", "records", str(csv), "--approve",
                           "--recorded-by", "文书", preexec=small_disk)
    assert_clean(result, 1)
    assert "Nothing committed before was lost" in result.stderr
    assert_clean(jifen_process(ledger, "verify"), 0)
    assert committed(ledger) == before
    # With room again, the same import goes through whole.
    assert_clean(jifen_process(ledger, "import", "records", str(csv), "--approve",
                               "--recorded-by", "文书"), 0)
    after = committed(ledger)
    assert len(after["postings"]) == len(before["postings"]) + 3000
    assert after["postings"][: len(before["postings"])] == before["postings"]


def test_read_only_file_is_refused_with_a_clear_message(ledger, tmp_path):
    db = tmp_path / "readonly.db"
    shutil.copy(ledger, db)
    db.chmod(0o444)
    # root writes to a mode-444 file anyway: as root the file is also made immutable.
    immutable = os.geteuid() == 0
    if immutable:
        subprocess.run(["chattr", "+i", str(db)], check=True)
    try:
        before = committed(db)
        result = jifen_process(db, "record", "H001", "A01", "--date", "2024-06-01")
        assert_clean(result, 1)
        assert "readonly" in result.stderr and str(db) in result.stderr
        assert "Nothing committed before was lost" in result.stderr
        assert_clean(jifen_process(db, "redeem", "H001", "G002"), 1)
        assert_clean(jifen_process(db, "verify"), 0)
        assert_clean(jifen_process(db, "check"), 0)
        assert committed(db) == before
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(db)], check=True)


def test_a_flipped_byte_in_a_posting_is_caught_and_the_backup_restores_it(ledger, tmp_path):
    backup = tmp_path / "backup.jifen.db"
    assert_clean(jifen_process(ledger, "backup", str(backup)), 0)
    before = committed(ledger)
    data = bytearray(ledger.read_bytes())
    at = data.find(b"NOTE-MARKER-0001")
    assert at >= 0
    while at >= 0:  # in the claim and in its posting
        data[at] ^= 0x01  # N -> O
        at = data.find(b"NOTE-MARKER-0001", at + 1)
    ledger.write_bytes(data)
    result = jifen_process(ledger, "verify")
    assert_clean(result, 3)
    assert "does not match its hash" in result.stderr
    assert_clean(jifen_process(ledger, "check"), 3)
    restored = tmp_path / "restored.db"
    assert_clean(jifen_process(ledger, "restore", str(backup), "--to", str(restored)), 0)
    assert committed(restored) == before


@pytest.mark.parametrize("seed", range(12))
def test_random_flipped_bytes_never_pass_unnoticed_nor_crash(ledger, tmp_path, seed):
    before = committed(ledger)
    data = bytearray(ledger.read_bytes())
    used = [i for i, byte in enumerate(data) if byte and i >= 100]  # not the zeroed free space
    rng = random.Random(seed)
    for _ in range(rng.choice((1, 3, 20))):
        at = rng.choice(used) if seed % 4 else rng.randrange(100)  # some in the header
        data[at] ^= 1 << rng.randrange(8)
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(data)
    check = jifen_process(damaged, "check", "--json")
    assert_clean(check, 0, 3)
    verify = jifen_process(damaged, "verify")
    assert_clean(verify, 0, 1, 3)
    if verify.returncode == 1:
        assert "not a jifen village file" in verify.stderr or str(damaged) in verify.stderr
    if verify.returncode != 0:
        assert check.returncode == 3
    if check.returncode == 0:  # the flips hit unprotected text (a note, a name): nothing changed
        assert committed(damaged) == before
    record = jifen_process(damaged, "record", "H001", "A01", "--date", "2024-06-02")
    assert_clean(record, 0, 1)


@pytest.mark.parametrize("keep", [0, 100, 4096, 0.5, 0.9])
def test_a_truncated_file_gets_a_clear_message(ledger, tmp_path, keep):
    backup = tmp_path / "backup.jifen.db"
    assert_clean(jifen_process(ledger, "backup", str(backup)), 0)
    before = committed(ledger)
    size = ledger.stat().st_size
    with open(ledger, "r+b") as f:
        f.truncate(int(size * keep) if isinstance(keep, float) else keep)
    verify = jifen_process(ledger, "verify")
    assert_clean(verify, 1, 3)
    assert verify.stderr.strip()
    check = jifen_process(ledger, "check")
    assert_clean(check, 3)
    record = jifen_process(ledger, "record", "H001", "A01", "--date", "2024-06-02")
    assert_clean(record, 1)
    restored = tmp_path / "restored.db"
    assert_clean(jifen_process(ledger, "restore", str(backup), "--to", str(restored)), 0)
    assert committed(restored) == before


def _killed_mid_import(db: Path, csv: Path) -> Path:
    """Start `import records` in a real process and SIGKILL it as soon as its write has
    begun (its journal holds the first original pages), before any changed page has reached the
    file."""
    env = {**os.environ, "JIFEN_DB": str(db), "JIFEN_OPERATOR": "格桑", "JIFEN_LANG": "en"}
    journal = db.with_name(db.name + "-journal")
    proc = subprocess.Popen([sys.executable, "-m", "jifen_cli", "import", "records", str(csv)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            if journal.stat().st_size > 0:
                break
        time.sleep(0.005)
    assert proc.poll() is None, "the import finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert journal.stat().st_size > 0
    return journal


def _stamp(*paths: Path) -> list:
    return [(hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in paths]


@pytest.mark.parametrize("first", [("balance",), ("household", "list", "--json"), ("verify",)])
def test_the_next_command_rolls_a_killed_import_back_even_a_read_one(ledger, tmp_path, first):
    before = committed(ledger)
    journal = _killed_mid_import(ledger, _records_csv(tmp_path / "records.csv", 20_000))
    # SQLite wrote the journal's header magic only when it syncs it, before the first page it
    # moves into the file: the writer died before that, so SQLite itself ignores this journal.
    assert journal.read_bytes()[:8] == bytes(8)
    recover = f"jifen --db {ledger} verify"

    # check and rollup only read: they say what happened and which command recovers the file
    stamp = _stamp(ledger, journal)
    check = jifen_process(ledger, "check", "--json")
    assert_clean(check, 1)
    document = json.loads(check.stdout)
    assert document["status"] == "interrupted" and document["recover"] == recover
    assert recover in document["reason"] and recover in check.stderr
    rollup = jifen_process(ledger, "rollup", str(ledger), "--quarter", "2024Q2", "--json")
    assert_clean(rollup, 0)
    [row] = json.loads(rollup.stdout)["villages"]
    assert row["status"] == "interrupted" and recover in row["detail"]
    assert _stamp(ledger, journal) == stamp

    # the first ordinary command, even one that only reads, leaves no journal behind
    assert_clean(jifen_process(ledger, *first), 0)
    assert not journal.exists()
    assert committed(ledger) == before
    assert_clean(jifen_process(ledger, "household", "list", "--json"), 0)
    assert_clean(jifen_process(ledger, "verify"), 0)
    check = jifen_process(ledger, "check", "--json")
    assert_clean(check, 0)
    assert json.loads(check.stdout)["status"] == "ok"
    assert committed(ledger) == before


def test_a_read_command_leaves_the_journal_of_a_write_in_progress_alone(ledger):
    """The journal of another process's write that is still going on is that writer's own."""
    journal = ledger.with_name(ledger.name + "-journal")
    writer = sqlite3.connect(ledger, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO imports (kind, file_name, sha256, rows, written, skipped,"
                       " operator, imported_at) VALUES ('records', '写入中.csv', 'x', 0, 0, 0,"
                       " 'x', 'x')")
        assert journal.exists()
        assert_clean(jifen_process(ledger, "balance", "--json"), 0)  # without waiting for it
        assert journal.exists()
        writer.execute("COMMIT")
    finally:
        writer.close()
    assert not journal.exists()
    assert_clean(jifen_process(ledger, "verify"), 0)

"""Evidence archive benchmark (issue "The reviewer's desk and the evidence archive"). Prints the
figures and writes bench/results/evidence.txt.

A village of 2,000 claims dated in 2024Q2, each with its own ~200 KiB random photo, plus events
whose sign-in sheet (500 KiB) is stored once and linked to the claims of 40 households each, is
built through the same domain functions `jifen record --evidence` and `jifen event` call. Then
`jifen evidence export --quarter 2024Q2 --out DIR` runs as a child process and its peak RSS is
read from wait4's rusage. The same for a village 4x bigger (8,000 claims, 4x the events).

Memory is flat when the export's peak does not grow with the archive: each blob is streamed
from SQLite in 1 MiB chunks (Connection.blobopen) and hashed as it is written, and the rows are
read as they come. For scale, the peak of the same interpreter loading jifen and printing help
(`jifen evidence export --help`) is measured too.

Usage: python bench/evidence_bench.py [--claims 2000] [--size 204800] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import PYTHON, report  # noqa: E402

HOUSEHOLDS = 400
EVENT_HOUSEHOLDS = 40
EVENT_SHEET = 500 * 1024
TODAY = "2024-06-30"


def build(path: Path, claims: int, size: int, events: int, seed: int) -> dict:
    """A village file with `claims` claims (one photo each) and `events` events."""
    os.environ["JIFEN_TODAY"] = TODAY
    from jifen_cli import claims as claims_domain
    from jifen_cli import db, households, rules, village
    from jifen_cli import events as events_domain

    rng = random.Random(seed)
    conn = village.init(path, name="证据村", township="罗玛镇", county="色尼区", klass=2,
                        mode="store", operator="文书")
    with db.transaction(conn):
        households.insert_many(conn, [
            households.clean(f"H{i:04d}", f"户主{i}", group=f"{i % 8 + 1}组")
            for i in range(HOUSEHOLDS)], operator="文书")
        rules.insert_many(conn, [rules.clean("A01", "人居环境", "庭院整洁", 5),
                                 rules.clean("A02", "爱党爱国", "参加升国旗仪式", 2)],
                          operator="文书")
    scratch = path.parent / "scratch"
    scratch.mkdir(exist_ok=True)
    photo = scratch / "院子照片.jpg"
    days = [f"2024-{m:02d}-{d:02d}" for m in (4, 5, 6) for d in range(1, 29)]
    for n in range(claims):
        photo.write_bytes(rng.randbytes(size))
        claims_domain.record(conn, f"H{n % HOUSEHOLDS:04d}", "A01", date=days[n % len(days)],
                             note=f"检查 {n}", evidence=[photo], operator="文书")
    sheet = scratch / "签到表.jpg"
    for n in range(events):
        sheet.write_bytes(rng.randbytes(EVENT_SHEET))
        first = n * EVENT_HOUSEHOLDS % HOUSEHOLDS
        codes = [f"H{(first + k) % HOUSEHOLDS:04d}" for k in range(EVENT_HOUSEHOLDS)]
        events_domain.record(conn, "A02", households=codes, date=days[n % len(days)],
                             note=f"升旗仪式 {n}", evidence_files=[sheet], operator="文书")
    shutil.rmtree(scratch)
    archive = conn.execute(
        "SELECT count(*), coalesce(sum(b.size), 0) FROM evidence e"
        " JOIN evidence_blobs b ON b.sha256 = e.sha256").fetchone()
    conn.close()
    return {"files": archive[0], "bytes": archive[1], "file_size": path.stat().st_size,
            "claims": claims + events * EVENT_HOUSEHOLDS}


def peak(argv: list[str]) -> tuple[float, float]:
    """(seconds, peak RSS in MiB) of one child process, from wait4's rusage."""
    env = {**os.environ, "JIFEN_TODAY": TODAY}
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {proc.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss / 1024


def export(folder: Path, db: Path) -> tuple[float, float]:
    out = folder / "archive"
    shutil.rmtree(out, ignore_errors=True)
    result = peak([PYTHON, "-m", "jifen_cli", "--db", str(db), "evidence", "export",
                   "--quarter", "2024Q2", "--out", str(out)])
    written = sum(1 for p in out.rglob("*") if p.is_file()) - 1  # less index.csv
    shutil.rmtree(out)
    return (*result, written)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=2000)
    parser.add_argument("--size", type=int, default=200 * 1024)
    parser.add_argument("--events", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="Build the villages here and keep them.")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="evidence-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        help_time, help_peak = peak([PYTHON, "-m", "jifen_cli", "evidence", "export", "--help"])
        rows = []
        for scale in (1, 4):
            db = folder / f"village-{scale}x.db"
            if db.exists():
                db.unlink()
            started = time.perf_counter()
            village = build(db, args.claims * scale, args.size, args.events * scale, seed=scale)
            built = time.perf_counter() - started
            elapsed, rss, written = export(folder, db)
            assert written == village["files"], (written, village)
            rows.append((scale, village, built, elapsed, rss))
            db.unlink()
        lines = [
            "evidence export benchmark: `jifen evidence export --quarter 2024Q2` as a child "
            "process, peak RSS from wait4",
            f"  each claim one {args.size // 1024} KiB random photo; events of "
            f"{EVENT_HOUSEHOLDS} households share one {EVENT_SHEET // 1024} KiB sheet (stored "
            "once, written under each household)",
        ]
        for scale, village, built, elapsed, rss in rows:
            mib = village["bytes"] / 2**20
            lines.append(
                f"  {scale}x: {village['claims']:>6,} claims, {village['files']:>6,} files, "
                f"archive {mib:>7,.0f} MiB (village file {village['file_size'] / 2**20:,.0f} "
                f"MiB): export {elapsed:6.1f} s ({mib / elapsed:5.0f} MiB/s), peak RSS "
                f"{rss:5.1f} MiB  [built in {built:.0f} s]")
        (_, small, _, _, rss1), (_, large, _, _, rss4) = rows
        lines += [
            f"  jifen evidence export --help (the interpreter and jifen loaded): peak RSS "
            f"{help_peak:.1f} MiB",
            f"archive grows {large['bytes'] / small['bytes']:.2f}x, export peak grows "
            f"{rss4 / rss1:.2f}x ({rss4 - rss1:+.1f} MiB): "
            + ("flat" if rss4 / rss1 < 1.10 else "NOT flat"),
        ]
        report("evidence", lines)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()

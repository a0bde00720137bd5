"""Import benchmark (issue 13). Prints ratios and writes bench/results/import.txt.

A generated `records` CSV of 1,000,000 rows (1,000 households and 20 rules registered first, two
of them capped) is imported with `jifen import records FILE --approve`: every row validated, a
claim (approved, linked to its posting) and a hash-chained posting written, in one transaction.
Compared on the same file, in the same run, three rounds in turn (medians), with:

(a) a bare `csv.reader` + `executemany` into an unindexed table (target: our throughput
    >= 0.2 of it; stretch 0.3);
(b) `sqlite-utils insert --csv` (target: we are >= 3x faster);
(c) the import process's peak memory (target: <= 200 MB), from wait4's rusage of the child;
(d) SQLite's own floor for our schema: the very rows our import wrote (claims, postings,
    import_rows, imports) copied by INSERT ... SELECT from temporary tables into a copy of the
    village as it stood before the import — our indexes, CHECKs, triggers and foreign keys, one
    transaction, synchronous = FULL, no Python — so the gap that is ours is told from SQLite's.

Usage: python bench/import_bench.py [--rows 1000000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import PYTHON, report  # noqa: E402

HOUSEHOLDS = 1_000
RULES = 20


def generate(folder: Path, rows: int) -> Path:
    rng = random.Random(3)
    with open(folder / "households.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["户号", "户主", "组别"])
        for i in range(HOUSEHOLDS):
            w.writerow([f"H{i:04d}", f"户主{i}", f"{i % 8 + 1}组"])
    with open(folder / "rules.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["编号", "类别", "指标", "分值", "月上限"])
        for i in range(RULES):
            w.writerow([f"R{i:02d}", "人居环境", f"指标{i}", -5 if i % 5 == 4 else i % 4 + 1,
                        60 if i in (1, 2) else ""])
    days = [(dt.date(2024, 4, 1) + dt.timedelta(days=d)).isoformat() for d in range(91)]
    path = folder / "records.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["household", "rule", "date", "qty", "note", "ref"])
        for i in range(rows):
            w.writerow([f"H{rng.randrange(HOUSEHOLDS):04d}", f"R{rng.randrange(RULES):02d}",
                        days[i * 91 // rows], rng.choice("1112"),
                        "打扫卫生" if i % 3 else "", f"B{i:07d}"])
    return path


def timed_child(argv: list[str], env: dict) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    out, err = proc.stdout.read().decode(), proc.stderr.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{argv} failed:\n{out}\n{err}")
    return elapsed, usage.ru_maxrss / 1024


def bare(csv_path: Path, db_path: Path) -> float:
    start = time.perf_counter()
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("CREATE TABLE records (household, rule, date, qty, note, ref)")
    conn.execute("BEGIN")
    with open(csv_path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)
        conn.executemany("INSERT INTO records VALUES (?, ?, ?, ?, ?, ?)", reader)
    conn.execute("COMMIT")
    conn.close()
    return time.perf_counter() - start


TABLES = ("postings", "claims", "imports", "import_rows")


def floor(before: Path, after: Path, work: Path) -> float:
    """SQLite alone writing the rows the import wrote: INSERT ... SELECT from temp tables into
    a copy of the village as it was before the import (see (d) in the module's docstring)."""
    target = work / "floor.db"
    shutil.copyfile(before, target)
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("ATTACH ? AS done", (str(after),))
    for table in TABLES:
        conn.execute(f"CREATE TEMP TABLE new_{table} AS SELECT * FROM done.{table}"
                     f" EXCEPT SELECT * FROM main.{table}")
    conn.execute("DETACH done")
    start = time.perf_counter()
    conn.execute("BEGIN")
    conn.execute("PRAGMA defer_foreign_keys = ON")  # claims and postings name each other
    for table in ("imports", "postings", "claims", "import_rows"):
        conn.execute(f"INSERT INTO main.{table} SELECT * FROM temp.new_{table}")
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    target.unlink()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    jifen = [PYTHON, "-m", "jifen_cli"]
    ours, peaks, bares, utils, floors, ratios, speedups = [], [], [], [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = generate(folder, args.rows)
        base = folder / "before.db"
        env = {**os.environ, "JIFEN_DB": str(base), "JIFEN_OPERATOR": "格桑",
               "JIFEN_TODAY": "2024-07-01", "JIFEN_LANG": "en"}
        for argv in (["init", "--village", "测试村"], ["reviewer", "add", "格桑"],
                     ["import", "households", str(folder / "households.csv")],
                     ["import", "rules", str(folder / "rules.csv")]):
            subprocess.run([*jifen, *argv], env=env, check=True, stdout=subprocess.DEVNULL)
        for n in range(args.rounds):
            # In turn (ours, bare, sqlite-utils, floor; ours, …): the pairwise ratios hold on a
            # machine whose speed drifts.
            village = folder / "village.db"
            shutil.copyfile(base, village)
            mine, peak = timed_child([*jifen, "import", "records", str(path), "--approve",
                                      "--recorded-by", "文书"], {**env, "JIFEN_DB": str(village)})
            baseline = bare(path, folder / "bare.db")
            other, _ = timed_child([str(Path(PYTHON).with_name("sqlite-utils")), "insert",
                                    str(folder / "utils.db"), "records", str(path), "--csv"],
                                   dict(os.environ))
            if n == 0:
                check = subprocess.run([*jifen, "verify"], env={**env, "JIFEN_DB": str(village)},
                                       capture_output=True, text=True)
                if check.returncode != 0:
                    raise SystemExit(f"verify failed after the import: {check.stderr}")
            floors.append(floor(base, village, folder))
            for f in (folder / "bare.db", folder / "utils.db", village):
                f.unlink()
            ours.append(mine)
            peaks.append(peak)
            bares.append(baseline)
            utils.append(other)
            ratios.append(baseline / mine)
            speedups.append(other / mine)
            print(f"  round {n + 1}: jifen {mine:.2f} s, bare {baseline:.2f} s, "
                  f"sqlite-utils {other:.2f} s, SQLite floor {floors[-1]:.2f} s", flush=True)
    mine, baseline, other, fl = (statistics.median(x) for x in (ours, bares, utils, floors))
    ratio, speedup, peak = statistics.median(ratios), statistics.median(speedups), max(peaks)
    rows = args.rows
    lines = [
        f"import benchmark: {rows:,} records rows, --approve (validated, claims + hash-chained "
        f"postings), medians of {args.rounds} rounds in turn",
        f"  jifen import records --approve : {mine:7.2f} s  ({rows / mine:,.0f} rows/s, "
        f"{mine / rows * 1e6:.1f} µs a row), peak RSS {peak:.0f} MB",
        f"  bare csv.reader + executemany  : {baseline:7.2f} s  ({rows / baseline:,.0f} rows/s)",
        f"  sqlite-utils insert --csv      : {other:7.2f} s",
        f"  SQLite's floor, our schema     : {fl:7.2f} s  ({fl / rows * 1e6:.1f} µs a row: "
        "INSERT ... SELECT of the same rows, no Python)",
        f"(a) throughput vs bare           : {ratio:.2f}  (target >= 0.2, stretch 0.3) "
        f"{'OK' if ratio >= 0.2 else 'MISSED'}",
        f"(b) faster than sqlite-utils     : {speedup:.1f}x  (target >= 3x) "
        f"{'OK' if speedup >= 3 else 'MISSED'}",
        f"(c) peak memory                  : {peak:.0f} MB  (target <= 200 MB) "
        f"{'OK' if peak <= 200 else 'MISSED'}",
        f"(d) ours / SQLite's floor        : {mine / fl:.2f}  (what is ours: "
        f"{(mine - fl) / rows * 1e6:.1f} µs a row; the floor alone would be "
        f"{baseline / fl:.2f} of the bare loop)",
    ]
    report("import", lines)


if __name__ == "__main__":
    main()

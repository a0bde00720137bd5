"""Import benchmark (issue 3). Prints ratios and writes bench/results/import.txt.

A generated `records` CSV of 1,000,000 rows (1,000 households and 20 rules registered first) is
imported with `jifen import records FILE --approve`: every row validated, a claim (approved,
linked to its posting) and a hash-chained posting written, in one transaction. Compared on the
same file, in the same run, with:

(a) a bare `csv.reader` + `executemany` into an unindexed table (target: our throughput >= 0.35
    of it);
(b) `sqlite-utils insert --csv` (target: we are >= 5x faster);
(c) the import process's peak memory (target: <= 200 MB), from wait4's rusage of the child.

Usage: python bench/import_bench.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import sqlite3
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
        w.writerow(["编号", "类别", "指标", "分值"])
        for i in range(RULES):
            w.writerow([f"R{i:02d}", "人居环境", f"指标{i}", -5 if i % 5 == 4 else i % 4 + 1])
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = generate(folder, args.rows)
        env = {**os.environ, "JIFEN_DB": str(folder / "village.db"), "JIFEN_OPERATOR": "格桑",
               "JIFEN_TODAY": "2024-07-01", "JIFEN_LANG": "en"}
        jifen = [PYTHON, "-m", "jifen_cli"]
        for argv in (["init", "--village", "测试村"], ["reviewer", "add", "格桑"],
                     ["import", "households", str(folder / "households.csv")],
                     ["import", "rules", str(folder / "rules.csv")]):
            subprocess.run([*jifen, *argv], env=env, check=True, stdout=subprocess.DEVNULL)
        ours, peak = timed_child([*jifen, "import", "records", str(path), "--approve",
                                     "--recorded-by", "文书"], env)
        check = subprocess.run([*jifen, "verify"], env=env, capture_output=True, text=True)
        if check.returncode != 0:
            raise SystemExit(f"verify failed after the import: {check.stderr}")
        baseline = bare(path, folder / "bare.db")
        utils, _ = timed_child([str(Path(PYTHON).with_name("sqlite-utils")), "insert",
                                str(folder / "utils.db"), "records", str(path), "--csv"],
                               dict(os.environ))
    ratio = baseline / ours
    lines = [
        f"import benchmark: {args.rows:,} records rows, --approve (validated, claims + hash-chained postings)",
        f"  jifen import records --approve : {ours:7.2f} s  ({args.rows / ours:,.0f} rows/s), "
        f"peak RSS {peak:.0f} MB",
        f"  bare csv.reader + executemany  : {baseline:7.2f} s  ({args.rows / baseline:,.0f} rows/s)",
        f"  sqlite-utils insert --csv      : {utils:7.2f} s",
        f"(a) throughput vs bare           : {ratio:.2f}  (target >= 0.35) "
        f"{'OK' if ratio >= 0.35 else 'MISSED'}",
        f"(b) faster than sqlite-utils     : {utils / ours:.1f}x  (target >= 5x) "
        f"{'OK' if utils / ours >= 5 else 'MISSED'}",
        f"(c) peak memory                  : {peak:.0f} MB  (target <= 200 MB) "
        f"{'OK' if peak <= 200 else 'MISSED'}",
    ]
    report("import", lines)


if __name__ == "__main__":
    main()

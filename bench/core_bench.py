"""Ledger core benchmarks (issue 2). Prints ratios and writes bench/results/core.txt.

1. `jifen record` and `jifen balance H` as whole processes vs a bare Typer hello-world on the
   same interpreter (target: median ratio <= 1.3).
2. `jifen balance H` on a ledger of 1,000,000 postings vs one of 10,000 (target: <= 1.2).
3. `jifen verify` over 1,000,000 postings and 5,000 households with a few register changes each
   (issue "Registers that live": verify replays the register history too) vs a bare Python loop
   that reads the same rows and SHA-256s them (target: throughput ratio >= 0.5).
`jifen redeem` joins `record` and `balance H` against the hello-world (issue "Registers").

Usage: python bench/core_bench.py [--postings 1000000]
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import PYTHON, paired, report  # noqa: E402

HELLO = '''
import typer

app = typer.Typer()


@app.command()
def hello(name: str = "world"):
    typer.echo(f"hello {name}")


app()
'''


def build(path: Path, postings: int, households: int = 1000, changes: int = 0) -> None:
    """A village with `households` households (each edited `changes` times through the
    register) and `postings` earn postings, via the domain."""
    from jifen_cli import db, items, ledger, rules, village
    from jifen_cli import households as hh
    from jifen_cli.ledger import Posting

    conn = village.init(path, name="基准村", operator="bench", mode="both")
    village.add_reviewer(conn, "格桑", operator="bench")
    with db.transaction(conn):
        hh.insert_many(conn, [hh.clean(f"H{i:05d}", f"次仁{i}") for i in range(households)],
                       operator="bench")
        rules.insert_many(conn, [rules.clean("A01", "人居环境", "庭院整洁", 2)], operator="bench")
        items.insert_many(conn, [items.clean("G001", "砖茶", 1, "12.50", 1_000_000)],
                          operator="bench", date="2024-01-01")
    for round_ in range(changes):
        for i in range(households):
            fields = ({"name": f"次仁卓玛{i}"}, {"group": f"{i % 9 + 1}组"}, {"members": 2 + round_})
            hh.edit(conn, f"H{i:05d}", operator="bench", reason="户主变更",
                    **fields[round_ % 3])
    batch = 100_000
    for start in range(0, postings, batch):
        with db.transaction(conn):
            ledger.append(conn, (
                Posting(kind="earn", date=f"2024-{(n % 12) + 1:02d}-{(n % 28) + 1:02d}",
                        household=f"H{n % households:05d}", rule="A01", qty=1, points=2,
                        note="庭院整洁", recorded_by="文书", reviewed_by="格桑")
                for n in range(start, min(start + batch, postings))
            ))
    conn.close()


def bare_verify(path: Path) -> float:
    import sqlite3

    conn = sqlite3.connect(path)
    start = time.perf_counter()
    prev = ""
    for row in conn.execute("SELECT * FROM postings ORDER BY seq"):
        prev = hashlib.sha256((prev + repr(row)).encode()).hexdigest()
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def our_verify(path: Path) -> float:
    from jifen_cli import db, ledger

    conn = db.open_village(path, readonly=True)
    start = time.perf_counter()
    result = ledger.verify(conn)
    elapsed = time.perf_counter() - start
    assert result.ok, result.problems
    conn.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postings", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    jifen = [PYTHON, "-m", "jifen_cli"]
    lines = [f"# ledger core benchmarks, {args.postings:,} postings, python {sys.version.split()[0]}"]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        hello = tmp / "hello.py"
        hello.write_text(HELLO)
        small, large = tmp / "small.db", tmp / "large.db"
        t0 = time.perf_counter()
        build(small, 10_000)
        build(large, args.postings, households=5_000, changes=3)
        lines.append(f"built the ledgers in {time.perf_counter() - t0:.1f} s")
        env_small = {"JIFEN_DB": str(small), "JIFEN_OPERATOR": "文书", "JIFEN_TODAY": "2024-12-31"}

        a, b, ratio = paired([*jifen, "balance", "H00001"], [PYTHON, str(hello)], runs=args.runs,
                             env_a=env_small)
        lines.append(f"balance H vs typer hello-world: {a * 1000:.1f} ms vs {b * 1000:.1f} ms, "
                     f"median ratio {ratio:.2f} (target <= 1.3)")
        a, b, ratio = paired([*jifen, "record", "H00001", "A01", "--date", "2024-12-01"],
                             [PYTHON, str(hello)], runs=args.runs, env_a=env_small)
        lines.append(f"record vs typer hello-world: {a * 1000:.1f} ms vs {b * 1000:.1f} ms, "
                     f"median ratio {ratio:.2f} (target <= 1.3)")
        a, b, ratio = paired([*jifen, "redeem", "H00001", "G001", "--date", "2024-12-01"],
                             [PYTHON, str(hello)], runs=args.runs, env_a=env_small)
        lines.append(f"redeem vs typer hello-world: {a * 1000:.1f} ms vs {b * 1000:.1f} ms, "
                     f"median ratio {ratio:.2f} (target <= 1.3)")
        a, b, ratio = paired([*jifen, "balance", "H00001"], [*jifen, "balance", "H00001"],
                             runs=args.runs, env_a={"JIFEN_DB": str(large)}, env_b=env_small)
        lines.append(f"balance H at {args.postings:,} vs 10,000 postings: {a * 1000:.1f} ms vs "
                     f"{b * 1000:.1f} ms, median ratio {ratio:.2f} (target <= 1.2)")
        bare = min(bare_verify(large) for _ in range(3))
        ours = min(our_verify(large) for _ in range(3))
        lines.append(f"verify {args.postings:,} postings + 5,000 households with 3 register "
                     f"changes each: {ours:.2f} s "
                     f"({args.postings / ours:,.0f}/s) vs bare read+sha256 loop {bare:.2f} s "
                     f"({args.postings / bare:,.0f}/s): throughput ratio {bare / ours:.2f} "
                     "(target >= 0.5)")
    report("core", lines)


if __name__ == "__main__":
    main()

"""Roll up a city: 1,205 village files, each with a few thousand postings.

    /tmp/venv/bin/python bench/rollup_bench.py [--files 1205] [--dir /tmp/jifen-city]

Generates the villages once (kept in --dir between runs): a few dozen template villages are
built with the domain functions (households, rules, items, a fund grant, then earn / deduct /
redeem / partner-shop / restock / reverse postings through `ledger.append`), and each is copied
under other names, townships and counties. Then, on the same files in one run:

- baseline: a bare loop that opens each file with `sqlite3` and runs the quarter's aggregation
  query (figures.VILLAGE_SQL) alone, no verification, on one core;
- ours: `rollup.roll_up(...)` — read-only open, SQLite's quick_check of every page, the whole
  chain verified, balances and stock re-derived, figures and fund, duplicates checked — spread
  over the machine's cores;
- ours without quick_check: the same roll-up with the page check switched off, to show what
  that check costs.

Prints the ratio ours / baseline, what quick_check costs (ours / ours without it) and how ours
grows from 100 to all files. Wall time on a machine others share drifts by more than quick_check
costs, so its cost is also measured as CPU time of the whole roll-up on one core, in this
process (with and without in turn, twice). Writes bench/results/rollup.txt.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import random
import shutil
import sqlite3
import statistics
import sys
import time
from pathlib import Path

from jifen_cli import db, figures, households, items, ledger, periods, rollup, rules, village
from jifen_cli.db import transaction
from jifen_cli.ledger import Posting

QUARTER = "2024Q2"
TEMPLATES = 24
SURNAMES = ["次仁", "扎西", "卓玛", "格桑", "罗布", "央金", "王", "李", "བཀྲ་ཤིས་", "ཚེ་རིང་"]
RULES = [
    ("A01", "人居环境", "庭院整洁", 5), ("A02", "爱党爱国", "参加升国旗仪式", 2),
    ("A03", "政策响应", "参加村民大会", 3), ("A04", "家庭美德", "孝老爱亲", 10),
    ("A05", "勤劳致富", "发展庭院经济", 8), ("A06", "美村容村貌", "参加环境整治", 4),
    ("A07", "树文明新风", "移风易俗", 6), ("B01", "遵纪守法", "酒后滋事", -20),
    ("B02", "人居环境", "乱倒垃圾", -5), ("B03", "改陈规陋习", "大操大办", -10),
]
ITEMS = [
    ("G001", "酥油", 30, 3500), ("G002", "砖茶", 12, 1250), ("G003", "洗衣粉", 8, 900),
    ("G004", "大米", 20, 2600), ("G005", "食用油", 25, 3200), ("G006", "毛巾", 5, 600),
]


def build_template(path: Path, seed: int, postings: int) -> None:
    """One village with about `postings` postings over 2024Q1-Q2, through the domain code."""
    rng = random.Random(seed)
    conn = village.init(path, name=f"模板村{seed}", township="模板乡", county="模板县",
                        klass=rng.choice((1, 2, 3)), mode=rng.choice(("store", "partner", "both")),
                        operator="文书")
    codes = [f"H{n:03d}" for n in range(1, rng.randint(80, 200) + 1)]
    with transaction(conn):
        households.insert_many(conn, [
            households.clean(c, rng.choice(SURNAMES) + str(n), f"{n % 6 + 1}组", rng.randint(1, 8))
            for n, c in enumerate(codes)
        ], operator="文书")
        rules.insert_many(conn, [rules.clean(*r) for r in RULES], operator="文书")
        items.insert_many(conn, [items.clean(c, n, p, v, 0) for c, n, p, v in ITEMS],
                          operator="文书", date="2024-01-02")
        ledger.append(conn, [Posting(kind="grant", date="2024-01-05", fen=3_000_000,
                                     note="年度运行经费", recorded_by="文书")])
    balance = dict.fromkeys(codes, 0)
    stock = {code: 0 for code, *_ in ITEMS}
    batch: list[Posting] = []
    days = [f"2024-{m:02d}-{d:02d}" for m in range(1, 7) for d in range(1, 29)]
    for n, date in enumerate(sorted(rng.choice(days) for _ in range(postings))):
        h = rng.choice(codes)
        roll = rng.random()
        if roll < 0.6:
            code, _, _, points = rng.choice(RULES)
            qty = rng.randint(1, 3) if points > 0 else 1
            kind = "earn" if points > 0 else "deduct"
            balance[h] += points * qty
            batch.append(Posting(kind=kind, date=date, household=h, rule=code, qty=qty,
                                 points=points * qty, note="", recorded_by="文书",
                                 reviewed_by="格桑"))
        elif roll < 0.9:
            code, _, price, value = rng.choice(ITEMS)
            if balance[h] < price:
                continue
            shop = "那曲百货" if rng.random() < 0.3 else None
            if shop is None and stock[code] < 1:
                batch.append(Posting(kind="restock", date=date, item=code, qty=50, stock=50,
                                     fen=value * 50 * 8 // 10, recorded_by="文书"))
                stock[code] += 50
            stock[code] -= shop is None
            balance[h] -= price
            batch.append(Posting(kind="redeem", date=date, household=h, item=code, qty=1,
                                 points=-price, stock=0 if shop else -1, fen=value, shop=shop,
                                 recorded_by="文书"))
        elif roll < 0.95:
            batch.append(Posting(kind="settle", date=date, fen=rng.randint(1000, 50000),
                                 shop="那曲百货", recorded_by="文书"))
        if n % 500 == 499:
            with transaction(conn):
                ledger.append(conn, batch)
            batch.clear()
    with transaction(conn):
        ledger.append(conn, batch)
        # A few corrections: reverse some rewards.
        for seq, in conn.execute(
            "SELECT seq FROM postings WHERE kind = 'earn' ORDER BY seq DESC LIMIT 5"
        ).fetchall():
            ledger.reverse(conn, seq, reason="记错了", date="2024-06-28", operator="格桑")
    conn.close()


def generate(folder: Path, count: int) -> list[Path]:
    """`count` village files in `folder` (reused when already there)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = [folder / f"county{n % 11:02d}" / f"v{n:04d}.jifen" for n in range(count)]
    if all(f.exists() for f in files):
        return files
    templates = folder / "templates"
    templates.mkdir(exist_ok=True)
    for seed in range(TEMPLATES):
        t = templates / f"t{seed:02d}.db"
        if not t.exists():
            build_template(t, seed, 2000 + seed * 100)
    for n, f in enumerate(files):
        if f.exists():
            continue
        f.parent.mkdir(exist_ok=True)
        shutil.copyfile(templates / f"t{n % TEMPLATES:02d}.db", f)
        with sqlite3.connect(f) as conn:
            conn.execute(
                "UPDATE village SET name = ?, township = ?, county = ?, created_at = ?",
                (f"第{n}村", f"乡{n % 11:02d}-{n // 11 % 10}", f"县{n % 11:02d}",
                 f"2024-01-01T00:{n // 60 % 60:02d}:{n % 60:02d}Z"),
            )
    return files


def baseline(files: list[Path]) -> tuple[float, int]:
    """A bare loop: open each file with sqlite3, run the quarter's aggregation query alone."""
    first, last = (d.isoformat() for d in periods.quarter_bounds(QUARTER))
    start = time.perf_counter()
    entries = 0
    for path in files:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        entries += conn.execute(figures.VILLAGE_SQL, {"first": first, "last": last}).fetchone()[2]
        conn.close()
    return time.perf_counter() - start, entries


@contextlib.contextmanager
def without_quick_check():
    """db.page_damage reports nothing, in this process and in the workers it forks."""
    assert multiprocessing.get_start_method() == "fork", "the workers must inherit the switch"
    real = db.page_damage
    db.page_damage = lambda conn: []
    try:
        yield
    finally:
        db.page_damage = real


def ours(files: list[Path], *, quick_check: bool = True) -> tuple[float, int]:
    start = time.perf_counter()
    with contextlib.nullcontext() if quick_check else without_quick_check():
        result = rollup.roll_up(files, QUARTER)
    elapsed = time.perf_counter() - start
    assert all(r.verified == "yes" for r in result.rows), [r.detail for r in result.rows][:3]
    return elapsed, result.total.entries


def cpu_seconds(files: list[Path], *, quick_check: bool) -> float:
    """CPU time of the whole roll-up on one core, in this process."""
    start = time.process_time()
    with contextlib.nullcontext() if quick_check else without_quick_check():
        result = rollup.roll_up(files, QUARTER, jobs=1)
    assert all(r.verified == "yes" for r in result.rows)
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1205)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/jifen-city"))
    args = parser.parse_args()
    started = time.perf_counter()
    files = generate(args.dir, args.files)
    postings = sum(
        sqlite3.connect(f"{f.resolve().as_uri()}?mode=ro", uri=True)
        .execute("SELECT count(*) FROM postings").fetchone()[0]
        for f in files
    )
    print(f"{len(files)} village files, {postings:,} postings "
          f"(generated/checked in {time.perf_counter() - started:.1f} s)", flush=True)
    lines = [f"jifen rollup benchmark — {len(files)} village files, {postings:,} postings, "
             f"{os.cpu_count()} cores, quarter {QUARTER}"]
    baseline(files)  # warm the page cache for both sides alike
    for n in sorted({100, 300, 600, len(files)}):
        if n > len(files):
            continue
        # Bare, ours and ours without quick_check in turn (A B C A B C …): on a shared machine
        # the pairwise ratios hold even when the speed drifts; medians of three.
        bares, mines, plains, ratios, costs = [], [], [], [], []
        for _ in range(3):
            bare, bare_entries = baseline(files[:n])
            mine, my_entries = ours(files[:n])
            plain, plain_entries = ours(files[:n], quick_check=False)
            assert bare_entries == my_entries == plain_entries, (bare_entries, my_entries)
            bares.append(bare)
            mines.append(mine)
            plains.append(plain)
            ratios.append(mine / bare)
            costs.append(mine / plain)
        bare, mine, plain = (statistics.median(x) for x in (bares, mines, plains))
        lines.append(
            f"{n:5d} files: bare sqlite3 loop (query only) {bare:6.2f} s, "
            f"jifen rollup (quick_check + verify + figures) {mine:6.2f} s, "
            f"ratio {statistics.median(ratios):4.2f}, {mine / n * 1000:5.2f} ms per file; "
            f"without quick_check {plain:6.2f} s: quick_check costs x{statistics.median(costs):4.2f} "
            f"({(mine - plain) / n * 1000:+.2f} ms per file)"
        )
        print(lines[-1], flush=True)
    withs, withouts = [], []
    for _ in range(2):
        withs.append(cpu_seconds(files, quick_check=True))
        withouts.append(cpu_seconds(files, quick_check=False))
    mine, plain = min(withs), min(withouts)
    lines.append(
        f"quick_check's cost, CPU time on one core over {len(files)} files (best of two): "
        f"with {mine:6.2f} s, without {plain:6.2f} s, ratio {mine / plain:4.2f} "
        f"({(mine - plain) / len(files) * 1000:.2f} of {mine / len(files) * 1000:.2f} ms per file)"
    )
    print(lines[-1], flush=True)
    out = Path(__file__).parent / "results" / "rollup.txt"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"written to {out}")


if __name__ == "__main__":
    sys.exit(main())

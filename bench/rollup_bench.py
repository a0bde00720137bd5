"""Roll up a city: 1,205 village files, each with a few thousand postings (issue 13).

    python bench/rollup_bench.py [--files 1205] [--dir /tmp/jifen-city]

Generates the villages once (kept in --dir between runs): a few dozen template villages are
built with the domain functions (households, rules, items, a fund grant, then earn / deduct /
redeem / partner-shop / restock / reverse postings through `ledger.append`), and each is copied
under other names, townships and counties. Then, on the same files, in turn, three rounds:

- the fair floor: the least a verified roll-up must do, on all cores — open each file
  read-only, SQLite's quick_check, the fastest chain proof we have (SQLite's json_array for
  each posting's encoding, SHA-256 in Python against the stored hash of the posting before)
  and the quarter's aggregation query (figures.VILLAGE_SQL), nothing else;
- jifen cold: `rollup.roll_up(...)` with an empty verification cache — read-only open, the
  file's SHA-256 taken under SQLite's shared lock, quick_check, the whole chain verified,
  balances, stock and registers re-derived, figures and fund, duplicates checked, the cache
  written (target: <= 1.15x the floor; a city in < 10 s);
- jifen repeated: the same roll-up again with the cache the cold run wrote (target: >= 5x
  faster than cold; the rows and totals identical);
- the bare query loop of issue 5 (no verification at all, one core), for reference.

Also the cost of quick_check (issue "first year"), as CPU time of the whole roll-up on one core
in this process, with and without it (best of two), since wall time on a shared machine drifts
by more than it costs. Writes bench/results/rollup.txt.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import multiprocessing
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import report  # noqa: E402

from jifen_cli import cache, db, figures, households, ledger, periods, rollup, rules, store, village
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
        store.insert_many(conn, [store.clean(c, n, p, v, 0) for c, n, p, v in ITEMS],
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


def bare_loop(files: list[Path]) -> tuple[float, int]:
    """Issue 5's loop: open each file with sqlite3, run the quarter's aggregation query alone."""
    first, last = (d.isoformat() for d in periods.quarter_bounds(QUARTER))
    start = time.perf_counter()
    entries = 0
    for path in files:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        entries += conn.execute(figures.VILLAGE_SQL, {"first": first, "last": last}).fetchone()[2]
        conn.close()
    return time.perf_counter() - start, entries


_CHAIN = (f"SELECT CAST(json_array({', '.join(ledger.FIELDS)}) AS BLOB), hash"
          " FROM postings ORDER BY seq")


def _floor_one(path: str) -> int:
    """The floor's work on one file: read-only open, quick_check, chain proof, the query."""
    first, last = (d.isoformat() for d in periods.quarter_bounds(QUARTER))
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA quick_check").fetchone() == ("ok",), path
        prev = ledger.GENESIS.encode()
        for encoding, stored in conn.execute(_CHAIN):
            assert hashlib.sha256(prev + b"\n" + encoding).hexdigest() == stored, path
            prev = stored.encode()
        return conn.execute(figures.VILLAGE_SQL, {"first": first, "last": last}).fetchone()[2]
    finally:
        conn.close()


def floor(files: list[Path]) -> tuple[float, int]:
    start = time.perf_counter()
    with multiprocessing.Pool(os.cpu_count()) as pool:
        entries = sum(pool.map(_floor_one, [str(f) for f in files], chunksize=16))
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


def ours(files: list[Path], cache_folder: Path | None) -> tuple[float, rollup.RollUp]:
    start = time.perf_counter()
    found = None if cache_folder is None else cache.open_cache(cache_folder)
    result = rollup.roll_up(files, QUARTER, cache=found)
    elapsed = time.perf_counter() - start
    assert all(r.verified == "yes" for r in result.rows), [r.detail for r in result.rows][:3]
    return elapsed, result


def cpu_seconds(files: list[Path], *, quick_check: bool) -> float:
    """CPU time of the whole roll-up on one core, in this process, verifying every file."""
    start = time.process_time()
    with contextlib.nullcontext() if quick_check else without_quick_check():
        result = rollup.roll_up(files, QUARTER, jobs=1)
    assert all(r.verified == "yes" for r in result.rows)
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1205)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/jifen-city"))
    parser.add_argument("--rounds", type=int, default=3)
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
             f"{os.cpu_count()} cores, quarter {QUARTER}, medians of {args.rounds} rounds"]
    bare_loop(files)  # warm the page cache for every side alike
    floors, colds, warms, bares, cold_ratios, warm_ratios = [], [], [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(args.rounds):
            # In turn (floor, cold, repeated, bare; floor, cold, …): on a shared machine the
            # pairwise ratios hold even when the speed drifts.
            fl, fl_entries = floor(files)
            cold, cold_result = ours(files, Path(tmp) / f"cache{n}")
            warm, warm_result = ours(files, Path(tmp) / f"cache{n}")
            bare, bare_entries = bare_loop(files)
            assert fl_entries == cold_result.total.entries == bare_entries
            assert [r.as_dict() for r in warm_result.rows] == [
                r.as_dict() for r in cold_result.rows], "the repeated roll-up differs"
            assert warm_result.total == cold_result.total
            floors.append(fl)
            colds.append(cold)
            warms.append(warm)
            bares.append(bare)
            cold_ratios.append(cold / fl)
            warm_ratios.append(cold / warm)
            print(f"  round {n + 1}: floor {fl:.2f} s, cold {cold:.2f} s, repeated {warm:.2f} s, "
                  f"bare query loop {bare:.2f} s", flush=True)
    fl, cold, warm, bare = (statistics.median(x) for x in (floors, colds, warms, bares))
    cold_ratio, warm_ratio = statistics.median(cold_ratios), statistics.median(warm_ratios)
    lines += [
        f"  fair floor (read-only open, quick_check, json_array + SHA-256 chain proof, the "
        f"quarter's query; {os.cpu_count()} processes): {fl:6.2f} s ({fl / len(files) * 1000:.2f} ms a file)",
        f"  jifen rollup, cold (empty cache)  : {cold:6.2f} s ({cold / len(files) * 1000:.2f} ms a file)",
        f"  jifen rollup, repeated (cache)    : {warm:6.2f} s ({warm / len(files) * 1000:.2f} ms a file)",
        f"  bare query loop, no verification  : {bare:6.2f} s (issue 5's baseline, one core)",
        f"(a) cold / floor                    : {cold_ratio:.2f}  (target <= 1.15) "
        f"{'OK' if cold_ratio <= 1.15 else 'MISSED'}",
        f"(b) a city (cold)                   : {cold:.1f} s  (target < 10 s) "
        f"{'OK' if cold < 10 else 'MISSED'}",
        f"(c) repeated faster than cold       : {warm_ratio:.1f}x  (target >= 5x) "
        f"{'OK' if warm_ratio >= 5 else 'MISSED'}; rows and totals identical",
    ]
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
    report("rollup", lines)


if __name__ == "__main__":
    sys.exit(main())

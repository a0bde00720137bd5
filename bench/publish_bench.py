"""Publish a quarter of a big village: 1,000,000 postings, 5,000 households.

    /tmp/venv/bin/python bench/publish_bench.py [--postings 1000000] [--households 5000]
                                                [--dir /tmp/jifen-publish-bench] [--runs 5]

Generates the village once (kept in --dir between runs) through the domain code: households,
rules, items, then six quarters of postings (2023Q1..2024Q2: rewards, deductions, store and
partner-shop redemptions, restocks, grants, settlements, reversals) appended with `ledger.append`
one quarter at a time — so the chain is real — and the five earlier quarters recorded as
published at their quarter's last posting. Then, on the same file, in turn:

- baseline: the bare `sqlite3` command-line running the same aggregation queries the disclosure
  is built from (the household figures, redemptions, categories, fund and shop debts for the
  quarter and cumulative) with every row written out as CSV;
- ours: `jifen publish --quarter 2024Q2 --dry-run` as a process: the checks, the chain
  re-verified since the last publication, every table, CSV, XLSX, the HTML notice, the manifest.
  (A dry run does all the work of a publication except the final INSERT, so it can be repeated;
  one real publication is timed at the end too.)

Prints the median times and the median of the pair-by-pair ratios, and writes
bench/results/publish.txt. The target is a ratio of at most 5.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _common import report  # noqa: E402

from jifen_cli import figures, households, items, ledger, publication, rules, village  # noqa: E402
from jifen_cli.db import transaction  # noqa: E402
from jifen_cli.fund import OWED_SQL  # noqa: E402
from jifen_cli.ledger import Posting  # noqa: E402

QUARTER = "2024Q2"
QUARTERS = ["2023Q1", "2023Q2", "2023Q3", "2023Q4", "2024Q1", "2024Q2"]
JIFEN = str(Path(sys.executable).with_name("jifen"))
SURNAMES = ["次仁", "扎西", "卓玛", "格桑", "罗布", "央金", "王", "李", "བཀྲ་ཤིས་", "ཚེ་རིང་"]
RULES = [
    ("A01", "人居环境", "庭院整洁", 5), ("A02", "爱党爱国", "参加升国旗仪式", 2),
    ("A03", "政策响应", "参加村民大会", 3), ("A04", "家庭美德", "孝老爱亲", 10),
    ("A05", "勤劳致富", "发展庭院经济", 8), ("A06", "美村容村貌", "参加环境整治", 4),
    ("A07", "树文明新风", "移风易俗", 6), ("A08", "诚实守信", "拾金不昧", 10),
    ("B01", "遵纪守法", "酒后滋事", -20), ("B02", "人居环境", "乱倒垃圾", -5),
    ("B03", "改陈规陋习", "大操大办", -10), ("B04", "维护团结", "邻里纠纷", -10),
]
ITEMS = [
    ("G001", "酥油", 30, 3500), ("G002", "砖茶", 12, 1250), ("G003", "洗衣粉", 8, 900),
    ("G004", "大米", 20, 2600), ("G005", "食用油", 25, 3200), ("G006", "毛巾", 5, 600),
]
SHOPS = ["那曲百货", "色尼区超市", "罗玛镇商店"]


def generate(path: Path, postings: int, n_households: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    conn = village.init(path, name="扎西岗村", township="罗玛镇", county="色尼区", klass=1,
                        mode="both", operator="文书")
    codes = [f"H{n:04d}" for n in range(1, n_households + 1)]
    with transaction(conn):
        households.insert_many(conn, [
            households.clean(c, rng.choice(SURNAMES) + str(n), f"{n % 12 + 1}组",
                             rng.randint(1, 8))
            for n, c in enumerate(codes)
        ], operator="文书")
        rules.insert_many(conn, [rules.clean(*r) for r in RULES], operator="文书")
        items.insert_many(conn, [items.clean(c, n, p, v, 0) for c, n, p, v in ITEMS],
                          operator="文书", date="2023-01-02")
    balance = dict.fromkeys(codes, 0)
    stock = {code: 0 for code, *_ in ITEMS}
    owed = dict.fromkeys(SHOPS, 0)
    per_quarter = -(-postings // len(QUARTERS))  # every date below yields at least one posting
    for quarter in QUARTERS:
        first, last = publication.periods.quarter_bounds(quarter)
        span = (last - first).days + 1
        days = sorted(
            (first + dt.timedelta(days=rng.randrange(span))).isoformat()
            for _ in range(per_quarter)
        )
        batch = [Posting(kind="grant", date=days[0], fen=1_000_000, note="运行经费",
                         recorded_by="文书", reviewed_by="格桑")]
        for date in days[1:]:
            h = rng.choice(codes)
            roll = rng.random()
            if roll < 0.66:
                code, _, _, points = rng.choice(RULES)
                qty = rng.randint(1, 3) if points > 0 else 1
                balance[h] += points * qty
                batch.append(Posting(kind="earn" if points > 0 else "deduct", date=date,
                                     household=h, rule=code, qty=qty, points=points * qty,
                                     recorded_by="文书", reviewed_by="格桑"))
            elif roll < 0.86 and balance[h] >= min(p for _, _, p, _ in ITEMS):
                item, _, price, fen = rng.choice([i for i in ITEMS if i[2] <= balance[h]])
                balance[h] -= price
                shop = rng.choice(SHOPS) if rng.random() < 0.4 else None
                if shop is None and stock[item] < 1:
                    batch.append(Posting(kind="restock", date=date, item=item, qty=50, stock=50,
                                         fen=fen * 40, recorded_by="文书"))
                    stock[item] += 50
                if shop:
                    owed[shop] += fen
                else:
                    stock[item] -= 1
                batch.append(Posting(kind="redeem", date=date, household=h, item=item, qty=1,
                                     points=-price, stock=0 if shop else -1, fen=fen, shop=shop,
                                     recorded_by="文书"))
            elif roll < 0.87 and owed[shop := rng.choice(SHOPS)] > 0:
                paid = owed[shop] // 2 or owed[shop]
                owed[shop] -= paid
                batch.append(Posting(kind="settle", date=date, shop=shop, fen=paid,
                                     recorded_by="文书", reviewed_by="格桑"))
            else:  # a reward (also whenever the roll's redemption or payment is not possible)
                code, _, _, points = rng.choice(RULES[:8])
                balance[h] += points
                batch.append(Posting(kind="earn", date=date, household=h, rule=code, qty=1,
                                     points=points, recorded_by="文书", reviewed_by="格桑"))
        with transaction(conn):
            appended = ledger.append(conn, batch)
            if quarter != QUARTER:
                conn.execute(
                    "INSERT INTO publications (quarter, head_seq, digest, published_at,"
                    " published_by, manifest) VALUES (?, ?, ?, ?, '文书', '{}')",
                    (quarter, appended.last, appended.head, f"{last}T12:00:00Z"),
                )
        print(f"  {quarter}: {len(batch):,} postings (#{appended.first:,}-#{appended.last:,})",
              flush=True)
    conn.execute("ANALYZE")
    conn.close()


def baseline_script(path: Path, out: Path) -> str:
    """The disclosure's queries, parameters filled in, every row written as CSV."""
    first, last = (d.isoformat() for d in publication.periods.quarter_bounds(QUARTER))

    def fill(sql: str, **params: str) -> str:
        for name, value in params.items():
            sql = sql.replace(f":{name}", f"'{value}'")
        return sql.strip().rstrip(";") + ";"

    queries = [
        "SELECT head_seq, head_hash, name, township, county FROM village;",
        fill(figures.HOUSEHOLD_SQL, first=first, last=last),
        fill(publication.REDEMPTIONS_SQL, first=first, last=last),
        fill(publication.CATEGORIES_SQL, first=first, last=last),
        fill(figures.FUND_SQL, first=first, last=last),
        fill(figures.FUND_SQL, first="0000-01-01", last=last),
        fill(OWED_SQL, first=first, last=last),
        fill(OWED_SQL, first="0000-01-01", last=last),
    ]
    return "\n".join([".mode csv", ".headers on", f".output {out}", *queries]) + "\n"


def timed(argv: list[str], stdin: str | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(argv, input=stdin, text=True, check=True, stdout=subprocess.DEVNULL,
                   env={**os.environ, "JIFEN_TODAY": "2024-07-05", "JIFEN_OPERATOR": "文书"})
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postings", type=int, default=1_000_000)
    parser.add_argument("--households", type=int, default=5_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/jifen-publish-bench"))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sqlite3_cli = shutil.which("sqlite3")
    if sqlite3_cli is None:
        sys.exit("the sqlite3 command-line is needed: apt-get install -y sqlite3")
    args.dir.mkdir(parents=True, exist_ok=True)
    path = args.dir / f"village-{args.postings}-{args.households}.db"
    if not path.exists():
        print(f"generating {path} ...", flush=True)
        start = time.perf_counter()
        generate(path.with_suffix(".tmp"), args.postings, args.households)
        path.with_suffix(".tmp").rename(path)
        print(f"  generated in {time.perf_counter() - start:.1f} s", flush=True)
    work = args.dir / "work.db"
    shutil.copy(path, work)
    conn = sqlite3.connect(work)
    total, redemptions = conn.execute(
        "SELECT count(*), sum(kind = 'redeem' AND date >= '2024-04-01') FROM postings"
    ).fetchone()
    conn.close()

    out = args.dir / "out"
    base_out = args.dir / "baseline.csv"
    script = baseline_script(work, base_out)
    ours_argv = [JIFEN, "--db", str(work), "publish", "--quarter", QUARTER, "--out", str(out),
                 "--dry-run"]
    base_argv = [sqlite3_cli, "-bail", str(work)]
    ours, base = [], []
    for run in range(args.runs + 1):
        shutil.rmtree(out, ignore_errors=True)
        a = timed(ours_argv)
        b = timed(base_argv, script)
        if run:  # the first pair warms the page cache
            ours.append(a)
            base.append(b)
    ratios = [a / b for a, b in zip(ours, base)]
    shutil.rmtree(out, ignore_errors=True)
    real = timed(ours_argv[:-1])
    sizes = {p.name: p.stat().st_size for p in out.iterdir()}
    lines = [
        f"publish {QUARTER} on {total:,} postings, {args.households:,} households "
        f"({redemptions:,} redemptions in the quarter), file {path.stat().st_size / 1e6:.0f} MB",
        f"  baseline  sqlite3 CLI, the same aggregation queries to CSV: "
        f"median {statistics.median(base):.2f} s",
        f"  ours      jifen publish --dry-run (checks, tables, CSV, XLSX, notice, manifest): "
        f"median {statistics.median(ours):.2f} s",
        f"  ratio     ours / baseline: {statistics.median(ratios):.2f} "
        f"(median of {len(ratios)} pairs; target <= 5)",
        f"  one real publication (locks the quarter): {real:.2f} s; files: "
        + ", ".join(f"{name} {size / 1e6:.1f} MB" for name, size in sorted(sizes.items())),
        f"  python {sys.version.split()[0]}, sqlite {sqlite3.sqlite_version}, "
        f"{os.cpu_count()} cores",
    ]
    report("publish", lines)


if __name__ == "__main__":
    main()

"""The stress run: several processes writing one village file at once, then an audit.

    python bench/stress.py [--workers 4] [--seconds 60] [--seed 1] [--dir DIR]

Each worker is a loop that runs real `python -m jifen_cli` processes one after another against
the same village file — record a claim, approve one of its own claims (now and then
`review approve --all`), redeem (at the store or at a partner shop), reverse one of its own
redemptions, import a small CSV of records with --approve, or back the file up into a folder
(`jifen backup`, which verifies its copy) — so at any moment `--workers` jifen
processes compete for the file. Every command's output is logged: the claim id, posting number
or import refs it printed.

Afterwards the audit asserts, and the report counts:
- no command failed with "database is locked" (or any exit other than 0 and 1, or a traceback);
  exit 1 is allowed only for the business refusals a random workload provokes (not enough points,
  not enough stock);
- `jifen verify` passes and `jifen check` finds no damage;
- no balance and no stock ever went below zero: the ledger is replayed posting by posting;
- every successful command's effect is in the ledger: each recorded claim exists, each approved
  claim is approved with its posting, each redemption's posting is there with its household and
  item, each reversal names its original, each imported ref is an approved claim with a posting,
  each backup made while the others wrote verifies on its own.

For comparison, the same loop first runs alone (one worker) for a quarter of the time: the ratio
of throughputs shows what contention for the file's single write lock costs. Results are printed
and written to bench/results/stress.txt. tests/test_stress.py runs a short version (4 × 8 s).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

RESULTS = Path(__file__).parent / "results"
HOUSEHOLDS = [f"H{n:03d}" for n in range(1, 25)]
NAMES = ["次仁卓玛", "བཀྲ་ཤིས་", "王建国", "ཚེ་རིང་སྒྲོལ་མ་", "格桑曲珍", "扎西多吉"]
RULES = {"A01": 5, "A02": 2, "A03": 10, "B01": -3}
ITEMS = {"G001": (30, 40), "G002": (12, 8), "G003": (5, 200)}  # points, opening stock
REVIEWERS = ["格桑", "罗布"]
EXPECTED_REFUSALS = ("points available", "in stock")
TODAY = "2024-06-30"


def env_for(db: Path) -> dict:
    return {**os.environ, "JIFEN_DB": str(db), "JIFEN_LANG": "en", "JIFEN_TODAY": TODAY,
            "PYTHONDONTWRITEBYTECODE": "1"}


def jifen(db: Path, operator: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "jifen_cli", "--operator", operator, *args],
        capture_output=True, text=True, env=env_for(db), timeout=300,
    )


def setup(folder: Path) -> Path:
    """The village, through the same domain functions the commands call (fast: one process)."""
    os.environ.setdefault("JIFEN_TODAY", TODAY)
    from jifen_cli import households, items, rules, shops, village

    db = folder / "stress.db"
    conn = village.init(db, name="压力村", klass=1, mode="both", operator="文书")
    try:
        for name in REVIEWERS:
            village.add_reviewer(conn, name, operator="文书")
        shops.add(conn, "那曲合作商超", operator="文书")
        for n, code in enumerate(HOUSEHOLDS):
            households.add(conn, operator="文书", code=code, name=NAMES[n % len(NAMES)],
                           group=f"{n % 3 + 1}组")
        for code, points in RULES.items():
            rules.add(conn, operator="文书", code=code, category="人居环境",
                      title=f"指标{code}", points=points)
        for code, (points, stock) in ITEMS.items():
            items.add(conn, operator="文书", date="2024-04-01", code=code, name=f"商品{code}",
                      points=points, value="10.00", stock=stock)
        from jifen_cli import claims  # opening points, so redemptions have something to spend

        for code in HOUSEHOLDS:
            claims.record(conn, code, "A03", qty=6, date="2024-04-02", operator="文书")
        claims.approve(conn, None, reviewer=REVIEWERS[0])
    finally:
        conn.close()
    return db


class Worker:
    def __init__(self, number: int, db: Path, folder: Path, seed: int):
        self.number = number
        self.db = db
        self.folder = folder
        self.rng = random.Random(seed * 1000 + number)
        self.clerk = f"文书{number}"
        self.log: list[dict] = []
        self.own_claims: list[int] = []
        self.own_redemptions: list[int] = []
        self.imports = 0

    def run(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            op = self.rng.choices(
                ("record", "approve", "redeem", "reverse", "import_", "backup"),
                (30, 20, 30, 8, 12, 4))[0]
            getattr(self, op)()

    def _run(self, op: str, operator: str, *args: str, **facts) -> subprocess.CompletedProcess:
        result = jifen(self.db, operator, *args)
        entry = {"op": op, "worker": self.number, "exit": result.returncode, **facts}
        if result.returncode:
            entry["stderr"] = result.stderr.strip()[-400:]
        self.log.append(entry)
        return result

    def _date(self) -> str:
        return f"2024-{self.rng.choice(('04', '05', '06'))}-{self.rng.randrange(1, 29):02d}"

    def record(self) -> None:
        household = self.rng.choice(HOUSEHOLDS)
        rule = self.rng.choice(list(RULES))
        result = self._run("record", self.clerk, "record", household, rule,
                           "--qty", str(self.rng.randrange(1, 4)), "--date", self._date(),
                           household=household, rule=rule)
        if result.returncode == 0:
            claim = int(re.search(r"claim (\d+)", result.stdout)[1])
            self.log[-1]["claim"] = claim
            self.own_claims.append(claim)

    def approve(self) -> None:
        reviewer = self.rng.choice(REVIEWERS)
        if self.rng.random() < 0.15 or not self.own_claims:
            self._run("approve_all", reviewer, "review", "approve", "--all")
            self.own_claims.clear()
            return
        claim = self.own_claims.pop(self.rng.randrange(len(self.own_claims)))
        result = self._run("approve", reviewer, "review", "approve", str(claim), claim=claim)
        if result.returncode == 1 and "already approved" in result.stderr:
            self.log[-1]["raced_by_all"] = True  # a worker's --all got there first

    def redeem(self) -> None:
        household = self.rng.choice(HOUSEHOLDS)
        item = self.rng.choice(list(ITEMS))
        args = ["redeem", household, item, "--qty", str(self.rng.randrange(1, 3))]
        shop = self.rng.random() < 0.2
        if shop:
            args += ["--shop", "那曲合作商超"]
        result = self._run("redeem", self.clerk, *args, household=household, item=item,
                           shop=shop)
        if result.returncode == 0:
            seq = int(re.search(r"posting #(\d+)", result.stdout)[1])
            self.log[-1]["seq"] = seq
            self.own_redemptions.append(seq)

    def reverse(self) -> None:
        if not self.own_redemptions:
            return self.redeem()
        seq = self.own_redemptions.pop(self.rng.randrange(len(self.own_redemptions)))
        result = self._run("reverse", self.clerk, "reverse", str(seq), "--reason", "退货",
                           original=seq)
        if result.returncode == 0:
            self.log[-1]["seq"] = int(re.search(r"posting #(\d+)", result.stdout)[1])

    def backup(self) -> None:
        folder = self.folder / "backups"
        folder.mkdir(exist_ok=True)
        result = self._run("backup", self.clerk, "backup", str(folder))
        if result.returncode == 0:
            self.log[-1]["path"] = re.search(r" to (.+?\.jifen\.db);", result.stdout)[1]
        elif "never overwritten" in result.stderr:
            self.log[-1]["raced_by_all"] = True  # another worker backed up the same state

    def import_(self) -> None:
        self.imports += 1
        refs = [f"S{self.number}-{self.imports}-{n}" for n in range(self.rng.randrange(3, 12))]
        path = self.folder / f"records-{self.number}-{self.imports}.csv"
        lines = ["household,rule,date,qty,note,ref"] + [
            f"{self.rng.choice(HOUSEHOLDS)},{self.rng.choice(['A01', 'A02', 'A03'])},"
            f"{self._date()},1,导入,{ref}" for ref in refs
        ]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        self._run("import", self.rng.choice(REVIEWERS), "import", "records", str(path),
                  "--approve", "--recorded-by", self.clerk, refs=refs)


def run_workers(db: Path, folder: Path, workers: int, seconds: float, seed: int) -> list[dict]:
    crew = [Worker(n, db, folder, seed) for n in range(1, workers + 1)]
    threads = [threading.Thread(target=w.run, args=(seconds,)) for w in crew]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [entry for w in crew for entry in w.log]


def audit(db: Path, log: list[dict]) -> dict:
    """Check the file and every logged success; returns the figures (and `problems`)."""
    problems: list[str] = []
    for entry in log:
        if entry["exit"] == 0:
            continue
        text = entry.get("stderr", "")
        if "locked" in text.lower() or "busy" in text.lower():
            problems.append(f"database locked: {entry}")
        elif "Traceback" in text or entry["exit"] not in (1,):
            problems.append(f"crash: {entry}")
        elif not (any(r in text for r in EXPECTED_REFUSALS) or entry.get("raced_by_all")):
            problems.append(f"unexpected refusal: {entry}")
    verify = jifen(db, "审计", "verify")
    if verify.returncode:
        problems.append(f"verify failed: {verify.stderr.strip()}")
    check = jifen(db, "审计", "check", "--json")
    if check.returncode:
        problems.append(f"check failed: {check.stdout}")
    with sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True) as conn:
        postings = {row[0]: row for row in conn.execute(
            "SELECT seq, kind, household, item, points, stock, reverses, claim FROM postings")}
        claims = {row[0]: row for row in conn.execute(
            "SELECT id, household, rule, status, posting, ref FROM claims")}
    # No redemption took a balance below zero, and no stock was ever below zero: replay the
    # ledger in order. (A deduction may leave a household below zero; that is the rule book.)
    balance: Counter = Counter()
    stock: Counter = Counter()
    for seq in sorted(postings):
        _, kind, household, item, points, delta, _, _ = postings[seq]
        if household:
            balance[household] += points
            if kind == "redeem" and balance[household] < 0:
                problems.append(f"{household} went to {balance[household]} at #{seq}")
        if delta:
            stock[item] += delta
            if stock[item] < 0:
                problems.append(f"{item} stock went to {stock[item]} at #{seq}")
    by_ref = {c[5]: c for c in claims.values() if c[5]}
    ops = Counter()
    for entry in log:
        if entry["exit"]:
            continue
        op = entry["op"]
        ops[op] += 1
        if op == "record":
            claim = claims.get(entry["claim"])
            if not claim or claim[1:3] != (entry["household"], entry["rule"]):
                problems.append(f"recorded claim missing: {entry}")
        elif op == "approve":
            claim = claims.get(entry["claim"])
            posting = claim and postings.get(claim[4])
            if not (claim and claim[3] == "approved" and posting and posting[7] == claim[0]):
                problems.append(f"approved claim not posted: {entry}")
        elif op == "redeem":
            posting = postings.get(entry["seq"])
            if not posting or posting[1:4] != ("redeem", entry["household"], entry["item"]):
                problems.append(f"redemption missing: {entry}")
        elif op == "reverse":
            posting = postings.get(entry["seq"])
            if not posting or posting[1] != "reverse" or posting[6] != entry["original"]:
                problems.append(f"reversal missing: {entry}")
        elif op == "backup":
            copy = jifen(Path(entry["path"]), "审计", "verify")
            if copy.returncode:
                problems.append(f"backup does not verify: {entry} {copy.stderr.strip()}")
        elif op == "import":
            ops["imported rows"] += len(entry["refs"])
            for ref in entry["refs"]:
                claim = by_ref.get(ref)
                if not (claim and claim[3] == "approved" and claim[4] in postings):
                    problems.append(f"imported {ref} not posted")
    # Claims approved by anyone must have their posting, and no posting twice.
    for claim in claims.values():
        if claim[3] == "approved" and postings.get(claim[4], (None,) * 8)[7] != claim[0]:
            problems.append(f"claim {claim[0]} approved without its posting")
    refused = sum(1 for e in log if e["exit"] == 1)
    return {"commands": len(log), "succeeded": sum(ops[k] for k in ops if k != "imported rows"),
            "refused": refused, "ops": dict(ops), "postings": len(postings),
            "claims": len(claims), "problems": problems}


def stress(folder: Path, *, workers: int, seconds: float, seed: int) -> dict:
    db = setup(folder)
    start = time.monotonic()
    log = run_workers(db, folder, workers, seconds, seed)
    elapsed = time.monotonic() - start
    figures = audit(db, log)
    figures.update(workers=workers, seconds=round(elapsed, 1),
                   per_second=round(figures["commands"] / elapsed, 2))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="jifen-stress-") as tmp:
        base = args.dir or Path(tmp)
        (base / "alone").mkdir(parents=True, exist_ok=True)
        (base / "crowd").mkdir(parents=True, exist_ok=True)
        alone = stress(base / "alone", workers=1, seconds=args.seconds / 4, seed=args.seed)
        crowd = stress(base / "crowd", workers=args.workers, seconds=args.seconds, seed=args.seed)
    lines = [
        f"stress run: {args.workers} workers × {args.seconds:g} s of real jifen processes on one "
        f"village file (seed {args.seed}, {os.cpu_count()} CPUs)",
        f"  commands {crowd['commands']}: succeeded {crowd['succeeded']}, refused by a business "
        f"rule {crowd['refused']} (not enough points or stock; a race another worker won)",
        f"  by kind: {json.dumps(crowd['ops'], ensure_ascii=False)}",
        f"  ledger afterwards: {crowd['postings']} postings, {crowd['claims']} claims; verify and "
        f"check pass: {not any('verify' in p or 'check' in p for p in crowd['problems'])}",
        f"  'database is locked': {sum('locked' in p for p in crowd['problems'])}; negative "
        f"balance or stock: {sum('went to' in p for p in crowd['problems'])}; successes "
        f"missing from the ledger: {sum('missing' in p or 'not posted' in p for p in crowd['problems'])}",
        f"  problems: {len(crowd['problems'])} (losses: {len(crowd['problems'])})",
        f"throughput: {crowd['per_second']} commands/s with {args.workers} workers vs "
        f"{alone['per_second']} alone: ratio {crowd['per_second'] / alone['per_second']:.2f}",
    ]
    lines += [f"  ! {p}" for p in (alone["problems"] + crowd["problems"])[:20]]
    text = "\n".join(lines) + "\n"
    print(text, end="")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "stress.txt").write_text(text, encoding="utf-8")
    if alone["problems"] or crowd["problems"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()

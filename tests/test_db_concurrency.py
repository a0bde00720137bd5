"""Two real processes redeeming against the same household and the same item at once."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest
from conftest import earn

pytestmark = pytest.mark.slow


def _redeem_many(db, household, item, times, results, barrier):
    env = {**os.environ, "JIFEN_DB": str(db), "JIFEN_OPERATOR": "文书", "JIFEN_LANG": "en"}
    barrier.wait()
    for _ in range(times):
        proc = subprocess.run(
            [sys.executable, "-m", "jifen_cli", "redeem", household, item, "--date", "2024-06-01"],
            env=env, capture_output=True, text=True, timeout=120,
        )
        results.append((proc.returncode, proc.stdout, proc.stderr))


def _race(db, household, item, times=6):
    results: list = []
    barrier = threading.Barrier(2)
    workers = [threading.Thread(target=_redeem_many, args=(db, household, item, times, results, barrier))
               for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return results


def test_two_processes_never_overdraw_a_household(village):
    earn(village, "H001", "A02", 50)  # 100 points: three butter at 30 each
    results = _race(village.db, "H001", "G001")
    succeeded = [r for r in results if r[0] == 0]
    refused = [r for r in results if r[0] != 0]
    assert len(succeeded) == 3
    assert all(r[0] == 1 and "points available" in r[2] for r in refused), refused
    assert not any("locked" in r[2] or "Traceback" in r[2] for r in results)
    assert village.json("balance", "H001")["available"] == 10
    assert village.json("item", "list")[0]["stock"] == 7
    village.ok("verify")


def test_two_processes_never_take_stock_below_zero(village):
    earn(village, "H001", "A02", 50)
    earn(village, "H002", "A02", 50, date="2024-05-02")
    # Brick tea: 2 in stock, 12 points each; both households could afford many.
    results: list = []
    barrier = threading.Barrier(2)
    workers = [threading.Thread(target=_redeem_many, args=(village.db, h, "G002", 4, results, barrier))
               for h in ("H001", "H002")]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert sum(r[0] == 0 for r in results) == 2
    assert all("in stock" in r[2] for r in results if r[0] != 0)
    assert village.json("item", "list")[1]["stock"] == 0
    village.ok("verify")

"""A short stress run in real processes: 4 workers × 8 s of record / approve / redeem / reverse /
import against one village file (bench/stress.py runs the full 60 s one), then the audit."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

STRESS = Path(__file__).parent.parent / "bench" / "stress.py"


def load_stress():
    spec = importlib.util.spec_from_file_location("jifen_stress", STRESS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_four_processes_writing_at_once_lose_nothing(tmp_path):
    stress = load_stress()
    figures = stress.stress(tmp_path, workers=4, seconds=8, seed=7)
    # The audit names every locked database, crash, unexpected refusal, failed verify or check,
    # redemption below zero, negative stock, and logged success missing from the ledger.
    assert figures["problems"] == []
    assert figures["succeeded"] >= 8
    assert figures["postings"] > len(stress.HOUSEHOLDS)


def test_the_audit_notices_a_success_missing_from_the_ledger(tmp_path):
    stress = load_stress()
    db = stress.setup(tmp_path)
    log = [
        {"op": "redeem", "worker": 1, "exit": 0, "household": "H001", "item": "G001",
         "seq": 9999},
        {"op": "record", "worker": 1, "exit": 1, "stderr": "database is locked"},
    ]
    problems = stress.audit(db, log)["problems"]
    assert any("redemption missing" in p for p in problems)
    assert any("database locked" in p for p in problems)

"""Points are bounded where they are made, and a cap on a deduction says what was deducted."""

from __future__ import annotations

from conftest import earn
from test_imports import ledger_state, write_csv

LIMIT = "999,999,999"


def test_a_claim_passing_the_bound_is_refused_when_recorded(village):
    village.ok("rule", "add", "A03", "--category", "人居环境", "--title", "义务劳动", "--points", "10")
    before = ledger_state(village)
    r = village.refused("record", "H001", "A03", "--qty", "999999999")
    for fact in ("H001", "A03", "999999999 ×", "+10 points", "+9,999,999,990", LIMIT):
        assert fact in r.stderr, fact
    r = village.refused("record", "H002", "A03", "--qty", "100000000", lang="zh")
    for fact in ("H002", "A03", "100000000 次", "+10 分", "+1,000,000,000", LIMIT):
        assert fact in r.stderr, fact
    # a deduction is bounded the same way
    r = village.refused("record", "H003", "B01", "--qty", "50000000")
    assert "-1,000,000,000" in r.stderr and "B01" in r.stderr
    assert ledger_state(village) == before
    # up to the bound is a claim like any other
    village.ok("record", "H001", "A03", "--qty", "99999999")
    village.ok("review", "approve", "--all", operator="格桑")
    assert village.json("balance", "H001")["available"] == 999_999_990


def test_a_pending_claim_past_the_bound_is_not_posted_on_approval(village):
    """A claim recorded before the bound existed (or under points since changed) is stopped
    where it would be posted, named, and the reviewer is told how to reject it."""
    village.ok("rule", "add", "A03", "--category", "人居环境", "--title", "义务劳动", "--points", "10")
    village.ok("record", "H001", "A03", "--qty", "5")
    village.sql("UPDATE claims SET qty = 999999999 WHERE id = 1")  # as an older jifen let in
    before = ledger_state(village)
    for args in (("1",), ("--all",)):
        r = village.refused("review", "approve", *args, operator="格桑")
        assert "claim 1" in r.stderr and "+9,999,999,990" in r.stderr
        assert "jifen review reject 1" in r.stderr
    r = village.refused("review", "approve", "1", operator="格桑", lang="zh")
    assert "记录 1" in r.stderr and "驳回" in r.stderr
    assert ledger_state(village) == before
    village.ok("review", "reject", "1", "--reason", "数量有误", operator="格桑")


def test_an_imported_record_past_the_bound_is_refused_naming_its_row(village, tmp_path):
    village.ok("rule", "add", "A09", "--category", "勤劳致富", "--title", "脱贫", "--points", "1000")
    path = write_csv(tmp_path / "记录.csv", [
        ["户号", "指标编号", "日期", "数量"],
        ["H001", "A09", "2024-05-01", "3"],
        ["H002", "A09", "2024-05-02", "1000000"],  # 1,000,000,000 points
        ["H003", "A01", "2024-05-03", "1"],
    ])
    before = ledger_state(village)
    for approve in ((), ("--approve", "--recorded-by", "文书")):
        r = village.refused("import", "records", str(path), *approve, operator="格桑")
        lines = [line for line in r.stderr.splitlines() if line.startswith(str(path))]
        assert len(lines) == 1 and lines[0].startswith(f"{path}:3: H002")
        assert "A09" in lines[0] and "+1,000,000,000" in lines[0] and LIMIT in lines[0]
    assert ledger_state(village) == before


def test_a_cap_on_a_deduction_says_deducted_not_earned(village):
    village.ok("rule", "add", "B02", "--category", "人居环境", "--title", "乱倒垃圾",
               "--points", "-10", "--cap-month", "15")
    earn(village, "H001", "B02", 1, "2024-05-01")
    village.ok("record", "H001", "B02", "--date", "2024-05-02")
    r = village.ok("review", "approve", "--all", operator="格桑", lang="zh")
    assert "H001 在 2024-05 已扣 10 分" in r.stdout and "已得" not in r.stdout
    village.ok("record", "H001", "B02", "--date", "2024-05-03")
    r = village.ok("review", "approve", "--all", operator="格桑")
    assert "H001 has had 15 deducted in 2024-05" in r.stdout
    # a reward still says earned
    village.ok("record", "H002", "A01", "--qty", "4", "--date", "2024-05-04")
    r = village.ok("review", "approve", "--all", operator="格桑", lang="zh")
    assert "H002 在 2024-05 已得 0 分" in r.stdout

"""Random sequences of record / approve / redeem / reverse keep every invariant of the ledger."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jifen_cli import (
    claims,
    db,
    figures,
    fund,
    households,
    items,
    ledger,
    redemptions,
    registers,
    rules,
    shops,
    village,
)
from jifen_cli.errors import InsufficientPoints, InsufficientStock, JifenError

HOUSEHOLDS = ["H1", "H2", "H3"]
RULES = {"RP": 7, "RM": -4, "RC": 3}  # RC capped at 6 a month
ITEMS = {"G1": (10, 3), "G2": (25, 1)}  # points, opening stock

op = st.one_of(
    st.tuples(st.just("record"), st.sampled_from(HOUSEHOLDS), st.sampled_from(sorted(RULES)),
              st.integers(1, 4), st.integers(1, 28)),
    st.tuples(st.just("approve"), st.integers(0, 30)),
    st.tuples(st.just("redeem"), st.sampled_from(HOUSEHOLDS), st.sampled_from(sorted(ITEMS)),
              st.integers(1, 3), st.booleans()),
    st.tuples(st.just("reverse"), st.integers(1, 40)),
    st.tuples(st.just("restock"), st.sampled_from(sorted(ITEMS)), st.integers(1, 3)),
)


def _build(path) -> sqlite3.Connection:
    conn = village.init(path, name="测试村", operator="文书", mode="both")
    village.add_reviewer(conn, "格桑", operator="文书")
    for code in HOUSEHOLDS:
        households.add(conn, operator="文书", code=code, name=f"次仁{code}")
    for code, points in RULES.items():
        rules.add(conn, operator="文书", code=code, category="人居环境", title=code, points=points,
                  cap_month=6 if code == "RC" else None)
    for code, (points, stock) in ITEMS.items():
        items.add(conn, operator="文书", date="2024-04-01", code=code, name=code, points=points,
                  value="1.50", stock=stock)
    shops.add(conn, "惠民超市", operator="文书")
    fund.grant(conn, "100", date="2024-04-01", operator="文书")  # restocking spends the fund
    return conn


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """The village every sequence starts from, built once (with today pinned as _env pins it)."""
    path = tmp_path_factory.mktemp("template") / "v.db"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("JIFEN_TODAY", "2024-06-30")
        _build(path).close()
    return path


def _village(template: Path, path: Path) -> sqlite3.Connection:
    """A copy of the template, opened as _build's connection was."""
    shutil.copy(template, path)
    return db.open_village(path)


def _do(conn: sqlite3.Connection, operation: tuple) -> None:
    """One operation of a random sequence, through the domain functions the commands call."""
    kind = operation[0]
    if kind == "record":
        _, h, r, qty, day = operation
        claims.record(conn, h, r, qty=qty, date=f"2024-05-{day:02d}", operator="文书")
    elif kind == "approve":
        claims.approve(conn, [operation[1]], reviewer="格桑")
    elif kind == "redeem":
        _, h, item, qty, at_shop = operation
        redemptions.redeem(conn, h, item, qty, date="2024-06-01", operator="文书",
                           shop="惠民超市" if at_shop else None)
    elif kind == "reverse":
        with db.transaction(conn):
            ledger.reverse(conn, operation[1], reason="更正", date="2024-06-02", operator="文书")
    elif kind == "restock":
        items.restock(conn, operation[1], operation[2], cost="3", date="2024-06-01",
                      operator="文书")
    elif kind == "edit":
        households.edit(conn, operation[1], operator="文书", reason="更正", name=operation[2])
    elif kind == "close":
        households.close(conn, operation[1], operator="格桑", reason="迁出",
                         date=f"2024-06-{operation[2]:02d}")
    elif kind == "merge":
        households.merge(conn, operation[1], operation[2], operator="格桑", reason="重复",
                         date=f"2024-06-{operation[3]:02d}")
    elif kind == "version":
        _, code, points, day = operation
        rules.edit(conn, code, valid_from=f"2024-05-{day:02d}", reason="修订", operator="文书",
                   points=points or 1)
    elif kind == "price":
        items.edit(conn, operation[1], operator="文书", reason="调价", points=operation[2])
    elif kind == "reopen":
        households.reopen(conn, operation[1], operator="格桑", reason="弄错", date="2024-06-29")
    elif kind == "retire_item":
        items.retire(conn, operation[1], operator="文书", reason="停售", date="2024-06-01")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(op, max_size=40))
def test_balances_always_equal_their_postings_and_redemptions_never_overdraw(tmp_path_factory,
                                                                           template, ops):
    conn = _village(template, tmp_path_factory.mktemp("p") / "v.db")
    for operation in ops:
        try:
            if operation[0] != "redeem":
                _do(conn, operation)
                continue
            _, h, item, qty, at_shop = operation
            before = households.balance(conn, h)["available"]
            stock_before = items.get(conn, item)["stock"]
            try:
                _do(conn, operation)
            except InsufficientPoints:
                assert before < ITEMS[item][0] * qty
                raise
            except InsufficientStock:
                assert not at_shop and stock_before < qty
                raise
            after = households.balance(conn, h)["available"]
            assert after == before - ITEMS[item][0] * qty >= 0
        except JifenError:
            pass
        for (stock,) in conn.execute("SELECT stock FROM items"):
            assert stock >= 0
        assert figures.fund(conn).balance >= 0  # restocking and reversals never overspend it

    report = ledger.verify(conn)
    assert report.ok, report.problems
    for code, available, honour in conn.execute("SELECT code, available, honour FROM households"):
        (total,) = conn.execute(
            "SELECT coalesce(sum(points), 0) FROM postings WHERE household = ?", (code,)).fetchone()
        assert available == total
        (earned,) = conn.execute(
            "SELECT coalesce(sum(points), 0) FROM postings WHERE household = ? AND rule IS NOT NULL",
            (code,)).fetchone()
        assert honour == earned
    # Monthly caps: no household got more than 6 points from RC in May, net.
    for (net,) in conn.execute(
            "SELECT sum(points) FROM postings WHERE rule = 'RC' GROUP BY household"):
        assert net <= 6
    conn.close()


register_op = st.one_of(
    op,
    st.tuples(st.just("edit"), st.sampled_from(HOUSEHOLDS), st.sampled_from(["扎西", "卓玛", "次仁"])),
    st.tuples(st.just("close"), st.sampled_from(HOUSEHOLDS), st.integers(1, 28)),
    st.tuples(st.just("merge"), st.sampled_from(HOUSEHOLDS), st.sampled_from(HOUSEHOLDS),
              st.integers(1, 28)),
    st.tuples(st.just("version"), st.sampled_from(sorted(RULES)), st.integers(-9, 9),
              st.integers(1, 28)),
    st.tuples(st.just("price"), st.sampled_from(sorted(ITEMS)), st.integers(1, 30)),
    st.tuples(st.just("retire_item"), st.sampled_from(sorted(ITEMS))),
    st.tuples(st.just("reopen"), st.sampled_from(HOUSEHOLDS)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(register_op, max_size=40))
def test_register_changes_mixed_with_the_ledger_keep_verify_clean(tmp_path_factory, template,
                                                                  ops):
    conn = _village(template, tmp_path_factory.mktemp("r") / "v.db")
    for operation in ops:
        try:
            _do(conn, operation)
        except JifenError:
            pass

    report = ledger.verify(conn)
    assert report.ok, report.problems
    assert registers.replay(conn) == registers.current(conn)
    total_available = 0
    for code, available, honour, closed in conn.execute(
            "SELECT code, available, honour, closed_on FROM households"):
        (total, own, moved, after) = conn.execute(
            "SELECT coalesce(sum(points), 0),"
            " coalesce(sum(CASE WHEN rule IS NOT NULL THEN points END), 0),"
            " coalesce(sum(CASE WHEN kind = 'merge' THEN qty END), 0),"
            " coalesce(sum(date > ?), 0) FROM postings WHERE household = ?",
            (closed or "9999", code)).fetchone()
        assert available == total
        assert honour == own + moved
        assert after == 0  # nothing is dated after a household left
        total_available += available
    (postings_total,) = conn.execute(
        "SELECT coalesce(sum(points), 0) FROM postings WHERE household IS NOT NULL").fetchone()
    assert total_available == postings_total
    conn.close()

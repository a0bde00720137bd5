"""The ledger itself refuses a posting for a household that has left (closed or merged), whatever
path the posting comes by — not only each command's own checks — naming the household and its
closing; the reopening of a household is the one path that posts for it again."""

from __future__ import annotations

import os

import pytest

from jifen_cli import db, ledger
from jifen_cli.errors import HouseholdClosed
from jifen_cli.ledger import Posting


def append_directly(household: str, points: int = 5) -> None:
    conn = db.open_village(os.environ["JIFEN_DB"])
    try:
        with db.transaction(conn):
            ledger.append(conn, [Posting(kind="earn", date="2024-06-01", household=household,
                                         rule="A01", qty=1, points=points, recorded_by="文书",
                                         reviewed_by="格桑")])
    finally:
        conn.close()


def state(jifen) -> tuple:
    return (jifen.sql("SELECT head_seq, head_hash FROM village"),
            jifen.sql("SELECT code, available, honour FROM households ORDER BY code"))


@pytest.mark.parametrize("lang, said", [
    ("en", "Household H004 was closed on 2024-05-10 (全家迁往拉萨): it takes no more records"),
    ("zh", "户 H004 已于 2024-05-10 销户（全家迁往拉萨），不能再记录"),
])
def test_a_posting_for_a_closed_household_is_refused_by_the_ledger(village, lang, said):
    village.ok("household", "close", "H004", "--reason", "全家迁往拉萨", "--date", "2024-05-10",
               operator="格桑")
    before = state(village)
    with pytest.raises(HouseholdClosed) as refused:
        append_directly("H004")
    assert refused.value.params["code"] == "H004"
    assert refused.value.params["date"] == "2024-05-10"
    assert refused.value.message(lang).startswith(said)
    assert state(village) == before
    village.ok("verify")


def test_a_posting_for_a_merged_household_is_refused_naming_where_it_went(village):
    village.ok("household", "merge", "H003", "H001", "--reason", "重复登记",
               "--date", "2024-05-10", operator="格桑")
    before = state(village)
    with pytest.raises(HouseholdClosed) as refused:
        append_directly("H003")
    assert refused.value.key == "household_merged"
    assert refused.value.message("en").startswith(
        "Household H003 was merged into H001 on 2024-05-10 (重复登记)")
    assert refused.value.message("zh").startswith("户 H003 已于 2024-05-10 并入 H001（重复登记）")
    assert state(village) == before
    append_directly("H001")  # the household it went into takes postings as before


def test_reopening_is_the_one_path_that_posts_for_a_household_again(village):
    village.ok("household", "close", "H002", "--reason", "迁出", "--date", "2024-05-10",
               operator="格桑")
    village.ok("household", "reopen", "H002", "--reason", "登记错误", "--date", "2024-05-11",
               operator="格桑")
    append_directly("H002")
    assert village.sql("SELECT available FROM households WHERE code = 'H002'") == [(5,)]
    village.ok("verify")

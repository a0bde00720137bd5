"""The fund: grants, restock costs, partner-shop debts and settlements, and fund.csv."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from conftest import earn


@pytest.fixture
def village(village):
    """The small village, with two more registered partner shops."""
    village.ok("shop", "add", "甲店")
    village.ok("shop", "add", "乙店")
    return village


def fund_csv(path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


def test_grant_is_a_chained_posting_and_moves_the_balance(village):
    r = village.ok("fund", "grant", "30000", "--date", "2024-04-02", "--note", "县财政拨付")
    assert "30000.00" in r.stdout
    [(kind, fen, household, note)] = village.sql(
        "SELECT kind, fen, household, note FROM postings WHERE kind = 'grant'")
    assert (kind, fen, household, note) == ("grant", 3_000_000, None, "县财政拨付")
    village.ok("item", "restock", "G001", "5", "--cost", "150.50", "--date", "2024-04-03")
    status = village.json("fund", "show")
    assert status["granted"] == "30000.00" and status["spent_on_stock"] == "150.50"
    assert status["balance"] == "29849.50"
    assert village.json("verify")["ok"]


def test_grant_refuses_bad_amounts_and_needs_an_operator(village):
    for amount in ("0", "-5", "abc", "1.234"):
        r = village.refused("fund", "grant", "--", amount)
        assert amount in r.stderr
    village.refused("fund", "grant", "100", operator=None)
    r = village.refused("fund", "grant", "100", "--date", "2024-07-01")  # today is 2024-06-30
    assert "2024-07-01" in r.stderr
    assert village.sql("SELECT count(*) FROM postings WHERE kind = 'grant'") == [(0,)]


def test_partner_shop_is_owed_until_settled_and_never_overpaid(village):
    earn(village, "H001", "A01", 3, "2024-04-05")   # 15 points
    earn(village, "H002", "A02", 10, "2024-04-05")  # 20 points
    stock = village.json("item", "list")
    village.ok("redeem", "H001", "G002", "--shop", "那曲百货", "--date", "2024-04-10")
    village.ok("redeem", "H002", "G002", "--shop", "那曲百货", "--date", "2024-04-11")
    assert village.json("item", "list") == stock  # the shop hands out its own goods
    assert village.json("fund", "show")["shops"] == {"那曲百货": "25.00"}

    r = village.refused("settle", "那曲百货", "--amount", "25.01", "--date", "2024-04-20")
    assert "25.00" in r.stderr and "那曲百货" in r.stderr
    r = village.refused("settle", "那曲百货", "--amount", "20", "--date", "2024-04-10")
    assert "12.50" in r.stderr  # owed as of the settlement's date
    r = village.refused("settle", "罗玛镇惠民超市", "--amount", "1")  # registered, owed nothing
    assert "0.00" in r.stderr
    r = village.refused("settle", "那曲商店", "--amount", "1")  # not registered: the closest named
    assert "那曲百货" in r.stderr and "shop add" in r.stderr

    r = village.ok("settle", "那曲百货", "--amount", "20", "--date", "2024-04-20")
    assert "5.00" in r.stdout
    status = village.json("fund", "show")
    assert status["shops"] == {"那曲百货": "5.00"} and status["paid"] == "20.00"
    village.refused("settle", "那曲百货", "--amount", "5.01", "--date", "2024-04-21")
    village.ok("settle", "那曲百货", "--amount", "5", "--date", "2024-04-21")
    assert village.json("fund", "show")["shops"] == {}

    # a mistaken payment is reversed like any posting, and the debt comes back
    seq = village.sql("SELECT max(seq) FROM postings WHERE kind = 'settle'")[0][0]
    village.ok("reverse", str(seq), "--reason", "转账失败", "--date", "2024-04-22")
    assert village.json("fund", "show")["shops"] == {"那曲百货": "5.00"}
    assert village.json("verify")["ok"]


def test_fund_csv_shows_the_quarter_and_the_running_total(village, tmp_path, monkeypatch):
    village.ok("fund", "grant", "30000", "--date", "2024-04-01")
    village.ok("item", "restock", "G001", "10", "--cost", "350", "--date", "2024-04-02")
    earn(village, "H001", "A01", 3, "2024-04-05")
    village.ok("redeem", "H001", "G002", "--shop", "那曲百货", "--date", "2024-04-10")
    village.ok("publish", "--quarter", "2024Q2", "--out", str(tmp_path / "q2"))
    q2 = fund_csv(tmp_path / "q2" / "fund.csv")
    assert q2 == [  # in the village's public language, Chinese, whoever publishes
        ["项目", "本季发生(元)", "截至季末(元)"],
        ["拨付资金", "30000.00", "30000.00"],
        ["购货支出", "350.00", "350.00"],
        ["合作商超兑换货值（扣除退回）", "12.50", "12.50"],
        ["已付合作商超", "0.00", "0.00"],
        ["尚欠合作商超", "12.50", "12.50"],
        ["其中欠 那曲百货", "12.50", "12.50"],
        ["合作商超应退还", "0.00", "0.00"],
        ["资金结余", "29650.00", "29650.00"],
    ]
    monkeypatch.setenv("JIFEN_TODAY", "2024-10-03")
    village.ok("settle", "那曲百货", "--amount", "12.50", "--date", "2024-07-05")
    village.ok("fund", "grant", "1000", "--date", "2024-08-01")
    village.ok("publish", "--quarter", "2024Q3", "--out", str(tmp_path / "q3"), lang="zh")
    q3 = fund_csv(tmp_path / "q3" / "fund.csv")
    assert q3 == [
        ["项目", "本季发生(元)", "截至季末(元)"],
        ["拨付资金", "1000.00", "31000.00"],
        ["购货支出", "0.00", "350.00"],
        ["合作商超兑换货值（扣除退回）", "0.00", "12.50"],
        ["已付合作商超", "12.50", "12.50"],
        ["尚欠合作商超", "-12.50", "0.00"],
        ["其中欠 那曲百货", "-12.50", "0.00"],
        ["合作商超应退还", "0.00", "0.00"],
        ["资金结余", "987.50", "30637.50"],
    ]


def test_a_backdated_payment_cannot_overpay_what_later_payments_already_settled(village):
    """Goods ¥25 redeemed in April, paid in full on 04-25; a second payment dated 04-15 must not
    slip through because only ¥12.50 was owed on that day: the shop would then be paid ¥37.50."""
    earn(village, "H001", "A01", 3, "2024-04-05")
    earn(village, "H002", "A02", 10, "2024-04-05")
    village.ok("redeem", "H001", "G002", "--shop", "那曲百货", "--date", "2024-04-10")
    village.ok("redeem", "H002", "G002", "--shop", "那曲百货", "--date", "2024-04-20")
    village.ok("settle", "那曲百货", "--amount", "25", "--date", "2024-04-25")
    r = village.refused("settle", "那曲百货", "--amount", "12.50", "--date", "2024-04-15")
    assert "2024-04-25" in r.stderr and "0.00" in r.stderr
    r = village.refused("settle", "那曲百货", "--amount", "12.50", "--date", "2024-04-15",
                        lang="zh")
    assert "2024-04-25" in r.stderr
    assert village.sql("SELECT count(*) FROM postings WHERE kind = 'settle'") == [(1,)]
    assert village.json("fund", "show")["owed"] == "0.00"


# --- money per shop: owed and credit, never netted (issue 9, item 5) ---------------------------


def _two_shops_one_overpaid(village):
    """甲店 hands out two 砖茶 (¥25) and is paid for both; one is then returned, so 甲店 owes
    ¥12.50 back. 乙店 hands out one (¥12.50) and is still owed it."""
    village.ok("fund", "grant", "1000", "--date", "2024-04-01")
    earn(village, "H001", "A01", 3, "2024-04-05")   # 15 points
    earn(village, "H002", "A02", 10, "2024-04-05")  # 20 points
    earn(village, "H003", "A02", 10, "2024-04-05")  # 20 points
    returned = village.ok("redeem", "H001", "G002", "--shop", "甲店", "--date", "2024-04-10")
    village.ok("redeem", "H002", "G002", "--shop", "甲店", "--date", "2024-04-11")
    village.ok("redeem", "H003", "G002", "--shop", "乙店", "--date", "2024-04-12")
    village.ok("settle", "甲店", "--amount", "25", "--date", "2024-04-20")
    seq = returned.stdout.split("#")[-1].strip()
    village.ok("reverse", seq, "--reason", "退货", "--date", "2024-04-25")


def test_a_shop_overpaid_is_a_credit_not_netted_against_another_shops_debt(village):
    _two_shops_one_overpaid(village)
    status = village.json("fund", "show")
    assert status["owed"] == "12.50" and status["credit"] == "12.50"  # not 0.00: never netted
    assert status["shops"] == {"乙店": "12.50"} and status["credits"] == {"甲店": "12.50"}
    assert status["paid"] == "25.00" and status["balance"] == "975.00"
    table = village.ok("fund", "show").stdout
    assert "of which owed to 乙店" in table and "of which owed back by 甲店" in table
    zh = village.ok("fund", "show", lang="zh").stdout
    assert "其中欠 乙店" in zh and "其中 甲店 应退还" in zh and "-12.50" not in zh
    # nothing more can be paid to a shop that owes money back; it is told how to take it back
    r = village.refused("settle", "甲店", "--amount", "1")
    assert "甲店 owes ¥12.50 back" in r.stderr and "settle 甲店 --refund" in r.stderr
    r = village.refused("settle", "甲店", "--amount", "1", lang="zh")
    assert "甲店 应退还本村 ¥12.50" in r.stderr


def test_a_refund_records_money_a_shop_pays_back_never_more_than_its_credit(village):
    _two_shops_one_overpaid(village)
    r = village.refused("settle", "甲店", "--refund", "12.51")
    assert "甲店 owes the village ¥12.50 back" in r.stderr and "12.51" in r.stderr
    r = village.refused("settle", "甲店", "--refund", "12.51", lang="zh")
    assert "甲店 应退还本村 ¥12.50" in r.stderr
    r = village.refused("settle", "甲店", "--refund", "5", "--date", "2024-04-22")
    assert "¥0.00" in r.stderr  # before the return, 甲店 owed nothing back
    assert "乙店" in village.refused("settle", "乙店", "--refund", "1").stderr  # owed, not owing
    r = village.ok("settle", "甲店", "--refund", "12.50", "--date", "2024-04-26")
    assert "甲店 paid back ¥12.50" in r.stdout and "still owes back ¥0.00" in r.stdout
    [(kind, fen, shop)] = village.sql(
        "SELECT kind, fen, shop FROM postings WHERE kind = 'settle' AND fen < 0")
    assert (kind, fen, shop) == ("settle", -1250, "甲店")  # a refund is a settle, money back
    status = village.json("fund", "show")
    assert status["credit"] == "0.00" and status["credits"] == {}
    assert status["paid"] == "25.00" and status["refunded"] == "12.50"
    assert status["balance"] == "987.50"  # granted - spent on stock - paid + refunded
    assert status["shops"] == {"乙店": "12.50"}
    assert village.json("verify")["ok"]


def test_fund_csv_shows_refunds_and_adds_up(village, tmp_path):
    _two_shops_one_overpaid(village)
    village.ok("settle", "甲店", "--refund", "12.50", "--date", "2024-04-26")
    village.ok("publish", "--quarter", "2024Q2", "--out", str(tmp_path / "q2"), lang="zh")
    rows = {r[0]: r[1:] for r in fund_csv(tmp_path / "q2" / "fund.csv")}
    assert rows["已付合作商超"] == ["25.00", "25.00"]
    assert rows["合作商超退款"] == ["12.50", "12.50"]
    assert rows["合作商超应退还"] == ["0.00", "0.00"] and "其中 甲店 应退还" not in rows
    money = {k: [Decimal(v) for v in vs] for k, vs in rows.items() if k != "项目"}
    for column in (0, 1):
        assert money["资金结余"][column] == (money["拨付资金"][column] - money["购货支出"][column]
                                         - money["已付合作商超"][column]
                                         + money["合作商超退款"][column]) == Decimal("987.50")


def test_settle_takes_exactly_one_of_amount_and_refund(village):
    for args in ((), ("--amount", "1", "--refund", "1")):
        r = village("settle", "甲店", *args)
        assert r.exit_code == 2 and "--amount" in r.stderr and "--refund" in r.stderr
    r = village("settle", "甲店", lang="zh")
    assert r.exit_code == 2 and "--refund 金额" in r.stderr
    assert village.sql("SELECT count(*) FROM postings WHERE kind = 'settle'") == [(0,)]


def test_a_negative_or_too_large_amount_is_told_so_not_about_decimals(village):
    r = village.refused("settle", "甲店", "--amount", "-5")
    assert "cannot be negative" in r.stderr and "--refund" in r.stderr
    assert "decimals" not in r.stderr
    r = village.refused("settle", "甲店", "--amount", "-5", lang="zh")
    assert "不能为负数" in r.stderr and "两位小数" not in r.stderr
    r = village.refused("fund", "grant", "20000000000")
    assert "too large (at most ¥1000000000.00)" in r.stderr and "decimals" not in r.stderr
    r = village.refused("fund", "grant", "20000000000", lang="zh")
    assert "金额过大" in r.stderr and "两位小数" not in r.stderr
    r = village.refused("fund", "grant", "1.234", lang="zh")
    assert "两位小数" in r.stderr  # what that message is for


def test_a_backdated_refund_cannot_take_what_a_later_refund_already_took(village):
    _two_shops_one_overpaid(village)
    village.ok("settle", "甲店", "--refund", "12.50", "--date", "2024-04-28")
    r = village.refused("settle", "甲店", "--refund", "5", "--date", "2024-04-26")
    assert "2024-04-28" in r.stderr and "¥0.00" in r.stderr
    assert village.json("fund", "show")["credit"] == "0.00"


def test_fund_csv_shows_owed_and_credit_per_shop_and_adds_up(village, tmp_path):
    _two_shops_one_overpaid(village)
    village.ok("publish", "--quarter", "2024Q2", "--out", str(tmp_path / "q2"))
    rows = {r[0]: r[1:] for r in fund_csv(tmp_path / "q2" / "fund.csv")}  # the public language
    assert rows["尚欠合作商超"] == ["12.50", "12.50"]
    assert rows["其中欠 乙店"] == ["12.50", "12.50"]
    assert rows["合作商超应退还"] == ["12.50", "12.50"]
    assert rows["其中 甲店 应退还"] == ["12.50", "12.50"]
    assert "其中欠 甲店" not in rows
    assert rows["合作商超兑换货值（扣除退回）"] == ["25.00", "25.00"]  # ¥37.50, one returned
    money = {k: Decimal(v[1]) for k, v in rows.items() if k != "项目"}
    assert money["资金结余"] == (money["拨付资金"] - money["购货支出"]
                                - money["已付合作商超"])
    assert (money["尚欠合作商超"] - money["合作商超应退还"]
            == money["合作商超兑换货值（扣除退回）"] - money["已付合作商超"])


# --- the fund never goes below zero (issue 9, item 5) -----------------------------------------


def test_restocking_beyond_the_funds_balance_is_refused_naming_it(village):
    r = village.refused("item", "restock", "G001", "5", "--cost", "99999999")
    assert "balance on 2024-06-30 is ¥0.00" in r.stderr and "fund grant" in r.stderr
    village.ok("fund", "grant", "1000", "--date", "2024-04-01")
    r = village.refused("item", "restock", "G001", "5", "--cost", "1000.01", "--date",
                        "2024-04-02", lang="zh")
    assert "资金结余只有 ¥1000.00" in r.stderr and "G001" in r.stderr
    village.ok("item", "restock", "G001", "5", "--cost", "600", "--date", "2024-05-01")
    # a restock dated earlier must still leave the later one its money
    r = village.refused("item", "restock", "G001", "5", "--cost", "500", "--date", "2024-04-10")
    assert "¥1000.00" in r.stderr and "¥400.00 on 2024-05-01" in r.stderr
    village.ok("item", "restock", "G001", "5", "--cost", "400", "--date", "2024-04-10")
    assert village.json("fund", "show")["balance"] == "0.00"
    assert village.sql("SELECT count(*) FROM postings WHERE kind = 'restock' AND fen > 0") == [(2,)]


def test_a_reversal_that_would_take_the_fund_below_zero_is_refused(village):
    grant = village.ok("fund", "grant", "1000", "--date", "2024-04-01").stdout
    grant_seq = grant.split("#")[1].split(";")[0].split("，")[0]
    village.ok("item", "restock", "G001", "5", "--cost", "700", "--date", "2024-04-02")
    r = village.refused("reverse", grant_seq, "--reason", "拨款记错")
    assert f"Reversing #{grant_seq}" in r.stderr and "¥1000.00" in r.stderr
    assert "¥300.00" in r.stderr  # what is left after the restock that followed it
    r = village.refused("reverse", grant_seq, "--reason", "拨款记错", lang="zh")
    assert f"冲正 #{grant_seq}" in r.stderr
    assert village.json("fund", "show")["balance"] == "300.00"


def test_reversing_a_refund_needs_the_money_in_the_fund(village):
    _two_shops_one_overpaid(village)
    refund = village.ok("settle", "甲店", "--refund", "12.50", "--date", "2024-04-26").stdout
    seq = refund.split("#")[1].split(";")[0]
    village.ok("item", "restock", "G001", "1", "--cost", "987.50", "--date", "2024-04-27")
    assert village.json("fund", "show")["balance"] == "0.00"
    r = village.refused("reverse", seq, "--reason", "退款未到账")
    assert f"Reversing #{seq}" in r.stderr and "¥12.50" in r.stderr
    assert village.json("verify")["ok"]


def test_the_roll_ups_fund_figures_are_the_disclosures(village, tmp_path):
    """The roll-up reads the quarter's grants and the balance at its end in one query; they are
    what fund.csv says, with payments, a return, a refund, a restock and its reversal."""
    _two_shops_one_overpaid(village)
    village.ok("settle", "甲店", "--refund", "12.50", "--date", "2024-04-26")
    restock = village.ok("item", "restock", "G001", "2", "--cost", "70", "--date", "2024-05-01")
    village.ok("reverse", restock.stdout.split("#")[-1].split()[0].strip("）);,.，"),
               "--reason", "退货", "--date", "2024-05-02")
    village.ok("item", "restock", "G001", "1", "--cost", "30", "--date", "2024-05-03")
    village.ok("publish", "--quarter", "2024Q2", "--out", str(tmp_path / "q2"), lang="zh")
    rows = {r[0]: r[1:] for r in fund_csv(tmp_path / "q2" / "fund.csv")}
    figures = village.json("rollup", str(village.db), "--quarter", "2024Q2",
                           "--no-cache")["villages"][0]["figures"]
    assert Decimal(figures["fund_granted"]) / 100 == Decimal(rows["拨付资金"][0]) == 1000
    assert Decimal(figures["fund_balance"]) / 100 == Decimal(rows["资金结余"][1]) == Decimal("957.50")

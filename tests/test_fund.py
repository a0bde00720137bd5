"""The fund: grants, restock costs, partner-shop debts and settlements, and fund.csv."""

from __future__ import annotations

import csv
import io

from conftest import earn


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
        ["项目", "本季(元)", "累计(元)"],
        ["拨付资金", "30000.00", "30000.00"],
        ["购货支出", "350.00", "350.00"],
        ["合作商超兑换货值", "12.50", "12.50"],
        ["已付合作商超", "0.00", "0.00"],
        ["尚欠合作商超", "12.50", "12.50"],
        ["其中欠 那曲百货", "12.50", "12.50"],
        ["资金结余", "29650.00", "29650.00"],
    ]
    monkeypatch.setenv("JIFEN_TODAY", "2024-10-03")
    village.ok("settle", "那曲百货", "--amount", "12.50", "--date", "2024-07-05")
    village.ok("fund", "grant", "1000", "--date", "2024-08-01")
    village.ok("publish", "--quarter", "2024Q3", "--out", str(tmp_path / "q3"), lang="zh")
    q3 = fund_csv(tmp_path / "q3" / "fund.csv")
    assert q3 == [
        ["项目", "本季(元)", "累计(元)"],
        ["拨付资金", "1000.00", "31000.00"],
        ["购货支出", "0.00", "350.00"],
        ["合作商超兑换货值", "0.00", "12.50"],
        ["已付合作商超", "12.50", "12.50"],
        ["尚欠合作商超", "-12.50", "0.00"],
        ["其中欠 那曲百货", "-12.50", "0.00"],
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

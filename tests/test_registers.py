"""Registers that live through the years: edit, close, merge, search, rule versions, item prices,
reviewers who leave, partner shops — and the history that keeps what they said before."""

from __future__ import annotations

import pytest
from conftest import earn


def changes(jifen, **kwargs):
    return jifen.json("changes", **kwargs)


# --- households ------------------------------------------------------------------------------


def test_a_head_of_household_changes_and_the_old_name_is_kept(village):
    village.ok("household", "edit", "H002", "--name", "扎西次仁", "--group", "三组",
               "--reason", "户主去世，由长子继任")
    shown = village.json("household", "show", "H002")
    assert (shown["name"], shown["group"]) == ("扎西次仁", "三组")
    last = changes(village)[-1]
    assert last["register"] == "household" and last["code"] == "H002"
    assert last["action"] == "edit" and last["by"] == "文书"
    assert last["old"] == {"name": "བཀྲ་ཤིས་", "group": "二组"}
    assert last["new"] == {"name": "扎西次仁", "group": "三组"}
    assert last["reason"] == "户主去世，由长子继任"
    assert [c["action"] for c in shown["changes"]] == ["add", "edit"]
    # the table says it too, in Chinese
    table = village.ok("household", "show", "H002", lang="zh").stdout
    assert "户主去世" in table and "扎西次仁" in table
    village.ok("verify")


def test_household_edit_refusals(village):
    r = village.refused("household", "edit", "H002", "--reason", "x")
    assert "Nothing to change" in r.stderr
    r = village.refused("household", "edit", "H002", "--name", "བཀྲ་ཤིས་", "--reason", "x",
                        lang="zh")
    assert "没有修改" in r.stderr
    assert "No household H404" in village.refused("household", "edit", "H404", "--name", "x",
                                                  "--reason", "x").stderr
    # --reason is part of the command's grammar: a usage error
    assert village("household", "edit", "H002", "--name", "y").exit_code == 2
    assert [c["action"] for c in village.json("household", "show", "H002")["changes"]] == ["add"]


def test_an_id_number_belongs_to_one_open_household(village):
    taken = village.json("household", "show", "H001", "--private")["id_number"]
    r = village.refused("household", "edit", "H003", "--id-number", taken, "--reason", "补登")
    assert "H001" in r.stderr and taken not in r.stderr
    village.ok("household", "close", "H001", "--reason", "迁出", "--date", "2024-06-01", operator="格桑")
    village.ok("household", "edit", "H003", "--id-number", taken, "--reason", "补登")


def test_a_household_that_moves_away_is_closed_and_its_points_cleared(village):
    earn(village, "H001", "A02", 5, date="2024-05-03")  # 10 points
    out = village.ok("household", "close", "H001", "--reason", "全家迁往拉萨",
                     "--date", "2024-06-10", operator="格桑").stdout
    assert "10" in out
    history = village.json("history", "H001")
    closing = history[-1]
    assert (closing["kind"], closing["date"], closing["points"]) == ("close", "2024-06-10", -10)
    assert village.json("balance", "H001") == {"household": "H001", "available": 0, "honour": 10}
    shown = village.json("household", "show", "H001")
    assert shown["closed"] is True and shown["closed_on"] == "2024-06-10"
    # afterwards nothing new for it, and each refusal names the closing
    for args in (("record", "H001", "A01", "--date", "2024-06-20"),
                 ("redeem", "H001", "G001", "--date", "2024-06-20"),
                 ("household", "edit", "H001", "--name", "x", "--reason", "y"),
                 ("household", "close", "H001", "--reason", "again")):
        r = village.refused(*args, operator="格桑")
        assert "closed on 2024-06-10" in r.stderr and "全家迁往拉萨" in r.stderr, args
    r = village.refused("record", "H001", "A01", lang="zh")
    assert "已于 2024-06-10 销户" in r.stderr
    village.ok("verify")


def test_closing_is_refused_while_claims_are_pending_or_postings_come_later(village):
    village.ok("record", "H002", "A01", "--date", "2024-05-01")
    r = village.refused("household", "close", "H002", "--reason", "迁出", operator="格桑")
    assert "pending" in r.stderr and "#1 2024-05-01" in r.stderr
    village.ok("review", "approve", "1", operator="格桑")
    r = village.refused("household", "close", "H002", "--reason", "迁出", "--date", "2024-04-30",
                        lang="zh", operator="格桑")
    assert "2024-05-01" in r.stderr and "不能早于" in r.stderr
    village.ok("household", "close", "H002", "--reason", "迁出", "--date", "2024-05-01", operator="格桑")


def test_the_closing_posting_cannot_be_reversed_nor_anything_of_a_closed_household(village):
    earn(village, "H001", "A02", 2, date="2024-05-03")
    seq = village.json("history", "H001")[-1]["seq"]
    village.ok("household", "close", "H001", "--reason", "迁出", "--date", "2024-06-01", operator="格桑")
    closing = village.json("history", "H001")[-1]["seq"]
    assert "cannot be reversed" in village.refused("reverse", str(closing), "--reason", "x").stderr
    assert "closed on" in village.refused("reverse", str(seq), "--reason", "x").stderr


def test_a_household_registered_twice_is_merged(village):
    village.ok("household", "add", "H005", "次仁卓玛", "--group", "一组")  # the same family again
    earn(village, "H005", "A02", 10, date="2024-05-02")  # +20 available, +20 honour
    earn(village, "H005", "B01", 1, date="2024-05-03")   # -20: available 0, honour 0
    earn(village, "H005", "A02", 4, date="2024-05-04")   # +8
    earn(village, "H001", "A02", 1, date="2024-05-04")   # H001: 2
    before = village.json("balance", "H005")
    assert before == {"household": "H005", "available": 8, "honour": 8}
    out = village.ok("household", "merge", "H005", "H001", "--reason", "重复登记",
                     "--date", "2024-06-01", operator="格桑").stdout
    assert "H005" in out and "H001" in out
    assert village.json("balance", "H001") == {"household": "H001", "available": 10, "honour": 10}
    assert village.json("balance", "H005") == {"household": "H005", "available": 0, "honour": 0}
    out_posting = village.json("history", "H005")[-1]
    in_posting = village.json("history", "H001")[-1]
    assert out_posting["kind"] == in_posting["kind"] == "merge"
    assert out_posting["points"] == -8 and in_posting["points"] == 8
    assert f"#{in_posting['seq']}" in out_posting["note"] and "H001" in out_posting["note"]
    assert f"#{out_posting['seq']}" in in_posting["note"] and "H005" in in_posting["note"]
    shown = village.json("household", "show", "H005")
    assert shown["closed"] and shown["merged_into"] == "H001"
    assert "merged into H001" in village.refused("record", "H005", "A01").stderr
    # H001's own page lists the merge of H005 into it
    assert any(c["code"] == "H005" and c["action"] == "merge"
               for c in village.json("household", "show", "H001")["changes"])
    # the head's name now finds the open household, not the merged duplicate
    assert village.json("balance", "次仁卓玛")["household"] == "H001"
    village.ok("verify")
    # the township's health report agrees: honour moved by a merge is honour
    found = {c["name"]: c["status"] for c in village.json("check")["checks"]}
    assert found["balances"] == "ok", found


def test_merge_refusals(village):
    assert "into itself" in village.refused("household", "merge", "H001", "H001",
                                            "--reason", "x", operator="格桑").stderr
    village.ok("household", "close", "H003", "--reason", "迁出", "--date", "2024-06-01", operator="格桑")
    assert "closed on" in village.refused("household", "merge", "H001", "H003",
                                          "--reason", "x", operator="格桑").stderr
    assert "closed on" in village.refused("household", "merge", "H003", "H001",
                                          "--reason", "x", operator="格桑").stderr
    assert "No household H404" in village.refused("household", "merge", "H404", "H001",
                                                  "--reason", "x", operator="格桑").stderr


def test_search_and_closed_households_in_the_list(village):
    codes = lambda *a: [h["code"] for h in village.json("household", "list", *a)]  # noqa: E731
    assert codes("--search", "一组") == ["H001", "H003"]
    assert codes("--search", "h00") == ["H001", "H002", "H003", "H004"]
    id_number = village.json("household", "show", "H001", "--private")["id_number"]
    assert codes("--search", id_number[-4:]) == ["H001"]  # the last four digits of the ID
    assert codes("--search", "1234") == ["H001"]  # ... and of the phone 13800001234
    assert codes("--search", "ཚེ་རིང") == ["H004"]
    village.ok("household", "close", "H003", "--reason", "迁出", "--date", "2024-06-01", operator="格桑")
    assert codes("--search", "一组") == ["H001"]
    listed = village.json("household", "list", "--all", "--search", "一组")
    assert [(h["code"], h["closed"]) for h in listed] == [("H001", False), ("H003", True)]
    assert "已销户" in village.ok("household", "list", "--all", lang="zh").stdout


def test_read_commands_take_a_unique_heads_name(village):
    earn(village, "H002", "A02", 1)
    assert village.json("balance", "བཀྲ་ཤིས་")["household"] == "H002"
    assert village.json("history", "བཀྲ་ཤིས་")[0]["points"] == 2
    assert village.json("household", "show", "王建国")["code"] == "H003"
    village.ok("household", "add", "H005", "王建国", "--group", "二组")
    r = village.refused("balance", "王建国")
    assert "H003" in r.stderr and "H005" in r.stderr and "2 households" in r.stderr
    r = village.refused("history", "王建国", lang="zh")
    assert "有 2 户" in r.stderr
    # commands that write take codes only
    assert "No household" in village.refused("record", "བཀྲ་ཤིས་", "A01").stderr


# --- rules -----------------------------------------------------------------------------------


def test_a_rule_revised_from_a_date_applies_by_the_claims_own_date(village):
    village.ok("record", "H001", "A02", "--qty", "2", "--date", "2024-05-31")
    village.ok("record", "H001", "A02", "--qty", "2", "--date", "2024-06-01")
    village.ok("rule", "edit", "A02", "--from", "2024-06-01", "--points", "3",
               "--title", "参加升国旗仪式并发言", "--reason", "村民大会 2024-05-20 决议")
    village.ok("review", "approve", "--all", operator="格桑")
    points = [(p["date"], p["points"]) for p in village.json("history", "H001")]
    assert points == [("2024-05-31", 4), ("2024-06-01", 6)]
    in_force = {r["code"]: r for r in village.json("rule", "list")}["A02"]
    assert in_force == {"code": "A02", "category": "爱党爱国", "title": "参加升国旗仪式并发言",
                        "points": 3, "cap_month": None, "from": "2024-06-01", "retired": None}
    every = [r for r in village.json("rule", "list", "--all") if r["code"] == "A02"]
    assert [(r["from"], r["points"]) for r in every] == [(None, 2), ("2024-06-01", 3)]
    village.ok("verify")


def test_a_future_version_is_not_yet_in_force(village):
    village.ok("rule", "edit", "A02", "--from", "2025-01-01", "--points", "4", "--reason", "明年")
    assert {r["code"]: r for r in village.json("rule", "list")}["A02"]["points"] == 2


def test_the_monthly_cap_is_the_versions_own(village):
    # A01: 5 points, cap 15. From June: 5 points, cap 25.
    village.ok("rule", "edit", "A01", "--from", "2024-06-01", "--cap-month", "25",
               "--reason", "提高上限")
    for date in ("2024-05-02", "2024-06-02"):
        village.ok("record", "H002", "A01", "--qty", "5", "--date", date)
    village.ok("review", "approve", "--all", operator="格桑")
    assert [p["points"] for p in village.json("history", "H002")] == [15, 25]
    village.ok("rule", "edit", "A01", "--from", "2024-06-15", "--cap-month", "0",
               "--reason", "取消上限")
    assert {r["code"]: r for r in village.json("rule", "list")}["A01"]["cap_month"] is None


def test_rule_edit_refusals(village):
    earn(village, "H001", "A02", 1, date="2024-05-10")
    r = village.refused("rule", "edit", "A02", "--from", "2024-05-01", "--points", "3",
                        "--reason", "x")
    assert "2024-05-10" in r.stderr and "reverse" in r.stderr
    r = village.refused("rule", "edit", "A02", "--from", "2024-05-01", "--points", "3",
                        "--reason", "x", lang="zh")
    assert "已有入账记录" in r.stderr
    assert "Nothing to change" in village.refused("rule", "edit", "A02", "--from", "2024-06-01",
                                                  "--reason", "x").stderr
    assert "already has these values" in village.refused(
        "rule", "edit", "A02", "--from", "2024-06-01", "--points", "2", "--reason", "x").stderr
    village.ok("rule", "edit", "A02", "--from", "2024-06-01", "--points", "3", "--reason", "x")
    assert "already has a version" in village.refused(
        "rule", "edit", "A02", "--from", "2024-06-01", "--points", "4", "--reason", "x").stderr
    assert "No rule" in village.refused("rule", "edit", "Z99", "--from", "2024-06-01",
                                        "--points", "4", "--reason", "x").stderr
    assert village("rule", "edit", "A02", "--points", "4", "--reason", "x").exit_code == 2


def test_a_retired_rule_takes_no_claims_from_its_date(village, tmp_path):
    village.ok("record", "H001", "A02", "--date", "2024-06-05")
    r = village.refused("rule", "retire", "A02", "--from", "2024-06-01", "--reason", "停止")
    assert "#1 2024-06-05" in r.stderr
    village.ok("review", "approve", "1", operator="格桑")
    posted = village.json("history", "H001")[-1]["seq"]
    village.ok("reverse", str(posted), "--reason", "试行", "--date", "2024-06-06")
    village.ok("rule", "retire", "A02", "--from", "2024-06-01", "--reason", "村规修订，取消此项")
    village.ok("record", "H001", "A02", "--date", "2024-05-31")  # before the retirement: fine
    r = village.refused("record", "H001", "A02", "--date", "2024-06-01")
    assert "retired from 2024-06-01" in r.stderr
    r = village.refused("record", "H001", "A02", "--date", "2024-06-01", lang="zh")
    assert "2024-06-01 起停用" in r.stderr
    path = tmp_path / "records.csv"
    path.write_text("户号,指标编号,日期\nH001,A02,2024-06-02\n", encoding="utf-8")
    r = village.refused("import", "records", str(path))
    assert f"{path.name}:2:" in r.stderr and "retired" in r.stderr
    listed = {x["code"]: x for x in village.json("rule", "list")}
    assert listed["A02"]["retired"] == "2024-06-01"
    assert "retired" in village.refused("rule", "edit", "A02", "--from", "2024-06-20",
                                        "--points", "3", "--reason", "x").stderr


# --- items, reviewers, shops -----------------------------------------------------------------


def test_a_price_change_applies_from_now_on(village):
    earn(village, "H001", "A02", 30)  # 60 points
    village.ok("redeem", "H001", "G002", "--date", "2024-05-02")  # 12 points, ¥12.50
    village.ok("item", "edit", "G002", "--points", "15", "--value", "14.00", "--name", "茯砖茶",
               "--reason", "进价上涨")
    village.ok("redeem", "H001", "G002", "--date", "2024-05-03")
    redeemed = [(p["points"]) for p in village.json("history", "H001") if p["kind"] == "redeem"]
    assert redeemed == [-12, -15]
    assert village.sql("SELECT fen FROM postings WHERE kind = 'redeem' ORDER BY seq") == [
        (1250,), (1400,)]
    item = {i["code"]: i for i in village.json("item", "list")}["G002"]
    assert (item["name"], item["points"], item["value"]) == ("茯砖茶", 15, "14.00")
    last = changes(village)[-1]
    assert last["old"] == {"name": "砖茶", "points": 12, "value_fen": 1250}
    assert last["new"] == {"name": "茯砖茶", "points": 15, "value_fen": 1400}


def test_a_retired_item_takes_no_redemptions_or_restocking(village):
    earn(village, "H001", "A02", 30)
    village.ok("item", "retire", "G002", "--reason", "停产")
    assert "retired" in village.refused("redeem", "H001", "G002").stderr
    assert "停用" in village.refused("redeem", "H001", "G002", lang="zh").stderr
    assert "retired" in village.refused("item", "restock", "G002", "1", "--cost", "1").stderr
    assert {i["code"]: i for i in village.json("item", "list")}["G002"]["stock"] == 2
    village.ok("verify")


def test_a_reviewer_who_leaves_reviews_no_more_and_keeps_past_reviews(village):
    claim = earn(village, "H001", "A02")
    village.ok("record", "H001", "A02", "--date", "2024-05-02")
    village.ok("reviewer", "retire", "格桑", "--reason", "调任乡政府")
    r = village.refused("review", "approve", "--all", operator="格桑")
    assert "left the working group" in r.stderr
    assert "离开工作领导小组" in village.refused("review", "approve", "--all", operator="格桑",
                                                 lang="zh").stderr
    approved = village.json("review", "list", "--status", "approved")
    assert [(c["id"], c["reviewed_by"]) for c in approved] == [(claim, "格桑")]
    village.ok("review", "approve", "--all", operator="罗布")
    assert village.json("reviewer", "list")[0] == {"name": "格桑", "retired": "2024-06-30"}
    assert "left the working group" in village.refused("reviewer", "retire", "格桑",
                                                       "--reason", "again").stderr


def test_an_item_or_reviewer_is_never_retired_before_what_the_ledger_has_of_it(village):
    """The history would say the 砖茶 was gone before it was handed out, or that 格桑 had left
    before a review of theirs: refused, naming the posting, nothing changed."""
    earn(village, "H001", "A02", 30, date="2024-05-20")  # reviewed by 格桑, dated 2024-05-20
    seq = village.ok("redeem", "H001", "G002", "--date", "2024-06-01").stdout.split("#")[-1].strip()
    before = village.json("changes")
    r = village.refused("item", "retire", "G002", "--date", "2024-05-01", "--reason", "停产")
    assert f"Item G002 has a posting dated after 2024-05-01 (#{seq}, 2024-06-01)" in r.stderr
    r = village.refused("item", "retire", "G002", "--date", "2024-05-01", "--reason", "停产",
                        lang="zh")
    assert "停用日期不能早于它" in r.stderr and f"#{seq}" in r.stderr
    r = village.refused("reviewer", "retire", "格桑", "--date", "2024-05-01", "--reason", "调任")
    assert "Reviewer 格桑 has a posting dated after 2024-05-01" in r.stderr
    assert village.json("changes") == before
    assert village.json("reviewer", "list")[0] == {"name": "格桑", "retired": None}
    village.ok("item", "retire", "G002", "--date", "2024-06-01", "--reason", "停产")
    village.ok("reviewer", "retire", "格桑", "--date", "2024-06-01", "--reason", "调任")
    village.ok("verify")


def test_partner_shops_are_registered_and_an_unknown_name_is_refused(village):
    earn(village, "H001", "A02", 30)
    r = village.refused("redeem", "H001", "G002", "--shop", "那曲百货店")
    assert "那曲百货" in r.stderr and "Closest" in r.stderr
    r = village.refused("redeem", "H001", "G002", "--shop", "色尼区藏家乐", lang="zh")
    assert "没有登记的合作商超" in r.stderr and "shop add" in r.stderr
    village.ok("redeem", "H001", "G002", "--shop", "那曲百货", "--date", "2024-05-02")
    assert "already registered" in village.refused("shop", "add", "那曲百货").stderr
    shops = {s["name"]: s for s in village.json("shop", "list")}
    assert shops["那曲百货"] == {"name": "那曲百货", "contact": "0896-1234567", "owed": "12.50",
                              "paid": "0.00", "refunded": "0.00", "credit": "0.00"}
    village.ok("settle", "那曲百货", "--amount", "12.50", "--date", "2024-05-03")
    assert {s["name"]: s for s in village.json("shop", "list")}["那曲百货"]["paid"] == "12.50"


# --- the history itself ----------------------------------------------------------------------


def test_changes_since_a_day_and_in_both_languages(village, monkeypatch):
    every = changes(village)
    assert every and all(c["action"] == "add" for c in every)
    assert {c["register"] for c in every} == {"household", "rule", "item", "reviewer", "shop"}
    # ID numbers and phones are masked unless --private
    h1 = next(c for c in every if c["code"] == "H001")
    assert h1["new"]["id_number"].startswith("540102********") and h1["new"]["phone"] == "***"
    private = next(c for c in village.json("changes", "--private") if c["code"] == "H001")
    assert private["new"]["phone"] == "13800001234"
    later = every[-1]["at"][:10]
    assert village.json("changes", "--since", "2999-01-01") == []
    assert village.json("changes", "--since", later)[-1] == every[-1]
    assert "登记变更记录" in village.ok("changes", lang="zh").stdout
    assert "No register changes" in village.ok("changes", "--since", "2999-01-01").stdout


@pytest.mark.parametrize("table, column, value, row", [
    ("households", "name", "假名", "H001"),
    ("households", "grp", "九组", "H002"),
    ("rules", "points", 50, "A01"),
    ("rules", "title", "假指标", "A02"),
    ("rule_versions", "points", 50, "A01"),
    ("rule_versions", "title", "假指标", "A02"),
    ("items", "name", "假酥油", "G001"),
    ("items", "points", 1, "G002"),
    ("items", "value_fen", 1, "G002"),
])
def test_a_register_changed_behind_jifens_back_is_caught_and_named(village, table, column,
                                                                   value, row):
    key = "name" if table == "reviewers" else "code"
    village.sql(f"UPDATE {table} SET {column} = ? WHERE {key} = ?", (value, row))
    r = village("verify")
    assert r.exit_code == 3 and row in r.stderr and "outside jifen" in r.stderr
    assert "jifen 之外" in village("verify", lang="zh").stderr
    assert village("check", "--json").exit_code == 3


def test_a_register_row_added_or_removed_behind_jifens_back_is_caught(village):
    village.sql("INSERT INTO households (code, name, created_at, created_by)"
                " VALUES ('H099', '假户', 'x', 'x')")
    r = village("verify")
    assert r.exit_code == 3 and "H099" in r.stderr
    village.sql("DELETE FROM households WHERE code = 'H099'")
    assert village("verify").exit_code == 0
    village.sql("DELETE FROM shops WHERE name = '罗玛镇惠民超市'")
    r = village("verify")
    assert r.exit_code == 3 and "罗玛镇惠民超市" in r.stderr


def test_the_history_is_append_only_and_chained(village):
    import sqlite3

    conn = sqlite3.connect(village.db)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE changes SET reason = 'x'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM changes")
    conn.close()
    # with the triggers dropped, a rewritten change breaks the chain
    village.sql("DROP TRIGGER changes_no_update")
    village.sql("UPDATE changes SET new = replace(new, '次仁卓玛', '假名') WHERE code = 'H001'")
    r = village("verify")
    assert r.exit_code == 3 and "does not match the chain" in r.stderr


# --- what the disclosure shows ---------------------------------------------------------------


def test_a_household_that_left_keeps_its_row_in_the_quarter_it_left_only(village, tmp_path,
                                                                          monkeypatch):
    from test_publish import read_csv

    earn(village, "H002", "A02", 3, date="2024-05-02")  # 6 points
    village.ok("household", "close", "H002", "--reason", "迁往那曲", "--date", "2024-06-10", operator="格桑")
    village.ok("household", "merge", "H004", "H001", "--reason", "重复登记", "--date", "2024-06-11", operator="格桑")
    q2 = tmp_path / "q2"
    village.ok("publish", "--quarter", "2024Q2", "--out", str(q2), "--date", "2024-06-30")
    rows = {r[0]: r for r in read_csv(q2 / "ledger.csv")[1:]}
    assert rows["H002"][1:] == ["བཀྲ་ཤིས་", "二组", "0", "6", "0", "0", "-6", "0", "1"]
    assert "H004" in rows
    monkeypatch.setenv("JIFEN_TODAY", "2024-10-01")
    q3 = tmp_path / "q3"
    village.ok("publish", "--quarter", "2024Q3", "--out", str(q3), "--date", "2024-10-01")
    codes = [r[0] for r in read_csv(q3 / "ledger.csv")[1:]]
    assert codes == ["H001", "H003"]
    village.ok("verify")


def test_history_and_cards_name_the_rule_and_item_as_they_stood_on_the_postings_date(village,
                                                                                    tmp_path):
    earn(village, "H001", "A02", 30, date="2024-05-01")
    village.ok("redeem", "H001", "G002", "--date", "2024-05-02")
    village.ok("rule", "edit", "A02", "--from", "2024-06-01", "--title", "参加升国旗仪式并宣誓",
               "--reason", "修订")
    village.ok("item", "edit", "G002", "--name", "砖茶（康砖）", "--reason", "改名")
    earn(village, "H001", "A02", 1, date="2024-06-05")
    village.ok("redeem", "H001", "G002", "--date", "2024-06-30")
    titles = [(p["date"], p["title"] or p["item_name"]) for p in village.json("history", "H001")]
    assert titles == [
        ("2024-05-01", "参加升国旗仪式"), ("2024-05-02", "砖茶"),
        ("2024-06-05", "参加升国旗仪式并宣誓"), ("2024-06-30", "砖茶（康砖）")]
    village.ok("card", "H001", "--out", str(tmp_path / "cards"))
    html = (tmp_path / "cards" / "cards.html").read_text("utf-8")
    assert "参加升国旗仪式并宣誓" in html and html.count("砖茶（康砖）") == 1


def test_only_a_reviewer_closes_or_merges_a_household(village):
    """A closing clears points and a merge moves them: not the clerk alone."""
    r = village.refused("household", "close", "H003", "--reason", "迁出")
    assert "not a reviewer" in r.stderr
    r = village.refused("household", "merge", "H003", "H001", "--reason", "重复", lang="zh")
    assert "审核人" in r.stderr
    assert village.json("household", "show", "H003")["closed"] is False


def test_a_household_closed_or_merged_by_mistake_is_reopened(village):
    earn(village, "H003", "A02", 5, date="2024-05-02")   # H003: 10 available, 10 honour
    earn(village, "H004", "B01", 1, date="2024-05-03")   # H004: -20 (a deduction)
    village.ok("household", "close", "H004", "--reason", "迁出", "--date", "2024-06-01",
               operator="格桑")
    assert village.json("balance", "H004")["available"] == 0  # a closed account stands at zero
    village.ok("household", "reopen", "H004", "--reason", "搞错了户", operator="格桑")
    assert village.json("balance", "H004") == {"household": "H004", "available": -20,
                                               "honour": -20}
    village.ok("household", "merge", "H003", "H001", "--reason", "重复登记", "--date", "2024-06-02",
               operator="格桑")
    out = village.ok("household", "reopen", "H003", "--reason", "并错了", operator="格桑",
                     lang="zh").stdout
    assert "从 H001 移回" in out
    assert village.json("balance", "H003") == {"household": "H003", "available": 10, "honour": 10}
    assert village.json("balance", "H001") == {"household": "H001", "available": 0, "honour": 0}
    shown = village.json("household", "show", "H003")
    assert shown["closed"] is False and shown["merged_into"] is None
    assert [c["action"] for c in shown["changes"]][-2:] == ["merge", "reopen"]
    village.ok("record", "H003", "A01")  # open again: it takes records
    village.ok("review", "approve", "--all", operator="格桑")
    # and it can leave again later
    village.ok("household", "close", "H003", "--reason", "迁出", operator="罗布")
    village.ok("verify")
    found = {c["name"]: c for c in village.json("check")["checks"]}["balances"]
    assert found["status"] == "warn" and "H004" in found["detail"]  # its deficit, not damage
    assert "not closed" in village.refused("household", "reopen", "H001", "--reason", "x",
                                           operator="格桑").stderr


def test_a_merge_is_not_undone_when_the_points_are_spent(village):
    earn(village, "H003", "A02", 10, date="2024-05-02")   # 20 points
    village.ok("household", "merge", "H003", "H001", "--reason", "重复登记", "--date", "2024-06-02",
               operator="格桑")
    village.ok("redeem", "H001", "G002", "--date", "2024-06-03")  # H001 spends 12 of them
    r = village.refused("household", "reopen", "H003", "--reason", "并错了", operator="格桑")
    assert "H001" in r.stderr and "20" in r.stderr and "8" in r.stderr
    assert village.json("household", "show", "H003")["closed"] is True


def test_a_merge_moves_points_with_their_dates_so_the_clearing_still_takes_them(jifen, tmp_path,
                                                                               monkeypatch):
    monkeypatch.setenv("JIFEN_TODAY", "2023-12-31")
    jifen.ok("init", "--village", "日玛村")
    jifen.ok("reviewer", "add", "格桑")
    for code in ("H001", "H002"):
        jifen.ok("household", "add", code, "次仁")
    jifen.ok("rule", "add", "A01", "--category", "人居环境", "--title", "庭院整洁", "--points", "10")
    jifen.ok("record", "H002", "A01", "--qty", "10", "--date", "2023-11-01")  # 100 in 2023
    jifen.ok("record", "H001", "A01", "--date", "2023-11-02")                # 10 in 2023
    jifen.ok("review", "approve", "--all", operator="格桑")
    jifen.ok("publish", "--quarter", "2023Q4", "--out", str(tmp_path / "q4"), "--date", "2023-12-31")
    monkeypatch.setenv("JIFEN_TODAY", "2024-01-10")
    jifen.ok("household", "merge", "H002", "H001", "--reason", "重复登记", "--date", "2024-01-05",
             operator="格桑")
    plan = jifen.json("expire", "--year", "2023", "--dry-run")
    assert plan["points"] == 110 and [h["household"] for h in plan["households"]] == ["H001"]

"""The ledger core through the command line: every command of issue 2 and every refusal."""

from __future__ import annotations

import sqlite3

from conftest import earn


def test_init_creates_a_village_and_refuses_to_overwrite(jifen):
    result = jifen.ok("init", "--village", "扎西岗村", "--class", "2", "--mode", "partner")
    assert "扎西岗村" in result.stdout
    assert jifen.sql("SELECT name, class, mode FROM village") == [("扎西岗村", 2, "partner")]
    before = jifen.db.read_bytes()
    again = jifen.refused("init", "--village", "别的村")
    assert "already exists" in again.stderr
    assert jifen.db.read_bytes() == before


def test_init_leaves_no_sidecar_files(jifen):
    jifen.ok("init", "--village", "扎西岗村")
    jifen.ok("household", "add", "H001", "次仁卓玛")
    siblings = sorted(p.name for p in jifen.db.parent.iterdir())
    assert siblings == [jifen.db.name]
    assert jifen.sql("PRAGMA journal_mode") == [("delete",)]


def test_bad_class_and_mode_are_usage_errors(jifen):
    assert jifen("init", "--village", "X", "--class", "4").exit_code == 2
    assert jifen("init", "--village", "X", "--mode", "shop").exit_code == 2
    assert not jifen.db.exists()


def test_commands_that_write_need_an_operator(village):
    result = village.refused("household", "add", "H009", "尼玛", operator=None)
    assert "--operator" in result.stderr and "JIFEN_OPERATOR" in result.stderr
    zh = village.refused("household", "add", "H009", "尼玛", operator=None, lang="zh")
    assert "操作人" in zh.stderr
    assert village.sql("SELECT count(*) FROM households WHERE code = 'H009'") == [(0,)]


def test_operator_from_environment(village, monkeypatch):
    monkeypatch.setenv("JIFEN_OPERATOR", "次仁")
    village.ok("household", "add", "H009", "尼玛", operator=None)
    assert village.sql("SELECT created_by FROM households WHERE code='H009'") == [("次仁",)]


def test_missing_village_file_is_a_clear_refusal(jifen):
    result = jifen.refused("balance")
    assert "jifen init" in result.stderr
    assert not jifen.db.exists()


def test_a_foreign_file_is_not_a_village(jifen):
    jifen.db.write_text("household,points\nH001,5\n", encoding="utf-8")
    assert "not a jifen village" in jifen.refused("balance").stderr
    jifen.db.unlink()
    sqlite3.connect(jifen.db).execute("CREATE TABLE t (x)").connection.commit()
    assert "not a jifen village" in jifen.refused("household", "list").stderr


def test_language_from_lang_environment(village, monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    result = village.runner.invoke(__import__("jifen_cli.cli").cli.app, ["balance", "H999"])
    assert result.exit_code == 1
    assert "没有户号为 H999 的农户" in result.stderr


# --- registers ------------------------------------------------------------------------------


def test_reviewer_add_and_duplicate(village):
    assert village.json("reviewer", "list") == [{"name": "格桑", "retired": None},
                                                {"name": "罗布", "retired": None}]
    assert "already exists" in village.refused("reviewer", "add", "格桑").stderr


def test_household_register_masks_private_fields(village):
    listed = village.json("household", "list")
    h1 = next(h for h in listed if h["code"] == "H001")
    assert h1 == {"code": "H001", "name": "次仁卓玛", "group": "一组", "members": 5,
                  "id_number": "540102********1233", "available": 0, "honour": 0,
                  "closed": False, "closed_on": None, "merged_into": None}
    private = village.json("household", "show", "H001", "--private")
    assert private["id_number"] == "540102199001011233"
    assert private["phone"] == "13800001234"
    table = village.ok("household", "list").stdout
    assert "540102199001011233" not in table and "13800001234" not in table
    assert "540102********1233" in table


def test_household_refusals(village):
    assert "H001 already exists" in village.refused("household", "add", "H001", "别人").stderr
    assert "bad code" in village.refused("household", "add", "H 1", "尼玛").stderr
    assert "ID number" in village.refused("household", "add", "H010", "尼玛",
                                           "--id-number", "12345").stderr
    assert "No household H404" in village.refused("household", "show", "H404").stderr
    assert village.sql("SELECT count(*) FROM households") == [(4,)]


def test_household_show_json_keys(village):
    shown = village.json("household", "show", "H002")
    assert {k: shown[k] for k in ("code", "name", "group", "members")} == {
        "code": "H002", "name": "བཀྲ་ཤིས་", "group": "二组", "members": 3}
    assert "phone" not in shown


def test_rule_book(village):
    rules = {r["code"]: r for r in village.json("rule", "list")}
    assert rules["B01"]["points"] == -20 and rules["A01"]["cap_month"] == 15
    assert "already exists" in village.refused(
        "rule", "add", "A01", "--category", "人居环境", "--title", "x", "--points", "1").stderr
    assert "cannot be 0" in village.refused(
        "rule", "add", "Z01", "--category", "人居环境", "--title", "x", "--points", "0").stderr
    table = village.ok("rule", "list").stdout
    assert "庭院整洁" in table and "-20" in table


def test_items_restock_and_list(village):
    items = {i["code"]: i for i in village.json("item", "list")}
    assert items["G001"] == {"code": "G001", "name": "酥油", "points": 30, "value": "35.00",
                             "stock": 10, "retired": None}
    village.ok("fund", "grant", "1000", "--date", "2024-04-01")  # restocking spends the fund
    out = village.ok("item", "restock", "G002", "5", "--cost", "50", "--date", "2024-05-02").stdout
    assert "stock 7" in out
    assert village.json("item", "list")[1]["stock"] == 7
    assert village.sql("SELECT kind, stock, fen FROM postings WHERE item='G002' ORDER BY seq") == [
        ("restock", 2, 0), ("restock", 5, 5000)]
    assert "No item G404" in village.refused("item", "restock", "G404", "1", "--cost", "1").stderr
    assert "yuan" in village.refused("item", "add", "G003", "茶", "--points", "5",
                                     "--value", "1.234").stderr
    assert "already exists" in village.refused("item", "add", "G001", "酥油", "--points", "5",
                                               "--value", "1").stderr


# --- claims and review ----------------------------------------------------------------------


def test_record_prints_its_id_and_stays_pending(village):
    out = village.ok("record", "H001", "A02", "--date", "2024-05-01", "--note", "升旗").stdout
    assert "claim 1" in out
    claims = village.json("review", "list")
    assert claims == [{"id": 1, "household": "H001", "rule": "A02", "qty": 1, "date": "2024-05-01",
                       "note": "升旗", "ref": None, "status": "pending", "recorded_by": "文书",
                       "recorded_at": claims[0]["recorded_at"], "reviewed_by": None,
                       "reviewed_at": None, "reason": None, "posting": None, "event": None,
                       "evidence": 0, "name": "次仁卓玛", "title": "参加升国旗仪式", "points": 2,
                       "cap": None}]
    assert village.json("balance", "H001")["available"] == 0


def test_record_defaults_to_today(village):
    village.ok("record", "H001", "A02")
    assert village.json("review", "list")[0]["date"] == "2024-06-30"


def test_record_refusals(village):
    assert "No household H404" in village.refused("record", "H404", "A01").stderr
    assert "No rule Z99" in village.refused("record", "H001", "Z99").stderr
    assert "bad date" in village.refused("record", "H001", "A01", "--date", "2024-13-01").stderr
    assert "in the future" in village.refused("record", "H001", "A01", "--date", "2030-01-01").stderr
    assert "positive" in village.refused("record", "H001", "A01", "--qty", "0").stderr
    assert village.sql("SELECT count(*) FROM claims") == [(0,)]


def test_evidence_is_stored_with_its_hash(village, tmp_path):
    photo = tmp_path / "庭院.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + bytes(range(256)) * 10)
    village.ok("record", "H001", "A01", "--evidence", str(photo), "--evidence", str(photo))
    rows = village.sql("SELECT e.name, b.size, b.sha256, b.data FROM evidence e"
                       " JOIN evidence_blobs b ON b.sha256 = e.sha256")
    import hashlib

    assert len(rows) == 2  # the file twice on the claim, its bytes stored once
    assert village.sql("SELECT count(*) FROM evidence_blobs") == [(1,)]
    assert rows[0][:3] == ("庭院.jpg", photo.stat().st_size,
                           hashlib.sha256(photo.read_bytes()).hexdigest())
    assert rows[0][3] == photo.read_bytes()


def test_evidence_refusals(village, tmp_path, monkeypatch):
    missing = village.refused("record", "H001", "A01", "--evidence", str(tmp_path / "none.jpg"))
    assert "none.jpg" in missing.stderr
    monkeypatch.setattr("jifen_cli.claims.EVIDENCE_LIMIT", 100)
    big = tmp_path / "big.jpg"
    big.write_bytes(b"x" * 101)
    assert "limit" in village.refused("record", "H001", "A01", "--evidence", str(big)).stderr
    assert village.sql("SELECT count(*) FROM claims") == [(0,)]


def test_approve_posts_to_the_ledger(village):
    village.ok("record", "H001", "A01", "--qty", "2", "--date", "2024-05-01")
    out = village.ok("review", "approve", "1", operator="格桑").stdout
    assert "+10" in out
    assert village.json("balance", "H001") == {"household": "H001", "available": 10, "honour": 10}
    posting = village.json("history", "H001")[0]
    assert posting["kind"] == "earn" and posting["points"] == 10 and posting["rule"] == "A01"
    assert posting["recorded_by"] == "文书" and posting["reviewed_by"] == "格桑"
    assert village.json("review", "list", "--status", "approved")[0]["posting"] == posting["seq"]


def test_only_a_registered_reviewer_who_did_not_record_may_review(village):
    village.ok("record", "H001", "A01")
    assert "not a reviewer" in village.refused("review", "approve", "1", operator="路人").stderr
    own = village.refused("review", "approve", "1", operator="文书")
    assert "not a reviewer" in own.stderr
    village.ok("reviewer", "add", "文书")
    assert "cannot review it" in village.refused("review", "approve", "1", operator="文书").stderr
    assert village.sql("SELECT status FROM claims") == [("pending",)]


def test_approve_all_leaves_own_claims_and_filters_by_month(village):
    village.ok("record", "H001", "A02", "--date", "2024-04-03")
    village.ok("record", "H002", "A02", "--date", "2024-05-03")
    village.ok("record", "H003", "A02", "--date", "2024-05-04", operator="罗布")
    out = village.ok("review", "approve", "--all", "--month", "2024-05", operator="罗布").stdout
    assert "Approved 1 claim" in out and "3" in out
    assert [c["id"] for c in village.json("review", "list")] == [1, 3]
    neither = village("review", "approve", operator="格桑")
    assert neither.exit_code == 2 and "Name the claims" in neither.stderr


def test_reject_keeps_the_claim_with_its_reason(village):
    village.ok("record", "H001", "A01")
    village.ok("review", "reject", "1", "--reason", "无照片", operator="格桑")
    claim = village.json("review", "list", "--status", "rejected")[0]
    assert claim["status"] == "rejected" and claim["reason"] == "无照片"
    assert village.sql("SELECT count(*) FROM postings WHERE household='H001'") == [(0,)]
    assert "already rejected" in village.refused("review", "approve", "1", operator="格桑").stderr
    assert "No claim 9" in village.refused("review", "reject", "9", "--reason", "x",
                                           operator="格桑").stderr


def test_monthly_cap_posts_up_to_the_cap_then_rejects(village):
    village.ok("record", "H001", "A01", "--qty", "2", "--date", "2024-05-01")  # 10
    village.ok("record", "H001", "A01", "--qty", "2", "--date", "2024-05-02")  # 10 -> 5
    village.ok("record", "H001", "A01", "--date", "2024-05-03")                # 5 -> 0
    village.ok("record", "H001", "A01", "--date", "2024-06-01")                # new month
    out = village.ok("review", "approve", "--all", operator="格桑").stdout
    assert "caps at 15" in out
    assert [p["points"] for p in village.json("history", "H001")] == [10, 5, 5]
    statuses = [(c["id"], c["status"]) for c in village.json("review", "list", "--status", "all")]
    assert statuses == [(1, "approved"), (2, "approved"), (3, "rejected"), (4, "approved")]
    assert village.json("balance", "H001")["available"] == 20


def test_deductions_lower_both_balances(village):
    earn(village, "H001", "A01", 2)
    earn(village, "H001", "B01")
    assert village.json("balance", "H001") == {"household": "H001", "available": -10, "honour": -10}
    assert village.json("history", "H001")[-1]["kind"] == "deduct"


# --- redeem and reverse ---------------------------------------------------------------------


def test_redeem_takes_points_and_stock_together(village):
    earn(village, "H001", "A01", 3)  # 15
    earn(village, "H001", "A02", 10, date="2024-05-02")  # 20 -> 35
    out = village.ok("redeem", "H001", "G001", "--date", "2024-05-10").stdout
    assert "5 left" in out
    assert village.json("balance", "H001") == {"household": "H001", "available": 5, "honour": 35}
    assert village.json("item", "list")[0]["stock"] == 9
    redemption = village.json("history", "H001")[-1]
    assert redemption["kind"] == "redeem" and redemption["item"] == "G001" and redemption["points"] == -30


def test_redeem_refusals_change_nothing(village):
    earn(village, "H001", "A01", 3)
    before = village.sql("SELECT count(*) FROM postings")
    assert "15 points available; 30 are needed" in village.refused("redeem", "H001", "G001").stderr
    earn(village, "H002", "A02", 20, date="2024-05-02")  # 40 points
    assert "2 in stock; 3 are needed" in village.refused("redeem", "H002", "G002", "--qty", "3").stderr
    assert "No item G9" in village.refused("redeem", "H002", "G9").stderr
    assert "No household H9" in village.refused("redeem", "H9", "G001").stderr
    zh = village.refused("redeem", "H001", "G001", lang="zh")
    assert "可用积分 15" in zh.stderr
    assert village.sql("SELECT count(*) FROM postings")[0][0] == before[0][0] + 1
    assert village.json("item", "list")[1]["stock"] == 2


def test_redeem_at_a_partner_shop_leaves_village_stock(village):
    earn(village, "H002", "A02", 20)
    village.ok("redeem", "H002", "G002", "--qty", "3", "--shop", "罗玛镇惠民超市")
    assert village.json("item", "list")[1]["stock"] == 2
    assert village.sql("SELECT shop, fen, stock FROM postings WHERE kind='redeem'") == [
        ("罗玛镇惠民超市", 3750, 0)]


def test_reverse_posts_the_exact_opposite(village):
    earn(village, "H001", "A02", 20)
    village.ok("redeem", "H001", "G001", "--date", "2024-05-10")
    seq = village.json("history", "H001")[-1]["seq"]
    out = village.ok("reverse", str(seq), "--reason", "退货").stdout
    assert f"#{seq}" in out
    assert village.json("balance", "H001") == {"household": "H001", "available": 40, "honour": 40}
    assert village.json("item", "list")[0]["stock"] == 10
    last = village.json("history", "H001")[-1]
    assert last["kind"] == "reverse" and last["points"] == 30 and last["reverses"] == seq
    assert last["note"] == "退货"
    again = village.refused("reverse", str(seq), "--reason", "再退")
    assert "already reversed" in again.stderr
    assert "itself a reversal" in village.refused("reverse", str(last["seq"]), "--reason", "x").stderr
    assert "No posting #999" in village.refused("reverse", "999", "--reason", "x").stderr


def test_reversing_a_reward_lowers_honour_too(village):
    earn(village, "H003", "A01", 2)
    seq = village.json("history", "H003")[0]["seq"]
    village.ok("reverse", str(seq), "--reason", "重复录入")
    assert village.json("balance", "H003") == {"household": "H003", "available": 0, "honour": 0}


def test_reverse_needs_a_reason_and_an_operator(village):
    earn(village, "H001", "A01")
    assert village("reverse", "2").exit_code == 2
    assert "cannot be empty" in village.refused("reverse", "3", "--reason", " ").stderr
    assert "--operator" in village.refused("reverse", "3", "--reason", "x", operator=None).stderr


def test_reversing_a_restock_cannot_take_stock_below_zero(village):
    earn(village, "H001", "A02", 20)
    village.ok("redeem", "H001", "G002", "--qty", "2")
    restock_seq = village.sql("SELECT seq FROM postings WHERE item='G002' AND kind='restock'")[0][0]
    assert "0 in stock" in village.refused("reverse", str(restock_seq), "--reason", "x").stderr


# --- reading --------------------------------------------------------------------------------


def test_balance_of_everyone_and_of_one(village):
    earn(village, "H002", "A02", 3)
    everyone = village.json("balance")
    assert {"household": "H002", "available": 6, "honour": 6} in everyone
    assert len(everyone) == 4
    table = village.ok("balance").stdout
    assert "བཀྲ་ཤིས་" in table and "次仁卓玛" in table
    assert "No household H404" in village.refused("balance", "H404").stderr


def test_history_table_in_chinese(village):
    earn(village, "H002", "A02", 3)
    out = village.ok("history", "H002", lang="zh").stdout
    assert "加分" in out and "བཀྲ་ཤིས་" in out
    assert "no postings" in village.ok("history", "H003").stdout


def test_json_outputs_are_one_document(village):
    import json

    earn(village, "H001", "A01")
    for args in (("household", "list"), ("household", "show", "H001"), ("rule", "list"),
                 ("item", "list"), ("review", "list"), ("balance",), ("balance", "H001"),
                 ("history", "H001"), ("verify",)):
        out = village.ok(*args, "--json").stdout
        json.loads(out)


def test_history_json_has_the_contract_keys(village):
    earn(village, "H001", "A01")
    posting = village.json("history", "H001")[0]
    assert {"seq", "date", "kind", "points", "rule", "item", "note"} <= posting.keys()


def test_verify_clean_ledger(village):
    earn(village, "H001", "A01")
    out = village.ok("verify").stdout
    assert "Ledger intact" in out
    report = village.json("verify")
    assert report["ok"] and report["postings"] == 3


def test_every_command_has_help(jifen):
    import typer
    from typer.main import get_command

    from jifen_cli.cli import app

    root = get_command(app)

    def walk(command, path):
        yield path, command
        if hasattr(command, "list_commands"):
            ctx = typer.Context(command)
            for name in command.list_commands(ctx):
                yield from walk(command.get_command(ctx, name), [*path, name])

    for path, command in walk(root, []):
        assert command.help or command.callback.__doc__, f"jifen {' '.join(path)} has no help"
        result = jifen(*path, "--help", operator=None)
        assert result.exit_code == 0, path


def test_terminal_tables_line_up_with_wide_and_combining_text(village):
    from rich.cells import cell_len

    earn(village, "H004", "A02", 2)
    for args in (("balance",), ("household", "list"), ("history", "H004")):
        lines = [line for line in village.ok(*args, lang="zh").stdout.splitlines()
                 if line.startswith(("┃", "│", "┏", "└"))]
        widths = {cell_len(line) for line in lines}
        assert len(lines) >= 3 and len(widths) == 1, (args, lines)


def test_text_with_control_characters_is_refused(village):
    assert "control characters" in village.refused("household", "add", "H009", "尼玛\x1b[31m").stderr
    assert "control characters" in village.refused("record", "H001", "A01", "--note",
                                                   "好\x00事").stderr
    village.ok("record", "H001", "A01", "--note", "第一行\n第二行")  # a note may hold line breaks
    assert village.sql("SELECT count(*) FROM households WHERE code = 'H009'") == [(0,)]


def test_a_name_of_question_marks_is_refused_in_words_for_the_command_line(village):
    # (In an import file the same name is told about GBK exports: test_imports_validation.py.)
    result = village.refused("household", "add", "H009", "????", lang="zh")
    assert "名字里不能有问号" in result.stderr and "CSV" not in result.stderr


def test_yuan_amounts_take_no_exponent_or_sign(village):
    for amount in ("1e5", "十元"):
        assert "yuan" in village.refused("item", "add", "G009", "茶", "--points", "1",
                                         "--value", amount).stderr
    assert "value cannot be negative, got -3" in village.refused(
        "item", "add", "G009", "茶", "--points", "1", "--value", "-3").stderr
    village.ok("item", "add", "G009", "茶", "--points", "1", "--value", "¥2.5")
    assert village.json("item", "list")[-1]["value"] == "2.50"


def test_a_correction_cannot_be_dated_before_what_it_corrects(village):
    earn(village, "H001", "A01", date="2024-05-10")
    seq = village.json("history", "H001")[0]["seq"]
    result = village.refused("reverse", str(seq), "--reason", "错", "--date", "2024-05-01")
    assert "2024-05-10" in result.stderr
    village.ok("reverse", str(seq), "--reason", "错", "--date", "2024-05-10")


def test_where_goods_are_handed_out_follows_the_village_mode(jifen):
    jifen.ok("init", "--village", "日玛村", "--mode", "partner")
    jifen.ok("household", "add", "H001", "次仁卓玛")
    jifen.ok("item", "add", "G001", "砖茶", "--points", "1", "--value", "12.50", "--stock", "3")
    assert "partner shops" in jifen.refused("redeem", "H001", "G001").stderr


def test_a_store_village_has_no_partner_shops(tmp_path):
    from conftest import Jifen

    j = Jifen(tmp_path / "store.db")
    j.ok("--db", str(j.db), "init", "--village", "达嘎村", "--mode", "store")
    j.ok("--db", str(j.db), "household", "add", "H001", "次仁卓玛")
    j.ok("--db", str(j.db), "item", "add", "G001", "砖茶", "--points", "1", "--value", "1")
    result = j.refused("--db", str(j.db), "redeem", "H001", "G001", "--shop", "那曲百货", lang="zh")
    assert "合作商超" in result.stderr


def test_an_unknown_jifen_lang_is_ignored_not_a_usage_error(village, monkeypatch):
    monkeypatch.setenv("JIFEN_LANG", "fr")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    from jifen_cli.cli import app

    result = village.runner.invoke(app, ["balance", "H404"])
    assert result.exit_code == 1 and "没有户号为 H404 的农户" in result.stderr


def test_the_cap_note_and_reason_are_written_in_the_villages_language(village):
    village.ok("record", "H001", "A01", "--qty", "4", "--date", "2024-05-01", "--note", "五月检查")
    village.ok("record", "H001", "A01", "--date", "2024-05-02")
    village.ok("review", "approve", "--all", operator="格桑")
    assert village.json("history", "H001")[0]["note"] == "五月检查（月上限 15 分，按上限计入）"
    assert village.json("review", "list", "--status", "rejected")[0]["reason"] == "已达月上限 15 分"


def test_a_reviewer_added_twice(village):
    assert "已在工作领导小组中" in village.refused("reviewer", "add", "格桑", lang="zh").stderr

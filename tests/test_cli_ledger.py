"""`history` and the cards in the order things happened, with names; `review list` kept to a
100-column terminal."""

from __future__ import annotations

import json
import re

from conftest import earn
from rich.cells import cell_len


def _entered_out_of_order(village) -> None:
    earn(village, "H001", "A01", 2, "2024-06-25")
    earn(village, "H001", "A02", 2, "2024-06-12")  # entered later, happened earlier
    village.ok("redeem", "H001", "G002", "--date", "2024-06-20")


def test_history_lists_postings_by_date_then_entry(village):
    _entered_out_of_order(village)
    postings = village.json("history", "H001")
    assert [p["date"] for p in postings] == ["2024-06-12", "2024-06-20", "2024-06-25"]
    assert [p["seq"] for p in postings] != sorted(p["seq"] for p in postings)
    # the same day: in the order entered
    earn(village, "H001", "A02", 1, "2024-06-20")
    same_day = [p for p in village.json("history", "H001") if p["date"] == "2024-06-20"]
    assert [p["kind"] for p in same_day] == ["redeem", "earn"]
    table = village.ok("history", "H001").stdout
    assert table.index("2024-06-12") < table.index("2024-06-20") < table.index("2024-06-25")


def test_history_names_the_rule_or_item(village):
    _entered_out_of_order(village)
    postings = village.json("history", "H001")
    by_date = {p["date"]: p for p in postings}
    assert by_date["2024-06-12"]["rule"] == "A02"
    assert by_date["2024-06-12"]["title"] == "参加升国旗仪式"
    assert by_date["2024-06-20"]["item"] == "G002" and by_date["2024-06-20"]["item_name"] == "砖茶"
    for key in ("seq", "date", "kind", "points", "rule", "item", "note"):
        assert key in postings[0]
    table = village.ok("history", "H001", lang="zh").stdout
    assert "A02 参加升国旗仪式" in table and "G002 砖茶" in table and "A01 庭院整洁" in table


def test_cards_list_the_last_postings_by_date(village, tmp_path):
    _entered_out_of_order(village)
    village.ok("card", "H001", "--out", str(tmp_path / "cards"), "--last", "2")
    html = (tmp_path / "cards" / "cards.html").read_text(encoding="utf-8")
    dates = re.findall(r"2024-06-\d\d", html)
    assert "2024-06-12" not in dates  # the last two by date, not the last two entered
    assert dates.index("2024-06-20") < dates.index("2024-06-25")


LONG_NOTE = ("五月卫生检查：庭院整洁、柴草堆放整齐、牲畜圈舍清理干净，经网格员和两名村民代表现场查看并拍照存档，"
             "བཀྲ་ཤིས་བདེ་ལེགས། 照片见附件")


def test_review_list_cuts_long_notes_to_keep_to_100_columns(village, monkeypatch):
    village.ok("record", "H002", "A01", "--date", "2024-06-01", "--note", LONG_NOTE)
    village.ok("record", "H001", "A02", "--date", "2024-06-02", "--note", "升旗")
    monkeypatch.setenv("COLUMNS", "100")
    for lang in ("en", "zh"):
        out = village.ok("review", "list", lang=lang).stdout
        assert max(cell_len(line) for line in out.splitlines()) <= 100
        assert "五月卫生检查" in out and "…" in out and "照片见附件" not in out
        assert "升旗" in out
        rows = [line for line in out.splitlines() if "五月卫生检查" in line]
        assert len(rows) == 1  # one line, not folded over many
    claims = json.loads(village.ok("review", "list", "--json").stdout)
    assert claims[0]["note"] == LONG_NOTE  # --json keeps it whole

"""The import's fast path writes what the import wrote before it, byte for byte.

`tests/data/import_equivalence.json` holds what the import as it stood before the fast path
(main at the start of issue 13) wrote for the files `build` makes — every row of every table an
import touches, the chain hashes, the summary it printed — and every FILE:ROW message it gave
for a file of bad rows of every kind, in English and Chinese, with the clock pinned (JIFEN_TODAY
for today, `values.now` for the timestamps). The tests run today's import on the same files and
compare table by table. The reference was written by running this module as a script on that
code:

    python tests/test_imports_equivalence.py tests/data/import_equivalence.json

Batches matter to what an import says (a ref repeated within a batch, or from an earlier one):
every scenario also runs with batches of 3 rows, so batch boundaries fall inside the files.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from conftest import Jifen  # noqa: E402
from test_imports import write_csv  # noqa: E402

REFERENCE = Path(__file__).parent / "data" / "import_equivalence.json"
PINNED_NOW = "2024-06-30T08:00:00Z"
TABLES = {
    "village": "SELECT head_seq, head_hash, changes_seq, changes_hash FROM village",
    "households": "SELECT code, available, honour FROM households ORDER BY code",
    "items": "SELECT code, stock FROM items ORDER BY code",
    "claims": "SELECT * FROM claims ORDER BY id",
    "postings": "SELECT * FROM postings ORDER BY seq",
    "imports": "SELECT * FROM imports ORDER BY id",
    "import_rows": "SELECT * FROM import_rows ORDER BY import_id, row, key",
    "schema": "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name",
}


def pin_clock(setattr_) -> None:
    """Every module's `now` (imported by name from values) returns PINNED_NOW."""
    import importlib
    import pkgutil

    import jifen_cli
    from jifen_cli import values

    real = values.now
    for info in pkgutil.walk_packages(jifen_cli.__path__, "jifen_cli."):
        if info.name.startswith(("jifen_cli.cli", "jifen_cli.render", "jifen_cli.__main__")):
            continue
        module = importlib.import_module(info.name)
        if getattr(module, "now", None) is real:
            setattr_(module, "now", lambda: PINNED_NOW)
    setattr_(values, "now", lambda: PINNED_NOW)


class At(Jifen):
    """`jifen --db PATH ...`: each scenario has a village file of its own."""

    def __call__(self, *args: str, **kwargs):
        return super().__call__("--db", str(self.db), *args, **kwargs)


def village(path: Path) -> Jifen:
    """Households (one closed), rules (a cap, a version from May, a retirement), items, a shop,
    and postings before the imports: a capped reward in April, reversed in May."""
    j = At(path)
    j.ok("init", "--village", "扎西岗村", "--township", "罗玛镇", "--mode", "both")
    j.ok("reviewer", "add", "格桑")
    j.ok("reviewer", "add", "罗布")
    for code, name in (("H001", "次仁卓玛"), ("H002", "བཀྲ་ཤིས་"), ("H003", "王建国"),
                       ("H004", "ཚེ་རིང་སྒྲོལ་མ་"), ("H005", "央金"), ("H006", "扎西")):
        j.ok("household", "add", code, name)
    j.ok("rule", "add", "A01", "--category", "人居环境", "--title", "庭院整洁", "--points", "5",
         "--cap-month", "15")
    j.ok("rule", "add", "A02", "--category", "爱党爱国", "--title", "参加升国旗仪式", "--points", "2")
    j.ok("rule", "add", "B01", "--category", "遵纪守法", "--title", "酒后滋事", "--points", "-20",
         "--cap-month", "30")
    j.ok("rule", "add", "C01", "--category", "家庭美德", "--title", "孝老爱亲", "--points", "3")
    j.ok("rule", "add", "D01", "--category", "政策响应", "--title", "参加村民大会", "--points", "1")
    j.ok("rule", "edit", "C01", "--points", "4", "--cap-month", "12", "--from", "2024-05-01",
         "--reason", "村民大会修订")
    j.ok("rule", "retire", "D01", "--from", "2024-06-01", "--reason", "并入A02")
    j.ok("rule", "add", "E01", "--category", "勤劳致富", "--title", "发展庭院经济", "--points", "2000")
    j.ok("item", "add", "G001", "酥油", "--points", "3", "--value", "35.00", "--stock", "50",
         "--date", "2024-04-01")
    j.ok("item", "add", "G002", "砖茶", "--points", "2", "--value", "12.50", "--stock", "10",
         "--date", "2024-04-01")
    j.ok("shop", "add", "那曲百货")
    out = j.ok("record", "H001", "A01", "--qty", "2", "--date", "2024-04-03").stdout
    j.ok("review", "approve", out.split()[2], operator="格桑")
    (seq,) = j.sql("SELECT max(seq) FROM postings")[0]
    j.ok("reverse", str(seq), "--reason", "记错了", "--date", "2024-05-02", operator="格桑")
    j.ok("household", "close", "H006", "--reason", "迁出", "--date", "2024-04-20", operator="格桑")
    return j


NOTES = ["打扫卫生", "", 'say "hi", \\ back', "两行\n备注", "བཀྲ་ཤིས་བདེ་ལེགས", "tab\there", "🙂 ok",
         "  padded  "]


def record_rows(first: int, count: int, *, refs: bool) -> list[list[str]]:
    """Rows over April–June across the rules: caps reached in some months, C01 under both of
    its versions, negative points, Excel's date style now and then."""
    rows = []
    for n in range(first, first + count):
        household = f"H00{n % 5 + 1}"
        rule = ("A01", "A02", "B01", "C01", "A01", "C01")[n % 6]
        month = 4 + n % 3
        day = n % 28 + 1
        date = f"2024-{month:02d}-{day:02d}" if n % 7 else f"2024/{month}/{day}"
        if rule == "D01" or (rule == "C01" and month == 6 and n % 2):
            rule = "A02"
        qty = str(1 + n % 3)
        row = [household, rule, date, qty, NOTES[n % len(NOTES)]]
        if refs:
            row.append(f"R{n:04d}")
        rows.append(row)
    return rows


def redemption_rows(first: int, count: int, *, refs: bool) -> list[list[str]]:
    rows = []
    for n in range(first, first + count):
        row = [f"H00{n % 3 + 1}", ("G001", "G002")[n % 2], f"2024-06-{n % 28 + 1:02d}", "1",
               "那曲百货" if n % 3 == 0 else ""]
        if refs:
            row.append(f"X{n:04d}")
        rows.append(row)
    return rows


def scenario_files(folder: Path) -> dict[str, Path]:
    head = ["household", "rule", "date", "qty", "note"]
    return {
        "refs": write_csv(folder / "记录.csv", [[*head, "ref", "recorded_by"]] + [
            [*row, "次仁" if n % 4 else "卓玛"]
            for n, row in enumerate(record_rows(0, 40, refs=True))]),
        "refs_again": write_csv(folder / "记录2.csv", [[*head, "ref", "recorded_by"]] + [
            [*row, "次仁"] for row in record_rows(30, 20, refs=True)]),
        "norefs": write_csv(folder / "无流水号.csv", [head] + record_rows(100, 30, refs=False)),
        "norefs_grown": write_csv(folder / "无流水号-增补.csv",
                                  [head] + record_rows(100, 36, refs=False)),
        "redeem": write_csv(folder / "兑换.csv", [
            ["household", "item", "date", "qty", "shop", "ref"]]
            + redemption_rows(0, 10, refs=True)),
        "redeem_again": write_csv(folder / "兑换2.csv", [
            ["household", "item", "date", "qty", "shop", "ref"]]
            + redemption_rows(5, 10, refs=True)),
        "redeem_norefs": write_csv(folder / "兑换-无流水号.csv", [
            ["household", "item", "date", "qty", "shop"]] + redemption_rows(20, 4, refs=False)),
        # Past a statement's 50 rows, in runs of the same NULLs: the many-rows INSERTs
        "many": write_csv(folder / "大批记录.csv", [[*head, "ref", "recorded_by"]] + [
            [*row, "次仁"] for row in record_rows(200, 260, refs=True)]),
        "many_redeem": write_csv(folder / "大批兑换.csv", [
            ["household", "item", "date", "qty", "shop", "ref"]]
            + redemption_rows(100, 120, refs=True)),
    }


def bad_files(folder: Path) -> dict[str, Path]:
    """A row of every kind an import refuses, with the fine rows between them."""
    records = write_csv(folder / "坏记录.csv", [
        ["household", "rule", "date", "qty", "note", "ref", "recorded_by"],
        ["H001", "A02", "2024-05-01", "1", "好", "B1", "次仁"],       # fine
        ["H999", "A02", "2024-05-01", "1", "", "B2", "次仁"],         # unknown household
        ["H006", "A02", "2024-05-01", "1", "", "B3", "次仁"],         # closed household
        ["H001", "Z99", "2024-05-01", "1", "", "B4", "次仁"],         # unknown rule
        ["H001", "D01", "2024-06-05", "1", "", "B5", "次仁"],         # retired rule
        ["H001", "A02", "2024-13-45", "1", "", "B6", "次仁"],         # bad date
        ["H001", "A02", "2024-07-02", "1", "", "B7", "次仁"],         # in the future
        ["H001", "A02", "2024-05-01", "1.5", "", "B8", "次仁"],       # qty not whole
        ["H001", "A02", "2024-05-01", "0", "", "B9", "次仁"],         # qty not positive
        ["H001", "A02", "2024-05-01", "2000000", "", "B10", "次仁"],  # qty too big
        ["H001", "E01", "2024-05-01", "999999", "", "B11", "次仁"],   # too many points
        ["H001", "A02", "2024-05-01", "1", "bell\x07", "B12", "次仁"],  # control character
        ["H002", "A02", "2024-05-02", "1", "", "B1", "次仁"],         # ref repeats a row above
        ["H002", "A02", "2024-05-02", "1", "", "R0001", "次仁"],      # fine (or: imported before)
        ["H002", "A02", "2024-05-02", "1", "", "B13", "格桑"],        # the operator's own record
        ["H002", "A02", "2024-05-02", "1", "", "B14", ""],            # no recorder
        ["H002", "A02", "2024-05-02", "1", "", "B15", "次仁", "x"],   # extra cells
        ["", "A02", "2024-05-02", "1", "", "B16", "次仁"],            # no household
        ["H003", "", "2024-05-02", "1", "", "B17", "次仁"],           # no rule
        ["H003", "A02", "", "1", "", "B18", "次仁"],                  # no date
        ["", "", "", "", "", "", ""],                                 # blank
        ["H003", "A02", "2024/5/3", "2", "", "B19", "次仁"],          # fine
        ["H001", "A02", "2024-05-01", "1", "", "B1", "次仁"],         # ref repeats, further down
    ])
    undecodable = folder / "坏字节.csv"
    undecodable.write_bytes(
        b"household,rule,date,qty,note\r\nH001,A02,2024-05-01,1,\xe5\xa5\xbd\r\n"
        b"H001,A02,2024-05-01,1,\xff\xfe\r\nH002,A02,2024-05-02,1,ok\r\n")
    repeats = write_csv(folder / "重复.csv", [["household", "rule", "date", "qty", "note"]]
                        + record_rows(100, 8, refs=False))
    redemptions = write_csv(folder / "坏兑换.csv", [
        ["household", "item", "date", "qty", "shop", "ref"],
        ["H001", "G002", "2024-06-01", "1", "", "Y1"],           # fine
        ["H002", "G001", "2024-06-01", "500", "", "Y2"],         # not enough points
        ["H001", "G002", "2024-06-01", "9", "", "Y3"],           # not enough stock
        ["H001", "G999", "2024-06-01", "1", "", "Y4"],           # unknown item
        ["H001", "G001", "2024-06-01", "1", "无名小店", "Y5"],     # unknown shop
        ["H006", "G001", "2024-06-01", "1", "", "Y6"],           # closed household
        ["H001", "G001", "2024-06-01", "1", "", "Y1"],           # ref repeats
        ["H001", "G001", "2024-06-01", "x", "", "Y7"],           # bad qty
        ["H001", "G001", "2024-06-01", "1", "", "X0001"],        # imported before: skipped
    ])
    return {"records": records, "undecodable": undecodable, "repeats": repeats,
            "redemptions": redemptions}


def dump(j: Jifen) -> dict:
    return {table: [list(row) for row in j.sql(query)] for table, query in TABLES.items()}


def _outcome(result, folder: Path) -> dict:
    """What an import said, with the folder made relative (the reference was written elsewhere)."""
    return {"exit": result.exit_code,
            "stdout": result.stdout.replace(str(folder), "DIR"),
            "stderr": result.stderr.replace(str(folder), "DIR")}


def run_scenarios(folder: Path) -> dict:
    """Every scenario on fresh villages in `folder`; what each import said and the tables."""
    out: dict = {}
    folder.mkdir(parents=True, exist_ok=True)
    files = scenario_files(folder)

    def imports(name: str, steps: list[tuple]) -> None:
        j = village(folder / f"{name}.db")
        said = []
        for step in steps:
            said.append(_outcome(j("import", *step, operator="格桑"), folder))
        out[name] = {"said": said, "tables": dump(j)}

    imports("approve", [
        ("records", files["refs"], "--approve"),
        ("records", files["norefs"], "--approve", "--recorded-by", "文书"),
        ("records", files["refs_again"], "--approve"),
        ("records", files["norefs_grown"], "--approve", "--recorded-by", "文书"),
        ("records", files["norefs_grown"], "--approve", "--recorded-by", "文书", "--allow-repeats",
         "--dry-run"),
        ("records", files["norefs"], "--approve", "--recorded-by", "文书"),  # the same file
        ("redemptions", files["redeem"]),
        ("redemptions", files["redeem_again"]),
        ("redemptions", files["redeem_norefs"]),
        ("records", files["many"], "--approve"),
        ("redemptions", files["many_redeem"]),
    ])
    imports("allow_repeats", [
        ("records", files["norefs"], "--approve", "--recorded-by", "文书"),
        ("records", files["norefs_grown"], "--approve", "--recorded-by", "文书",
         "--allow-repeats"),
    ])
    imports("pending", [
        ("records", files["refs"]),
        ("records", files["norefs"]),
        ("records", files["refs_again"]),
        ("records", files["norefs_grown"], "--allow-repeats"),
    ])
    bad = bad_files(folder)
    j = village(folder / "bad.db")
    j("import", "records", files["refs"], "--approve", operator="格桑")
    j("import", "records", files["norefs"], "--recorded-by", "文书")
    j("import", "redemptions", files["redeem"])
    said = {}
    for lang in ("en", "zh"):
        for name, args in (
            ("records_approve", ("records", bad["records"], "--approve")),
            ("records_pending", ("records", bad["records"])),
            ("undecodable", ("records", bad["undecodable"])),
            ("repeats", ("records", bad["repeats"], "--recorded-by", "文书")),
            ("redemptions", ("redemptions", bad["redemptions"])),
        ):
            said[f"{name}/{lang}"] = _outcome(
                j("import", *args, operator="格桑", lang=lang), folder)
    out["bad"] = {"said": said, "tables": dump(j)}
    return out


def reference_run(folder: Path) -> dict:
    """All scenarios with the import's batches as they are, and with batches of 3 rows."""
    from jifen_cli.imports import apply

    results = {"batches as shipped": run_scenarios(folder / "default")}
    shipped = apply.BATCH
    apply.BATCH = 3
    try:
        results["batches of 3"] = run_scenarios(folder / "small")
    finally:
        apply.BATCH = shipped
    # Every import big enough to build its indexes after its rows (before issue 13 there was
    # no such path: the attribute is then only set, and the import is as always).
    shipped = getattr(apply, "REBUILD_ROWS", None)
    apply.REBUILD_ROWS = 1
    try:
        results["indexes built after the rows"] = run_scenarios(folder / "rebuild")
    finally:
        if shipped is None:
            del apply.REBUILD_ROWS
        else:
            apply.REBUILD_ROWS = shipped
    return results


@pytest.fixture(scope="module")
def reference() -> dict:
    return json.loads(REFERENCE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def today(tmp_path_factory) -> dict:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JIFEN_TODAY", "2024-06-30")
        patch.setenv("COLUMNS", "200")
        patch.delenv("JIFEN_OPERATOR", raising=False)
        patch.delenv("JIFEN_LANG", raising=False)
        pin_clock(patch.setattr)
        return json.loads(json.dumps(reference_run(tmp_path_factory.mktemp("equivalence"))))


BATCHINGS = ("batches as shipped", "batches of 3", "indexes built after the rows")


@pytest.mark.parametrize("batching", BATCHINGS)
@pytest.mark.parametrize("scenario", ("approve", "allow_repeats", "pending"))
@pytest.mark.parametrize("table", tuple(TABLES))
def test_every_table_holds_the_same_rows_and_hashes_as_before(reference, today, batching,
                                                               scenario, table):
    assert today[batching][scenario]["tables"][table] == \
        reference[batching][scenario]["tables"][table]


def by_the_clerks_clock(said: list[dict]) -> list[dict]:
    """What an import said before, with the one wording changed on purpose since: the time of
    an earlier import by the clerk's clock (to the minute), not as stored (UTC)."""
    import re

    from jifen_cli.values import local_time

    return [{**s, "stdout": re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ",
                                   lambda m: local_time(m.group()), s["stdout"])} for s in said]


@pytest.mark.parametrize("batching", BATCHINGS)
@pytest.mark.parametrize("scenario", ("approve", "allow_repeats", "pending"))
def test_every_import_says_the_same_as_before(reference, today, batching, scenario):
    assert today[batching][scenario]["said"] == by_the_clerks_clock(
        reference[batching][scenario]["said"])


# The one message that changed, on purpose: before, a redemption whose ref repeated a row of an
# earlier batch of the same file was not caught at its row (the postings of that batch were not
# in the register yet) and the import died on the UNIQUE index instead.
FIXED = {
    ("batches of 3", "redemptions/en"): (
        "DIR/坏兑换.csv:9: qty must be a whole number, got x\n"
        "Cannot use DIR/bad.db: UNIQUE constraint failed: postings.ref. "
        "Nothing committed before was lost.\n",
        "DIR/坏兑换.csv:8: ref Y1 already appears earlier in this file\n"
        "DIR/坏兑换.csv:9: qty must be a whole number, got x\n"
        "7 invalid row(s); nothing was written. Fix them and import again.\n"),
    ("batches of 3", "redemptions/zh"): (
        "DIR/坏兑换.csv:9: 数量应为整数，收到 x\n"
        "无法读写 DIR/bad.db：UNIQUE constraint failed: postings.ref。之前已保存的数据没有丢失。\n",
        "DIR/坏兑换.csv:8: 流水号 Y1 在本文件前面已出现过\n"
        "DIR/坏兑换.csv:9: 数量应为整数，收到 x\n"
        "7 行有误，什么都没有写入。改正后重新导入。\n"),
}


@pytest.mark.parametrize("batching", BATCHINGS)
def test_every_bad_row_gets_the_same_message_as_before_and_nothing_is_written(
        reference, today, batching):
    ours, theirs = today[batching]["bad"], reference[batching]["bad"]
    assert ours["said"].keys() == theirs["said"].keys()
    for name in theirs["said"]:
        expected = dict(theirs["said"][name])
        if (batching, name) in FIXED:
            before, after = FIXED[batching, name]
            assert expected["stderr"].endswith(before)
            expected["stderr"] = expected["stderr"][:-len(before)] + after
        assert ours["said"][name] == expected, name
        assert expected["exit"] == 1
    assert ours["tables"] == theirs["tables"]


def test_the_reference_covers_what_it_claims(reference):
    """The scenarios post capped, rejected-at-cap, both versions of a rule, skip refs, and
    remember ref-less rows; the bad file's messages name each of its bad rows."""
    tables = reference["batches as shipped"]["approve"]["tables"]
    statuses = {row[7] for row in tables["claims"]}
    assert statuses == {"approved", "rejected"}
    notes = [row[14] for row in tables["postings"]]
    assert any("按上限计入" in note for note in notes)
    said = reference["batches as shipped"]["approve"]["said"]
    assert any("skipped" in s["stdout"] for s in said)
    assert tables["import_rows"]
    bad = reference["batches as shipped"]["bad"]["said"]["records_approve/en"]["stderr"]
    assert bad.count("DIR/坏记录.csv:") >= 18


def test_the_scenarios_reach_the_many_rows_statements_and_the_index_rebuild(
        tmp_path, monkeypatch):
    from jifen_cli import db
    from jifen_cli.imports import apply

    dropped = []
    assert len(record_rows(200, 260, refs=True)) > 5 * db.ROWS_PER_INSERT
    real_drop = apply._drop_indexes

    def spying(*args, **kwargs):
        found = real_drop(*args, **kwargs)
        dropped.extend(found)
        return found

    monkeypatch.setattr(apply, "_drop_indexes", spying)
    monkeypatch.setattr(apply, "REBUILD_ROWS", 1)
    monkeypatch.setenv("JIFEN_TODAY", "2024-06-30")
    j = village(tmp_path / "v.db")
    files = scenario_files(tmp_path)
    j.ok("import", "records", files["many"], "--approve", operator="格桑")
    assert any("postings_household" in sql for sql in dropped), dropped
    assert not any("UNIQUE" in sql for sql in dropped), dropped  # a constraint is never off
    assert j.sql("SELECT count(*) FROM claims")[0][0] > 250


if __name__ == "__main__":
    import os
    import tempfile

    os.environ.update(JIFEN_TODAY="2024-06-30", COLUMNS="200")
    os.environ.pop("JIFEN_OPERATOR", None)
    os.environ.pop("JIFEN_LANG", None)
    with pytest.MonkeyPatch.context() as patch:
        pin_clock(patch.setattr)
        with tempfile.TemporaryDirectory() as tmp:
            results = reference_run(Path(tmp))
    target = Path(sys.argv[1])
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"written to {target}")

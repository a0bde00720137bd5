"""Fixtures: a village file in tmp_path, JIFEN_DB pointing at it, and a CLI runner."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils
from typer.testing import CliRunner

from jifen_cli.cli import app


class Jifen:
    """Runs `jifen ...` in-process through CliRunner and keeps the result."""

    def __init__(self, db: Path):
        self.db = db
        self.runner = CliRunner()

    def __call__(self, *args: str, operator: str | None = "文书", lang: str = "en", input=None):
        argv = ["--lang", lang]
        if operator:
            argv += ["--operator", operator]
        result = self.runner.invoke(app, [*argv, *map(str, args)], input=input)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result

    def ok(self, *args: str, **kwargs):
        result = self(*args, **kwargs)
        assert result.exit_code == 0, (result.stdout, result.stderr)
        return result

    def json(self, *args: str, **kwargs):
        return json.loads(self.ok(*args, "--json", **kwargs).stdout)

    def refused(self, *args: str, **kwargs):
        result = self(*args, **kwargs)
        assert result.exit_code == 1, (result.exit_code, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        return result

    def sql(self, query: str, params=()):
        """Read (or write) the file behind jifen's back, as an auditor or a tamperer would."""
        db = sqlite_utils.Database(self.db)
        try:
            return db.execute(query, params).fetchall()
        finally:
            db.conn.commit()
            db.close()


@pytest.fixture(autouse=True)
def _env(tmp_path, monkeypatch):
    monkeypatch.setenv("JIFEN_DB", str(tmp_path / "village.db"))
    monkeypatch.delenv("JIFEN_OPERATOR", raising=False)
    monkeypatch.delenv("JIFEN_LANG", raising=False)
    monkeypatch.setenv("JIFEN_TODAY", "2024-06-30")
    monkeypatch.setenv("COLUMNS", "200")
    # The roll-up's verification cache goes to the user's cache folder: a test's own, never ours.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))


@pytest.fixture
def jifen(tmp_path) -> Jifen:
    return Jifen(Path(os.environ["JIFEN_DB"]))


def build_village(jifen: Jifen) -> None:
    """A small village: two reviewers, four households (Chinese and Tibetan), rules, items."""
    jifen.ok("init", "--village", "扎西岗村", "--township", "罗玛镇", "--county", "色尼区",
             "--class", "2", "--mode", "both")
    jifen.ok("reviewer", "add", "格桑")
    jifen.ok("reviewer", "add", "罗布")
    jifen.ok("household", "add", "H001", "次仁卓玛", "--group", "一组", "--members", "5",
             "--id-number", "540102199001011233", "--phone", "13800001234")
    jifen.ok("household", "add", "H002", "བཀྲ་ཤིས་", "--group", "二组", "--members", "3")
    jifen.ok("household", "add", "H003", "王建国", "--group", "一组")
    jifen.ok("household", "add", "H004", "ཚེ་རིང་སྒྲོལ་མ་", "--group", "三组")
    jifen.ok("rule", "add", "A01", "--category", "人居环境", "--title", "庭院整洁", "--points", "5",
             "--cap-month", "15")
    jifen.ok("rule", "add", "A02", "--category", "爱党爱国", "--title", "参加升国旗仪式", "--points", "2")
    jifen.ok("rule", "add", "B01", "--category", "遵纪守法", "--title", "酒后滋事", "--points", "-20")
    jifen.ok("item", "add", "G001", "酥油", "--points", "30", "--value", "35.00", "--stock", "10",
             "--date", "2024-04-01")
    jifen.ok("item", "add", "G002", "砖茶", "--points", "12", "--value", "12.50", "--stock", "2",
             "--date", "2024-04-01")
    jifen.ok("shop", "add", "那曲百货", "--contact", "0896-1234567")
    jifen.ok("shop", "add", "罗玛镇惠民超市")


@pytest.fixture(scope="session")
def village_template(tmp_path_factory):
    """The small village built once per session for each pinned today a test asks for (the
    register changes take today as their effective date), in a folder of its own.

    What a copy carries from the build: the time of each write (`created_at`, `added_at`, a
    change's `at`, and through them the chain hashes of the two opening restocks and the
    thirteen register changes) is the build's, minutes before a test runs rather than a second;
    still earlier than anything the test writes, and no test reads those clock times."""
    folders: dict[str, Path] = {}

    def template(today: str) -> Path:
        if today not in folders:
            folder = tmp_path_factory.mktemp("village-template")
            with pytest.MonkeyPatch.context() as env:  # as _env sets it for a test
                env.setenv("JIFEN_DB", str(folder / "village.db"))
                env.delenv("JIFEN_OPERATOR", raising=False)
                env.delenv("JIFEN_LANG", raising=False)
                env.setenv("JIFEN_TODAY", today)
                env.setenv("COLUMNS", "200")
                env.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("template-cache")))
                build_village(Jifen(folder / "village.db"))
            folders[today] = folder
        return folders[today]

    return template


@pytest.fixture
def village(jifen, village_template) -> Jifen:
    """A small village: two reviewers, four households (Chinese and Tibetan), rules, items.
    A copy of the session's template (see build_village), not 14 commands per test."""
    folder = village_template(os.environ["JIFEN_TODAY"])
    for path in folder.iterdir():  # the village file and anything beside it
        shutil.copy(path, jifen.db if path.name == "village.db" else jifen.db.parent / path.name)
    return jifen


def rechain(conn: sqlite3.Connection) -> str:
    """What a determined forger does after editing postings: recompute every hash and the head,
    so the chain itself is consistent again. Returns the new head."""
    from jifen_cli.ledger import FIELDS, GENESIS, chain_hash

    prev = GENESIS
    for row in conn.execute(f"SELECT {', '.join(FIELDS)} FROM postings ORDER BY seq").fetchall():
        prev = chain_hash(prev, row)
        conn.execute("UPDATE postings SET hash = ? WHERE seq = ?", (prev, row[0]))
    conn.execute("UPDATE village SET head_hash = ?", (prev,))
    return prev


def earn(jifen: Jifen, household: str, rule: str, qty: int = 1, date: str = "2024-05-01") -> int:
    """Record and approve one claim; returns the claim id."""
    out = jifen.ok("record", household, rule, "--qty", str(qty), "--date", date).stdout
    claim_id = int(out.split()[2])
    jifen.ok("review", "approve", str(claim_id), operator="格桑")
    return claim_id


def damage_index_page(path: Path, index: str) -> None:
    """Damage one page of the file behind SQLite's back, as a failing USB stick does: the start of
    the cell content of the index's root page. The postings (another b-tree) still read and chain
    as before; only SQLite's own check of its pages can tell."""
    with sqlite3.connect(path) as conn:
        (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?",
                               (index,)).fetchone()
        (size,) = conn.execute("PRAGMA page_size").fetchone()
    conn.close()
    with open(path, "r+b") as f:
        f.seek((root - 1) * size)
        page = bytearray(f.read(size))
        start = int.from_bytes(page[5:7], "big")  # where the page's cells begin
        for at in range(start, min(start + 24, size)):
            page[at] ^= 0x55
        f.seek((root - 1) * size)
        f.write(page)

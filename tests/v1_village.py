"""A village file exactly as the released version 0.1 (schema 1) wrote it, built without that
code: its schema is migration 1 (migrations are never edited once released) and its rows are
what 0.1's commands inserted — registers without a history, claims, hash-chained postings (the
chain's encoding is unchanged), a partner shop named only on postings, and a publication."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

from jifen_cli import db, migrations
from jifen_cli.ledger import FIELDS, GENESIS, chain_hash

OPERATOR = "次仁（文书）"
POSTED = {  # the files 0.1 posted for 2024Q2 (contents stand in for its CSV, XLSX and HTML)
    "ledger.csv": "\ufeff户号,户主\r\nH001,次仁卓玛\r\n".encode(),
    "notice.html": "<!DOCTYPE html><title>扎西岗村 2024年第二季度积分公示</title>".encode(),
}


def build(path: Path, *, later_settle_by: str | None = None) -> Path:
    """The file. `later_settle_by`: also a payment to the shop, recorded by that person after
    the shop's first posting."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute(f"PRAGMA application_id = {db.APPLICATION_ID}")
    conn.execute("BEGIN")
    for statement in migrations._statements(migrations.M001_INITIAL):
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    at = "2024-04-01T02:00:00Z"
    conn.execute(
        "INSERT INTO village (id, name, township, county, class, mode, created_at, created_by,"
        " head_seq, head_hash) VALUES (1, '扎西岗村', '罗玛镇', '色尼区', 2, 'both', ?, ?, 0, ?)",
        (at, OPERATOR, GENESIS))
    conn.execute("INSERT INTO reviewers VALUES ('格桑', ?, ?)", (at, OPERATOR))
    for code, name, grp, id_number in (("H001", "次仁卓玛", "一组", "540102199001011233"),
                                       ("H002", "བཀྲ་ཤིས་", "二组", None),
                                       ("H003", "王建国", "一组", None)):
        conn.execute("INSERT INTO households (code, name, grp, members, id_number, phone,"
                     " created_at, created_by) VALUES (?, ?, ?, 3, ?, NULL, ?, ?)",
                     (code, name, grp, id_number, at, OPERATOR))
    conn.execute("INSERT INTO rules VALUES ('A01', '人居环境', '庭院整洁', 5, 15, ?, ?)",
                 (at, OPERATOR))
    conn.execute("INSERT INTO items VALUES ('G001', '酥油', 15, 3500, 0, ?, ?)", (at, OPERATOR))
    postings = [
        # kind, date, household, rule, item, qty, points, stock, fen, shop, claim, note, reviewer
        ("restock", "2024-04-01", None, None, "G001", 5, 0, 5, 0, None, None, "opening stock",
         None),
        ("earn", "2024-05-01", "H001", "A01", None, 3, 15, 0, 0, None, 1, "", "格桑"),
        ("earn", "2024-05-02", "H002", "A01", None, 2, 10, 0, 0, None, 2, "", "格桑"),
        ("redeem", "2024-05-10", "H001", None, "G001", 1, -15, 0, 3500, "那曲百货", None, "",
         None),
    ]
    if later_settle_by:
        postings.append(("settle", "2024-05-20", None, None, None, 1, 0, 0, 1000, "那曲百货",
                         None, "", None))
    prev, seq = GENESIS, 0
    for kind, date, household, rule, item, qty, points, stock, fen, shop, claim, note, reviewer \
            in postings:
        seq += 1
        recorder = later_settle_by if kind == "settle" else OPERATOR
        if claim:
            conn.execute(
                "INSERT INTO claims (id, household, rule, qty, date, note, status, recorded_by,"
                " recorded_at, reviewed_by, reviewed_at, posting) VALUES"
                " (?, ?, ?, ?, ?, '', 'approved', ?, ?, ?, ?, ?)",
                (claim, household, rule, qty, date, OPERATOR, at, reviewer, at, seq))
        fields = (seq, kind, date, household, rule, item, qty, points, stock, fen, shop, None,
                  claim, None, note, recorder, reviewer, at)
        prev = chain_hash(prev, fields)
        conn.execute(f"INSERT INTO postings ({', '.join(FIELDS)}, hash)"
                     f" VALUES ({', '.join('?' * (len(FIELDS) + 1))})", (*fields, prev))
    conn.execute("UPDATE households SET available = 0, honour = 15 WHERE code = 'H001'")
    conn.execute("UPDATE households SET available = 10, honour = 10 WHERE code = 'H002'")
    conn.execute("UPDATE items SET stock = 5 WHERE code = 'G001'")
    conn.execute("UPDATE village SET head_seq = ?, head_hash = ?", (seq, prev))
    # What 0.1 wrote into DIR and recorded in its manifest (here stand-ins for its files).
    manifest = {"quarter": "2024Q2", "published": "2024-07-01", "digest": prev, "head_seq": seq,
                "files": {name: hashlib.sha256(data).hexdigest()
                          for name, data in POSTED.items()}}
    manifest_text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    conn.execute("INSERT INTO publications VALUES ('2024Q2', ?, ?, '2024-07-01T03:00:00Z', ?, ?)",
                 (seq, prev, OPERATOR, manifest_text))
    # A household registered after the publication: not in the registers it was published with.
    conn.execute("INSERT INTO households (code, name, grp, members, created_at, created_by)"
                 " VALUES ('H004', 'ཚེ་རིང་སྒྲོལ་མ་', '三组', 1, '2024-07-05T02:00:00Z', ?)",
                 (OPERATOR,))
    conn.execute("COMMIT")
    conn.close()
    return path


def posted(folder: Path, path: Path) -> Path:
    """The folder 0.1 wrote for 2024Q2: its files and its manifest, as recorded in `path`."""
    folder.mkdir()
    for name, data in POSTED.items():
        (folder / name).write_bytes(data)
    conn = sqlite3.connect(path)
    (manifest,) = conn.execute("SELECT manifest FROM publications").fetchone()
    conn.close()
    (folder / "manifest.json").write_bytes(manifest.encode())
    return folder

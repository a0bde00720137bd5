"""`jifen check`: the whole-file health report a township runs on a village file it receives.

The file is opened read-only and never changed (no migration, no lock held beyond a read). Each
check has a name, a status — ok, warn (something to follow up; the file is sound) or fail (the
file is damaged or tampered with) — and a detail:

    file          the file is an SQLite database marked as a jifen village, with a known schema
    integrity     PRAGMA integrity_check
    schema        tables, indexes and triggers (the append-only ones too) exactly as jifen made them
    foreign_keys  PRAGMA foreign_key_check
    chain         ledger.verify: the hash chain, the head, nothing back-dated into a locked quarter
    balances      every household's stored available/honour points equal the sum of its postings
    stock         every item's stored stock equals the sum of its postings, and is not negative
    digests       every publication's digest is the chain hash of the posting it was made at
    claims        claims still unreviewed more than 31 days after the event (一月一审核)
    publication   finished quarters with postings that were never published (一季度一公示)

The balance, stock and digest checks are computed on their own (not only through verify), so
they are reported even when the chain is broken.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import asdict, dataclass
from pathlib import Path

from jifen_cli import db, periods
from jifen_cli.errors import InterruptedWrite, NewerSchema, NotAVillage, NoVillage
from jifen_cli.values import today

OK, WARN, FAIL = "ok", "warn", "fail"
CLAIM_AGE_DAYS = 31


@dataclass
class Check:
    name: str
    status: str
    detail: str = ""


@dataclass
class Health:
    path: str
    checks: list[Check]

    @property
    def status(self) -> str:
        statuses = {c.status for c in self.checks}
        return FAIL if FAIL in statuses else WARN if WARN in statuses else OK

    def as_dict(self) -> dict:
        return {"file": self.path, "status": self.status,
                "checks": [asdict(c) for c in self.checks]}


def _sample(items: list[str], limit: int = 3) -> str:
    more = f" (+{len(items) - limit} more)" if len(items) > limit else ""
    return "; ".join(items[:limit]) + more


def check(path: str | Path) -> Health:
    path = Path(path)
    if not path.is_file():
        raise NoVillage(path=str(path))
    if db.interrupted_write(path):  # not damage: an ordinary open rolls it back
        raise InterruptedWrite(path=str(path))
    health = Health(str(path), [])
    add = health.checks.append
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {db.BUSY_TIMEOUT_MS}")
        app_id, version = conn.execute(
            "SELECT * FROM pragma_application_id, pragma_user_version").fetchone()
    except sqlite3.DatabaseError as exc:
        add(Check("file", FAIL, f"not a readable SQLite database: {exc}"))
        return health
    try:
        from jifen_cli.migrations import LATEST

        if app_id != db.APPLICATION_ID and conn.execute(
                "SELECT count(*) FROM sqlite_master").fetchone()[0]:
            # a sound database of another program: the wrong file, not a damaged one (exit 1)
            raise NotAVillage(path=str(path), detail="application_id")
        if app_id != db.APPLICATION_ID:
            add(Check("file", FAIL, "not a jifen village file (application_id)"))
            return health
        if version > LATEST:  # sound, but for a newer jifen: upgrade, never "restore a backup"
            raise NewerSchema(path=str(path), found=version, known=LATEST)
        if version < LATEST:
            add(Check("file", WARN, f"schema {version}; this jifen knows {LATEST}"))
        else:
            add(Check("file", OK, f"jifen village file, schema {version}"))
        _run(conn, add)
    finally:
        conn.close()
    return health


def _guarded(add, name: str, conn: sqlite3.Connection, fn) -> None:
    try:
        add(fn(conn))
    except sqlite3.DatabaseError as exc:
        add(Check(name, FAIL, f"cannot be read: {exc}"))


def _run(conn: sqlite3.Connection, add) -> None:
    _guarded(add, "integrity", conn, _integrity)
    _guarded(add, "schema", conn, _schema)
    _guarded(add, "foreign_keys", conn, _foreign_keys)
    _guarded(add, "chain", conn, _chain)
    _guarded(add, "balances", conn, _balances)
    _guarded(add, "stock", conn, _stock)
    _guarded(add, "digests", conn, _digests)
    _guarded(add, "claims", conn, _claims)
    _guarded(add, "publication", conn, _publication)


def _integrity(conn) -> Check:
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    if rows == ["ok"]:
        return Check("integrity", OK, "ok")
    return Check("integrity", FAIL, _sample(rows))


def _schema(conn) -> Check:
    from jifen_cli.migrations import LATEST, migrate

    (version,) = conn.execute("PRAGMA user_version").fetchone()
    if version != LATEST:
        return Check("schema", WARN, f"schema {version} is not compared (this jifen writes {LATEST})")
    query = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
    reference = sqlite3.connect(":memory:", isolation_level=None)
    try:
        migrate(reference)
        wanted = reference.execute(query).fetchall()
    finally:
        reference.close()
    found = conn.execute(query).fetchall()
    if found == wanted:
        return Check("schema", OK, f"{len(found)} tables, indexes and triggers as made")
    changed = sorted({f"{row[0]} {row[1]}" for row in set(found) ^ set(wanted)})
    return Check("schema", FAIL, "changed, added or removed: " + _sample(changed))


def _foreign_keys(conn) -> Check:
    rows = conn.execute("PRAGMA foreign_key_check").fetchall()
    if not rows:
        return Check("foreign_keys", OK, "ok")
    return Check("foreign_keys", FAIL,
                 _sample([f"{table} row {rowid} names a missing {parent}"
                          for table, rowid, parent, _ in rows]))


def _chain(conn) -> Check:
    from jifen_cli import ledger

    report = ledger.verify(conn)
    chain = [p for p in report.problems if p.startswith(("posting #", "the ledger ends"))]
    if chain:
        return Check("chain", FAIL, _sample(chain))
    return Check("chain", OK, f"{report.postings} postings, head {report.head}")


def _balances(conn) -> Check:
    bad, negative = [], []
    for code, available, honour, derived, derived_honour in conn.execute(
        """SELECT h.code, h.available, h.honour, coalesce(sum(p.points), 0),
                  coalesce(sum(CASE WHEN p.kind IN ('earn', 'deduct')
                                      OR (p.kind = 'reverse' AND p.rule IS NOT NULL)
                                    THEN p.points END), 0)
           FROM households h LEFT JOIN postings p ON p.household = h.code
           GROUP BY h.code ORDER BY h.code"""
    ):
        if (available, honour) != (derived, derived_honour):
            bad.append(f"{code}: stored {available}/{honour}, postings {derived}/{derived_honour}")
        elif available < 0:
            negative.append(f"{code}: {available}")
    orphans = [code for (code,) in conn.execute(
        "SELECT DISTINCT household FROM postings WHERE household IS NOT NULL"
        " AND household NOT IN (SELECT code FROM households)")]
    bad += [f"postings name household {code}, not in the register" for code in orphans]
    if bad:
        return Check("balances", FAIL, _sample(bad))
    if negative:
        return Check("balances", WARN, "below zero after a correction: " + _sample(negative))
    (count,) = conn.execute("SELECT count(*) FROM households").fetchone()
    return Check("balances", OK, f"{count} households match their postings")


def _stock(conn) -> Check:
    bad = []
    for code, stock, derived in conn.execute(
        """SELECT i.code, i.stock, coalesce(sum(p.stock), 0)
           FROM items i LEFT JOIN postings p ON p.item = i.code
           GROUP BY i.code ORDER BY i.code"""
    ):
        if stock != derived or derived < 0:
            bad.append(f"{code}: stored {stock}, postings {derived}")
    if bad:
        return Check("stock", FAIL, _sample(bad))
    (count,) = conn.execute("SELECT count(*) FROM items").fetchone()
    return Check("stock", OK, f"{count} items match their postings")


def _digests(conn) -> Check:
    bad, count = [], 0
    for quarter, seq, digest, stored in conn.execute(
        """SELECT q.quarter, q.head_seq, q.digest, p.hash
           FROM publications q LEFT JOIN postings p ON p.seq = q.head_seq
           ORDER BY q.quarter"""
    ):
        count += 1
        if stored != digest and not (seq == 0 and digest == "0" * 64):
            bad.append(f"{quarter} published {digest[:16]}… at #{seq}")
    if bad:
        return Check("digests", FAIL, _sample(bad))
    return Check("digests", OK, f"{count} publication(s) match the ledger")


def _claims(conn) -> Check:
    cutoff = (today() - dt.timedelta(days=CLAIM_AGE_DAYS)).isoformat()
    count, oldest = conn.execute(
        "SELECT count(*), min(date) FROM claims WHERE status = 'pending' AND date < ?", (cutoff,)
    ).fetchone()
    if count:
        return Check("claims", WARN,
                     f"{count} claim(s) unreviewed for over {CLAIM_AGE_DAYS} days, oldest {oldest}")
    (pending,) = conn.execute("SELECT count(*) FROM claims WHERE status = 'pending'").fetchone()
    return Check("claims", OK, f"{pending} pending, none older than {CLAIM_AGE_DAYS} days")


def _publication(conn) -> Check:
    published = {q for (q,) in conn.execute("SELECT quarter FROM publications")}
    now = today().isoformat()
    overdue = []
    for (date,) in conn.execute(
        "SELECT DISTINCT substr(date, 1, 7) FROM postings ORDER BY 1"
    ):
        quarter = periods.quarter_of(f"{date}-01")
        if quarter in published or quarter in overdue:
            continue
        if periods.quarter_bounds(quarter)[1].isoformat() < now:
            overdue.append(quarter)
    if overdue:
        return Check("publication", WARN, "finished but not published: " + ", ".join(overdue))
    return Check("publication", OK, f"{len(published)} quarter(s) published, none overdue")

"""`jifen check`: the whole-file health report a township runs on a village file it receives.

The file is opened read-only and never changed (no migration, no lock held beyond a read). Each
check has a name, a status — ok, warn (something to follow up; the file is sound) or fail (the
file is damaged or tampered with) — and a detail:

    file          the file is an SQLite database marked as a jifen village, with a known schema
    integrity     PRAGMA integrity_check
    schema        tables, indexes and triggers (the append-only ones too) exactly as jifen made them
    foreign_keys  PRAGMA foreign_key_check
    chain         ledger.verify: the hash chain, the head, nothing back-dated into a locked quarter
    registers     the register history's chain and pins, and every register row as it says
    balances      every household's stored available/honour points equal the sum of its postings
    stock         every item's stored stock equals the sum of its postings, and is not negative
    digests       every publication's digest is the chain hash of the posting it was made at
    claims        claims still unreviewed more than 31 days after the event (一月一审核)
    publication   finished quarters with postings that were never published (一季度一公示)
    objections    objections still open after their quarter's objection period (公示期)
    evidence      every stored evidence file hashed again: its total size, and any whose bytes
                  no longer match their SHA-256 (named by claim and file)

The balance, stock and digest checks are computed on their own (not only through verify), so
they are reported even when the chain is broken.

A file `check` will not examine — a write to it was cut off (a `-journal` beside it: `check`
never rolls it back, it names the command that does), a newer schema, not a village file, no
file — is refused (exit 1); `refusal` gives the `--json` document saying so.

`verify_file` is what `verify`, `rollup` and `export` run on a file: SQLite's own quick_check of
its pages, then the ledger's chain, balances, stock and digests.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import asdict, dataclass
from pathlib import Path

from jifen_cli import db, periods
from jifen_cli.errors import InterruptedWrite, JifenError, NewerSchema, NotAVillage, NoVillage
from jifen_cli.i18n import Message
from jifen_cli.values import today

OK, WARN, FAIL = "ok", "warn", "fail"
CLAIM_AGE_DAYS = 31


@dataclass
class Check:
    name: str
    status: str
    detail: str = ""  # a Message: English as a string (--json), `said(detail, lang)` on screen


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


def _sample(items: list, limit: int = 3) -> Message:
    if len(items) > limit:
        return Message("check_sample_more", items=items[:limit], more=len(items) - limit)
    return Message("check_sample", items=items)


def check(path: str | Path) -> Health:
    path = Path(path)
    if not path.is_file():
        raise NoVillage(path=str(path))
    if db.interrupted_write(path):  # not damage: an ordinary open rolls it back, check never
        raise InterruptedWrite(path=str(path), command=db.recover_command(path))
    health = Health(str(path), [])
    add = health.checks.append
    try:
        conn = db.connect_readonly(path)
        app_id, version = conn.execute(
            "SELECT * FROM pragma_application_id, pragma_user_version").fetchone()
    except sqlite3.DatabaseError as exc:
        add(Check("file", FAIL, Message("check_not_sqlite", error=str(exc))))
        return health
    try:
        from jifen_cli.migrations import LATEST

        if app_id != db.APPLICATION_ID and conn.execute(
                "SELECT count(*) FROM sqlite_master").fetchone()[0]:
            # a sound database of another program: the wrong file, not a damaged one (exit 1)
            raise NotAVillage(path=str(path), detail="application_id")
        if app_id != db.APPLICATION_ID:
            add(Check("file", FAIL, Message("check_not_village")))
            return health
        if version > LATEST:  # sound, but for a newer jifen: upgrade, never "restore a backup"
            raise NewerSchema(path=str(path), found=version, known=LATEST)
        if version < LATEST:
            add(Check("file", WARN, Message("check_older", version=version, latest=LATEST)))
        else:
            add(Check("file", OK, Message("check_file_ok", version=version)))
        _run(conn, add)
    finally:
        conn.close()
    return health


REFUSALS = ((InterruptedWrite, "interrupted"), (NewerSchema, "newer_schema"),
            (NotAVillage, "not_village"), (NoVillage, "missing"))


def refusal(path: str | Path, exc: JifenError) -> dict:
    """The `check --json` document of a file that check refused to examine: its status says
    which refusal, `reason` says it in words (English, like every --json detail), `recover` is
    the command that rolls an interrupted write back. No checks were run."""
    status = next((name for cls, name in REFUSALS if isinstance(exc, cls)), "refused")
    document = {"file": str(path), "status": status, "reason": exc.message("en"), "checks": []}
    if "command" in exc.params:
        document["recover"] = exc.params["command"]
    return document


def verify_file(conn: sqlite3.Connection):
    """SQLite's quick_check of every page, then ledger.verify: a ledger.Report whose first
    problem is the page damage, when there is any (the ledger is still verified as far as it can
    be read, so its length and head are known). Raises sqlite3.DatabaseError when SQLite cannot
    read the file at all; the caller says how that is reported."""
    from jifen_cli import ledger

    damage = db.page_damage(conn)
    if not damage:
        return ledger.verify(conn)
    try:
        report = ledger.verify(conn)
    except sqlite3.DatabaseError:
        report = ledger.Report()
    report.problems.insert(0, ledger.Problem("verify_pages_damaged", detail=_sample(damage)))
    return report


def _guarded(add, name: str, conn: sqlite3.Connection, fn) -> None:
    try:
        add(fn(conn))
    except sqlite3.DatabaseError as exc:
        add(Check(name, FAIL, Message("check_unreadable", error=str(exc))))


def _run(conn: sqlite3.Connection, add) -> None:
    _guarded(add, "integrity", conn, _integrity)
    _guarded(add, "schema", conn, _schema)
    _guarded(add, "foreign_keys", conn, _foreign_keys)
    _guarded(add, "chain", conn, _chain)
    _guarded(add, "registers", conn, _registers)
    _guarded(add, "balances", conn, _balances)
    _guarded(add, "stock", conn, _stock)
    _guarded(add, "digests", conn, _digests)
    _guarded(add, "claims", conn, _claims)
    _guarded(add, "publication", conn, _publication)
    _guarded(add, "objections", conn, _objections)
    _guarded(add, "evidence", conn, _evidence)


def _integrity(conn) -> Check:
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    if rows == ["ok"]:
        return Check("integrity", OK, Message("check_detail_ok"))
    return Check("integrity", FAIL, _sample(rows))


def _schema(conn) -> Check:
    from jifen_cli.migrations import LATEST, migrate

    (version,) = conn.execute("PRAGMA user_version").fetchone()
    if version != LATEST:
        return Check("schema", WARN, Message("check_schema_other", version=version, latest=LATEST))
    query = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
    reference = sqlite3.connect(":memory:", isolation_level=None)
    try:
        migrate(reference)
        wanted = reference.execute(query).fetchall()
    finally:
        reference.close()
    found = conn.execute(query).fetchall()
    if found == wanted:
        return Check("schema", OK, Message("check_schema_ok", count=len(found)))
    changed = sorted({Message("check_schema_object", name=name, kind_key=f"sqlite_{kind}")
                      for kind, name, *_ in set(found) ^ set(wanted)})
    return Check("schema", FAIL, Message("check_schema_changed", items=_sample(changed)))


def _foreign_keys(conn) -> Check:
    rows = conn.execute("PRAGMA foreign_key_check").fetchall()
    if not rows:
        return Check("foreign_keys", OK, Message("check_detail_ok"))
    return Check("foreign_keys", FAIL,
                 _sample([Message("check_foreign_key", table=table, rowid=rowid, parent=parent)
                          for table, rowid, parent, _ in rows]))


def _chain(conn) -> Check:
    from jifen_cli import ledger

    report = ledger.verify(conn)
    chain = [p for p in report.problems if p.key in ledger.CHAIN_PROBLEMS]
    if chain:
        return Check("chain", FAIL, _sample(chain))
    return Check("chain", OK, Message("check_chain_ok", postings=report.postings, head=report.head))


def _registers(conn) -> Check:
    from jifen_cli import registers

    problems = [*registers.differences(conn), *registers.pinned_problems(conn)]
    if problems:
        return Check("registers", FAIL, _sample(problems))
    (count,) = conn.execute("SELECT count(*) FROM changes").fetchone()
    return Check("registers", OK, Message("check_registers_ok", count=count))


def _balances(conn) -> Check:
    from jifen_cli.ledger import derived_balances

    bad, negative = [], []
    derived = derived_balances(conn)
    for code, available, honour in conn.execute(
        "SELECT code, available, honour FROM households ORDER BY code"
    ):
        derived_available, derived_honour = derived.pop(code, (0, 0))
        if (available, honour) != (derived_available, derived_honour):
            bad.append(Message("check_balance", code=code, stored=f"{available}/{honour}",
                               derived=f"{derived_available}/{derived_honour}"))
        elif available < 0:
            negative.append(Message("check_code_value", code=code, value=available))
    bad += [Message("check_orphan", code=code) for code in sorted(derived)]  # not registered
    if bad:
        return Check("balances", FAIL, _sample(bad))
    if negative:
        return Check("balances", WARN, Message("check_negative", items=_sample(negative)))
    (count,) = conn.execute("SELECT count(*) FROM households").fetchone()
    return Check("balances", OK, Message("check_balances_ok", count=count))


def _stock(conn) -> Check:
    from jifen_cli.ledger import derived_stock

    bad = []
    moved = derived_stock(conn)
    for code, stock in conn.execute("SELECT code, stock FROM items ORDER BY code"):
        derived = moved.get(code, 0)
        if stock != derived or derived < 0:
            bad.append(Message("check_stock", code=code, stored=stock, derived=derived))
    if bad:
        return Check("stock", FAIL, _sample(bad))
    (count,) = conn.execute("SELECT count(*) FROM items").fetchone()
    return Check("stock", OK, Message("check_stock_ok", count=count))


def _digests(conn) -> Check:
    from jifen_cli.ledger import GENESIS

    bad, count = [], 0
    for quarter, seq, digest, stored in conn.execute(
        """SELECT q.quarter, q.head_seq, q.digest, p.hash
           FROM publications q LEFT JOIN postings p ON p.seq = q.head_seq
           ORDER BY q.quarter"""
    ):
        count += 1
        if stored != digest and not (seq == 0 and digest == GENESIS):
            bad.append(Message("check_digest", quarter=quarter, digest=digest[:16], seq=seq))
    if bad:
        return Check("digests", FAIL, _sample(bad))
    return Check("digests", OK, Message("check_digests_ok", count=count))


def _claims(conn) -> Check:
    cutoff = (today() - dt.timedelta(days=CLAIM_AGE_DAYS)).isoformat()
    count, oldest = conn.execute(
        "SELECT count(*), min(date) FROM claims WHERE status = 'pending' AND date < ?", (cutoff,)
    ).fetchone()
    if count:
        return Check("claims", WARN, Message("check_claims_late", count=count,
                                             days=CLAIM_AGE_DAYS, oldest=oldest))
    (pending,) = conn.execute("SELECT count(*) FROM claims WHERE status = 'pending'").fetchone()
    return Check("claims", OK, Message("check_claims_ok", count=pending, days=CLAIM_AGE_DAYS))


def _objections(conn) -> Check:
    """Objections still open after their objection period: the working group owes an answer."""
    from jifen_cli import objections

    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'objections'").fetchone():
        return Check("objections", OK, Message("check_objections_ok", count=0))  # older file
    overdue = objections.overdue(conn, today().isoformat())
    if overdue:
        return Check("objections", WARN, Message("check_objections_overdue", count=len(overdue),
                                                 items=_sample([Message(
                                                     "check_objection", id=o["id"],
                                                     quarter=o["quarter"], end=o["period_end"])
                                                     for o in overdue])))
    (count,) = conn.execute("SELECT count(*) FROM objections WHERE status = 'open'").fetchone()
    return Check("objections", OK, Message("check_objections_ok", count=count))


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
        return Check("publication", WARN,
                     Message("check_overdue", quarters=", ".join(overdue)))
    return Check("publication", OK, Message("check_publication_ok", count=len(published)))


def _evidence(conn) -> Check:
    from jifen_cli import evidence

    report = evidence.audit(conn)
    if report.damaged:
        return Check("evidence", FAIL, Message("check_evidence_damaged", items=_sample(
            [Message("check_evidence_file", claim=claim, file=name)
             for claim, name in dict.fromkeys(report.damaged)])))
    return Check("evidence", OK, Message("check_evidence_ok", files=report.files,
                                         claims=report.claims, stored=report.stored,
                                         size=evidence.size_text(report.size)))

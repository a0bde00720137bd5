"""The quarterly disclosure (一季度一公示): its tables, its checks, and the lock it puts on a quarter.

`build` turns the ledger into plain tables (a title, column headings, rows of str / int / Decimal
yuan) from the one definition of the figures in figures.py; the writers in render/ only draw them.
`publish` checks that the quarter can be published, writes every file into a temporary folder,
moves it into place, and records the publication — quarter, head posting, the chain hash at that
head (the digest) and the manifest — in the same write transaction that read the figures. From
then on ledger.append refuses any date up to the end of the quarter.

Same ledger, same bytes: nothing in the files depends on the clock except the publication date,
which is the `date` passed in (the CLI's --date, default today).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from jifen_cli import db, figures, ledger, periods
from jifen_cli.errors import BadInput, LedgerDamaged, PublishRefused
from jifen_cli.i18n import Message, t
from jifen_cli.ledger import FIELDS, GENESIS, chain_hash
from jifen_cli.registers import Registers
from jifen_cli.values import now, today

TABLES = ("ledger", "redemptions", "categories", "honour", "fund", "objections")
FILES = (*(f"{name}.csv" for name in TABLES), "disclosure.xlsx", "notice.html", "manifest.json")
HONOUR_TOP = 10


def check_out(out: Path, manifest_text: str | None = None) -> bool:
    """The disclosure goes into a new or empty folder: an old one is never mixed in.

    One exception, given the manifest about to be written: a folder holding exactly an earlier
    dry run of the same quarter of the same village — its manifest.json names that quarter and
    village, and every file in it is one the manifest lists, with the SHA-256 it lists (nothing
    added, nothing edited since) — may be replaced. Returns True for such a folder."""
    if not out.exists() or (out.is_dir() and not any(out.iterdir())):
        return False
    if not out.is_dir():
        raise PublishRefused("publish_out_is_file", out=str(out))
    if manifest_text is not None and out.is_dir() and _is_dry_run_of(out, json.loads(manifest_text)):
        return True
    raise PublishRefused("publish_out_exists", out=str(out))


def _is_dry_run_of(folder: Path, wanted: dict) -> bool:
    """True when `folder` holds only an untouched disclosure of `wanted`'s quarter and village."""
    try:
        found = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        listed = found["files"]
        if (found.get("quarter"), found.get("village")) != (wanted["quarter"], wanted["village"]):
            return False
        entries = list(folder.iterdir())
        if {e.name for e in entries} != {*listed, "manifest.json"} or not set(listed) <= set(FILES):
            return False
        return all(
            entry.is_file() and not entry.is_symlink()
            and hashlib.sha256(entry.read_bytes()).hexdigest() == listed[entry.name]
            for entry in entries if entry.name != "manifest.json"
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def default_out(quarter: str) -> Path:
    """`disclosure-2024Q2`: ASCII, so it survives any USB stick, zip tool or Windows code page."""
    return Path(f"disclosure-{quarter}")


def money(fen: int) -> Decimal:
    """Integer fen as a yuan Decimal with two places: 3500 -> Decimal('35.00')."""
    return Decimal(fen).scaleb(-2)


@dataclass(frozen=True)
class Label:
    """A cell that is words of ours, not data: shown in the language of the file it is written to."""

    key: str
    params: tuple[tuple[str, str], ...] = ()

    def text(self, lang: str) -> str:
        return t(self.key, lang, **dict(self.params))


TOTAL = Label("pub_total")


@dataclass
class Table:
    """One disclosure table. Cells are str, int, Decimal yuan or Label; headings are i18n keys."""

    name: str
    title: str
    columns: tuple[str, ...]
    rows: list[tuple] = field(default_factory=list)
    totals: tuple | None = None  # shown under the table on the notice

    def headers(self, lang: str) -> list[str]:
        return [t(key, lang) for key in self.columns]


@dataclass
class Disclosure:
    quarter: str
    first: str
    last: str
    date: str  # the publication date printed on the notice
    village: dict
    head_seq: int
    digest: str
    tables: list[Table]
    counts: dict
    totals: dict
    lang: str = "zh"            # the village's public language: every file is in it
    objection_days: int = 7     # objections.DEFAULT_DAYS
    objection_period: tuple[str, str] = ("", "")
    objections: list[dict] = field(default_factory=list)  # resolved since the last disclosure
    changes_seq: int = 0        # the registers as they stood (their history's head)
    changes_hash: str = GENESIS

    def table(self, name: str) -> Table:
        return next(tb for tb in self.tables if tb.name == name)


# --- the tables ------------------------------------------------------------------------------

# Per rule; the rules' categories (as the registers stood) group them.
CATEGORIES_SQL = """
SELECT rule, count(*),
       sum(CASE WHEN kind = 'earn' THEN points ELSE 0 END),
       -sum(CASE WHEN kind = 'deduct' THEN points ELSE 0 END)
FROM postings
WHERE kind IN ('earn', 'deduct') AND date BETWEEN :first AND :last
GROUP BY rule
"""

# A redemption returned within the quarter (a reversal dated by its end) stays listed, as it
# happened, and says so: its points come back under 本季调整 in the ledger table.
REDEMPTIONS_SQL = """
SELECT p.date, p.household, p.item, p.qty, -p.points, p.fen, coalesce(p.shop, ''),
       CASE WHEN r.date <= :last THEN r.seq END, r.date
FROM postings p
LEFT JOIN postings r ON r.reverses = p.seq
WHERE p.kind = 'redeem' AND p.date BETWEEN :first AND :last
ORDER BY p.date, p.seq
"""


def ledger_table(rows: list[figures.HouseholdQuarter]) -> Table:
    table = Table("ledger", "table_ledger", (
        "pub_household", "pub_name", "pub_group", "pub_opening", "pub_earned", "pub_deducted",
        "pub_redeemed", "pub_adjusted", "pub_closing", "pub_entries",
    ))
    table.rows = [
        (r.code, r.name, r.group, r.opening, r.earned, r.deducted, r.redeemed, r.adjusted,
         r.closing, r.entries)
        for r in rows
    ]
    sums = [sum(row[i] for row in table.rows) for i in range(3, 10)]
    table.totals = (TOTAL, "", "", *sums)
    return table


def redemptions_table(conn: sqlite3.Connection, bounds: dict, book: Registers) -> Table:
    table = Table("redemptions", "table_redemptions", (
        "pub_date", "pub_household", "pub_name", "pub_item", "pub_qty", "pub_points", "pub_value",
        "pub_shop", "pub_note",
    ))
    table.rows = [
        (date, code, book.households[code].name, book.items[item].name, qty, points, money(fen),
         shop, Label("pub_returned", (("seq", str(back)), ("date", back_date))) if back else "")
        for date, code, item, qty, points, fen, shop, back, back_date
        in conn.execute(REDEMPTIONS_SQL, bounds)
    ]
    table.totals = (TOTAL, "", "", "", sum(r[4] for r in table.rows),
                    sum(r[5] for r in table.rows), money(sum(r[6].scaleb(2) for r in table.rows)),
                    "", "")
    return table


def categories_table(conn: sqlite3.Connection, bounds: dict, book: Registers) -> Table:
    table = Table("categories", "table_categories", (
        "pub_category", "pub_entries", "pub_cat_earned", "pub_cat_deducted",
    ))
    per_rule = {rule: (n, earned, deducted) for rule, n, earned, deducted
                in conn.execute(CATEGORIES_SQL, bounds)}
    sums: dict[str, list[int]] = {}  # by category, in the order of each one's first rule code
    for code, rule in sorted(book.rules.items()):
        totals = sums.setdefault(rule.category, [0, 0, 0])
        for i, value in enumerate(per_rule.get(code, (0, 0, 0))):
            totals[i] += value
    table.rows = [(category, *totals) for category, totals in sums.items()]
    table.totals = (TOTAL, *(sum(r[i] for r in table.rows) for i in (1, 2, 3)))
    return table


def honour_table(rows: list[figures.HouseholdQuarter]) -> Table:
    table = Table("honour", "table_honour", (
        "pub_rank", "pub_household", "pub_name", "pub_group", "pub_earned", "pub_deducted",
        "pub_net",
    ))
    table.rows = [
        (rank, r.code, r.name, r.group, r.earned, r.deducted, r.net)
        for rank, r in enumerate(figures.honour_board(rows, HONOUR_TOP), start=1)
    ]
    return table


def fund_table(conn: sqlite3.Connection, first: str, last: str) -> tuple[Table, dict]:
    """Quarter and cumulative (everything dated up to the quarter's end) side by side.

    The quarter column holds what moved in the quarter; for what the village owes the shops and
    what they owe back (positions, not flows), that is how much the position changed. Each shop
    is owed, or owes back, on its own: the two are never netted, nor one shop against another.
    Both columns add up: balance = granted - spent on stock - paid + refunds."""
    period = figures.fund(conn, first, last)
    total = figures.fund(conn, "0000-01-01", last)
    table = Table("fund", "table_fund", ("pub_fund_item", "pub_this_quarter", "pub_cumulative"))
    table.rows = [
        (Label("fund_granted"), money(period.granted), money(total.granted)),
        (Label("fund_spent"), money(period.spent_on_stock), money(total.spent_on_stock)),
        (Label("fund_owed_accrued"), money(period.owed_accrued), money(total.owed_accrued)),
        (Label("fund_paid"), money(period.paid), money(total.paid)),
    ]
    if total.refunded:
        table.rows.append((Label("fund_refunded"), money(period.refunded),
                           money(total.refunded)))
    moved = {a.shop: a for a in period.shops}
    table.rows.append((Label("fund_owed"), money(period.owed), money(total.owed)))
    for account in total.shops:
        change = moved.get(account.shop)
        if account.owed or (change and change.owed_change):
            table.rows.append((Label("fund_owed_shop", (("shop", account.shop),)),
                               money(change.owed_change if change else 0), money(account.owed)))
    table.rows.append((Label("fund_credit"), money(period.credit), money(total.credit)))
    for account in total.shops:
        change = moved.get(account.shop)
        if account.credit or (change and change.credit_change):
            table.rows.append((Label("fund_credit_shop", (("shop", account.shop),)),
                               money(change.credit_change if change else 0),
                               money(account.credit)))
    table.rows.append((Label("fund_balance"), money(period.balance), money(total.balance)))
    summary = {
        "quarter": {"granted": period.granted, "spent_on_stock": period.spent_on_stock,
                    "owed_accrued": period.owed_accrued, "paid": period.paid,
                    "refunded": period.refunded, "balance": period.balance},
        "cumulative": {"granted": total.granted, "spent_on_stock": total.spent_on_stock,
                       "owed": total.owed, "credit": total.credit, "paid": total.paid,
                       "refunded": total.refunded, "balance": total.balance},
    }
    return table, summary


def build(conn: sqlite3.Connection, quarter: str, *, date: str, objection_days: int | None = None,
          published: dict | None = None) -> Disclosure:
    """Every table of the quarter's disclosure: as of the ledger's head and the registers as they
    stand now, or — `published`, a publication's row — as of that publication: its head, the
    registers as they stood then, the objections it reported."""
    from jifen_cli import objections, registers
    from jifen_cli.village import public_lang

    quarter = periods.parse_quarter(quarter)
    first, last = (d.isoformat() for d in periods.quarter_bounds(quarter))
    bounds = {"first": first, "last": last}
    objection_days = objections.DEFAULT_DAYS if objection_days is None else objection_days
    if published is None:
        head_seq, digest = conn.execute("SELECT head_seq, head_hash FROM village").fetchone()
        book = registers.current(conn)
        reported = objections.to_report(conn)
        lang = public_lang(conn)
    else:
        head_seq, digest = published["head_seq"], published["digest"]
        book = registers.as_of(conn, published["changes_seq"])
        reported = objections.reported_in(conn, quarter)
        lang = published["lang"]
        date, objection_days = published["date"], published["objection_days"]
    name, township, county = conn.execute("SELECT name, township, county FROM village").fetchone()
    households = [r for r in figures.households(conn, quarter) if r.code in book.households]
    for r in households:  # the names and groups as the register stood
        r.name, r.group = book.households[r.code].name, book.households[r.code].group
    village = figures.village(conn, quarter)
    fund, fund_summary = fund_table(conn, first, last)
    tables = [
        ledger_table(households),
        redemptions_table(conn, bounds, book),
        categories_table(conn, bounds, book),
        honour_table(households),
        fund,
        objections_table(reported, book),
    ]
    ledger, redemptions = tables[0], tables[1]
    keys = ("opening", "earned", "deducted", "redeemed", "adjusted", "closing", "entries")
    return Disclosure(
        quarter=quarter, first=first, last=last, date=date,
        village={"name": name, "township": township, "county": county},
        head_seq=head_seq, digest=digest, tables=tables, lang=lang,
        objection_days=objection_days,
        objection_period=objections.period(date, objection_days),
        objections=reported, changes_seq=book.seq, changes_hash=book.head,
        counts={
            "households": len(households),
            "participating": sum(1 for h in households if h.entries),
            "redemptions": len(redemptions.rows),
            "categories": len(tables[2].rows),
            "honour": len(tables[3].rows),
            "objections": len(reported),
            "objections_upheld": sum(1 for o in reported if o["status"] == "upheld"),
        },
        totals={
            **dict(zip(keys, ledger.totals[3:])),
            # one definition with the roll-up (figures.VillageQuarter): gross redemptions of the
            # quarter, and the returns dated in it as their own figures
            "redeemed": village.redeemed,
            "redeemed_value_fen": village.redeemed_fen,
            "returned": village.returned,
            "returned_value_fen": village.returned_fen,
            "fund_fen": fund_summary,
        },
    )


def objections_table(reported: list[dict], book: Registers) -> Table:
    """The objections resolved since the last disclosure, with their outcome. Who raised one is
    not shown: a villager must not be exposed for objecting."""
    table = Table("objections", "table_objections", (
        "pub_objection", "pub_quarter", "pub_household", "pub_name", "pub_date",
        "pub_objection_text", "pub_outcome", "pub_outcome_reason", "pub_reversals",
    ))
    table.rows = [
        (o["id"], o["quarter"], o["household"] or "",
         book.households[o["household"]].name if o["household"] in book.households else "",
         o["date"], o["text"], Label(f"objection_{o['status']}"), o["reason"] or "",
         " ".join(f"#{seq}" for seq in o["reversals"]))
        for o in reported
    ]
    return table


# --- the checks before publishing -------------------------------------------------------------


def check(conn: sqlite3.Connection, quarter: str, date: str, today_: str | None = None) -> None:
    """Refuse a quarter that cannot be published yet, saying why and what to do."""
    first, last = (d.isoformat() for d in periods.quarter_bounds(quarter))
    locked = periods.locked_through(conn)
    if locked is not None and locked >= last:
        latest = conn.execute("SELECT max(quarter) FROM publications").fetchone()[0]
        raise PublishRefused("publish_before_latest", quarter=quarter, latest=latest)
    if date > (today_ or today().isoformat()):
        raise BadInput("future_date", value=date, today=today_ or today().isoformat())
    if date < last:
        raise PublishRefused("publish_not_over", quarter=quarter, last=last)
    (earliest,) = conn.execute(
        "SELECT min(date) FROM postings WHERE date < ? AND date > ?", (first, locked or "")
    ).fetchone()
    if earliest is not None:
        raise PublishRefused("publish_earlier", quarter=quarter,
                             earlier=periods.quarter_of(earliest))
    pending = conn.execute(
        "SELECT id, household, date FROM claims WHERE status = 'pending' AND date <= ?"
        " ORDER BY date, id",
        (last,),
    ).fetchall()
    if pending:
        raise PublishRefused(
            "publish_pending", quarter=quarter, count=len(pending),
            claims="\n".join(f"  #{i} {h} {d}" for i, h, d in pending),
        )
    check_chain_since_last_publication(conn)
    # A name, group, title or price changed behind jifen's back would be posted on the board:
    # the registers must be what their history says before they are published.
    from jifen_cli import registers

    problems = [*registers.differences(conn), *registers.pinned_problems(conn)]
    if problems:
        raise LedgerDamaged(detail=problems[0])


def check_chain_since_last_publication(conn: sqlite3.Connection) -> None:
    """Recompute the chain from the latest published digest to the head before pinning a new one.

    Everything up to that digest was checked when it was published and is re-checked in full by
    `jifen verify`; this keeps publishing proportional to the quarter, not to the whole ledger.
    """
    row = conn.execute(
        "SELECT head_seq, digest FROM publications ORDER BY head_seq DESC LIMIT 1"
    ).fetchone()
    seq, prev = row or (0, GENESIS)
    if seq:
        stored = conn.execute("SELECT hash FROM postings WHERE seq = ?", (seq,)).fetchone()
        if stored is None or stored[0] != prev:
            raise LedgerDamaged(detail=f"posting #{seq} no longer matches the digest published "
                                       "for it; run `jifen verify`")
    head = ledger.chain_holds(conn, seq, prev) or _chain_one_by_one(conn, seq, prev)
    if conn.execute("SELECT head_seq, head_hash FROM village").fetchone() != head:
        raise LedgerDamaged(detail="the recorded head does not match the postings; "
                                   "run `jifen verify`")


def _chain_one_by_one(conn: sqlite3.Connection, seq: int, prev: str) -> tuple[int, str]:
    expected = seq
    columns = ", ".join(FIELDS)
    for row in conn.execute(
        f"SELECT {columns}, hash FROM postings WHERE seq > ? ORDER BY seq", (seq,)
    ):
        expected += 1
        prev = chain_hash(prev, row[:-1])
        if row[0] != expected or prev != row[-1]:
            raise LedgerDamaged(detail=f"posting #{row[0]} does not match the chain; "
                                       "run `jifen verify`")
    return expected, prev


# --- the files ---------------------------------------------------------------------------------


def render(disclosure: Disclosure) -> dict[str, bytes]:
    """Every file of the disclosure, by name, manifest last (it holds the others' SHA-256), all
    in the village's public language."""
    from jifen_cli.render import csv as csv_render
    from jifen_cli.render import html, xlsx

    lang = disclosure.lang
    files: dict[str, bytes] = {}
    for table in disclosure.tables:
        files[f"{table.name}.csv"] = csv_render.table_bytes(table.headers(lang), table.rows, lang)
    files["disclosure.xlsx"] = xlsx.workbook_bytes(disclosure)
    files["notice.html"] = html.notice(disclosure).encode()
    files["manifest.json"] = manifest_json(disclosure, files).encode()
    return files


def manifest(disclosure: Disclosure, files: dict[str, bytes]) -> dict:
    return {
        "quarter": disclosure.quarter,
        "period": {"first": disclosure.first, "last": disclosure.last},
        "published": disclosure.date,
        "village": disclosure.village,
        "head_seq": disclosure.head_seq,
        "digest": disclosure.digest,
        "lang": disclosure.lang,
        "objection_days": disclosure.objection_days,
        "objection_period": dict(zip(("first", "last"), disclosure.objection_period)),
        "registers": {"changes_seq": disclosure.changes_seq, "head": disclosure.changes_hash},
        "counts": disclosure.counts,
        "totals": disclosure.totals,
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }


def manifest_json(disclosure: Disclosure, files: dict[str, bytes]) -> str:
    return json.dumps(manifest(disclosure, files), ensure_ascii=False, indent=2,
                      sort_keys=True) + "\n"


def _write_folder(out: Path, files: dict[str, bytes]) -> None:
    """Write into a hidden sibling folder, then rename it into place: all files or none. An
    earlier dry run of the same quarter in `out` (check_out) is moved aside first, and removed
    once the new folder is in place (put back if that fails)."""
    replaces = check_out(out, files["manifest.json"].decode())
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.{os.getpid()}.tmp"
    old = out.parent / f".{out.name}.{os.getpid()}.dry-run"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        for name, data in files.items():
            with open(tmp / name, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        if replaces:
            shutil.rmtree(old, ignore_errors=True)
            os.replace(out, old)
        elif out.exists():
            out.rmdir()
        try:
            os.replace(tmp, out)
        except BaseException:
            if replaces:
                os.replace(old, out)
            raise
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)


@dataclass
class Published:
    quarter: str
    out: Path
    head_seq: int
    digest: str
    dry_run: bool
    files: list[str]
    date: str = ""               # the publication's own date (on its notice)
    objection_period: tuple[str, str] = ("", "")
    again: bool = False          # a quarter published before, written again
    from_kept_copy: bool = False  # ... from the files kept at publication
    ignored: list[str] = field(default_factory=list)  # options a reprint does not take


def publish(conn: sqlite3.Connection, quarter: str, *, out: Path | None, date: str, operator: str,
            dry_run: bool = False, today_: str | None = None,
            objection_days: int | None = None) -> Published:
    """Check, build, write every file, and (unless dry_run) lock the quarter. All or nothing.
    A quarter already published is written again, byte for byte (`write_again`).

    `today_` pins the clock the checks use (the demo runs as of the day after its quarter)."""
    from jifen_cli import objections

    quarter = periods.parse_quarter(quarter)
    out = Path(out) if out is not None else default_out(quarter)
    if published_row(conn, quarter) is not None:
        return write_again(conn, quarter, out, ignored=[
            name for name, given in (("--dry-run", dry_run),
                                     ("--objection-days", objection_days is not None)) if given])
    days = objections.DEFAULT_DAYS if objection_days is None else objection_days
    if not 1 <= days <= 366:
        raise BadInput("objection_days", value=days)
    written = False
    try:
        with db.transaction(conn):
            check(conn, quarter, date, today_)
            disclosure = build(conn, quarter, date=date, objection_days=days)
            files = render(disclosure)
            _write_folder(out, files)
            written = True
            if not dry_run:
                _record(conn, disclosure, files, operator)
    except BaseException:
        if written:
            shutil.rmtree(out, ignore_errors=True)
        raise
    return Published(quarter, out, disclosure.head_seq, disclosure.digest, dry_run, list(files),
                     date, disclosure.objection_period)


def _record(conn: sqlite3.Connection, disclosure: Disclosure, files: dict[str, bytes],
            operator: str) -> None:
    """The publication: the lock, the digest, the registers' head, the files themselves."""
    import zlib

    from jifen_cli import objections

    conn.execute(
        "INSERT INTO publications (quarter, head_seq, digest, published_at, published_by,"
        " manifest, changes_seq, changes_hash, date, objection_days)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (disclosure.quarter, disclosure.head_seq, disclosure.digest, now(), operator,
         files["manifest.json"].decode(), disclosure.changes_seq, disclosure.changes_hash,
         disclosure.date, disclosure.objection_days),
    )
    conn.executemany(
        "INSERT INTO publication_files (quarter, name, sha256, data) VALUES (?, ?, ?, ?)",
        [(disclosure.quarter, name, hashlib.sha256(data).hexdigest(), zlib.compress(data, 9))
         for name, data in files.items()])
    objections.mark_reported(conn, [o["id"] for o in disclosure.objections], disclosure.quarter)


PUBLICATION_KEYS = ("quarter", "head_seq", "digest", "published_at", "published_by", "manifest",
                    "changes_seq", "changes_hash", "date", "objection_days")


def published_row(conn: sqlite3.Connection, quarter: str) -> dict | None:
    row = conn.execute(f"SELECT {', '.join(PUBLICATION_KEYS)} FROM publications WHERE quarter = ?",
                       (quarter,)).fetchone()
    if row is None:
        return None
    out = dict(zip(PUBLICATION_KEYS, row))
    try:
        out["lang"] = json.loads(out["manifest"]).get("lang", "zh")
    except ValueError:
        out["lang"] = "zh"
    return out


def write_again(conn: sqlite3.Connection, quarter: str, out: Path,
                ignored: list[str] = ()) -> Published:
    """A published quarter's files again (the board copy got wet), byte-identical to those
    recorded at publication: built again from the ledger and the registers as they stood then,
    and checked against the manifest; where this jifen would draw a file differently from the
    one that published it, the copy kept at publication is written instead. Never a second
    publication: nothing in the village file changes. A file damaged or tampered with is not
    passed off as another jifen's drawing: it is refused as damage (exit 3)."""
    from jifen_cli import objections

    row = published_row(conn, quarter)
    wanted, _ = expected_files(conn, quarter)
    from_kept = False
    try:
        files = render(build(conn, quarter, date=row["date"], published=row))
    except LookupError:  # a register row the history cannot give back as it stood
        files = {}
    if {name: hashlib.sha256(data).hexdigest() for name, data in files.items()} != wanted:
        from jifen_cli import health

        report = health.verify_file(conn)
        if not report.ok:  # not another jifen's drawing: the ledger or its registers changed
            raise LedgerDamaged(detail=report.problems[0])
        kept = {name: _unpack(data) or b"" for name, data in conn.execute(
            "SELECT name, data FROM publication_files WHERE quarter = ?", (quarter,))}
        if {name: hashlib.sha256(data).hexdigest() for name, data in kept.items()} != wanted:
            differ = sorted(n for n in wanted if hashlib.sha256(files.get(n, b"")).hexdigest()
                            != wanted[n])
            raise PublishRefused("publish_again_impossible", quarter=quarter,
                                 published=row["date"], files=", ".join(differ))
        files, from_kept = kept, True
    if out.is_dir() and {p.name for p in out.iterdir()} == set(files) and all(
            _sha256_file(out / n) == wanted[n] for n in files):
        pass  # already there, every byte: nothing to write
    else:
        _write_folder(out, files)
    return Published(quarter, out, row["head_seq"], row["digest"], False, list(files),
                     row["date"], objections.period(row["date"], row["objection_days"]),
                     again=True, from_kept_copy=from_kept, ignored=list(ignored))


# --- a posted copy checked against the publication -------------------------------------------


@dataclass
class FolderCheck:
    quarter: str
    published: str          # the publication's date
    digest: str
    files: int              # how many files the publication has
    missing: list[str]
    extra: list[str]
    changed: list[str]
    ignored: list[str] = field(default_factory=list)  # what file managers leave behind

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.changed)


# Files an operating system's file manager writes into any folder it shows (thumbnails, view
# settings, macOS's resource forks on a USB stick): not part of a disclosure, never a reason to
# call a posted copy different. They are named in a note, so nothing in the folder goes unsaid.
_CLUTTER = {"thumbs.db", "ehthumbs.db", "desktop.ini", ".ds_store", ".localized"}


def is_clutter(name: str) -> bool:
    return name.lower() in _CLUTTER or name.startswith("._")


def expected_files(conn: sqlite3.Connection, quarter: str) -> tuple[dict[str, str], tuple]:
    """SHA-256 of every file of the quarter's publication (manifest.json included, as it was
    recorded), and (date, digest) of the publication."""
    row = conn.execute("SELECT manifest, date, digest FROM publications WHERE quarter = ?",
                       (quarter,)).fetchone()
    if row is None:
        raise PublishRefused("disclosure_unpublished", quarter=quarter)
    manifest_text, date, digest = row
    try:
        wanted = dict(json.loads(manifest_text)["files"])
    except (ValueError, KeyError, TypeError):
        raise LedgerDamaged(detail=Message("disclosure_manifest_unreadable",
                                           quarter=quarter)) from None
    wanted["manifest.json"] = hashlib.sha256(manifest_text.encode()).hexdigest()
    return wanted, (date, digest)


def _which_quarter(conn: sqlite3.Connection, folder: Path) -> str:
    """The quarter a folder holds: its manifest says so; else the publication most of its files
    belong to."""
    try:
        quarter = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["quarter"]
        if conn.execute("SELECT 1 FROM publications WHERE quarter = ?", (quarter,)).fetchone():
            return quarter
    except (OSError, ValueError, KeyError, TypeError):
        pass
    found = {_sha256_file(p) for p in folder.iterdir() if p.is_file()}
    best, score = None, 0
    for (quarter,) in conn.execute("SELECT quarter FROM publications ORDER BY quarter"):
        hits = len(found & set(expected_files(conn, quarter)[0].values()))
        if hits > score:
            best, score = quarter, hits
    if best is None:
        raise BadInput("disclosure_which_quarter", folder=str(folder))
    return best


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def check_folder(conn: sqlite3.Connection, folder: Path, quarter: str | None = None
                 ) -> FolderCheck:
    """Is this folder (a copy of what was posted) exactly the publication recorded in the
    village file? Every file present and byte-identical, nothing else in it."""
    folder = Path(folder)
    if not folder.is_dir():
        raise BadInput("disclosure_no_folder" if folder.exists() else "disclosure_no_such_folder",
                       folder=str(folder))
    quarter = periods.parse_quarter(quarter) if quarter else _which_quarter(conn, folder)
    wanted, (date, digest) = expected_files(conn, quarter)
    present = {p.name: p for p in folder.iterdir() if p.is_file() or p.is_dir()}
    ignored = sorted(name for name in present if name not in wanted and is_clutter(name))
    missing = sorted(name for name in wanted if name not in present)
    extra = sorted(name for name in present if name not in wanted and name not in ignored)
    changed = sorted(name for name, sha in wanted.items()
                     if name in present and (not present[name].is_file()
                                             or _sha256_file(present[name]) != sha))
    return FolderCheck(quarter, date, digest, len(wanted), missing, extra, changed, ignored)


def _unpack(data: bytes) -> bytes | None:
    """A kept file's bytes, or None when what is kept is not what was packed."""
    import zlib

    try:
        return zlib.decompress(data)
    except (zlib.error, TypeError):
        return None


def _kept_sha256(data: bytes) -> str | None:
    unpacked = _unpack(data)
    return None if unpacked is None else hashlib.sha256(unpacked).hexdigest()


def kept_problems(conn: sqlite3.Connection) -> list[Message]:
    """Each publication's recorded manifest carries its digest, and the files kept for it are the
    ones the manifest names, byte for byte: what `verify --disclosure` and a reprint rely on."""
    found = []
    for quarter, digest, manifest in conn.execute(
        "SELECT quarter, digest, manifest FROM publications ORDER BY quarter"
    ):
        try:
            recorded = json.loads(manifest)
        except ValueError:
            found.append(Message("disclosure_manifest_unreadable", quarter=quarter))
            continue
        if recorded.get("digest") != digest:
            found.append(Message("publication_manifest_digest", quarter=quarter))
        wanted = recorded.get("files", {})
        for name, data in conn.execute(
            "SELECT name, data FROM publication_files WHERE quarter = ?", (quarter,)
        ):
            if name != "manifest.json" and _kept_sha256(data) != wanted.get(name):
                found.append(Message("publication_files_differ", quarter=quarter, name=name))
    return found

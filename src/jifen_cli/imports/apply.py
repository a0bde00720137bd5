"""Writing an import: one writer per kind, each streaming rows inside the import's transaction.

Validation and writing happen in the same pass. A writer checks a row, keeps the running state
the rows below it depend on (codes seen, balances, stock, monthly caps) and writes it in batches;
a bad row is reported and not written, and the pass goes on so that every bad row is found. If
any was, `imports.run` rolls the whole transaction back: nothing is written, and no list of a
million validated rows is ever held in memory. Refs are checked against the register one batch at
a time, so a ref met in an earlier batch of the same file is told apart from one imported before.

Rows without a ref (records and redemptions) are remembered by a short digest of what they say
(`import_rows`): a row that says exactly what a row of an earlier import said is refused as a
repeat, naming that import and its row, unless the operator allows repeats. Refs need no digest:
they already make a re-import skip what it brought before.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable
from hashlib import blake2b
from typing import NamedTuple

from jifen_cli import db, ledger, periods
from jifen_cli import households as households_register
from jifen_cli import items as items_register
from jifen_cli import rules as rules_register
from jifen_cli import shops as shops_register
from jifen_cli.errors import (
    BadInput,
    Duplicate,
    ImportRejected,
    InsufficientPoints,
    InsufficientStock,
    JifenError,
    Retired,
)
from jifen_cli.imports.validation import EventChecks
from jifen_cli.ledger import Posting
from jifen_cli.redemptions import check_where
from jifen_cli.rules import Version
from jifen_cli.values import check_text, local_time, now, optional_text

BATCH = 5_000
Rows = Iterable[tuple[int, list[str]]]


class Run:
    """One import in progress: its settings, its counts, and the problems found so far."""

    def __init__(self, conn: sqlite3.Connection, *, kind: str, label: str, lang: str,
                 operator: str, import_id: int, today: str | None, date: str,
                 approve: bool, recorded_by: str | None = None, allow_repeats: bool = False,
                 on_problem=None, size: int = 0):
        self.conn = conn
        self.kind = kind
        self.label = label
        self.lang = lang
        self.operator = operator
        self.import_id = import_id
        self.today = today
        self.date = date
        self.approve = approve
        self.recorded_by = recorded_by  # --recorded-by: the recorder of rows that name none
        self.allow_repeats = allow_repeats
        self.on_problem = on_problem
        self.size = size  # the file's bytes
        self.header_row = 1
        self.present: set[str] = set()  # the kind's columns the file has
        self.rows = self.written = self.skipped = 0
        self.counts: Counter[str] = Counter()
        self.points = self.stock = 0
        self.problem_count = 0
        self.lines: list[str] = []  # kept only when no on_problem callback streams them
        self._pending: list[tuple[int, str]] = []
        self.refused_refs: dict[str, int] = {}  # ref -> the first refused row that carried it

    def problem(self, row: int, error: JifenError) -> None:
        self.problem_count += 1
        self._pending.append((row, error.message(self.lang)))

    def flush_problems(self) -> None:
        """Report the problems found so far, in row order (batch checks come after row checks)."""
        self._pending.sort(key=lambda p: p[0])
        for row, message in self._pending:
            line = f"{self.label}:{row}: {message}"
            if self.on_problem is None:
                self.lines.append(line)
            else:
                self.on_problem(line)
        self._pending.clear()


def _known(conn: sqlite3.Connection, sql: str, keys: list[str]) -> dict:
    """Rows of `sql` (first column: a key) for the keys of one batch, as key -> second column."""
    if not keys:
        return {}
    return dict(conn.execute(sql, (json.dumps(keys, ensure_ascii=False),)))


def _dedupe(run: Run, batch: list, known: dict, ours) -> list:
    """Drop rows whose ref was imported before (counted), report refs repeated in this file.
    `batch`: parsed rows with a `row` and a `ref` (RecordRow, RedemptionRow)."""
    kept, first_row = [], {}
    for entry in batch:
        ref = entry.ref
        if ref is not None:
            if ref in first_row:
                run.problem(entry.row, BadInput("import_duplicate_ref", ref=ref,
                                                row=first_row[ref]))
                continue
            refused = run.refused_refs.get(ref)
            if refused is not None and refused < entry.row:  # a row above, refused for another reason
                run.problem(entry.row, BadInput("import_duplicate_ref", ref=ref, row=refused))
                continue
            if ref in known:
                if ours(known[ref]):
                    run.problem(entry.row, BadInput("import_duplicate_ref_earlier", ref=ref))
                else:
                    run.skipped += 1
                continue
            first_row[ref] = entry.row
        kept.append(entry)
    return kept


def _row_key(kind: str, household: str, what: str, date: str, qty: int, text: str) -> int:
    """A row's digest for `import_rows`: 8 bytes of BLAKE2b of what the row says (`what`: its
    rule or item; `text`: its note, or the shop) as a signed integer, so SQLite keeps it in 8
    bytes and a batch of them travels as one JSON array. Two different rows share a key with
    odds of about 1 in 10^19 per pair."""
    said = f"{kind}\x1f{household}\x1f{what}\x1f{date}\x1f{qty}\x1f{text}".encode()
    return int.from_bytes(blake2b(said, digest_size=8).digest(), "big", signed=True)


def _repeats(run: Run, kept: list, key_of) -> list[tuple[tuple, int | None]]:
    """Each row of the batch with its key (None for a row with a ref). A row that repeats a row
    of an earlier import is reported, naming it, and dropped, unless repeats are allowed."""
    keyed = [(entry, None if entry.ref is not None else key_of(entry)) for entry in kept]
    keys = [key for _, key in keyed if key is not None]
    if not keys or run.allow_repeats:
        return keyed
    # For each key, the first import that had it (earlier imports have smaller ids, so this
    # import's own rows stay out) and its first row: two seeks in the primary key, however many
    # identical rows an import held.
    earlier = {key: found for key, *found in run.conn.execute(
        "SELECT k.key, i.id, (SELECT min(row) FROM import_rows"
        "                     WHERE key = k.key AND import_id = i.id), i.file_name, i.imported_at"
        " FROM (SELECT DISTINCT value AS key FROM json_each(?)) k"
        " JOIN imports i ON i.id = (SELECT min(import_id) FROM import_rows"
        "                           WHERE key = k.key AND import_id < ?)",
        (json.dumps(keys), run.import_id))}
    if not earlier:
        return keyed
    out = []
    for entry, key in keyed:
        found = earlier.get(key) if key is not None else None
        if found is not None:
            import_id, row, file_name, imported_at = found
            run.problem(entry.row, BadInput("import_repeat", id=import_id, row=row,
                                           file=file_name, date=local_time(imported_at)[:10]))
            continue
        out.append((entry, key))
    return out


def _remember(run: Run, rows: list[tuple[int, int]]) -> None:
    """Keep the keys of the ref-less rows written, as (row, key)."""
    if rows:
        run.conn.executemany("INSERT INTO import_rows (key, import_id, row) VALUES (?, ?, ?)",
                             [(key, run.import_id, row) for row, key in rows])


# --- registers ----------------------------------------------------------------------------------


def _register(run: Run, rows: Rows, *, table: str, what: str, clean, insert,
              check=None) -> None:
    existing = {code for (code,) in run.conn.execute(f"SELECT code FROM {table}")}
    seen: dict[str, int] = {}  # code -> the first row that claims it, whatever else it says
    batch: list[dict] = []
    for row, values in rows:
        try:
            entry = clean(*values)
        except JifenError as exc:
            # Refused for another reason, the row still claims its code (the first column):
            # a later row with the same code is a repeat of this one, and is reported too.
            seen.setdefault("" if values[0] is None else str(values[0]).strip(), row)
            _refuse(run, row, exc)
            continue
        code = entry["code"]
        try:
            if code in existing:
                raise Duplicate(what=what, code=code)
            if code in seen:
                raise BadInput("import_duplicate_code", code=code, row=seen[code])
            seen[code] = row
            if check is not None:  # what a kind checks across rows besides the code
                check(row, entry)
        except JifenError as exc:
            _refuse(run, row, exc)
            continue
        batch.append(entry)
        if len(batch) >= BATCH:
            insert(batch)
            batch = []
    if batch:
        insert(batch)


def _refuse(run: Run, row: int, exc: JifenError) -> None:
    if exc.key == "name_question_mark":  # in a file, a '?' is what a GBK export left
        exc = BadInput("name_lost_characters", **exc.params)
    run.problem(row, exc)


def households(run: Run, rows: Rows) -> None:
    def insert(batch):
        households_register.insert_many(run.conn, batch, operator=run.operator)
        run.written += len(batch)
        run.counts["households"] += len(batch)

    holders = households_register.id_holders(run.conn)
    id_rows: dict[str, int] = {}

    def unique_id(row: int, entry: dict) -> None:  # among open households, and in the file
        number = entry["id_number"]
        if number is None:
            return
        households_register.ensure_id_free(holders, entry)
        if number in id_rows:
            raise BadInput("import_duplicate_id_number", row=id_rows[number])
        id_rows[number] = row

    _register(run, rows, table="households", what="household",
              clean=households_register.clean, insert=insert, check=unique_id)


def rules(run: Run, rows: Rows) -> None:
    def insert(batch):
        rules_register.insert_many(run.conn, batch, operator=run.operator)
        run.written += len(batch)
        run.counts["rules"] += len(batch)

    _register(run, rows, table="rules", what="rule", clean=rules_register.clean, insert=insert)


def items(run: Run, rows: Rows) -> None:
    periods.ensure_open(run.conn, run.date)

    def insert(batch):
        items_register.insert_many(run.conn, batch, operator=run.operator, date=run.date)
        stocked = [i["stock"] for i in batch if i["stock"]]
        run.written += len(batch)
        run.counts["items"] += len(batch)
        run.counts["restock"] += len(stocked)
        run.stock += sum(stocked)

    _register(run, rows, table="items", what="item", clean=items_register.clean, insert=insert)


# --- events -------------------------------------------------------------------------------------


def _checks(run: Run, **extra) -> EventChecks:
    conn = run.conn
    return EventChecks(
        households={code for (code,) in conn.execute(
            "SELECT code FROM households WHERE closed_on IS NULL")},
        closed={code: households_register.closed_refusal(conn, code, closed, merged)
                for code, closed, merged in conn.execute(
                    "SELECT code, closed_on, merged_into FROM households"
                    " WHERE closed_on IS NOT NULL")},
        locked=periods.locked_through(conn) or "", today=run.today, **extra,
    )


class RecordRow(NamedTuple):
    """A records row as checked: the rule's version in force on its date, its recorder."""
    row: int
    household: str
    version: Version
    date: str
    qty: int
    note: str
    ref: str | None
    recorded_by: str


class RedemptionRow(NamedTuple):
    row: int
    household: str
    item: str
    date: str
    qty: int
    shop: str | None
    ref: str | None


class ClaimRow(NamedTuple):
    """A row of the claims table, in its columns' order."""
    id: int
    household: str
    rule: str
    qty: int
    date: str
    note: str
    ref: str | None
    status: str
    recorded_by: str
    recorded_at: str
    reviewed_by: str | None
    reviewed_at: str | None
    reason: str | None
    posting: int | None
    import_id: int


CLAIM_COLUMNS = ClaimRow._fields
CACHED = 100_000  # distinct values a cache of cell -> checked value holds, at most


REF_CELL = 5  # where a records or redemptions row's ref is among its cells


def _batches(run: Run, rows: Rows, parse: Callable[[int, tuple], tuple],
             write: Callable[[list[tuple]], None]) -> None:
    """Parse each row (a bad one becomes a problem and the pass goes on) and hand the good ones
    to `write` a batch at a time. A bad row still claims its ref: a later row with the same ref
    is reported as its repeat (`_dedupe`)."""
    batch: list[tuple] = []
    for row, cells in rows:
        try:
            batch.append(parse(row, cells))
        except JifenError as exc:
            run.problem(row, exc)
            if cells[REF_CELL]:
                run.refused_refs.setdefault(cells[REF_CELL], row)
            continue
        if len(batch) >= BATCH:
            write(batch)
            batch = []
    if batch:
        write(batch)


def _cached(cache: dict, key, check: Callable):
    """check(key) through `cache`, a refusal cached like a value (and raised again)."""
    found = cache.get(key)
    if found is None:
        try:
            found = check(key)
        except JifenError as exc:
            found = exc
        if len(cache) < CACHED:
            cache[key] = found
    if isinstance(found, JifenError):
        raise found
    return found


# A big import into a small ledger builds the secondary indexes of the tables it fills once,
# after its rows are in, instead of row by row: on bench/import_bench.py's million rows that
# saved 4-8 s of CPU (24.4-30.2 s against 32.6-34.3 s, a loaded 2-core machine); at 200,000 rows
# nothing measurable. Inside the import's transaction, so the indexes are back before COMMIT,
# and a failed or killed import rolls the drop back with everything else. Indexes the import
# reads while it runs (the refs it checks) stay, and so does every UNIQUE index: a constraint is
# never off, not even inside the transaction.
REBUILD_ROWS = 20_000      # fewer rows than this (estimated): not worth it
BYTES_PER_ROW = 64         # a generous size of a row, to estimate the rows of a file


def _drop_indexes(run: Run, tables: tuple[str, ...], keep: tuple[str, ...]) -> list[str]:
    """Drop the secondary indexes of `tables` (but `keep`) when the import is big next to what
    the tables hold already; returns their CREATE statements, for `_rebuild_indexes`."""
    rows = run.size // BYTES_PER_ROW
    if rows < REBUILD_ROWS:
        return []
    conn = run.conn
    for table in tables:
        (held,) = conn.execute(f"SELECT coalesce(max(rowid), 0) FROM {table}").fetchone()
        if held >= rows:
            return []
    found = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        " AND tbl_name IN (SELECT value FROM json_each(?))"
        " AND name NOT IN (SELECT value FROM json_each(?))"
        " AND sql NOT LIKE 'CREATE UNIQUE INDEX%' ORDER BY name",
        (json.dumps(tables), json.dumps(keep))).fetchall()
    for name, _ in found:
        conn.execute(f'DROP INDEX "{name}"')
    return [sql for _, sql in found]


def _rebuild_indexes(run: Run, statements: list[str]) -> None:
    """The indexes `_drop_indexes` dropped, each made again by its own statement (so the schema
    reads exactly as before). Only when the import is going to be kept: a rejected one rolls
    back, the drop with it."""
    if run.problem_count:
        return
    for statement in statements:
        run.conn.execute(statement)


def records(run: Run, rows: Rows) -> None:
    """Pending claims, or (approve) claims approved by the operator and posted at once, through
    the same monthly-cap decision as the review (claims.capped_posting). Approving needs a
    recorder other than the operator for every row (four eyes), so a file that names none is
    refused at its header.

    One pass: each row is checked (`parse`, with the checks of values met before cached), and
    a batch at a time its refs and repeats are checked against the file and the register,
    then each row becomes its claim and, approved, its chained posting (`write`)."""
    if run.approve and run.recorded_by is None and "recorded_by" not in run.present:
        raise ImportRejected([f"{run.label}:{run.header_row}: "
                              f"{BadInput('import_no_recorder').message(run.lang)}"])
    from jifen_cli.claims import (
        CapBook,
        Review,
        cap_reason,
        capped_posting,
        check_points,
        claim_posting,
    )

    conn = run.conn
    book = rules_register.Book(conn)
    checks = _checks(run, rules=book.rules)
    household, rule, date, qty = checks.household, checks.rule, checks.date, checks.qty
    (claim_id,) = conn.execute("SELECT coalesce(max(id), 0) FROM claims").fetchone()
    caps, review = CapBook(conn), Review()
    caps.read_all([code for code, r in book.rules.items()
                   if any(v.cap_month is not None for v in r.versions)])
    approve, operator, import_id, stamp = run.approve, run.operator, run.import_id, now()
    chain = ledger.Chain(conn) if approve else None
    versions: dict = {}
    notes: dict = {}
    recorders: dict = {}

    def version_on(key: tuple[str, str]):
        return book.on(*key)

    def note_of(cell: str) -> str:
        return optional_text(cell, "note", note=True)

    def recorder_of(cell: str) -> str:
        if cell:
            name = check_text(cell, "recorded_by")
        elif run.recorded_by is not None:
            name = run.recorded_by
        elif approve:
            raise BadInput("import_no_recorder_row")
        else:
            return operator
        if approve and name == operator:
            raise BadInput("import_own_record", name=name)
        return name

    def parse(row: int, cells: tuple) -> RecordRow:
        h, r, d, q, note, ref, who = cells
        rule(r)
        day = date(d)
        # The version of the rule in force on the row's date (refused once the rule retired).
        version = _cached(versions, (r, day), version_on)
        h = household(h)
        q = qty(q)
        note = _cached(notes, note, note_of)
        who = _cached(recorders, who, recorder_of)
        check_points(h, version, q)
        return RecordRow(row, h, version, day, q, note, ref or None, who)

    def key_of(e: RecordRow) -> int:
        return _row_key("records", e.household, e.version.code, e.date, e.qty, e.note)

    def write(batch: list[RecordRow]) -> None:
        nonlocal claim_id
        known = _known(conn, "SELECT ref, import_id FROM claims WHERE ref IN"
                       " (SELECT value FROM json_each(?))", [b.ref for b in batch if b.ref])
        kept = _repeats(run, _dedupe(run, batch, known, lambda found: found == import_id), key_of)
        claim_rows: list[ClaimRow] = []
        keys = []
        for (row, h, version, day, q, note, ref, recorder), key in kept:
            claim_id += 1
            if key is not None:
                keys.append((row, key))
            if not approve:
                claim_rows.append(ClaimRow(claim_id, h, version.code, q, day, note, ref, "pending",
                                           recorder, stamp, None, None, None, None, import_id))
                continue
            if version.cap_month is None:
                posting = claim_posting(claim_id, h, version.code, q, day,
                                        points=version.points * q, note=note,
                                        recorded_by=recorder, reviewer=operator)
            else:
                claim = {"id": claim_id, "household": h, "rule": version.code, "qty": q,
                         "date": day, "note": note, "recorded_by": recorder}
                posting = capped_posting(caps, version, claim, reviewer=operator, review=review)
            if posting is None:
                facts = review.rejected_at_cap[-1][1]
                claim_rows.append(ClaimRow(claim_id, h, version.code, q, day, note, ref,
                                           "rejected", recorder, stamp, operator, stamp,
                                           cap_reason(facts), None, import_id))
                run.counts["rejected_at_cap"] += 1
                continue
            seq = chain.add(posting)  # the seq the chain gave the claim's posting
            claim_rows.append(ClaimRow(claim_id, h, version.code, q, day, note, ref, "approved",
                                       recorder, stamp, operator, stamp, None, seq, import_id))
            run.counts[posting.kind] += 1
            run.points += posting.points
        db.insert_rows(conn, "claims", CLAIM_COLUMNS, claim_rows)
        if chain is not None:
            chain.flush()  # after its claims: a posting names its claim
        _remember(run, keys)
        run.written += len(claim_rows)
        run.counts["claims"] += len(claim_rows)
        run.flush_problems()

    dropped = _drop_indexes(run, ("claims", "postings") if approve else ("claims",),
                            keep=("claims_ref",))
    _batches(run, rows, parse, write)
    _rebuild_indexes(run, dropped)
    if chain is not None:
        chain.close()
    run.counts["capped"] += len(review.capped)


def redemptions(run: Run, rows: Rows) -> None:
    """Redeem postings, each checked against the balance and stock left by the rows above it."""
    conn = run.conn
    goods = {code: [points, value, stock] for code, points, value, stock
             in conn.execute("SELECT code, points, value_fen, stock FROM items"
                             " WHERE retired_on IS NULL")}
    retired = {code: Retired("item_retired", code=code, name=name, date=date)
               for code, name, date in conn.execute(
                   "SELECT code, name, retired_on FROM items WHERE retired_on IS NOT NULL")}
    shops = set(shops_register.names(conn))
    balance = dict(conn.execute("SELECT code, available FROM households"))
    checks = _checks(run, items=goods)
    household, item, date, qty = checks.household, checks.item, checks.date, checks.qty
    mode = items_register.village_mode(conn)
    chain = ledger.Chain(conn)
    start = chain.seq
    operator = run.operator

    def key_of(e: RedemptionRow) -> int:
        return _row_key("redemptions", e.household, e.item, e.date, e.qty, e.shop or "")

    def write(batch: list[RedemptionRow]) -> None:
        known = _known(conn, "SELECT ref, seq FROM postings WHERE ref IN"
                       " (SELECT value FROM json_each(?))", [b.ref for b in batch if b.ref])
        kept = _repeats(run, _dedupe(run, batch, known, lambda found: found > start), key_of)
        keys = []
        written = 0
        for (row, h, code, d, q, shop, ref), key in kept:
            points, value, stock = goods[code]
            needed = points * q
            if needed > balance[h]:
                run.problem(row, InsufficientPoints(household=h, available=balance[h],
                                                    needed=needed))
                continue
            if shop is None and stock < q:
                run.problem(row, InsufficientStock(item=code, stock=stock, qty=q))
                continue
            balance[h] -= needed
            if shop is None:
                goods[code][2] -= q
            chain.add(Posting(
                kind="redeem", date=d, household=h, item=code, qty=q, points=-needed,
                stock=0 if shop else -q, fen=value * q, shop=shop, ref=ref, recorded_by=operator,
            ))
            written += 1
            if key is not None:
                keys.append((row, key))
            run.points -= needed
            run.stock -= 0 if shop else q
        chain.flush()  # in the register before the next batch checks its refs against it
        _remember(run, keys)
        run.written += written
        run.counts["redeem"] += written
        run.flush_problems()

    def parse(row: int, cells: tuple) -> RedemptionRow:
        h, code, d, q, shop, ref = cells
        if code in retired:
            raise retired[code]
        item(code)
        shop = optional_text(shop, "shop") or None
        check_where(mode, shop)
        if shop is not None and shop not in shops:
            shops_register.require(conn, shop)  # refused, naming the closest registered
        return RedemptionRow(row, household(h), code, date(d), qty(q), shop, ref or None)

    dropped = _drop_indexes(run, ("postings",), keep=("postings_ref",))
    _batches(run, rows, parse, write)
    _rebuild_indexes(run, dropped)
    chain.close()


WRITERS = {
    "households": households,
    "rules": rules,
    "items": items,
    "records": records,
    "redemptions": redemptions,
}

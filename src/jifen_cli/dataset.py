"""The bridge to a data platform: the postings of many villages as one Parquet dataset.

    jifen export FOLDER... --parquet DIR [--quarter 2024Q2]

Layout (hive-style, so Spark, Trino/Presto, Hive, DuckDB and pyarrow read the partition keys from
the paths and prune on them):

    DIR/county=<county>/township=<township>/village=<village_id>/quarter=<YYYYQn>/part-0.parquet

Partition keys (strings): `county` and `township` as written in the village file; `village` is the
village_id (16 hex digits: a hash of the village's name, township, county and creation time, the
same in every copy of its file and in `jifen rollup --json`); `quarter` is the quarter of the
posting's date. An empty county or township is `__HIVE_DEFAULT_PARTITION__` (read as NULL by
Hive/Spark/Trino); the characters / \\ = % and control characters in a name are percent-encoded.
Read partition values as strings (DuckDB: `hive_types_autocast = false`), so an id that happens
to be all digits is not turned into a number.

Columns of every file, in this order (schema version 1; columns are only ever added at the end,
never renamed, retyped or removed — a reader that selects columns by name keeps working):

    village_name  string              the village's name
    seq           int64               the posting's number in its village's ledger (1, 2, …)
    kind          string              earn deduct redeem reverse expire grant restock settle
    date          date32[day]         the day the event happened
    household     string              household code (null for fund postings)
    rule          string              rule code (earn/deduct and their reversals)
    category      string              the rule's category (评分指标类别), null without a rule
    item          string              item code (redeem, restock)
    qty           int64               units of the rule or item
    points        int64               signed change to the household's available points
    stock_delta   int64               signed change to the village store's stock of `item`
    value_fen     int64               signed yuan amount in fen (goods value, grant, cost, payment)
    value_yuan    decimal128(12, 2)   the same amount in yuan
    shop          string              partner shop (合作商超), when one is involved
    reverses      int64               for a reversal: the seq it reverses (same village)
    recorded_by   string              who recorded it
    reviewed_by   string              who reviewed it (null for redemptions and fund postings)
    created_at    timestamp[ms, tz=UTC] when it was written to the ledger (to the second)
    hash          string              the posting's chain hash (ledger.py), hex

Household names, ID numbers, phones, notes and evidence are not exported: the dataset is for
figures, and the village files stay the record.

Every file is verified before export (the same read-only open and `health.verify_file` — SQLite's
quick_check of its pages, then `ledger.verify` — as the roll-up, and the same verification cache:
bytes already seen verified are not verified again); a damaged, foreign, truncated or
newer file is not exported and is reported. Of two copies of one village, the one with the longer
ledger is exported, unless it is damaged: then the next copy is tried, so a clean copy is always
chosen over a damaged one. Each part file is written to
a temporary name and renamed into place, so a reader never sees half a file, and exporting a
quarter again replaces that quarter's files: run it each quarter to append the new partitions.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from pathlib import Path

from jifen_cli import periods, rollup
from jifen_cli.errors import JifenError
from jifen_cli.i18n import Message

SCHEMA_VERSION = 1
COLUMNS = (
    ("village_name", "string"), ("seq", "int64"), ("kind", "string"), ("date", "date32[day]"),
    ("household", "string"), ("rule", "string"), ("category", "string"), ("item", "string"),
    ("qty", "int64"), ("points", "int64"), ("stock_delta", "int64"), ("value_fen", "int64"),
    ("value_yuan", "decimal128(12, 2)"), ("shop", "string"), ("reverses", "int64"),
    ("recorded_by", "string"), ("reviewed_by", "string"), ("created_at", "timestamp[ms, tz=UTC]"),
    ("hash", "string"),
)
DEFAULT_PARTITION = "__HIVE_DEFAULT_PARTITION__"
UNSAFE = set('/\\=%') | {chr(c) for c in range(32)} | {"\x7f"}

POSTINGS_SQL = """
SELECT p.seq, p.kind, p.date, p.household, p.rule, r.category, p.item, p.qty, p.points, p.stock,
       p.fen, p.shop, p.reverses, p.recorded_by, p.reviewed_by, p.created_at, p.hash
FROM postings p LEFT JOIN rules r ON r.code = p.rule
WHERE p.date BETWEEN :first AND :last
ORDER BY p.seq
"""


class NeedsPyarrow(JifenError):
    key = "export_needs_pyarrow"


def schema():
    import pyarrow as pa

    return pa.schema([
        ("village_name", pa.string()), ("seq", pa.int64()), ("kind", pa.string()),
        ("date", pa.date32()), ("household", pa.string()), ("rule", pa.string()),
        ("category", pa.string()), ("item", pa.string()), ("qty", pa.int64()),
        ("points", pa.int64()), ("stock_delta", pa.int64()), ("value_fen", pa.int64()),
        ("value_yuan", pa.decimal128(12, 2)), ("shop", pa.string()), ("reverses", pa.int64()),
        ("recorded_by", pa.string()), ("reviewed_by", pa.string()),
        ("created_at", pa.timestamp("ms", tz="UTC")), ("hash", pa.string()),
    ], metadata={"jifen_schema_version": str(SCHEMA_VERSION)})


def require_pyarrow() -> None:
    try:
        import pyarrow  # noqa: F401
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise NeedsPyarrow() from None


def segment(value: str) -> str:
    """A partition value as a directory name."""
    if not value:
        return DEFAULT_PARTITION
    return "".join(f"%{ord(c):02X}" if c in UNSAFE else c for c in value)


def _table(village_name: str, rows: list[tuple]):
    import pyarrow as pa

    columns = list(zip(*rows))
    seq, kind, date, household, rule, category, item, qty, points, stock, fen, shop, reverses, \
        recorded_by, reviewed_by, created_at, hashes = columns
    utc = dt.UTC
    data = [
        [village_name] * len(rows), seq, kind, [dt.date.fromisoformat(d) for d in date],
        household, rule, category, item, qty, points, stock, fen,
        [Decimal(f).scaleb(-2) for f in fen], shop, reverses, recorded_by, reviewed_by,
        [dt.datetime.strptime(c, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=utc) for c in created_at],
        hashes,
    ]
    s = schema()
    return pa.Table.from_arrays([pa.array(col, type=f.type) for col, f in zip(data, s)], schema=s)


def _write(path: Path, table) -> None:
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    pq.write_table(table, temporary, compression="zstd")
    os.replace(temporary, path)


def export_one(path: str, out: str, quarter: str | None
               ) -> tuple[rollup.Row, int, tuple[str, dict] | None]:
    """Verify one village file and write its postings. Never raises: problems are the row's.
    Bytes the verification cache has seen verified are not verified again (rollup.open_read
    hashes them under the read lock); what this proves for the cache comes back as the third
    item, as from rollup.examine."""
    from jifen_cli import health

    row = rollup.Row(path=path)
    written = 0
    found = None
    damaged = rollup._known.damaged if rollup._known is not None else 0
    try:
        if rollup.header_problem(Path(path), row):
            return row, 0, None
        with rollup.reading(Path(path)) as raw:
            conn, facts, digest = rollup.open_read(Path(path), raw)
            try:
                rollup.identify(row, facts)
                entry = rollup.known_entry(digest, raw)
                if entry is not None:
                    row.head_seq, row.head = entry["head_seq"], entry["head"]
                else:
                    report = health.verify_file(conn)
                    row.head_seq, row.head = report.postings, report.head
                    if not report.ok:
                        row.status, row.verified, row.detail = ("damaged", "damaged",
                                                                report.problems[0])
                        return row, 0, None
                row.verified = "yes"
                if quarter:
                    first, last = (d.isoformat() for d in periods.quarter_bounds(quarter))
                else:
                    first, last = periods.OPENING, periods.ENDING
                rows = conn.execute(POSTINGS_SQL, {"first": first, "last": last}).fetchall()
                digest = rollup.unchanged_since(raw, digest)
                if digest is not None:
                    found = digest, None if entry is not None else rollup.new_entry(row, raw, {})
            finally:
                conn.close()
        by_quarter: dict[str, list[tuple]] = {}
        for r in rows:
            by_quarter.setdefault(periods.quarter_of(r[2]), []).append(r)
        base = Path(out) / f"county={segment(row.county)}" / f"township={segment(row.township)}" \
            / f"village={row.village_id}"
        for q, part in sorted(by_quarter.items()):
            _write(base / f"quarter={q}" / "part-0.parquet", _table(row.village, part))
            written += len(part)
    except Exception as exc:  # noqa: BLE001 — one bad file is a row, never the end of an export
        row.status, row.verified = "unreadable", "no" if row.verified != "damaged" else "damaged"
        row.detail = rollup.failure(exc)
    return row, written, rollup.news(found, damaged)


def _export_many(paths: Sequence[str], job: tuple[str, str | None]) -> list:
    out, quarter = job
    return [export_one(p, out, quarter) for p in paths]


def _identify(path: Path) -> tuple[str, int] | None:
    """The village_id and ledger length of a file, cheaply, to choose among copies."""
    from jifen_cli.db import connect_readonly

    if rollup.header_problem(path, rollup.Row(path=str(path))):
        return None  # not a current village file: export_one will say what it is
    try:
        conn = connect_readonly(path)
        try:
            name, township, county, created_at, head_seq = conn.execute(
                "SELECT name, township, county, created_at, head_seq FROM village"
            ).fetchone()
        finally:
            conn.close()
    except Exception:  # noqa: BLE001 — export_one will say what is wrong with it
        return None
    return rollup.village_id(name, township, county, created_at), head_seq


def export(arguments: Iterable[str | Path], out: str | Path, *, quarter: str | None = None,
           jobs: int | None = None, progress: Callable[[int], None] | None = None,
           on_found: Callable[[int], None] | None = None, cache=None) -> dict:
    """Write the dataset; returns {"villages", "postings", "files", "skipped": [Row...]}.
    `cache`: the verification cache the roll-up uses (cache.Cache; None: verify every file)."""
    require_pyarrow()
    quarter = periods.parse_quarter(quarter) if quarter else None
    paths, repeats = rollup.unique_files(rollup.find_files(arguments))
    skipped: list[rollup.Row] = []
    # Copies of one village are tried longest ledger first (then the first path); the next copy
    # only when the one before it did not verify: a clean copy is exported, never a damaged one.
    copies: dict[str, list[tuple[int, int]]] = {}
    todo: list[str] = []
    for n, (path, found) in enumerate(zip(paths, map(_identify, paths))):
        if found:
            copies.setdefault(found[0], []).append((-found[1], n))
        else:
            todo.append(str(path))  # not a current village file: export_one says what it is
    for candidates in copies.values():
        candidates.sort(reverse=True)  # pop() takes the longest, then the first path
        todo.append(str(paths[candidates.pop()[1]]))
    for n, first in repeats.items():
        skipped.append(rollup.Row(path=str(first), status="duplicate",
                                  detail=Message("export_named_twice", n=n + 1)))
    Path(out).mkdir(parents=True, exist_ok=True)
    villages = postings = tried = 0
    while todo:
        tried += len(todo)
        if on_found:
            on_found(tried)
        results = rollup.run(_export_many, todo, (str(out), quarter), jobs=jobs, progress=progress,
                             known=None if cache is None else cache.lookup)
        todo = []
        for row, written, found in results:
            if found is not None:
                cache.take(found)
            others = copies.pop(row.village_id, []) if row.village_id else []
            if row.status == "ok":
                villages += 1
                postings += written
                skipped.extend(
                    rollup.Row(path=str(paths[n]), status="duplicate", village_id=row.village_id,
                               detail=Message("export_other_copy", path=row.path))
                    for _, n in others)
                continue
            skipped.append(row)
            if others:  # this copy did not verify: try the next one
                todo.append(str(paths[others.pop()[1]]))
                copies[row.village_id] = others
    if cache is not None:
        cache.save()
    return {"villages": villages, "postings": postings, "files": len(paths) + len(repeats),
            "skipped": skipped, "out": str(out)}

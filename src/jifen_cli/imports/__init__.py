"""`jifen import`: households, rules, items, records and redemptions from CSV or XLSX files.

    run(conn, "records", "april.csv", operator="文书") -> Result

One import is one transaction: every row is checked, every bad row is reported as FILE:ROW, and
if there was any, nothing is written. A file already imported (same kind, same SHA-256) is a
no-op that says when. Rows whose `ref` is already in the register are skipped and counted; rows
without a ref that repeat a row of an earlier import are refused unless repeats are allowed. A dry
run does the whole import inside the transaction, with the same checks, and rolls it back.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from jifen_cli import db
from jifen_cli.errors import BadInput, ImportRejected
from jifen_cli.imports import apply, readers
from jifen_cli.imports.validation import COLUMNS, KINDS, Picker, blank, match_header
from jifen_cli.values import check_text, now
from jifen_cli.values import today as real_today

__all__ = ["KINDS", "Result", "run"]
CACHE_KIB = 64 * 1024


@dataclass
class Result:
    kind: str
    file: str
    sha256: str
    rows: int = 0
    written: int = 0
    skipped: int = 0
    import_id: int | None = None
    dry_run: bool = False
    counts: Counter = field(default_factory=Counter)
    points: int = 0
    stock: int = 0
    already: dict | None = None  # the earlier import of the same file: id, imported_at, operator


class _DryRun(Exception):
    pass


def run(conn: sqlite3.Connection, kind: str, path: str | Path, *, operator: str,
        lang: str = "en", dry_run: bool = False, approve: bool = False,
        recorded_by: str | None = None, allow_repeats: bool = False,
        today: str | dt.date | None = None, date: str | None = None,
        on_problem: Callable[[str], None] | None = None,
        progress: Callable[[int, int], None] | None = None) -> Result:
    """Import one file of `kind`. `today` bounds the dates (default: values.today()); `date`
    dates the opening stock of imported items (default today). `recorded_by` names the recorder
    of records whose row names none (a `recorded_by`/记录人 column); with `approve` every row
    needs a recorder other than the operator. `allow_repeats` writes ref-less rows that say
    what a row of an earlier import said. `on_problem(line)` receives each FILE:ROW line as it
    is found instead of collecting them; `progress(done, total)` bytes."""
    if kind not in KINDS:
        raise BadInput("import_unknown_kind", kind=kind, kinds=", ".join(KINDS))
    if approve and kind != "records":
        raise BadInput("import_approve_records_only")
    if recorded_by is not None:
        if kind != "records":
            raise BadInput("import_recorded_by_records_only")
        recorded_by = check_text(recorded_by, "recorded_by")
        if approve and recorded_by == operator:
            raise BadInput("import_recorded_by_is_operator", name=recorded_by)
    path = Path(path)
    label = str(path)
    if path.is_dir():
        raise BadInput("import_is_folder", file=label)
    if not path.is_file():
        raise BadInput("import_no_file", file=label)
    today_iso = (real_today() if today is None else
                 today if isinstance(today, dt.date) else dt.date.fromisoformat(today)).isoformat()
    print_ = readers.fingerprint(path)
    result = Result(kind=kind, file=label, sha256=print_.sha256, dry_run=dry_run)
    if (earlier := _earlier(conn, kind, print_.sha256)) is not None:
        result.already = earlier
        return result

    def read_progress(done: int) -> None:
        progress(done, print_.size)

    # A big import touches index pages all over the file: a larger page cache (for this
    # connection only) keeps them in memory instead of spilling and re-reading them.
    conn.execute(f"PRAGMA cache_size = {-CACHE_KIB}")
    try:
        with db.transaction(conn):
            if (earlier := _earlier(conn, kind, print_.sha256)) is not None:
                result.already = earlier
                return result
            if approve:
                from jifen_cli.claims import require_reviewer

                require_reviewer(conn, operator)
            import_id = conn.execute(
                "INSERT INTO imports (kind, file_name, sha256, rows, written, skipped, operator,"
                " imported_at) VALUES (?, ?, ?, 0, 0, 0, ?, ?)",
                (kind, path.name, print_.sha256, operator, now()),
            ).lastrowid
            state = apply.Run(conn, kind=kind, label=label, lang=lang, operator=operator,
                              import_id=import_id, today=today_iso, date=date or today_iso,
                              approve=approve, recorded_by=recorded_by,
                              allow_repeats=allow_repeats, on_problem=on_problem,
                              size=print_.size)
            stream = readers.rows(path, print_.format,
                                  read_progress if progress is not None else None,
                                  exact=print_.exact)
            try:
                _import(state, kind, stream)
            except readers.Unreadable as exc:
                state.problem(exc.row, BadInput(exc.key, **exc.params))
            state.flush_problems()
            if state.problem_count:
                raise ImportRejected(state.lines, count=state.problem_count)
            conn.execute(
                "UPDATE imports SET rows = ?, written = ?, skipped = ? WHERE id = ?",
                (state.rows, state.written, state.skipped, import_id),
            )
            result.rows, result.written, result.skipped = state.rows, state.written, state.skipped
            result.counts, result.points, result.stock = state.counts, state.points, state.stock
            result.import_id = import_id
            if dry_run:
                result.import_id = None
                raise _DryRun
    except _DryRun:
        pass
    return result


def _earlier(conn: sqlite3.Connection, kind: str, sha256: str) -> dict | None:
    row = conn.execute(
        "SELECT id, imported_at, operator, file_name FROM imports WHERE kind = ? AND sha256 = ?",
        (kind, sha256),
    ).fetchone()
    return None if row is None else dict(zip(("id", "imported_at", "operator", "file_name"), row))


HEADER_SEARCH = 10  # non-blank rows in which the header is looked for (titles above it)


def _import(state: apply.Run, kind: str, stream) -> None:
    """Find the header among the first rows, then hand the data rows to the kind's writer."""
    header_row, header, index = _find_header(state, kind, stream)
    width = len(header)
    bad_row = readers.BadRow
    pick = Picker(index)

    def data():
        for number, cells in stream:
            if type(cells) is bad_row:
                state.rows += 1
                state.problem(number, BadInput(cells.key, **cells.params))
                continue
            values = pick(cells)
            if not any(values) and blank(cells):
                continue
            state.rows += 1
            if len(cells) > width and not blank(cells[width:]):
                state.problem(number, BadInput("import_extra_cells", count=len(cells),
                                               width=width))
                continue
            yield number, values

    state.header_row = header_row
    state.present = {name for (name, _, _), i in zip(COLUMNS[kind], index) if i >= 0}
    apply.WRITERS[kind](state, data())


def _find_header(state: apply.Run, kind: str, stream) -> tuple[int, list[str], tuple[int, ...]]:
    """The header: the first of the first HEADER_SEARCH non-blank rows whose cells are all the
    kind's column names. Rows above it are titles (达孜村户籍登记表, a date line) and are skipped;
    row numbers stay the ones Excel shows. When no row matches, the row naming the most columns
    (else the first) is taken and its problems are reported, so a misspelt column is named."""
    from jifen_cli.i18n import t

    best = None  # (known names, row, cells, index, problems)
    seen = 0
    for number, cells in stream:
        if isinstance(cells, readers.BadRow):
            raise ImportRejected([f"{state.label}:{number}: "
                                  f"{t(cells.key, state.lang, **cells.params)}"])
        if blank(cells):
            continue
        index, problems = match_header(kind, cells)
        if not problems:
            return number, cells, index
        known = sum(i >= 0 for i in index)
        if best is None or known > best[0]:
            best = (known, number, cells, index, problems)
        seen += 1
        if seen >= HEADER_SEARCH:
            break
    if best is None:
        raise BadInput("import_empty", file=state.label)
    _, number, _, _, problems = best
    raise ImportRejected([f"{state.label}:{number}: {t(key, state.lang, **params)}"
                          for key, params in problems])

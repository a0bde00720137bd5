"""Opening a village file: pragmas, the village check, migrations, and the write transaction.

A village is one SQLite file in rollback-journal mode (journal_mode=DELETE): when a command has
finished, the file alone is complete and can be copied, e-mailed or carried on a USB stick.

A process killed mid-write leaves its `-journal` beside the file. Every ordinary open
(`open_village` without `readonly`, which every command but `check` and `rollup` uses, read
commands included) leaves the file with no journal: see `_finish_interrupted_write`.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from itertools import chain, compress, repeat
from operator import is_
from pathlib import Path
from typing import NamedTuple

from jifen_cli.errors import (
    NewerSchema,
    NotAVillage,
    NoVillage,
    StorageProblem,
    VillageDamaged,
    VillageExists,
    os_reason,
)

APPLICATION_ID = 0x4A494645  # "JIFE": marks a file as a jifen village
BUSY_TIMEOUT_MS = 60_000


def _configure(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")


def create(path: str | Path) -> sqlite3.Connection:
    """Create a new, empty, fully migrated village file. Refuses to touch an existing file."""
    path = Path(path)
    if path.exists():
        raise VillageExists(path=str(path))
    try:
        # "x" mode: creating the file is atomic, so two `init`s cannot both win.
        with open(path, "x"):
            pass
    except FileExistsError:
        raise VillageExists(path=str(path)) from None
    except OSError as exc:
        raise StorageProblem(path=str(path), detail=os_reason(exc)) from None
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    _configure(conn)
    from jifen_cli.migrations import migrate

    migrate(conn)
    return conn


def connect_readonly(path: str | Path) -> sqlite3.Connection:
    """The one read-only opening of a file (`check`, the roll-up, backups, exports): SQLite's
    `mode=ro` takes only shared locks and writes nothing — no journal, no migration, the file's
    bytes and mtime stay as they were. Autocommit, so a reader chooses its own transaction.
    Raises sqlite3.DatabaseError when SQLite cannot open the file."""
    conn = sqlite3.connect(readonly_uri(path), uri=True, isolation_level=None,
                           check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def readonly_uri(path: str | Path) -> str:
    """SQLite's URI for opening `path` read-only. Not Path.as_uri(): for a Windows share
    (\\\\server\\share\\村\\v.db) that gives file://server/share/..., and SQLite refuses any URI
    authority; an empty one and the path's own slashes (file:////server/share/...) it opens, as it
    opens file:///C:/... and file:///home/... . Every character that means something in a URI
    (?, #, %) is quoted."""
    from urllib.parse import quote

    text = Path(os.path.abspath(path)).as_posix()  # /home/..., C:/..., //server/share/...
    return "file://" + quote(text if text.startswith("/") else "/" + text, safe="/:") + "?mode=ro"


def open_village(path: str | Path, *, readonly: bool = False) -> sqlite3.Connection:
    """Open an existing village file, migrating it forward unless `readonly`."""
    path = Path(path)
    if path.is_dir():
        raise NoVillage("village_is_folder", path=str(path))
    if not path.is_file():
        raise NoVillage(path=str(path))
    try:
        if readonly:
            conn = connect_readonly(path)
        else:
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        _configure(conn)
        app_id, version = conn.execute(
            "SELECT * FROM pragma_application_id, pragma_user_version"
        ).fetchone()
    except sqlite3.DatabaseError as exc:
        if is_busy(exc):
            raise StorageProblem(path=str(path), detail_key="file_busy") from None
        if looks_like_village(path):
            raise VillageDamaged(path=str(path), detail=str(exc)) from None
        raise NotAVillage(path=str(path), detail=str(exc)) from None
    if app_id != APPLICATION_ID:
        conn.close()
        raise NotAVillage(path=str(path), detail="application_id")
    from jifen_cli.migrations import LATEST

    if version > LATEST:
        conn.close()
        raise NewerSchema(path=str(path), found=version, known=LATEST)
    if version < LATEST:
        if readonly:
            conn.close()
            raise NotAVillage(path=str(path), detail=f"schema {version} needs upgrading")
        from jifen_cli.migrations import migrate

        migrate(conn)
    if not readonly:
        _finish_interrupted_write(conn, path)
        if in_wal_mode(path):
            # Another program left the file in WAL mode: its latest writes may sit in a -wal
            # file beside it, which a copy of the file alone would lose. Back to one file.
            conn.execute("PRAGMA journal_mode = DELETE")
    return conn


def in_wal_mode(path: str | Path, header: Header | None = None) -> bool:
    """True when the file is in SQLite's WAL mode (its header says so) or a -wal file lies
    beside it: then the file's bytes alone are not what SQLite reads. jifen's files are never
    in WAL mode; another program may have put one there. `header`: the file's, when the
    caller has read it already."""
    path = Path(path)
    try:
        if header is None:
            with open(path, "rb") as handle:
                header = parse_header(handle.read(HEADER_SIZE))
        wal = path.with_name(path.name + "-wal")
        return (header is not None and header.wal) or (wal.is_file() and wal.stat().st_size > 0)
    except OSError:
        return False


def journal_of(path: str | Path) -> Path:
    path = Path(path)
    return path.with_name(path.name + "-journal")


def recover_command(path: str | Path) -> str:
    """The command that rolls back a write cut off in `path` (any ordinary command does; this one
    only reads): what `check` and `rollup`, which never change a file, tell the reader to run."""
    import shlex

    return f"jifen --db {shlex.quote(str(path))} verify"


def _finish_interrupted_write(conn: sqlite3.Connection, path: Path) -> None:
    """Roll back a write that a killed process left unfinished, and leave no journal behind.

    SQLite itself rolls a *hot* journal back when a connection first reads: the read in
    open_village already did. But a writer killed before it had moved any page into the database
    leaves a journal whose header was never synced (its first bytes are zero: SQLite writes the
    header's magic only when it syncs the journal, just before the first database page). SQLite
    rightly ignores such a journal — the file is whole — and so nothing ever deletes it, and
    `check` and `rollup`, which cannot tell the two kinds apart without writing, keep calling the
    file interrupted. So: take the write lock without waiting (its shared lock rolls back a hot
    journal first); once we hold it no other process is writing, so a journal still there
    belongs to no one and is deleted, as SQLite's own next commit would. The database file's
    bytes are not touched. If another process is writing now, the journal is its own: left alone.
    """
    journal = journal_of(path)
    if not journal.exists():
        return
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:  # another process writes now, or the file is read-only
        return
    finally:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    try:
        journal.unlink(missing_ok=True)
    except OSError:  # a folder we may not write to: the journal is harmless, SQLite ignores it
        pass
    finally:
        conn.execute("ROLLBACK")


def page_damage(conn: sqlite3.Connection) -> list[str]:
    """What SQLite's own `PRAGMA quick_check` finds wrong with the file's pages (the structure
    of every b-tree page, the free list): [] when nothing.

    The hash chain proves the postings that are read; it cannot see a damaged page of an index,
    and figures read through a damaged index can be wrong. quick_check reads every page once:
    on bench/rollup_bench.py's village files it adds 8% to a roll-up's CPU time (0.8 of 11 ms a
    file). Unlike integrity_check (two to three times as slow) it does not compare each index entry with
    its row, so a changed key that leaves the page well-formed passes it."""
    rows = [row[0] for row in conn.execute("PRAGMA quick_check")]
    if rows == ["ok"]:
        return []
    return [" ".join(row.removeprefix("*** in database main ***").split()) for row in rows]


def is_busy(exc: sqlite3.Error) -> bool:
    """True when another connection held the file past the busy timeout: busy, not damaged."""
    return getattr(exc, "sqlite_errorcode", 0) & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def interrupted_write(path: Path) -> bool:
    """True when a write to the file was cut off (a journal lies beside it: hot, or one SQLite
    ignores, see _finish_interrupted_write). An ordinary open rolls it back and leaves no journal;
    a read-only one cannot, and must say so rather than call it damaged."""
    journal = journal_of(path)
    try:
        return journal.is_file() and journal.stat().st_size > 0
    except OSError:
        return False


SQLITE_MAGIC = b"SQLite format 3\x00"
HEADER_SIZE = 100


class Header(NamedTuple):
    """What the 100-byte header of an SQLite database file says (sqlite.org/fileformat.html)."""

    page_size: int        # bytes a page
    pages: int            # the "in-header database size", in pages
    pages_current: bool   # that size is valid (SQLite wrote it, and its change counter agrees)
    user_version: int     # jifen's schema version
    application_id: int   # APPLICATION_ID for a jifen village
    wal: bool             # the file format's read and write versions are 2: WAL mode

    @property
    def size(self) -> int:
        """The file's size as its header gives it, in bytes."""
        return self.page_size * self.pages


def parse_header(data: bytes) -> Header | None:
    """The header in a file's first HEADER_SIZE bytes; None when they are not an SQLite header."""
    if len(data) < HEADER_SIZE or not data.startswith(SQLITE_MAGIC):
        return None
    page_size = int.from_bytes(data[16:18], "big")
    return Header(
        page_size=65536 if page_size == 1 else page_size,
        pages=int.from_bytes(data[28:32], "big"),
        pages_current=data[24:28] == data[92:96],  # file change counter = "version-valid-for"
        user_version=int.from_bytes(data[60:64], "big"),
        application_id=int.from_bytes(data[68:72], "big"),
        wal=2 in (data[18], data[19]),
    )


def looks_like_village(path: Path) -> bool:
    """True when the file starts as a SQLite database carrying jifen's application_id."""
    try:
        with open(path, "rb") as f:
            header = f.read(72)
    except OSError:
        return False
    return header.startswith(SQLITE_MAGIC) and int.from_bytes(header[68:72], "big") == APPLICATION_ID


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction holding the write lock from its first read to COMMIT.

    BEGIN IMMEDIATE takes the RESERVED lock at once, so a balance read inside the block cannot be
    made stale by another process before our INSERT: two redemptions serialise instead of both
    seeing the same balance.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


# --- inserting many rows ---------------------------------------------------------------------

ROWS_PER_INSERT = 50


def insert_rows(conn: sqlite3.Connection, table: str, columns: Sequence[str],
                rows: Sequence[tuple]) -> None:
    """INSERT `rows` (values in `columns` order) into `table`, in order: ROWS_PER_INSERT rows to
    a statement, and NULL written into the statement for each None instead of bound.

    Both measured on a big import (bench/import_bench.py): CPython's sqlite3 binds a None only
    after looking for an adapter for it, which raises and clears two AttributeErrors a value;
    and a statement per row pays SQLite's per-statement work on every row. Consecutive rows
    with None in the same columns share a statement; the order of the rows is kept, so a row
    may refer to one before it."""
    columns = tuple(columns)
    nones = repeat(None)
    patterns = [tuple(map(is_, row, nones)) for row in rows]  # True where a value is None
    start = 0
    while start < len(rows):
        nulls = patterns[start]
        end = start + 1
        while end < len(rows) and patterns[end] == nulls:
            end += 1
        bound = tuple(not null for null in nulls)
        whole = start + (end - start) // ROWS_PER_INSERT * ROWS_PER_INSERT
        if whole > start:
            many = _insert_sql(table, columns, nulls, ROWS_PER_INSERT)
            for at in range(start, whole, ROWS_PER_INSERT):
                conn.execute(many, list(chain.from_iterable(
                    map(compress, rows[at:at + ROWS_PER_INSERT], repeat(bound)))))
        if whole < end:
            conn.executemany(_insert_sql(table, columns, nulls, 1),
                             list(map(tuple, map(compress, rows[whole:end], repeat(bound)))))
        start = end


@lru_cache(maxsize=64)
def _insert_sql(table: str, columns: tuple[str, ...], nulls: tuple[bool, ...], count: int) -> str:
    values = "(" + ", ".join("NULL" if null else "?" for null in nulls) + ")"
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([values] * count)}"

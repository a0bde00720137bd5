"""Opening a village file: pragmas, the village check, migrations, and the write transaction.

A village is one SQLite file in rollback-journal mode (journal_mode=DELETE): when a command has
finished, the file alone is complete and can be copied, e-mailed or carried on a USB stick. A
process killed mid-write leaves a hot journal that SQLite rolls back on the next open.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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


def open_village(path: str | Path, *, readonly: bool = False) -> sqlite3.Connection:
    """Open an existing village file, migrating it forward unless `readonly`."""
    path = Path(path)
    if not path.is_file():
        raise NoVillage(path=str(path))
    try:
        if readonly:
            conn = sqlite3.connect(
                f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None,
                check_same_thread=False,
            )
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
    return conn


def is_busy(exc: sqlite3.Error) -> bool:
    """True when another connection held the file past the busy timeout: busy, not damaged."""
    return getattr(exc, "sqlite_errorcode", 0) & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def interrupted_write(path: Path) -> bool:
    """True when a write to the file was cut off (a hot journal lies beside it). An ordinary
    open rolls it back; a read-only one cannot, and must say so rather than call it damaged."""
    journal = Path(path).with_name(Path(path).name + "-journal")
    try:
        return journal.is_file() and journal.stat().st_size > 0
    except OSError:
        return False


SQLITE_MAGIC = b"SQLite format 3\x00"


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

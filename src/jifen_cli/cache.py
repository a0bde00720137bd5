"""The verification cache: what jifen has proved about the exact bytes of a village file, kept
outside the village files, so that a roll-up (or an export) repeated over files it has already
verified does not verify them again.

    jifen rollup FILES... --quarter Q [--cache DIR | --no-cache]

Keys. An entry is keyed by the SHA-256 of the file's bytes, taken while SQLite reads the file
for the roll-up, under the same shared lock (rollup.open_read): the bytes hashed are the bytes
verified, and a changed byte is a new key. Nothing else identifies a file — not its name, size
or mtime — so the cache is never trusted for a file it did not see byte for byte. A file that
another program left in WAL mode, or that was renamed over or written while it was read, is
never looked up nor kept (rollup.py).

Entries. Only files that verified have one: the ledger's length and head, and, per quarter
asked for, that quarter's figures and whether it was published — all of it a function of the
bytes. A damaged file has no entry: it is verified afresh each time and described in full.
Each entry names the jifen that proved it (`verifier`: its version, the schema, this module's
VERIFIER): an entry of another is not used.

Where. `--cache DIR`, else the user's cache folder, as platformdirs' `user_cache_dir("jifen")`
names it for Linux and macOS (without the dependency): `$XDG_CACHE_HOME/jifen`, else
`~/.cache/jifen` (the XDG base directory specification's place for data a program can rebuild);
`~/Library/Caches/jifen` on macOS; `%LOCALAPPDATA%\\jifen\\Cache` on Windows. It belongs to the
user who runs the roll-up, never travels with the village files, and may be deleted at any
time: it is rebuilt. It is only as trustworthy as its folder: whoever can write there can mark
a file verified.

The file. `DIR/verified.db`, an SQLite database of one table, one row per digest: a roll-up
reads only the rows of the files it opens (a county's cache of 50,000 entries costs a lookup a
file, not a read of all of them), and writes only what it proved, in one transaction at the end
(SQLite's journal makes it atomic, a killed writer's is rolled back by the next run, and two
runs at once take turns: a run that waits LOCK_WAIT seconds keeps nothing and says so). A new
quarter's figures join the quarters kept for the same bytes inside that transaction, so two
runs never lose each other's. Each row carries the SHA-256 of its own text: a row changed on
disk is not used (the file is verified again, the row written anew, with a note), and a cache
that is not such a database is removed and rebuilt, with a note. Beyond MAX_ENTRIES the rows
used longest ago go first.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import sys
from dataclasses import dataclass, field
from pathlib import Path

VERIFIER = 2  # bump when what `health.verify_file` proves changes: older entries are then unused
NAME = "verified.db"
MAX_ENTRIES = 50_000  # the rows used longest ago go first beyond this
LOCK_WAIT = 10  # seconds a run waits for another run's write before it keeps nothing
SCHEMA = ("CREATE TABLE IF NOT EXISTS entries (sha256 TEXT PRIMARY KEY, verifier TEXT NOT NULL,"
          " entry TEXT NOT NULL, digest TEXT NOT NULL, used TEXT NOT NULL)")


def default_folder() -> Path:
    """The user's cache folder for jifen (see the module docstring)."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "jifen" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "jifen"
    base = os.environ.get("XDG_CACHE_HOME") or ""
    return (Path(base) if os.path.isabs(base) else Path.home() / ".cache") / "jifen"


def verifier() -> str:
    """What the entries were proved and computed with: an entry written by another version of
    jifen, or of the schema, is not used (its figures may be counted another way)."""
    from jifen_cli import __version__
    from jifen_cli.migrations import LATEST

    return f"jifen {__version__}, schema {LATEST}, verifier {VERIFIER}"


def _text(entry: dict) -> str:
    return json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _now() -> str:
    from jifen_cli.values import now

    return now()


class Lookup:
    """Reads the cache's rows one digest at a time, in whichever process verifies the file (the
    roll-up's workers get this, not the rows). `damaged` counts rows that no longer match their
    own digest (rollup.news reports them to the Cache, with the digests found)."""

    def __init__(self, path: Path | None):
        self.path = path  # None: a cache being rebuilt, nothing to read
        self.version = verifier()
        self._conn: sqlite3.Connection | None = None
        self.damaged = 0

    def __getstate__(self) -> dict:
        return {"path": self.path, "version": self.version}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["path"])

    def _connection(self) -> sqlite3.Connection | None:
        from jifen_cli.db import readonly_uri

        if self._conn is None and self.path is not None and self.path.is_file():
            try:
                self._conn = sqlite3.connect(readonly_uri(self.path), uri=True,
                                             timeout=LOCK_WAIT, check_same_thread=False)
            except sqlite3.Error:
                return None
        return self._conn

    def get(self, sha256: str) -> dict | None:
        conn = self._connection()
        if conn is None:
            return None
        try:
            row = conn.execute("SELECT verifier, entry, digest FROM entries WHERE sha256 = ?",
                               (sha256,)).fetchone()
        except sqlite3.Error:  # busy past the wait, or damaged: verify the file instead
            return None
        if row is None or row[0] != self.version:
            return None
        version, text, digest = row
        if _digest(f"{sha256}\n{version}\n{text}") != digest:
            self.damaged += 1
            return None
        try:
            entry = json.loads(text)
        except (ValueError, RecursionError):  # sound by its digest, yet not an entry
            return None
        return entry if isinstance(entry, dict) else None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


@dataclass
class Cache:
    """The cache in `folder`: `lookup` reads it, `put` keeps what this run proved and `save`
    writes it. `problem` says why the cache (or some of its rows) was not used, a Message for a
    note; `unwritable` why this run's entries were not kept."""

    folder: Path
    added: dict[str, dict] = field(default_factory=dict)
    problem: object = None
    unwritable: object = None
    rebuild: bool = False
    lookup: Lookup | None = None
    rows_damaged: object = None  # a Message once rows that do not match their digest were met
    damaged: int = 0
    hits: list[str] = field(default_factory=list)

    @property
    def path(self) -> Path:
        return self.folder / NAME

    def put(self, sha256: str, entry: dict) -> None:
        """Keep what a run proved about `sha256`'s bytes (a new quarter's figures join the
        quarters already kept, when the cache is written)."""
        known = self.added.get(sha256)
        if known is not None:
            entry = {**entry, "quarters": {**known["quarters"], **entry["quarters"]}}
        self.added[sha256] = entry

    def take(self, found: tuple) -> None:
        """What examining one file gave the cache (rollup.examine): (digest, entry) proved
        anew, (digest, None) taken from the cache, and how many rows it met damaged."""
        from jifen_cli.i18n import Message

        digest, entry, damaged = found
        if entry is not None:
            self.put(digest, entry)
        elif digest is not None:
            self.hits.append(digest)
        self.damaged += damaged
        if self.damaged:
            self.rows_damaged = Message("cache_rows_damaged", path=str(self.path),
                                        count=self.damaged)

    def save(self) -> None:
        """Add this run's entries (and when the digests it used were used) in one transaction.
        A folder that cannot be written, or a cache another run holds for LOCK_WAIT seconds, is
        not an error: `unwritable` says why."""
        from jifen_cli.errors import os_reason
        from jifen_cli.i18n import Message

        if self.lookup is not None:
            self.lookup.close()
        if not self.added and not self.hits:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if self.rebuild:
                _discard(self.path)
            conn = sqlite3.connect(self.path, timeout=LOCK_WAIT, isolation_level=None)
            try:
                conn.execute("BEGIN IMMEDIATE")  # one writer at a time, the others wait
                conn.execute(SCHEMA)
                self._write(conn)
                conn.execute("COMMIT")
            finally:
                conn.close()
        except sqlite3.OperationalError as exc:
            reason = (Message("cache_busy", seconds=LOCK_WAIT) if "locked" in str(exc)
                      else str(exc))
        except sqlite3.DatabaseError as exc:  # damaged since it was opened: rebuilt next time
            reason = str(exc)
        except OSError as exc:
            reason = os_reason(exc)
        else:
            return
        if self.added:  # when only the times of use were not written, nothing was lost
            self.unwritable = Message("cache_unwritable", path=str(self.path), reason=reason)

    def _write(self, conn: sqlite3.Connection) -> None:
        version, used = verifier(), _now()
        for sha256, entry in self.added.items():
            row = conn.execute("SELECT verifier, entry, digest FROM entries WHERE sha256 = ?",
                               (sha256,)).fetchone()
            if row is not None and row[0] == version and \
                    _digest(f"{sha256}\n{row[0]}\n{row[1]}") == row[2]:
                try:  # what another run proved of the same bytes meanwhile: other quarters
                    quarters = json.loads(row[1])["quarters"]
                    entry = {**entry, "quarters": {**quarters, **entry["quarters"]}}
                except (ValueError, KeyError, TypeError, RecursionError):
                    pass  # not an entry after all: this run's replaces it
            text = _text(entry)
            conn.execute("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?)",
                         (sha256, version, text, _digest(f"{sha256}\n{version}\n{text}"), used))
        conn.executemany("UPDATE entries SET used = ? WHERE sha256 = ?",
                         [(used, sha256) for sha256 in set(self.hits) - set(self.added)])
        (count,) = conn.execute("SELECT count(*) FROM entries").fetchone()
        if count > MAX_ENTRIES:
            conn.execute("DELETE FROM entries WHERE sha256 IN (SELECT sha256 FROM entries"
                         " ORDER BY used LIMIT ?)", (count - MAX_ENTRIES,))


def open_cache(folder: str | Path | None = None) -> Cache:
    """The cache in `folder` (default: the user's cache folder). Never raises: a file there that
    is not a sound cache is not used (`problem` says so) and rebuilt when this run writes."""
    from jifen_cli.i18n import Message

    cache = Cache(Path(folder) if folder is not None else default_folder())
    why = _unsound(cache.path)
    if why is not None:
        cache.problem = Message("cache_corrupt", path=str(cache.path), why=why)
        cache.rebuild = True
        cache.lookup = Lookup(None)
    else:
        cache.lookup = Lookup(cache.path)
    return cache


def _unsound(path: Path):
    """Why the file at `path` is not a cache to read (None: it is, or there is none)."""
    from jifen_cli.db import parse_header, readonly_uri
    from jifen_cli.errors import os_reason
    from jifen_cli.i18n import Message

    try:
        with open(path, "rb") as handle:
            data = handle.read(100)
        size = path.stat().st_size
    except FileNotFoundError:
        return None
    except OSError as exc:
        return os_reason(exc)
    header = parse_header(data)
    if header is None or (header.pages_current and size < header.size):
        return Message("cache_not_readable")
    try:
        conn = sqlite3.connect(readonly_uri(path), uri=True, timeout=LOCK_WAIT)
        try:
            columns = [r[1] for r in conn.execute("PRAGMA table_info(entries)")]
        finally:
            conn.close()
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            return None  # another run is writing it: sound, only busy (lookups then miss)
        return Message("cache_not_readable")
    except sqlite3.Error:
        return Message("cache_not_readable")
    if columns != ["sha256", "verifier", "entry", "digest", "used"]:
        return Message("cache_not_readable")
    return None


def _discard(path: Path) -> None:
    """A damaged cache removed (a rebuilt one takes its place: a cache is only ever rebuilt)."""
    for name in (path, path.with_name(path.name + "-journal")):
        name.unlink(missing_ok=True)


def file_digest(handle) -> str:
    """The SHA-256 of an open file's bytes, from the start."""
    handle.seek(0)
    return hashlib.file_digest(handle, "sha256").hexdigest()

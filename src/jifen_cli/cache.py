"""The verification cache: what jifen has proved about the exact bytes of a village file, kept
outside the village files, so that a roll-up (or an export) repeated over files it has already
verified does not verify them again.

    jifen rollup FILES... --quarter Q [--cache DIR | --no-cache]

Keys. An entry is keyed by the SHA-256 of the file's bytes, taken while SQLite reads the file
for the roll-up, under the same shared lock (rollup.examine): the bytes hashed are the bytes
verified, and a changed byte is a new key. Nothing else identifies a file — not its name, size
or mtime — so the cache is never trusted for a file it did not see byte for byte.

Entries. Only files that verified have one: the verification result (verified), the village
record (name, township, county, class, mode), the ledger's length and head, and, per quarter
asked for, that quarter's figures and whether it was published — everything a roll-up row
holds, all of it a function of the bytes. A damaged file has no entry: it is verified afresh
each time and described in full.

Where. `--cache DIR`, else the user's cache folder, as platformdirs' `user_cache_dir("jifen")`
names it (without the dependency): `$XDG_CACHE_HOME/jifen`, else `~/.cache/jifen` (Linux and
other Unix: the XDG base directory specification's place for data a program can rebuild);
`~/Library/Caches/jifen` on macOS; `%LOCALAPPDATA%\\jifen\\Cache` on Windows. It belongs to the
user who runs the roll-up, never travels with the village files, and may be deleted at any time:
it is rebuilt.

The file. `DIR/verified.json`: `{"format", "verifier", "entries", "sha256"}` — `verifier` names
what the entries were proved with (the schema version and this module's VERIFIER; entries of
another are not used), `sha256` is the digest of the entries as written, so a file damaged on
disk is told from a sound one. It is only ever replaced whole: written to a temporary file in
DIR, flushed to disk, and renamed over the old one (os.replace, atomic), so a reader always reads
a complete file. Writers take `DIR/verified.lock` (one at a time), read the file again under the
lock and add their entries to what is there: two roll-ups at once both finish and neither loses
the other's entries. A file that does not parse, has the wrong shape or the wrong digest is
ignored (every file is then verified) and replaced by the next write, with a note saying so.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

FORMAT = 1
VERIFIER = 2  # bump when what `health.verify_file` proves changes: older entries are then unused
NAME = "verified.json"
LOCK = "verified.lock"
MAX_ENTRIES = 50_000  # the oldest go first beyond this (a county's files over many quarters)


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


def _digest(entries: dict) -> str:
    return hashlib.sha256(json.dumps(entries, ensure_ascii=False, sort_keys=True,
                                     separators=(",", ":")).encode()).hexdigest()


@dataclass
class Cache:
    """The entries read from DIR, and those this run adds. `problem` says why the file there
    was not used (a Message for the note), `unwritable` why this run's entries were not kept."""

    folder: Path
    entries: dict[str, dict] = field(default_factory=dict)
    added: dict[str, dict] = field(default_factory=dict)
    problem: object = None
    unwritable: object = None

    @property
    def path(self) -> Path:
        return self.folder / NAME

    def get(self, sha256: str) -> dict | None:
        return self.added.get(sha256) or self.entries.get(sha256)

    def put(self, sha256: str, entry: dict) -> None:
        """Keep what a run proved about `sha256`'s bytes (a new quarter's figures join the
        quarters already kept)."""
        known = self.get(sha256)
        if known is not None:
            entry = {**entry, "quarters": {**known.get("quarters", {}),
                                           **entry.get("quarters", {})}}
        self.added[sha256] = entry

    def save(self) -> None:
        """Add this run's entries to the file, one writer at a time, replacing it atomically.
        A folder that cannot be written is not an error: `unwritable` says why."""
        from jifen_cli.errors import os_reason
        from jifen_cli.i18n import Message

        if not self.added:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with _locked(self.folder / LOCK):
                for left in self.folder.glob(f".{NAME}.*.tmp"):  # a killed writer's, never ours
                    left.unlink(missing_ok=True)
                entries, _ = _read(self.path)  # what other runs wrote meanwhile
                for sha256, entry in self.added.items():
                    known = entries.pop(sha256, None)
                    if known is not None:
                        entry = {**entry, "quarters": {**known.get("quarters", {}),
                                                       **entry.get("quarters", {})}}
                    entries[sha256] = entry  # the newest last: pruning drops the oldest
                while len(entries) > MAX_ENTRIES:
                    entries.pop(next(iter(entries)))
                _write(self.path, entries)
        except CacheBusy:
            self.unwritable = Message("cache_unwritable", path=str(self.path),
                                      reason=Message("cache_busy", seconds=LOCK_WAIT))
        except OSError as exc:
            self.unwritable = Message("cache_unwritable", path=str(self.path),
                                      reason=os_reason(exc))


def open_cache(folder: str | Path | None = None) -> Cache:
    """The cache in `folder` (default: the user's cache folder), read once. Never raises: a
    corrupt file is ignored (`problem` says so) and an unreadable folder is an empty cache."""
    cache = Cache(Path(folder) if folder is not None else default_folder())
    cache.entries, cache.problem = _read(cache.path)
    return cache


def _read(path: Path) -> tuple[dict, object]:
    """(entries, why the file was not used — None when it was, or when there is none)."""
    from jifen_cli.i18n import Message

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}, None
    except OSError as exc:
        from jifen_cli.errors import os_reason

        return {}, Message("cache_corrupt", path=str(path), why=os_reason(exc))
    try:
        document = json.loads(data.decode("utf-8"))
        entries = document["entries"]
        if (document["format"] != FORMAT or not isinstance(entries, dict)
                or document["sha256"] != _digest(entries)
                or not all(isinstance(e, dict) for e in entries.values())):
            raise ValueError("shape")
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, RecursionError):
        return {}, Message("cache_corrupt", path=str(path), why=Message("cache_not_readable"))
    if document.get("verifier") != verifier():  # proved by another jifen: not used, not wrong
        return {}, None
    return entries, None


def _write(path: Path, entries: dict) -> None:
    document = {"format": FORMAT, "verifier": verifier(), "entries": entries,
                "sha256": _digest(entries)}
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "w", encoding="utf-8") as f:
            json.dump(document, f, ensure_ascii=False, separators=(",", ":"))
            f.flush()
            os.fsync(f.fileno())
        _replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _replace(temporary: Path, path: Path) -> None:
    """os.replace, which on Windows fails while another run has the cache open to read it
    (Python opens files there without FILE_SHARE_DELETE): a reader holds it for a moment only,
    so try again for a second before giving up."""
    import time

    for attempt in range(20):
        try:
            os.replace(temporary, path)
            return
        except PermissionError:
            if sys.platform != "win32" or attempt == 19:
                raise
            time.sleep(0.05)


LOCK_WAIT = 10  # seconds a run waits for another run's write before it keeps nothing


class CacheBusy(Exception):
    """Another run held the cache's lock for LOCK_WAIT seconds (paused, or on a slow share)."""


@contextmanager
def _locked(path: Path):
    """Hold an exclusive lock on `path` (created if need be) while the block runs: the lock is
    the operating system's, so it goes with the process however it ends. Waits LOCK_WAIT
    seconds at most (CacheBusy): a run paused with another's lock never stops this one."""
    import time

    deadline = time.monotonic() + LOCK_WAIT
    with open(path, "a+b") as handle:
        if sys.platform == "win32":
            import msvcrt

            def take():
                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

            def release():
                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            def take():
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

            def release():
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        while True:
            try:
                take()
                break
            except OSError:  # held by another run
                if time.monotonic() > deadline:
                    raise CacheBusy() from None
                time.sleep(0.05)
        try:
            yield
        finally:
            release()


def file_digest(handle) -> str:
    """The SHA-256 of an open file's bytes, from the start."""
    handle.seek(0)
    return hashlib.file_digest(handle, "sha256").hexdigest()

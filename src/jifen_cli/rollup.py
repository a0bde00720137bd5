"""The township and city roll-up: one row per village file, subtotals, and a totals row.

Finding the files. A file named on the command line is always examined. A folder is searched
recursively for `*.db`, `*.jifen`, `*.sqlite` and `*.sqlite3`, and for any other file whose
SQLite header carries jifen's application_id (a village renamed `扎西岗村-2024.bak` is still
found). SQLite's own side files (`-journal`, `-wal`, `-shm`) are skipped.

Examining a file (`examine`, one per worker process). It is opened read-only (`mode=ro`: SQLite
takes only a shared lock, writes nothing, and the file's bytes and mtime stay as they were) and
read in one transaction, its pages checked by SQLite's quick_check and its chain verified with
`ledger.verify` (together `health.verify_file`, what `jifen verify` runs), and its quarter figures
computed by `figures.village` and `figures.fund`, the same code `publish` uses. With the
verification cache (cache.py), the SHA-256 of the file's bytes is taken inside that transaction,
under its lock, so the bytes hashed are the bytes verified; bytes the cache has seen verified are
not verified again, and a quarter it holds the figures of is not computed again. A file that cannot be rolled
up is still a row and says why (STATUSES): damaged (a damaged page, or the chain or a balance does
not match — its figures are shown when readable but never added to the totals), not a village
file, written by a newer jifen, written by an older jifen (a read-only open cannot upgrade it: run
any jifen command on it once), interrupted (a write to it was cut off: the row names the command
that rolls it back, which the read-only roll-up never does), cut short (truncated: smaller than
its header says), or unreadable.

Duplicates. The same file named twice (by any path, link or folder) is examined once; the other
mention is a `duplicate` row. Two copies of one village are recognised by the village record
every copy carries from `jifen init` on: name, township, county and the second it was created
(its `village_id` is a hash of those). The copy with the longest sound ledger is counted (a
damaged copy never, however long); the others are `duplicate` rows naming it (a damaged copy, an
older copy, an identical copy, or — if two copies of the same length differ — a conflicting one,
which needs a person to decide).

Totals count each village once, and only villages whose ledger verified.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from jifen_cli import periods
from jifen_cli.db import (
    APPLICATION_ID,
    HEADER_SIZE,
    in_wal_mode,
    interrupted_write,
    looks_like_village,
    parse_header,
    recover_command,
)
from jifen_cli.errors import os_reason
from jifen_cli.i18n import Message

SUFFIXES = (".db", ".jifen", ".sqlite", ".sqlite3")
SIDE_FILES = ("-journal", "-wal", "-shm")
STATUSES = ("ok", "damaged", "duplicate", "not_village", "newer_schema", "older_schema",
            "interrupted", "truncated", "unreadable", "missing")
CHUNK = 8  # files per task handed to a worker: few enough round trips, even enough load


@dataclass(slots=True)
class Figures:
    """The numbers a roll-up adds up (money in fen)."""

    villages: int = 0
    households: int = 0
    participating: int = 0
    entries: int = 0
    earned: int = 0
    deducted: int = 0
    redeemed: int = 0      # gross, as figures.VillageQuarter defines it (and the notice)
    redeemed_fen: int = 0
    returned: int = 0      # returns dated in the quarter, their own figures
    returned_fen: int = 0
    fund_granted: int = 0
    fund_balance: int = 0
    objections: int = 0          # objections received to the quarter's disclosure
    objections_upheld: int = 0   # ... and found right

    def add(self, other: Figures) -> None:
        for f in fields(Figures):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


@dataclass(slots=True)
class Row:
    """One village file. `status` is one of STATUSES; `detail` says more: a Message (English
    as a string, in --json; `i18n.said(detail, lang)` in the reader's language)."""

    path: str
    status: str = "ok"
    detail: str = ""
    village_id: str = ""
    village: str = ""
    township: str = ""
    county: str = ""
    klass: int | None = None
    mode: str = ""
    published: bool | None = None
    verified: str = "no"  # yes | no (could not be checked) | damaged
    head_seq: int = 0
    head: str = ""
    figures: Figures | None = None
    same_as: str = ""  # for a duplicate: the path counted instead

    @property
    def counted(self) -> bool:
        return self.status == "ok" and self.figures is not None

    def as_dict(self) -> dict:
        out = asdict(self)
        out["class"] = out.pop("klass")
        out["figures"] = None if self.figures is None else asdict(self.figures)
        return out


@dataclass
class RollUp:
    quarter: str
    rows: list[Row] = field(default_factory=list)
    total: Figures = field(default_factory=Figures)

    def groups(self, by: str) -> list[tuple[tuple[str, ...], list[Row], Figures]]:
        """Rows grouped by county, or by county and township, each with its subtotal."""
        keyed: dict[tuple[str, ...], list[Row]] = {}
        for row in self.rows:
            key = (row.county,) if by == "county" else (row.county, row.township)
            keyed.setdefault(key, []).append(row)
        out = []
        for key, rows in keyed.items():
            subtotal = Figures()
            for row in rows:
                if row.counted:
                    subtotal.add(row.figures)
            out.append((key, rows, subtotal))
        return out

    def counts(self) -> dict[str, int]:
        tally = dict.fromkeys(STATUSES, 0)
        for row in self.rows:
            tally[row.status] += 1
        return {k: v for k, v in tally.items() if v}


# --- finding the files ---------------------------------------------------------------------


def find_files(arguments: Iterable[str | Path]) -> list[Path]:
    """Every file to examine, in a stable order: named files as given, folders searched."""
    found: list[Path] = []
    for argument in arguments:
        path = Path(argument)
        if not path.is_dir():
            found.append(path)  # a missing or odd file is still a row that says so
            continue
        for folder, dirs, names in os.walk(path):
            dirs.sort()
            for name in sorted(names):
                candidate = Path(folder) / name
                if name.endswith(SIDE_FILES) or not candidate.is_file():
                    continue
                if candidate.suffix.lower() in SUFFIXES or looks_like_village(candidate):
                    found.append(candidate)
    return found


# --- one file --------------------------------------------------------------------------------


def village_id(name: str, township: str, county: str, created_at: str) -> str:
    """A stable id for a village: the same in every copy of its file, whatever its path."""
    key = "\x1f".join((name, township, county, created_at))
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def header_problem(path: Path, row: Row) -> bool:
    """Classify from the 100-byte SQLite header alone; True when nothing more can be done."""
    from jifen_cli.migrations import LATEST

    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            header = parse_header(handle.read(HEADER_SIZE))
    except FileNotFoundError:
        row.status, row.detail = "missing", Message("rollup_no_such_file")
        return True
    except OSError as exc:
        row.status, row.detail = "unreadable", os_reason(exc)
        return True
    if header is None:
        row.status = "not_village"
        row.detail = Message("rollup_empty_file" if size == 0 else "rollup_not_sqlite")
        return True
    if header.application_id != APPLICATION_ID:
        row.status, row.detail = "not_village", Message("rollup_foreign_sqlite")
        return True
    if header.pages_current and size < header.size:
        row.status = "truncated"
        row.detail = Message("rollup_truncated", size=size, full=header.size)
        return True
    if in_wal_mode(path, header):
        # Its latest writes may be in a -wal file: the file's bytes are not all SQLite reads,
        # so neither a copy nor the verification cache could trust them. An ordinary open
        # folds the -wal back in.
        row.status = "interrupted"
        row.detail = Message("rollup_wal", command=recover_command(path))
        return True
    if interrupted_write(path):
        # A write was cut off (power, a pulled USB stick): SQLite rolls it back on the next
        # ordinary open, which a read-only roll-up must not do. Nothing is lost.
        row.status = "interrupted"
        row.detail = Message("rollup_interrupted", command=recover_command(path))
        return True
    version = header.user_version
    if version > LATEST:
        row.status = "newer_schema"
        row.detail = Message("rollup_newer", version=version, latest=LATEST)
        return True
    if version < LATEST:
        row.status = "older_schema"
        row.detail = Message("rollup_older", version=version)
        return True
    return False


def failure(exc: Exception) -> str:
    """What went wrong with a file, for its row: our own refusal in the reader's language."""
    from jifen_cli.errors import JifenError

    if isinstance(exc, JifenError):
        return Message(exc.key, **exc.params)
    return str(exc) if isinstance(exc, sqlite3.Error) else f"{type(exc).__name__}: {exc}"


def examine(path: str | Path, quarter: str) -> tuple[Row, tuple | None]:
    """Open one village file read-only, verify it, and compute its quarter. Never raises.
    With the cache on (`_known`), also what it gives the cache (cache.Cache.take): (sha256,
    entry) when this proved something the cache did not hold about the file's bytes, (sha256,
    None) when the cache held it all, and how many damaged cache rows it met."""
    path = Path(path)
    row = Row(path=str(path))
    damaged = _known.damaged if _known is not None else 0
    found = None
    try:
        if not header_problem(path, row):
            found = _examine_village(path, quarter, row)
    except Exception as exc:  # noqa: BLE001 — one bad file is a row, never the end of a roll-up
        found = None
        row.figures = None
        if row.status != "damaged":  # damaged: its figures cannot be read either, as it says
            row.status = "unreadable"
            row.detail = failure(exc)
            if row.verified == "yes":
                row.verified = "no"
    return row, news(found, damaged)


def news(found: tuple | None, damaged_before: int) -> tuple | None:
    """(sha256 or None, entry or None, damaged rows met) for cache.Cache.take, or None."""
    damaged = _known.damaged - damaged_before if _known is not None else 0
    if found is None:
        return (None, None, damaged) if damaged else None
    return (*found, damaged)


# The verification cache's lookup in this process (cache.Lookup): None when the cache is off.
# Set by `run`, in the worker processes too (their initializer): each reads the rows of the
# files it opens, nothing else.
_known = None


def _know(lookup) -> None:
    global _known
    _known = lookup


def open_read(path: Path, raw):
    """`path` opened read-only, inside a read transaction that holds SQLite's shared lock from
    its first read to the connection's close (no writer can change the file meanwhile), and the
    SHA-256 of its bytes taken under that lock through `raw` (the file, opened before and closed
    after the connection: closing any handle of a file drops the process's locks on it) — or
    None when the cache is off. Returns (conn, village facts, sha256)."""
    from jifen_cli import cache
    from jifen_cli.db import open_village
    from jifen_cli.village import info

    conn = open_village(path, readonly=True)
    try:
        conn.execute("BEGIN")
        facts = info(conn)  # the first read: the lock is held from here on
        digest = None
        if _known is not None and same_file(path, raw):
            digest = cache.file_digest(raw)
    except BaseException:
        conn.close()
        raise
    return conn, facts, digest


@contextlib.contextmanager
def reading(path: Path):
    """The file opened for hashing beside SQLite (see open_read), its identity noted."""
    with open(path, "rb") as handle:
        handle.identity = _stat_identity(os.fstat(handle.fileno()))
        yield handle


def _stat_identity(stat: os.stat_result) -> tuple:
    return stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns


def same_file(path: Path, raw) -> bool:
    """True when `path` is still the file `raw` was opened on, unchanged: a file renamed over
    it (a sync client, `mv`) between our opening it and SQLite's would have us hash one file
    and verify another. The cache is then not used for it."""
    try:
        return _stat_identity(os.stat(path)) == _stat_identity(os.fstat(raw.fileno()))
    except OSError:
        return False


def unchanged_since(raw, digest: str | None) -> str | None:
    """`digest` when the file was not written while it was read (a program ignoring SQLite's
    locks, e.g. `cp` over it), else None: what was verified may not be those bytes."""
    if digest is None:
        return None
    return digest if raw.identity == _stat_identity(os.fstat(raw.fileno())) else None


def known_entry(digest: str | None, raw, quarter: str | None = None) -> dict | None:
    """The cache's entry for these bytes, when it has one of the right shape (and it is for a
    file of this size); with `quarter`, its figures of that quarter read into `figures`, when
    it holds them. An entry that does not read as one is not used: the file is verified."""
    if digest is None or _known is None:
        return None
    entry = _known.get(digest)
    try:
        if entry is None or entry["size"] != os.fstat(raw.fileno()).st_size:
            return None
        entry = {**entry, "head_seq": int(entry["head_seq"]), "head": str(entry["head"])}
        kept = entry["quarters"].get(quarter) if quarter else None
        if kept is not None:
            entry["figures"] = Figures(**kept["figures"])
            entry["published"] = bool(kept["published"])
        return entry
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def identify(row: Row, facts: dict) -> None:
    row.village, row.township, row.county = facts["village"], facts["township"], facts["county"]
    row.klass, row.mode = facts["class"], facts["mode"]
    row.village_id = village_id(row.village, row.township, row.county, facts["created_at"])


def new_entry(row: Row, raw, quarters: dict) -> dict:
    """What the cache keeps about a file that verified (see cache.py)."""
    return {"size": os.fstat(raw.fileno()).st_size, "head_seq": row.head_seq, "head": row.head,
            "quarters": quarters}


def _examine_village(path: Path, quarter: str, row: Row) -> tuple[str, dict] | None:
    from jifen_cli import health

    with reading(path) as raw:
        conn, facts, digest = open_read(path, raw)
        try:
            identify(row, facts)
            entry = known_entry(digest, raw, quarter)
            if entry is not None:
                row.verified, row.head_seq, row.head = "yes", entry["head_seq"], entry["head"]
                if "figures" in entry:
                    row.published, row.figures = entry["published"], entry["figures"]
                    return digest, None  # all of it from the cache
            else:
                report = health.verify_file(conn)
                row.head_seq, row.head = report.postings, report.head
                if report.ok:
                    row.verified = "yes"
                else:
                    row.status, row.verified, row.detail = "damaged", "damaged", report.problems[0]
            _quarter(conn, quarter, row)
            digest = unchanged_since(raw, digest)
            if digest is None or row.verified != "yes":
                return None
            return digest, new_entry(row, raw, {quarter: {
                "published": row.published, "figures": asdict(row.figures)}})
        finally:
            conn.close()


def _quarter(conn: sqlite3.Connection, quarter: str, row: Row) -> None:
    """The row's figures for the quarter, and whether it was published."""
    from jifen_cli import figures

    first, last = (d.isoformat() for d in periods.quarter_bounds(quarter))
    v = figures.village(conn, quarter)
    granted, balance = figures.granted_and_balance(conn, first, last)
    manifest = conn.execute(
        "SELECT manifest FROM publications WHERE quarter = ?", (quarter,)).fetchone()
    row.published = manifest is not None
    if manifest is not None:
        # A published quarter counts its households as the notice on the board does: the
        # register as it stood at publication, not with households registered since.
        try:
            v.households = json.loads(manifest[0])["counts"]["households"]
        except (ValueError, KeyError, TypeError):
            pass  # a manifest of an older version without counts: the register as it is
    received, upheld = conn.execute(
        "SELECT count(*), coalesce(sum(status = 'upheld'), 0) FROM objections"
        " WHERE quarter = ?", (quarter,)).fetchone()
    row.figures = Figures(
        villages=1, households=v.households, participating=v.participating,
        entries=v.entries, earned=v.earned, deducted=v.deducted, redeemed=v.redeemed,
        redeemed_fen=v.redeemed_fen, returned=v.returned, returned_fen=v.returned_fen,
        fund_granted=granted, fund_balance=balance, objections=received,
        objections_upheld=upheld,
    )


def examine_many(paths: Sequence[str], quarter: str) -> list[tuple[Row, tuple | None]]:
    return [examine(p, quarter) for p in paths]


# --- many files ------------------------------------------------------------------------------


def _identity(path: Path) -> tuple:
    try:
        st = path.stat()
        return (st.st_dev, st.st_ino)
    except OSError:
        return ("path", str(path.absolute()))


def run(work: Callable[[Sequence[str], Any], list], paths: Sequence[str], quarter: Any, *,
        jobs: int | None = None, progress: Callable[[int], None] | None = None,
        known=None) -> list:
    """`work(chunk, quarter)` over chunks of `paths`, on `jobs` worker processes (default: every
    core); results in the order of `paths`. `progress(n)` is called as n more are done. `work`
    must be a module-level function (it is sent to the workers by name). `known`: the
    verification cache's lookup (None: the cache is off), given to each worker once."""
    jobs = jobs or os.cpu_count() or 1
    chunks = [list(paths[i:i + CHUNK]) for i in range(0, len(paths), CHUNK)]
    if jobs == 1 or len(chunks) < 2:
        results = []
        before = _known
        _know(known)
        try:
            for chunk in chunks:
                results.extend(work(chunk, quarter))
                if progress:
                    progress(len(chunk))
        finally:
            _know(before)
        return results
    from concurrent.futures import ProcessPoolExecutor, as_completed

    done: dict[int, list] = {}
    with ProcessPoolExecutor(max_workers=min(jobs, len(chunks)), initializer=_know,
                             initargs=(known,)) as pool:
        futures = {pool.submit(work, chunk, quarter): n for n, chunk in enumerate(chunks)}
        for future in as_completed(futures):
            n = futures[future]
            done[n] = future.result()
            if progress:
                progress(len(chunks[n]))
    return [result for n in range(len(chunks)) for result in done[n]]


def unique_files(paths: Sequence[Path]) -> tuple[list[Path], dict[int, Path]]:
    """The files to open (each once) and, for each repeated mention, the first one."""
    first: dict[tuple, Path] = {}
    unique: list[Path] = []
    repeats: dict[int, Path] = {}
    for n, path in enumerate(paths):
        key = _identity(path)
        if key in first:
            repeats[n] = first[key]
        else:
            first[key] = path
            unique.append(path)
    return unique, repeats


def _mark_copies(rows: list[Row]) -> None:
    """Count each village once: the fullest sound copy; the rest become duplicate rows."""
    by_village: dict[str, list[Row]] = {}
    for row in rows:
        if row.village_id and row.status in ("ok", "damaged"):
            by_village.setdefault(row.village_id, []).append(row)
    for copies in by_village.values():
        if len(copies) < 2:
            continue
        copies.sort(key=lambda r: (r.verified != "yes", -r.head_seq, r.path))
        kept = copies[0]
        for row in copies[1:]:
            if row.verified != "yes":  # tampering is never passed off as an older copy
                why = Message("rollup_copy_damaged", detail=row.detail)
            elif row.head == kept.head:
                why = Message("rollup_copy_identical")
            elif row.head_seq < kept.head_seq:
                why = Message("rollup_copy_older", seq=row.head_seq, kept_seq=kept.head_seq)
            else:
                why = Message("rollup_copy_conflicting")
            row.status, row.same_as = "duplicate", kept.path
            row.detail = Message("rollup_copy", why=why, path=kept.path)


def roll_up(arguments: Iterable[str | Path], quarter: str, *, jobs: int | None = None,
            progress: Callable[[int], None] | None = None,
            on_found: Callable[[int], None] | None = None, cache=None) -> RollUp:
    """Examine every village file under `arguments` and add up the quarter. `cache`: a
    cache.Cache (None: verify every file), given what this roll-up proved and saved."""
    quarter = periods.parse_quarter(quarter)
    paths = find_files(arguments)
    unique, repeats = unique_files(paths)
    if on_found:
        on_found(len(unique))
    results = run(examine_many, [str(p) for p in unique], quarter, jobs=jobs,
                  progress=progress, known=None if cache is None else cache.lookup)
    examined = {}
    for path, (row, found) in zip(unique, results):
        examined[path] = row
        if found is not None:
            cache.take(found)
    if cache is not None:
        cache.save()
    rows: list[Row] = []
    for n, path in enumerate(paths):
        if n in repeats:
            original = examined[repeats[n]]
            rows.append(Row(
                path=str(path), status="duplicate", village=original.village,
                township=original.township, county=original.county, klass=original.klass,
                mode=original.mode, village_id=original.village_id, same_as=original.path,
                detail=Message("rollup_same_file", path=original.path),
            ))
        else:
            rows.append(examined[path])
    _mark_copies(rows)
    rows.sort(key=lambda r: (r.county, r.township, r.village, r.path))
    result = RollUp(quarter, rows)
    for row in rows:
        if row.counted:
            result.total.add(row.figures)
    return result

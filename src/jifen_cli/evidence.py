"""The evidence archive (佐证材料归档): the files behind the claims, kept inside the village file.

一事一记录 means every entry has its evidence archived, and the archive has to come back out:
for the reviewer before a decision (`evidence get`), and for the township every quarter
(`evidence export`). A file's bytes are stored once, under their SHA-256 (`evidence_blobs`),
however many claims they back — the photo of an activity thirty households attended is one
blob linked to thirty claims; `evidence` links a claim to a blob under the file's own name.
Nothing here changes or deletes stored evidence.

Everything that comes out is checked: each blob is streamed from SQLite a chunk at a time
(`Connection.blobopen`) and hashed as it is written, so a file changed behind jifen's back is
caught on the way out (EvidenceDamaged, exit 3), and memory stays flat however large the
archive. `audit` (for `jifen check`) hashes every stored blob the same way.

Stored names are the names the files had; they are made safe for any file system only when
written out (`safe_name`): no path separators, no `..`, no control characters, none of the
characters or names Windows reserves, not longer than a file system takes.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from jifen_cli import periods
from jifen_cli.errors import EvidenceDamaged, EvidenceProblem
from jifen_cli.values import now

CHUNK = 1 << 20  # bytes read from a blob at a time
INDEX = "index.csv"
INDEX_COLUMNS = ("claim", "household", "name", "rule", "title", "date", "status", "file", "size",
                 "sha256")
NAME_BYTES = 200  # a file name's UTF-8 bytes, leaving room for the archive's `<claim id>-`

# Path separators, control characters and what Windows refuses in a name.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\<>:"|?*]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(10)),
             *(f"LPT{n}" for n in range(10))}


# --- storing ---------------------------------------------------------------------------------


def link(conn: sqlite3.Connection, claim_ids: list[int],
         files: list[tuple[str, str, int, bytes]], *, operator: str) -> None:
    """Store each file's bytes once (a file already stored is not stored again) and link it to
    every claim named. `files` as claims.read_evidence reads them. Inside a transaction."""
    stamp = now()
    conn.executemany(
        "INSERT OR IGNORE INTO evidence_blobs (sha256, size, data) VALUES (?, ?, ?)",
        [(digest, size, data) for _, digest, size, data in files])
    conn.executemany(
        "INSERT INTO evidence (claim, name, sha256, added_at, added_by) VALUES (?, ?, ?, ?, ?)",
        [(claim, name, digest, stamp, operator)
         for claim in claim_ids for name, digest, _, _ in files])


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stored:
    """One evidence file of one claim."""

    id: int
    claim: int
    name: str
    sha256: str
    size: int
    added_at: str
    added_by: str
    blob: int  # the blob's rowid, for streaming it

    def as_dict(self) -> dict:
        return {"name": self.name, "size": self.size, "sha256": self.sha256,
                "added_at": self.added_at, "added_by": self.added_by}


_STORED = ("SELECT e.id, e.claim, e.name, e.sha256, b.size, e.added_at, e.added_by, b.rowid"
           " FROM evidence e JOIN evidence_blobs b ON b.sha256 = e.sha256")


def of_claim(conn: sqlite3.Connection, claim_id: int) -> list[Stored]:
    return [Stored(*row) for row in conn.execute(
        f"{_STORED} WHERE e.claim = ? ORDER BY e.id", (claim_id,))]


def counts(conn: sqlite3.Connection, claim_ids: list[int]) -> dict[int, int]:
    """How many evidence files each claim has."""
    return dict(conn.execute(
        "SELECT claim, count(*) FROM evidence WHERE claim IN (SELECT value FROM json_each(?))"
        " GROUP BY claim", (_json(claim_ids),)))


def _json(values: list) -> str:
    import json

    return json.dumps(values)


def chunks(conn: sqlite3.Connection, blob: int, table: str = "evidence_blobs") -> Iterator[bytes]:
    """A stored file's bytes, CHUNK at a time, never the whole file at once."""
    with conn.blobopen(table, "data", blob, readonly=True) as handle:
        while chunk := handle.read(CHUNK):
            yield chunk


def _write_checked(conn: sqlite3.Connection, item: Stored, path: Path, *,
                   sync: bool = True) -> None:
    """Write one stored file to a new `path`, hashing it on the way; refuse (exit 3) when its
    bytes no longer match their SHA-256. `path` must not exist. `sync`: on disk before the
    function returns (else the caller syncs)."""
    digest, size = hashlib.sha256(), 0
    with open(path, "xb") as out:
        for chunk in chunks(conn, item.blob):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
        if sync:
            out.flush()
            os.fsync(out.fileno())
    if digest.hexdigest() != item.sha256 or size != item.size:
        raise EvidenceDamaged(claim=item.claim, file=item.name)


# --- names on the way out --------------------------------------------------------------------


def safe_name(name: str, limit: int = NAME_BYTES) -> str:
    """`name` as a file name any file system takes: separators, control characters and the
    characters Windows reserves become `_`; no leading dot (no `.`, `..` or hidden file), no
    trailing dot or space (Windows drops them), no reserved device name (CON, NUL, COM1 …);
    at most `limit` bytes of UTF-8, keeping the extension."""
    text = _UNSAFE.sub("_", name).strip(" ").rstrip(".")
    if text.startswith("."):
        text = "_" + text[1:]
    if not text:
        text = "_"
    if text.split(".")[0].rstrip(" ").upper() in _RESERVED:
        text = "_" + text
    stem, ext = os.path.splitext(text)
    if len(ext.encode()) > 16:  # not an extension worth keeping whole
        stem, ext = text, ""
    if len((stem + ext).encode()) <= limit:
        return stem + ext
    while len((stem + ext).encode()) > limit:
        stem = stem[:-1]
    return (stem.rstrip(" .") or "_") + ext  # cut short: no dot or space left at the cut


def unique_names(names: list[str]) -> list[str]:
    """Safe names, one per file, none the same as another — also not in another case, since a
    USB stick's file system (FAT) or Windows does not tell 照片.JPG from 照片.jpg: the second
    `photo.jpg` becomes `photo-2.jpg`."""
    taken: set[str] = set()
    out = []
    for name in names:
        safe = safe_name(name)
        stem, ext = os.path.splitext(safe)
        candidate, n = safe, 1
        while candidate.casefold() in taken:
            n += 1
            candidate = f"{stem}-{n}{ext}"
        taken.add(candidate.casefold())
        out.append(candidate)
    return out


# --- evidence get ----------------------------------------------------------------------------


def _place(tmp: Path, final: Path) -> None:
    """Give a finished file its name, never replacing a file that has it."""
    try:
        os.link(tmp, final)  # atomic, and fails when `final` exists
    except FileExistsError:
        raise EvidenceProblem(file=str(final), detail_key="evidence_exists") from None
    except OSError:  # a file system without hard links (FAT, exFAT)
        if os.path.lexists(final):
            raise EvidenceProblem(file=str(final), detail_key="evidence_exists") from None
        os.rename(tmp, final)
        return
    os.unlink(tmp)


def get(conn: sqlite3.Connection, claim_id: int, out: Path) -> list[tuple[Stored, Path]]:
    """Write a claim's evidence files into `out` under their own (safe) names, each checked
    against its SHA-256. Never overwrites: a name already taken in `out` refuses the whole get
    before anything is written. The files are written under hidden names and named only when
    all of them are checked, so a refusal leaves nothing behind."""
    import shutil

    from jifen_cli import claims

    claims.get(conn, claim_id)  # an unknown claim is refused
    items = of_claim(conn, claim_id)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise EvidenceProblem(file=str(out), detail_key="evidence_out_is_file")
    targets = [out / name for name in unique_names([i.name for i in items])]
    for target in targets:
        if os.path.lexists(target):
            raise EvidenceProblem(file=str(target), detail_key="evidence_exists")
    if not items:
        return []
    made = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    temps = [out / f".{n}.{target.name}.{os.getpid()}.part" for n, target in enumerate(targets)]
    placed: list[Path] = []
    try:
        for item, tmp in zip(items, temps):
            _write_checked(conn, item, tmp)
        for tmp, target in zip(temps, targets):
            _place(tmp, target)
            placed.append(target)
    except BaseException:
        for path in [*temps, *placed]:
            try:
                path.unlink()
            except FileNotFoundError:
                pass
        if made:
            shutil.rmtree(out, ignore_errors=True)
        raise
    return list(zip(items, targets))


# --- evidence export -------------------------------------------------------------------------


@dataclass
class Archive:
    quarter: str
    out: Path
    files: int = 0       # files written (a file linked to several claims, once for each)
    size: int = 0        # their bytes
    claims: int = 0      # claims with evidence
    households: int = 0  # folders
    stored: int = 0      # distinct files among them (each stored once in the village file)


def _check_out(out: Path) -> None:
    """The archive goes into a new or empty folder: an old one is never mixed in."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise EvidenceProblem("evidence_out_exists", out=str(out))


def export(conn: sqlite3.Connection, quarter: str, out: Path, *,
           progress: Callable[[int, int], None] | None = None) -> Archive:
    """The quarter's archive: every evidence file of every claim dated in `quarter`, whatever
    its status, as `out/<household>/<claim id>-<file name>`, and `out/index.csv` (UTF-8 with
    BOM) with one row per file. Every file is checked against its SHA-256 as it is written;
    one that does not match stops the export (EvidenceDamaged) and nothing is left.

    The files are written into a hidden sibling folder renamed into place at the end: all of
    the archive or none of it. `progress(done, total)` is called in bytes as files are written.
    Blobs are streamed and rows read as they come: memory does not grow with the archive."""
    import csv
    import shutil

    quarter = periods.parse_quarter(quarter)
    first, last = (d.isoformat() for d in periods.quarter_bounds(quarter))
    out = Path(out)
    _check_out(out)
    archive = Archive(quarter, out)
    conn.execute("BEGIN")  # one snapshot of the file for the whole export (a read lock only)
    try:
        archive.claims, archive.households, archive.stored, total = conn.execute(
            "SELECT count(DISTINCT e.claim), count(DISTINCT c.household),"
            " count(DISTINCT e.sha256), coalesce(sum(b.size), 0) FROM evidence e"
            " JOIN evidence_blobs b ON b.sha256 = e.sha256 JOIN claims c ON c.id = e.claim"
            " WHERE c.date BETWEEN ? AND ?", (first, last)).fetchone()
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.parent / f".{out.name}.{os.getpid()}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        try:
            with open(tmp / INDEX, "w", encoding="utf-8-sig", newline="") as index:
                writer = csv.writer(index, lineterminator="\r\n")
                writer.writerow(INDEX_COLUMNS)
                for row in _archive_rows(conn, first, last):
                    folder = tmp / row.folder
                    folder.mkdir(exist_ok=True)
                    _write_checked(conn, row.item, folder / row.file_name, sync=False)
                    writer.writerow(row.index_row())
                    archive.files += 1
                    archive.size += row.item.size
                    if progress:
                        progress(archive.size, total)
            # On disk before it is named: one flush of everything written, since an fsync of
            # each of thousands of files costs a disk round trip each (bench/evidence_bench.py).
            os.sync()
            if out.exists():
                out.rmdir()
            os.replace(tmp, out)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    finally:
        conn.execute("COMMIT")
    return archive


@dataclass
class ArchiveRow:
    """One file of the archive and its line in index.csv."""

    item: Stored
    household: str
    name: str       # the head of household's
    rule: str
    title: str      # of the rule's version in force on the claim's date
    date: str
    status: str
    file_name: str  # `<claim id>-<safe file name>`

    @property
    def folder(self) -> str:
        return safe_name(self.household)  # a code is safe already; an odd old one is made so

    def index_row(self) -> list:
        from jifen_cli.render.csv import neutralise

        return [self.item.claim, self.household, neutralise(self.name), self.rule,
                neutralise(self.title), self.date, self.status,
                f"{self.folder}/{self.file_name}", self.item.size, self.item.sha256]


def _archive_rows(conn: sqlite3.Connection, first: str, last: str) -> Iterator[ArchiveRow]:
    """The archive's files in order (household, claim, file), read as they come; a claim's
    names are made unique among its own files."""
    from itertools import groupby

    from jifen_cli.rules import Book

    book = Book(conn)
    names = dict(conn.execute("SELECT code, name FROM households"))
    rows = conn.execute(
        "SELECT c.household, c.rule, c.date, c.status,"
        " e.id, e.claim, e.name, e.sha256, b.size, e.added_at, e.added_by, b.rowid"
        " FROM claims c JOIN evidence e ON e.claim = c.id"
        " JOIN evidence_blobs b ON b.sha256 = e.sha256"
        " WHERE c.date BETWEEN ? AND ? ORDER BY c.household, c.id, e.id", (first, last))
    for claim_id, group in groupby(rows, key=lambda row: row[5]):
        group = list(group)  # one claim's files (their rows, not their bytes)
        household, rule, date, status = group[0][:4]
        title = book.on(rule, date, retired_ok=True).title
        items = [Stored(*row[4:]) for row in group]
        for item, name in zip(items, unique_names([i.name for i in items])):
            yield ArchiveRow(item, household, names.get(household, ""), rule, title, date,
                             status, f"{claim_id}-{name}")


# --- jifen check -----------------------------------------------------------------------------


@dataclass
class Audit:
    files: int = 0        # evidence files on claims (links)
    claims: int = 0       # claims with evidence
    stored: int = 0       # distinct files kept
    size: int = 0         # bytes kept
    damaged: list[tuple[int, str]] = field(default_factory=list)  # (claim, file name)


def audit(conn: sqlite3.Connection) -> Audit:
    """Every stored file hashed again (streamed), and the claims and names of any whose bytes no
    longer match their SHA-256, or that a claim names but the file no longer holds. A file
    written before the evidence was stored once (one copy per claim, read-only here so never
    upgraded) is audited as it is laid out."""
    report = Audit()
    report.files, report.claims = conn.execute(
        "SELECT count(*), count(DISTINCT claim) FROM evidence").fetchone()
    once = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table'"
                        " AND name = 'evidence_blobs'").fetchone() is not None
    table = "evidence_blobs" if once else "evidence"
    bad: list[str] = []
    for rowid, sha256, size in conn.execute(
            f"SELECT rowid, sha256, size FROM {table} ORDER BY rowid").fetchall():
        report.stored += 1
        report.size += size or 0
        digest, length = hashlib.sha256(), 0
        for chunk in chunks(conn, rowid, table):
            digest.update(chunk)
            length += len(chunk)
        if digest.hexdigest() != sha256 or length != size:
            bad.append(rowid if not once else sha256)
    if once:
        report.damaged = conn.execute(
            "SELECT e.claim, e.name FROM evidence e"
            " LEFT JOIN evidence_blobs b ON b.sha256 = e.sha256"
            " WHERE b.sha256 IS NULL OR e.sha256 IN (SELECT value FROM json_each(?))"
            " ORDER BY e.claim, e.id", (_json(bad),)).fetchall()
    else:
        report.damaged = conn.execute(
            "SELECT claim, name FROM evidence WHERE id IN (SELECT value FROM json_each(?))"
            " ORDER BY claim, id", (_json(bad),)).fetchall()
    return report


def size_text(n: int) -> str:
    """Bytes as a person reads them: 512 B, 200.0 KiB, 1.5 MiB, 2.03 GiB."""
    if n < 1024:
        return f"{n} B"
    for unit, scale in (("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30)):
        if n < scale * 1024 or unit == "GiB":
            value = n / scale
            return f"{value:.2f} {unit}" if unit == "GiB" else f"{value:.1f} {unit}"
    return f"{n} B"

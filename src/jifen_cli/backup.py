"""Backups and restores of a village file, made with SQLite's online backup API.

`backup` copies the file while other jifen commands may be writing to it: the copy is made in
one step (`pages=-1`) under a read lock, so it is the ledger exactly as it stood between two
commits (a writer waits for it, within its 60 s busy timeout; if a writer holds the file, the
backup waits and retries). The copy is written to a temporary file beside the destination,
checked — `PRAGMA integrity_check`, the village header, and `ledger.verify` (chain, balances,
stock, published digests) — and only then moved into place under its final name, never over an
existing file. The journal mode stays DELETE, so the copy alone is complete.

A backup written into a folder is named after the village, the day, and the ledger's head:
`扎西岗村-20240630-n1234-abcdef12.jifen.db` (n = the last posting's number, then the first eight
hex digits of its chain hash), so two copies of the same ledger state have the same name and a
later state sorts after an earlier one of the same day. A backup whose destination already holds
a sound copy of the ledger as it stands (the same village record, the same head; checked like any
new copy) is already done: nothing is written, and the existing copy is named. Anything else at
the destination is never overwritten.

`restore SRC PATH` is the same copy in the other direction onto a path that must not exist: the
source is verified first (a damaged backup is refused with exit 3), so a restore never replaces
a working file and never produces a broken one.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from jifen_cli import db, ledger
from jifen_cli.errors import (
    BadInput,
    JifenError,
    LedgerDamaged,
    NotAVillage,
    NoVillage,
    StorageProblem,
    VillageExists,
    os_reason,
)
from jifen_cli.i18n import Message
from jifen_cli.values import today

_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*\s]+')


@dataclass
class Copy:
    path: Path
    village: str
    head_seq: int
    head: str
    postings: int
    existing: bool = False  # the destination already held this copy: nothing was written


NAME_BYTES = 120  # of the village's name in a backup's name: well inside 255 (ext4, FAT, NTFS)


def safe_name(text: str) -> str:
    """A file-name-safe version of a village name (CJK and Tibetan letters are kept), short
    enough to leave room for the rest of a backup's name on any file system."""
    name = _UNSAFE.sub("_", text).strip("._")
    name = name.encode()[:NAME_BYTES].decode(errors="ignore").rstrip("._")
    return name or "village"


def backup_name(village: str, head_seq: int, head: str, n: int = 1) -> str:
    """`扎西岗村-20240630-n1234-abcdef12.jifen.db`; the n-th copy of a day at the same ledger head
    (claims, registers or objections changed in between) ends `-n`."""
    again = f"-{n}" if n > 1 else ""
    return f"{safe_name(village)}-{today():%Y%m%d}-n{head_seq}-{head[:8]}{again}.jifen.db"


def _copy(source: sqlite3.Connection, target: Path) -> None:
    """Copy every page of `source` into a new file `target` in one step."""
    dest = sqlite3.connect(target, isolation_level=None)
    try:
        source.backup(dest, pages=-1, sleep=0.05)
        dest.execute("PRAGMA journal_mode = DELETE")
    finally:
        dest.close()


def check_copy(path: Path) -> Copy:
    """Verify a copy: SQLite integrity, the village header, and the ledger. Raises on damage."""
    try:
        raw = db.connect_readonly(path)
        try:
            rows = [r[0] for r in raw.execute("PRAGMA integrity_check")]
        finally:
            raw.close()
    except sqlite3.DatabaseError as exc:
        raise NotAVillage(path=str(path), detail=str(exc)) from None
    if rows != ["ok"]:
        raise LedgerDamaged(detail=Message("at_path", path=str(path), detail=rows[:3]))
    conn = db.open_village(path, readonly=True)
    try:
        report = ledger.verify(conn)
        name = conn.execute("SELECT name FROM village").fetchone()
    finally:
        conn.close()
    if not report.ok:
        raise LedgerDamaged(detail=Message("at_path", path=str(path), detail=report.problems[0]))
    if name is None:
        raise NotAVillage(path=str(path), detail_key="no_village_row")
    return Copy(path, name[0], report.postings, report.head, report.postings)


def content_digest(conn: sqlite3.Connection) -> str:
    """SHA-256 over every row of every table: two files hold the same village as it stands,
    claims, objections, evidence and all, exactly when their digests are equal. (The ledger's
    head alone is not enough: a claim, a register change or an objection moves no posting.)"""
    digest = hashlib.sha256()
    tables = [name for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " ORDER BY name")]
    for table in tables:
        digest.update(f"\x1e{table}\x1f".encode())
        for row in conn.execute(f'SELECT * FROM "{table}" ORDER BY 1'):
            digest.update(repr(row).encode())
    return digest.hexdigest()


def _already_there(source: sqlite3.Connection, final: Path) -> Copy | None:
    """`final` exists: the Copy it is when it is a sound copy of `source` exactly as it stands
    (every row of every table the same), else None (the caller names a new copy, or refuses to
    overwrite a path it was given). A file there that is no sound village copy is refused."""
    try:
        copy = check_copy(final)
        conn = db.connect_readonly(final)
        try:
            found = content_digest(conn)
        finally:
            conn.close()
    except JifenError as exc:
        raise VillageExists("backup_name_taken", path=str(final),
                            detail=Message(exc.key, **exc.params)) from None
    except sqlite3.Error as exc:
        raise VillageExists("backup_name_taken", path=str(final), detail=str(exc)) from None
    if found != content_digest(source):
        return None
    copy.path, copy.existing = final, True
    return copy


def _place(temp: Path, final: Path) -> None:
    """Move the verified temporary copy to `final`, refusing to replace anything there."""
    try:
        os.link(temp, final)  # atomic, and fails if `final` exists
    except FileExistsError:
        raise VillageExists(path=str(final)) from None
    except OSError:  # a file system without hard links (a FAT USB stick)
        if final.exists():
            raise VillageExists(path=str(final)) from None
        os.replace(temp, final)
        return
    temp.unlink()


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _copy_checked(source: sqlite3.Connection, folder: Path, final: Path | None,
                  n: int = 1) -> Copy:
    temp = folder / f".jifen-copy-{os.getpid()}.partial"
    try:
        try:
            temp.unlink(missing_ok=True)
            _copy(source, temp)
        except sqlite3.DatabaseError as exc:
            raise StorageProblem(path=str(final or folder), detail=str(exc)) from None
        except OSError as exc:
            raise StorageProblem(path=str(final or folder),
                                 detail=os_reason(exc)) from None
        copy = check_copy(temp)
        # named after the copy itself (a write may have come in since the name was looked up)
        final = final or folder / backup_name(copy.village, copy.head_seq, copy.head, n)
        if final.exists():
            raise VillageExists(path=str(final))
        _place(temp, final)
        _fsync_dir(folder)
    finally:
        temp.unlink(missing_ok=True)
        Path(f"{temp}-journal").unlink(missing_ok=True)
    copy.path = final
    return copy


def backup(conn: sqlite3.Connection, dest: str | Path) -> Copy:
    """Copy the open village to `dest` (a new file, or a folder to name it in), verified. A
    `dest` typed with a trailing separator is a folder, which must exist."""
    as_folder = str(dest).endswith(("/", os.sep))
    dest = Path(dest)
    if dest.is_dir():
        name, head_seq, head = conn.execute("SELECT name, head_seq, head_hash FROM village").fetchone()
        # The same village and ledger head, but other claims, registers or objections since:
        # a new copy beside the old one (-2, -3 …), never "already done".
        for n in range(1, 1000):
            named = dest / backup_name(name, head_seq, head, n)
            if not named.exists():
                return _copy_checked(conn, dest, None, n)
            if (copy := _already_there(conn, named)) is not None:
                return copy
        raise VillageExists(path=str(named))
    if as_folder:  # meant as a folder that is not there (a USB stick not mounted?)
        raise StorageProblem(path=str(dest), detail_key="no_such_folder")
    if dest.exists():
        if (copy := _already_there(conn, dest)) is not None:
            return copy
        raise VillageExists("backup_name_taken", path=str(dest),
                            detail=Message("backup_other_state"))
    folder = dest.parent if str(dest.parent) else Path(".")
    if not folder.is_dir():
        raise StorageProblem(path=str(dest), detail_key="no_such_folder")
    return _copy_checked(conn, folder, dest)


def _a_folder(folder: Path) -> BadInput:
    """The refusal of a folder given as the backup to restore, naming a backup file in it."""
    import shlex

    found = sorted(folder.glob("*.jifen.db"))  # the newest of a day sorts last
    if not found:
        return BadInput("restore_folder_without_backup", path=str(folder))
    return BadInput("restore_source_is_folder", path=str(folder), example=shlex.quote(str(found[-1])))


def restore(source: Path, target: Path) -> Copy:
    """Verify the backup `source`, then copy it to `target`, which must not exist yet."""
    source, target = Path(source), Path(target)
    if source.is_dir():
        raise _a_folder(source)
    if not source.is_file():
        raise NoVillage("restore_no_source", path=str(source))
    if target.exists():
        raise VillageExists("restore_target_exists", path=str(target))
    check_copy(source)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise StorageProblem(path=str(target), detail_key="no_such_folder")
    src = db.connect_readonly(source)
    try:
        return _copy_checked(src, folder, target)
    finally:
        src.close()

"""Reading import files: CSV in any encoding a village really has, or the first sheet of an XLSX.

Files are streamed, never loaded: `fingerprint` reads the file once in 1 MiB chunks to take its
SHA-256 and to decide its encoding (the whole file must be valid UTF-8, with or without BOM, or it
is read as GB18030, the superset of GBK that Excel writes on Chinese Windows; the incremental
decoder carries a character split across two chunks over to the next). `rows` then yields
(row number as Excel shows it, cells as stripped strings) one row at a time.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from jifen_cli.errors import BadInput

CHUNK = 1 << 20
XLSX = "xlsx"


@dataclass(frozen=True)
class Fingerprint:
    sha256: str
    format: str  # "xlsx", "utf-8-sig" or "gb18030"
    size: int


def fingerprint(path: Path) -> Fingerprint:
    """SHA-256 of the file and how to read it, in one streaming pass."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    head = b""
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            if not size:
                head = chunk[:4]
            size += len(chunk)
            digest.update(chunk)
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    if head.startswith(b"PK\x03\x04"):
        fmt = XLSX
    elif head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise BadInput("import_utf16")
    else:
        fmt = "utf-8-sig" if utf8 else "gb18030"
    return Fingerprint(digest.hexdigest(), fmt, size)


class Unreadable(Exception):
    """The file stops being readable at `row` (bad bytes, a broken workbook, a huge field)."""

    def __init__(self, row: int, key: str, **params):
        super().__init__(key)
        self.row = row
        self.key = key
        self.params = params


def rows(path: Path, fmt: str, progress: Callable[[int], None] | None = None
         ) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) for every row, the header first (row 1). CSV cells come as written
    (callers strip the ones they use); XLSX cells as the text a person sees.

    Raises Unreadable when the rest of the file cannot be read. `progress(bytes_read)` is called
    every few thousand rows (CSV only).
    """
    if fmt == XLSX:
        yield from _xlsx_rows(path)
    else:
        yield from _csv_rows(path, fmt, progress)


def _csv_rows(path: Path, encoding: str, progress) -> Iterator[tuple[int, list[str]]]:
    with open(path, "rb") as raw:
        import io

        text = io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline="")
        reader = csv.reader(text)
        number = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError:
                raise Unreadable(number + 1, "import_bad_bytes") from None
            except csv.Error as exc:
                raise Unreadable(number + 1, "import_bad_csv", detail=str(exc)) from None
            number += 1
            if progress is not None and not number % 8192:
                progress(raw.tell())
            yield number, cells


def _cell(value) -> str:
    """An XLSX cell as the text a person sees: dates ISO, whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken or foreign file
        raise Unreadable(1, "import_bad_xlsx", detail=type(exc).__name__) from None
    try:
        if not workbook.worksheets:
            return
        sheet = workbook.worksheets[0]
        iterator = sheet.iter_rows(values_only=True)
        number = 0
        while True:
            try:
                values = next(iterator)
            except StopIteration:
                return
            except Exception as exc:
                raise Unreadable(number + 1, "import_bad_xlsx", detail=type(exc).__name__) from None
            number += 1
            yield number, [_cell(v) for v in values]
    finally:
        workbook.close()

"""Reading import files: CSV in any encoding a village really has, or the first sheet of an XLSX.

Files are streamed, never loaded: `fingerprint` reads the file once in 1 MiB chunks to take its
SHA-256 and to decide its encoding (the whole file must be valid UTF-8, with or without BOM, or it
is read as GB18030, the superset of GBK that Excel writes on Chinese Windows; the incremental
decoder carries a character split across two chunks over to the next). A file that is neither
(a stray byte pasted in) takes a second pass to count the bytes each encoding cannot read, and is
read in the one with fewer; its rows that hold such bytes are then reported one by one. `rows` then yields
(row number as Excel shows it, cells as stripped strings) one row at a time, or (row number,
BadRow) for a row that cannot be read as text; the rows after it are read on, so every bad row
of a file is reported with its own number.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from jifen_cli.errors import BadInput

CHUNK = 1 << 20
XLSX = "xlsx"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an .xls workbook, or any password-protected Excel file
EXACT_DIGITS = 10**15  # Excel keeps 15 significant digits: a number this large may have lost some
_UNDECODED = re.compile("[\udc80-\udcff]")  # bytes the surrogateescape handler could not decode


@dataclass(frozen=True)
class Fingerprint:
    sha256: str
    format: str  # "xlsx", "utf-8-sig" or "gb18030"
    size: int
    exact: bool = True  # False: some bytes are not text in `format`; their rows are reported


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
    elif head.startswith(OLE2[:4]):
        raise BadInput("import_ole2")
    elif utf8:
        fmt = "utf-8-sig"
    else:
        errors = _undecodable(path)
        fmt = min(errors, key=errors.get)
        return Fingerprint(digest.hexdigest(), fmt, size, exact=not errors[fmt])
    return Fingerprint(digest.hexdigest(), fmt, size)


def _undecodable(path: Path) -> dict[str, int]:
    """How many characters of the file GB18030 and UTF-8 each fail to decode (GB18030 first, so it
    wins a tie: a file that is not UTF-8 is most likely an Excel export from Chinese Windows)."""
    decoders = {name: codecs.getincrementaldecoder(name)(errors="replace")
                for name in ("gb18030", "utf-8-sig")}
    errors = dict.fromkeys(decoders, 0)
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            for name, decoder in decoders.items():
                errors[name] += decoder.decode(chunk).count("\ufffd")
    for name, decoder in decoders.items():
        errors[name] += decoder.decode(b"", final=True).count("\ufffd")
    return errors


@dataclass(frozen=True)
class BadRow:
    """A row that is not readable as text (undecodable bytes, a number Excel has rounded): it is
    reported at its own row and reading goes on."""

    key: str
    params: dict


class Unreadable(Exception):
    """The file stops being readable at `row` (bad bytes, a broken workbook, a huge field)."""

    def __init__(self, row: int, key: str, **params):
        super().__init__(key)
        self.row = row
        self.key = key
        self.params = params


def rows(path: Path, fmt: str, progress: Callable[[int], None] | None = None, *,
         exact: bool = True) -> Iterator[tuple[int, list[str] | BadRow]]:
    """(row number, cells) for every row, the header first (row 1). CSV cells come as written
    (callers strip the ones they use); XLSX cells as the text a person sees. A row that cannot
    be read as text comes as (row number, BadRow).

    Raises Unreadable when the rest of the file cannot be read. `progress(bytes_read)` is called
    every few thousand rows (CSV only).
    """
    if fmt == XLSX:
        yield from _xlsx_rows(path)
    else:
        yield from _csv_rows(path, fmt, progress, exact)


def _csv_rows(path: Path, encoding: str, progress, exact: bool
              ) -> Iterator[tuple[int, list[str] | BadRow]]:
    # A file read as UTF-8 was checked whole by `fingerprint`. One read as GB18030 was not, and
    # an inexact one has bytes neither encoding reads: they are kept as surrogates, and the rows
    # that hold any are reported one by one (the decoder reads ahead, so a strict error would
    # name the wrong row and stop).
    check = encoding != "utf-8-sig" or not exact
    with open(path, "rb") as raw:
        import io

        text = io.TextIOWrapper(raw, encoding=encoding,
                                errors="surrogateescape" if check else "strict", newline="")
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
            if check and _UNDECODED.search("\x1f".join(cells)):
                yield number, BadRow("import_bad_bytes", {})
                continue
            yield number, cells


class _Rounded(Exception):
    """A number stored with more digits than Excel keeps (an ID number typed as a number)."""


def _cell(value) -> str:
    """An XLSX cell as the text a person sees: dates ISO, whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if abs(value) >= EXACT_DIGITS:
            raise _Rounded
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[str] | BadRow]]:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

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
            try:
                yield number, [_cell(v) for v in values]
            except _Rounded:
                column = next(i for i, v in enumerate(values)
                              if isinstance(v, float) and abs(v) >= EXACT_DIGITS)
                yield number, BadRow("import_rounded_number", {
                    "cell": f"{get_column_letter(column + 1)}{number}",
                    "value": f"{values[column]:.6G}"})
    finally:
        workbook.close()

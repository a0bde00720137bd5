"""Reading import files: CSV in any encoding a village really has, or the first sheet of an XLSX.

Files are streamed, never loaded: `fingerprint` reads the file once in 1 MiB chunks to take its
SHA-256 and to decide its encoding (the whole file must be valid UTF-8, with or without BOM, or it
is read as GB18030, the superset of GBK that Excel writes on Chinese Windows; the incremental
decoder carries a character split across two chunks over to the next). A file that is neither
(a stray byte pasted in, a row saved in the other encoding) takes a second pass that counts its
lines readable in each, and is read in the one that reads more; its rows that hold bytes it cannot
read are then reported one by one. `rows` then yields
(row number as Excel shows it, cells as stripped strings) one row at a time, or (row number,
BadRow) for a row that cannot be read as text; the rows after it are read on, so every bad row
of a file is reported with its own number.

A file of one encoding with a row of the other (a row pasted from a UTF-8 file into a GBK one)
is refused at that row: GBK read as UTF-8 is undecodable, and UTF-8 read as GBK mostly decodes,
into mojibake (扎西 -> 鎵庤タ). Such a row's bytes are valid UTF-8 and read as more plausible
text in UTF-8 than in GBK (`_check_row`, `_plausibility`): that comparison, not validity alone, keeps the rare GBK
row whose bytes happen to be valid UTF-8 from being refused.
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
VOTERS = 10_000  # lines that decide the encoding of a file that is not valid UTF-8
XLSX = "xlsx"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an .xls workbook, or any password-protected Excel file
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")
EXACT_DIGITS = 10**15  # Excel keeps 15 significant digits: a number this large may have lost some
_UNDECODED = re.compile("[\udc80-\udcff]")  # bytes the surrogateescape handler could not decode


@dataclass(frozen=True)
class Fingerprint:
    sha256: str
    format: str  # "xlsx", "utf-8-sig" or "gb18030"
    size: int
    exact: bool = True  # False: not valid UTF-8 throughout; rows are checked one by one


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
    elif path.suffix.lower() in WORKBOOK_SUFFIXES:
        # Named as a workbook but neither a zip (.xlsx) nor OLE2 (.xls): renamed, or an HTML or
        # text export that calls itself .xls. Read as CSV it would only fail confusingly.
        raise BadInput("import_not_a_workbook", file=str(path))
    elif utf8:
        fmt = "utf-8-sig"
    else:
        votes = _votes(path)
        fmt = max(votes, key=votes.get)
        return Fingerprint(digest.hexdigest(), fmt, size, exact=False)
    return Fingerprint(digest.hexdigest(), fmt, size)


def _votes(path: Path) -> dict[str, int]:
    """For a file that is not valid UTF-8: how many of its first VOTERS lines that are not ASCII
    read as UTF-8, and how many as GB18030 (GB18030 first, so it wins a tie: a file that is not
    UTF-8 is most likely an Excel export from Chinese Windows). Counting lines, not undecodable
    bytes, makes a UTF-8 file with one GBK row UTF-8 however short it is, and the other way
    round; the first lines are enough to tell which encoding the file is in and which rows are
    in the other, and keep a million-row file's second pass short."""
    votes = {"gb18030": 0, "utf-8-sig": 0}
    voters = 0

    def vote(line: bytes) -> None:
        nonlocal voters
        if line.isascii():
            return
        voters += 1
        for name in votes:
            try:
                line.decode(name)
            except UnicodeDecodeError:
                continue
            votes[name] += 1

    carry = b""
    with open(path, "rb") as f:
        while voters < VOTERS and (chunk := f.read(CHUNK)):
            lines = (carry + chunk).split(b"\n")
            carry = lines.pop()
            if len(carry) > CHUNK:  # no line break for a long way: judge what there is
                lines.append(carry)
                carry = b""
            for line in lines:
                vote(line)
    vote(carry)
    return votes


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
    # name the wrong row and stop). The rows of a GB18030 file that are not ASCII are also
    # checked for being UTF-8 (a row saved in the other encoding).
    check = encoding != "utf-8-sig" or not exact
    with open(path, "rb") as raw:
        import io

        text = io.TextIOWrapper(raw, encoding=encoding,
                                errors="surrogateescape" if check else "strict", newline="")
        # strict: a quote left open is an error at the end of the file (not silently the rest
        # of the file in one cell), and so is text after a closing quote.
        reader = csv.reader(text, strict=True)
        number = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError:
                raise Unreadable(number + 1, "import_bad_bytes") from None
            except csv.Error as exc:
                # Either way the record that fails is the one after the last read: the one in
                # which the quote was opened.
                if str(exc) == "unexpected end of data":
                    raise Unreadable(number + 1, "import_unclosed_quote") from None
                if "expected after" in str(exc):
                    raise Unreadable(number + 1, "import_text_after_quote") from None
                if "field limit" in str(exc):  # most often a quote opened and never closed
                    raise Unreadable(number + 1, "import_huge_cell",
                                     limit=csv.field_size_limit()) from None
                raise Unreadable(number + 1, "import_bad_csv", detail=str(exc)) from None
            number += 1
            if progress is not None and not number % 8192:
                progress(raw.tell())
            if check:
                joined = "\x1f".join(cells)
                if not joined.isascii():
                    bad = _check_row(joined, encoding)
                    if bad is not None:
                        yield number, bad
                        continue
            yield number, cells


def _check_row(joined: str, encoding: str) -> BadRow | None:
    """Why a row of a GB18030 or inexact UTF-8 file cannot be imported, or None when it can."""
    undecoded = _UNDECODED.search(joined) is not None
    if encoding == "gb18030":
        raw = joined.encode("gb18030", "surrogateescape")
        try:
            as_utf8 = raw.decode("utf-8")
        except UnicodeDecodeError:
            as_utf8 = None
        if as_utf8 is not None and (undecoded or _plausibility(as_utf8) > _plausibility(joined)):
            return BadRow("import_utf8_row_in_gbk", {"text": _preview(as_utf8)})
    elif undecoded:
        raw = joined.encode("utf-8", "surrogateescape")
        try:
            as_gbk = raw.decode("gb18030")
        except UnicodeDecodeError:
            pass
        else:
            return BadRow("import_gbk_row_in_utf8", {"text": _preview(as_gbk)})
    return BadRow("import_bad_bytes", {}) if undecoded else None


def _preview(joined: str) -> str:
    text = joined.replace("\x1f", ",")
    return text if len(text) <= 40 else text[:39] + "…"


def _plausibility(text: str) -> int:
    """How much `text` looks like what a village writes: +1 for each common Chinese character
    (GB2312 level 1) or Tibetan letter, 0 for rarer characters and Chinese punctuation, -1 for
    what a misread encoding produces (GBK's rare extension characters, kana, Cyrillic, box
    drawing, private use, characters GBK lacks). Measured on random and real text: UTF-8 rows
    misread as GBK score well below their UTF-8 reading, GBK rows of GB2312 characters never
    score below a valid UTF-8 reading of their bytes."""
    score = 0
    for ch in text:
        code = ord(ch)
        if code < 0x80:
            continue
        if 0x0F00 <= code <= 0x0FFF:
            score += 1
            continue
        encoded = ch.encode("gbk", "ignore")
        if len(encoded) != 2:
            score -= 1
            continue
        lead, trail = encoded
        if lead < 0xA1 or trail < 0xA1:
            score -= 1  # GBK's extension beyond GB2312: rare characters
        elif 0xB0 <= lead <= 0xD7:
            score += 1  # GB2312 level 1: the 3,755 common characters
        elif lead not in (0xA1, 0xA3) and not 0xD8 <= lead <= 0xF7:
            score -= 1  # kana, Greek, Cyrillic, pinyin, box drawing, user-defined
    return score


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

"""CSV as Excel opens it: UTF-8 with a BOM, CRLF line ends, and no cell that starts a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Text that a spreadsheet would read as a formula gets a leading apostrophe (OWASP's advice
    for CSV injection). Numbers are not text and are never touched: -20 stays a number."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def cell(value, lang: str = "zh") -> str:
    if value is None:
        return ""
    if hasattr(value, "text"):  # publication.Label: our own words, in the file's language
        return neutralise(value.text(lang))
    if isinstance(value, bool):
        raise TypeError("booleans have no place in a disclosure table")
    if isinstance(value, int | Decimal):
        return str(value)
    return neutralise(str(value))


def table_bytes(headers: Sequence[str], rows: Iterable[Sequence], lang: str = "zh") -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([cell(h) for h in headers])
    writer.writerows([cell(v, lang) for v in row] for row in rows)
    return "\ufeff".encode() + buffer.getvalue().encode()

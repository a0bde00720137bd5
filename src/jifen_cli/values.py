"""Parsing and showing the values a clerk types: dates, months, codes, yuan, ID numbers.

Each parser returns the clean value or raises BadInput with a message key, so the CLI and the
importers (which prefix FILE:ROW) report the same words for the same mistake.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from decimal import Decimal, InvalidOperation

from jifen_cli.errors import BadInput

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
ID_RE = re.compile(r"^\d{17}[\dXx]$")
PHONE_RE = re.compile(r"^\+?[\d -]{5,20}$")
# The largest whole number a clerk can type (a count, points, stock): points × qty still fits
# SQLite's 64-bit integers, so no typed number can overflow the ledger.
MAX_WHOLE = 999_999_999


def today() -> dt.date:
    """Today's date; JIFEN_TODAY (YYYY-MM-DD) pins it for reproducible demos and tests."""
    pinned = os.environ.get("JIFEN_TODAY")
    return parse_date(pinned) if pinned else dt.date.today()


def now() -> str:
    """The time of a write, UTC, to the second (recorded on postings and claims)."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    # Excel on Chinese Windows writes 2024/5/1 in CSV exports.
    match = re.fullmatch(r"(\d{4})[/.年-](\d{1,2})[/.月-](\d{1,2})日?", text)
    if match:
        try:
            return dt.date(*map(int, match.groups()))
        except ValueError:
            pass
    raise BadInput("bad_date", value=text)


def parse_month(value: str) -> str:
    text = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}", text) and 1 <= int(text[5:]) <= 12:
        return text
    raise BadInput("bad_month", value=text)


def check_code(value: object) -> str:
    text = str(value).strip()
    if not CODE_RE.match(text):
        raise BadInput("bad_code", value=text)
    return text


# C0 control characters and DEL: invisible, and they break a printed notice or a spreadsheet.
# Notes may keep line breaks and tabs; names, codes and the like may not.
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
NOTE_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def optional_text(value: object, field: str, *, note: bool = False) -> str:
    """Free text as typed, stripped; refused if it holds control characters."""
    text = "" if value is None else str(value).strip()
    if (NOTE_CONTROL_RE if note else CONTROL_RE).search(text):
        raise BadInput("bad_control", field=field)
    return text


def check_text(value: object, field: str) -> str:
    """A name, title or reason: required, one line, no control characters."""
    text = optional_text(value, field)
    if not text:
        raise BadInput("bad_name", field=field)
    return text


def parse_int(value: object, field: str, *, minimum: int | None = None) -> int:
    if isinstance(value, bool):
        raise BadInput("bad_int", field=field, value=value)
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)  # Excel stores every number as a float
    else:
        text = str(value).strip().replace(",", "")
        if not re.fullmatch(r"[+-]?\d{1,15}(\.0+)?", text):
            raise BadInput("bad_int", field=field, value=str(value).strip())
        number = int(text.split(".")[0])
    if abs(number) > MAX_WHOLE:
        raise BadInput("bad_too_large", field=field, value=number, limit=MAX_WHOLE)
    if minimum == 1 and number < 1:
        raise BadInput("bad_positive", field=field, value=number)
    if minimum == 0 and number < 0:
        raise BadInput("bad_nonnegative", field=field, value=number)
    return number


def parse_yuan(value: object, field: str) -> int:
    """Yuan as typed (`12.5`, `¥12.50`, an Excel float) to integer fen. Never negative."""
    if isinstance(value, float):
        value = repr(value)
    text = str(value).strip().lstrip("¥￥").replace(",", "")
    if not re.fullmatch(r"\d+(\.\d*)?|\.\d+", text):  # no exponents, signs or words
        raise BadInput("bad_yuan", field=field, value=str(value).strip())
    try:
        amount = Decimal(text)
        if not amount.is_finite() or amount < 0 or amount > 10**9:
            raise InvalidOperation
        fen = amount * 100
        if fen != fen.to_integral_value():
            raise InvalidOperation
    except ArithmeticError:  # InvalidOperation, or Overflow on an exponent like 1E+999999
        raise BadInput("bad_yuan", field=field, value=str(value).strip()) from None
    return int(fen)


def yuan(fen: int) -> str:
    """Integer fen shown as yuan with two decimals."""
    sign = "-" if fen < 0 else ""
    whole, part = divmod(abs(fen), 100)
    return f"{sign}{whole}.{part:02d}"


def check_id_number(value: object) -> str | None:
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    if not ID_RE.match(text):
        raise BadInput("bad_id_number", value=text)
    return text.upper()


def check_phone(value: object) -> str | None:
    text = "" if value is None else str(value).strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if not text:
        return None
    if not PHONE_RE.match(text):
        raise BadInput("bad_phone", value=text)
    return text


def mask_id(id_number: str | None) -> str:
    """540102199001011234 -> 540102********1234: region and last four only."""
    if not id_number:
        return ""
    return id_number[:6] + "*" * max(len(id_number) - 10, 0) + id_number[-4:]

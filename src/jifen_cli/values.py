"""Parsing and showing the values a clerk types: dates, months, codes, yuan, ID numbers.

Each parser returns the clean value or raises BadInput with a message key, so the CLI and the
importers (which prefix FILE:ROW) report the same words for the same mistake.
"""

from __future__ import annotations

import datetime as dt
import os
import re

from jifen_cli.errors import BadInput

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
ID_RE = re.compile(r"^\d{17}[\dXx]$")
PHONE_RE = re.compile(r"^\+?[\d -]{5,20}$")
# The largest whole number a clerk can type (a count, points, stock): points × qty still fits
# SQLite's 64-bit integers, so no typed number can overflow the ledger.
MAX_WHOLE = 999_999_999
MAX_YUAN = 10**9  # the largest amount of money a clerk can type, in yuan


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
    from decimal import Decimal, InvalidOperation  # here: most commands never read money
    if isinstance(value, float):
        value = repr(value)
    text = str(value).strip().lstrip("¥￥").replace(",", "")
    if not re.fullmatch(r"\d+(\.\d*)?|\.\d+", text):  # no exponents, signs or words
        if re.fullmatch(r"[-−]\s*[¥￥]?(\d+(\.\d*)?|\.\d+)", text):
            raise BadInput("bad_yuan_negative", field=field, value=str(value).strip())
        raise BadInput("bad_yuan", field=field, value=str(value).strip())
    if Decimal(text) > MAX_YUAN:
        raise BadInput("bad_yuan_too_large", field=field, value=str(value).strip(),
                       limit=f"{MAX_YUAN}.00")
    try:
        amount = Decimal(text)
        if not amount.is_finite() or amount < 0:
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


# GB 11643 (the resident ID number): 6 digits of region, 8 of birth date (YYYYMMDD), 3 of order,
# and a check character over the first 17 by ISO 7064 MOD 11-2 (weights 2^(17-i) mod 11; the
# remainder picks the character from CHECK_CHARS, 10 being written X).
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"


def id_check_char(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits of an ID number."""
    return ID_CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS)) % 11]


def check_id_number(value: object) -> str | None:
    """An 18-character resident ID number: 17 digits and a check character (a final x is
    upper-cased), the check character right (GB 11643), and a birth date that exists, not
    before 1900 and not after today. Empty is None (the ID number is optional)."""
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    if not ID_RE.match(text):
        raise BadInput("bad_id_number", value=text)
    text = text.upper()
    if id_check_char(text[:17]) != text[17]:
        raise BadInput("bad_id_check_digit", value=text)
    try:
        born = dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        born = None
    if born is None or born < dt.date(1900, 1, 1) or born > today():
        raise BadInput("bad_id_birth_date", value=text, born=text[6:14])
    return text


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
    """540102199001011233 -> 540102********1233: region and last four only."""
    if not id_number:
        return ""
    return id_number[:6] + "*" * max(len(id_number) - 10, 0) + id_number[-4:]


def local_time(at: str | None) -> str | None:
    """A stored UTC time (2024-07-01T00:30:00Z) as the clerk's clock says it, to the minute:
    what messages and tables show (--json keeps the stored UTC time)."""
    if not at:
        return at
    moment = dt.datetime.fromisoformat(at.replace("Z", "+00:00"))
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")

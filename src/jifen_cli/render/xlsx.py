"""disclosure.xlsx: one sheet per table, Chinese headings, ready to print on A4 landscape.

xlsxwriter, chosen deliberately over openpyxl: it only writes (which is all we do), is quicker on
big sheets, and gives the same bytes for the same tables — its zip entries carry a fixed 1980
timestamp and we pin the document's creation date to the publication date. openpyxl stamps the
current time into both. Every cell is written with an explicit type: text with write_string
(after neutralising anything that would start a formula), numbers with write_number, so that a
name like `=HYPERLINK(...)` can never become a formula and -20 stays a number.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import unicodedata
from decimal import Decimal

from jifen_cli.i18n import t
from jifen_cli.render.csv import neutralise

LANG = "zh"  # the workbook is for the village office: Chinese headings
MIN_WIDTH, MAX_WIDTH = 6, 60


@functools.lru_cache(maxsize=65536)
def display_width(text: str) -> int:
    """Columns a string takes in a spreadsheet: CJK counts two, combining marks (Tibetan
    subjoined letters and vowel signs) nothing, everything else one."""
    if text.isascii():
        return len(text)
    width = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) == "Mn":
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def _text(value) -> str | None:
    if hasattr(value, "text"):
        return value.text(LANG)
    if isinstance(value, str):
        return value
    return None


def workbook_bytes(disclosure) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {
        "in_memory": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
    })
    created = dt.datetime.combine(dt.date.fromisoformat(disclosure.date), dt.time())
    village = disclosure.village["name"]
    book.set_properties({
        "title": f"{village} {disclosure.quarter} 积分公示",
        "subject": f"{disclosure.quarter} digest {disclosure.digest}",
        "author": village,
        "company": village,
        "created": created,
    })
    header = book.add_format({"bold": True, "bg_color": "#E8EEF4", "border": 1,
                              "text_wrap": True, "valign": "vcenter"})
    text = book.add_format({"border": 1})
    whole = book.add_format({"border": 1, "num_format": "0"})
    yuan = book.add_format({"border": 1, "num_format": "0.00"})
    for table in disclosure.tables:
        sheet = book.add_worksheet(t(table.title, LANG))
        headings = table.headers(LANG)
        widths = [display_width(h) for h in headings]
        for col, heading in enumerate(headings):
            sheet.write_string(0, col, neutralise(heading), header)
        for r, row in enumerate(table.rows, start=1):
            for col, value in enumerate(row):
                words = _text(value)
                if words is not None:
                    words = neutralise(words)
                    sheet.write_string(r, col, words, text)
                    widths[col] = max(widths[col], display_width(words))
                elif isinstance(value, Decimal):
                    sheet.write_number(r, col, float(value), yuan)
                    widths[col] = max(widths[col], len(str(value)))
                elif isinstance(value, int):
                    sheet.write_number(r, col, value, whole)
                    widths[col] = max(widths[col], len(str(value)))
                else:
                    sheet.write_blank(r, col, None, text)
        for col, width in enumerate(widths):
            sheet.set_column(col, col, min(max(width + 2, MIN_WIDTH), MAX_WIDTH))
        sheet.freeze_panes(1, 0)
        sheet.set_paper(9)  # A4
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)  # fit the width, as many pages down as it takes
        sheet.repeat_rows(0)
        sheet.set_header(f"&L{_escape_header(village)} {disclosure.quarter}&R&P / &N")
        sheet.hide_gridlines(0)
    book.close()
    return buffer.getvalue()


def _escape_header(text: str) -> str:
    """Page headers treat & as a control code."""
    return text.replace("&", "&&")

"""Workbooks for print: the disclosure (disclosure.xlsx) and the roll-up, written by one writer.

Every sheet is ready to print on A4 landscape: fitted to the page's width (as many pages down as
it takes), the heading row repeated on every page and frozen on screen, the sheet's title in the
page header and "page N of M" in the footer, and one named sans-serif CJK font (FONT) for every
cell, so Excel does not fall back to a serif face for Chinese and Tibetan text.

xlsxwriter, chosen deliberately over openpyxl: it only writes (which is all we do), is quicker on
big sheets, and gives the same bytes for the same tables — its zip entries carry a fixed 1980
timestamp and the disclosure pins the document's creation date to the publication date.
openpyxl stamps the current time into both. Every cell is written with an explicit type: text
with write_string, numbers with write_number, so that a name like `=HYPERLINK(...)` can never
become a formula and -20 stays a number. Text that starts like a formula is written as it is,
in a cell formatted with Excel's quote prefix (the hidden apostrophe a user gets by typing
'=...): shown and printed as typed, still text when the cell is edited — where a CSV has to
carry a visible apostrophe instead.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from jifen_cli.i18n import t
from jifen_cli.render.csv import FORMULA_STARTS

MIN_WIDTH, MAX_WIDTH = 6, 60
# 微软雅黑: the sans-serif CJK face of every Chinese Windows (Excel draws Tibetan from Microsoft
# Himalaya beside it); elsewhere the spreadsheet substitutes its own sans-serif CJK font.
FONT = "Microsoft YaHei"
A4 = 9


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


@dataclass
class Sheet:
    """One printable table: the sheet's tab name, the title printed at the top of every page,
    the headings, and rows of str, Label (our words, in the workbook's language), int, Decimal
    yuan or None. `strong` holds the indexes of rows shown in bold (subtotals, totals)."""

    name: str
    title: str
    headings: Sequence[str]
    rows: Sequence[Sequence]
    strong: Collection[int] = field(default_factory=frozenset)


def _text(value, lang: str) -> str | None:
    if hasattr(value, "text"):
        return value.text(lang)
    if isinstance(value, str):
        return value
    return None


def _escape_header(text: str) -> str:
    """Page headers treat & as a control code."""
    return text.replace("&", "&&")


def workbook(sheets: Sequence[Sheet], *, lang: str, properties: dict) -> bytes:
    """The workbook's bytes: each sheet written and set up for print the same way."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {
        "in_memory": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "default_format_properties": {"font_name": FONT, "font_size": 11},
    })
    book.set_properties(properties)
    base = {"font_name": FONT, "border": 1}
    header = book.add_format({**base, "bold": True, "bg_color": "#E8EEF4", "text_wrap": True,
                              "valign": "vcenter"})
    styles = {
        strong: {
            "text": book.add_format({**base, "bold": strong}),
            "quoted": book.add_format({**base, "bold": strong, "quote_prefix": True}),
            "whole": book.add_format({**base, "bold": strong, "num_format": "0"}),
            "yuan": book.add_format({**base, "bold": strong, "num_format": "0.00"}),
        }
        for strong in (False, True)
    }
    footer = t("xlsx_page", lang, page="&P", pages="&N")
    for sheet in sheets:
        ws = book.add_worksheet(sheet.name)
        widths = [display_width(h) for h in sheet.headings]
        for col, heading in enumerate(sheet.headings):
            ws.write_string(0, col, heading, header)
        for r, row in enumerate(sheet.rows, start=1):
            style = styles[(r - 1) in sheet.strong]
            for col, value in enumerate(row):
                words = _text(value, lang)
                if words is not None:
                    quoted = words.startswith(FORMULA_STARTS)
                    ws.write_string(r, col, words, style["quoted" if quoted else "text"])
                    widths[col] = max(widths[col], display_width(words))
                elif isinstance(value, Decimal):
                    ws.write_number(r, col, float(value), style["yuan"])
                    widths[col] = max(widths[col], len(str(value)))
                elif isinstance(value, int) and not isinstance(value, bool):
                    ws.write_number(r, col, value, style["whole"])
                    widths[col] = max(widths[col], len(str(value)))
                else:
                    ws.write_blank(r, col, None, style["text"])
        for col, width in enumerate(widths):
            ws.set_column(col, col, min(max(width + 2, MIN_WIDTH), MAX_WIDTH))
        ws.freeze_panes(1, 0)
        ws.set_paper(A4)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)  # fit the width, as many pages down as it takes
        ws.repeat_rows(0)
        ws.set_header(f'&L&"{FONT},Bold"{_escape_header(sheet.title)}')
        ws.set_footer(f'&C&"{FONT},Regular"{footer}')
        ws.hide_gridlines(0)
    book.close()
    return buffer.getvalue()


def workbook_bytes(disclosure) -> bytes:
    """disclosure.xlsx: a sheet per table of the disclosure, in the village's public language."""
    lang = disclosure.lang
    created = dt.datetime.combine(dt.date.fromisoformat(disclosure.date), dt.time())
    village = disclosure.village["name"]
    sheets = [
        Sheet(name=t(table.title, lang),
              title=f"{village} {disclosure.quarter} {t(table.title, lang)}",
              headings=table.headers(lang), rows=table.rows)
        for table in disclosure.tables
    ]
    return workbook(sheets, lang=lang, properties={
        "title": t("xlsx_disclosure_title", lang, village=village, quarter=disclosure.quarter),
        "subject": f"{disclosure.quarter} digest {disclosure.digest}",
        "author": village,
        "company": village,
        "created": created,
    })

"""The roll-up as a table: village rows, subtotals, a totals row; as CSV, XLSX or on screen.

Numbers stay numbers (points as integers, money as Decimal yuan), so a spreadsheet can add them
up again; every text cell goes through render.csv.neutralise, so a village named `=1+1` is text.
"""

from __future__ import annotations

import io
from decimal import Decimal

from jifen_cli import i18n
from jifen_cli.i18n import said
from jifen_cli.rollup import Figures, RollUp, Row

COLUMNS = (
    "village", "township", "county", "class", "mode", "households", "participating", "entries",
    "earned", "deducted", "redeemed", "redeemed_value", "fund_granted", "fund_balance",
    "published", "verified", "status", "detail", "file",
)
NUMERIC = tuple(range(5, 14))


SCREEN = tuple(c for c in COLUMNS if c not in ("class", "mode", "detail", "file"))


def screen(result: RollUp, lang: str, by: str | None = None):
    """The table for a terminal (fewer columns), and a line per file that was not counted."""
    t = _words(lang)
    keep = [COLUMNS.index(c) for c in SCREEN]
    rows = [[line[i] for i in keep] for line in lines(result, lang, by)]
    notes = [f"{r.path}: {t(f'rollup_status_{r.status}')} — {said(r.detail, lang)}"
             for r in result.rows if r.status != "ok"]
    numeric = tuple(n for n, c in enumerate(SCREEN) if COLUMNS.index(c) in NUMERIC)
    return [t(f"rollup_col_{c}") for c in SCREEN], rows, numeric, notes


def _money(fen: int) -> Decimal:
    return Decimal(fen).scaleb(-2)


def _numbers(f: Figures | None) -> list:
    if f is None:
        return [None] * 9
    return [f.households, f.participating, f.entries, f.earned, f.deducted, f.redeemed,
            _money(f.redeemed_fen), _money(f.fund_granted), _money(f.fund_balance)]


def _words(lang: str):
    """`t(key, **params)`: our own words in `lang`."""
    return lambda key, **params: i18n.t(key, lang, **params)


def headers(lang: str) -> list[str]:
    return [i18n.t(f"rollup_col_{c}", lang) for c in COLUMNS]


def lines(result: RollUp, lang: str, by: str | None = None) -> list[list]:
    """Every line of the report, in order, our own words in `lang`."""
    t = _words(lang)

    def village_line(row: Row) -> list:
        published = None if row.published is None else t(f"rollup_{'yes' if row.published else 'no'}")
        return [
            row.village or None, row.township or None, row.county or None, row.klass,
            t(f"rollup_mode_{row.mode}") if row.mode else None,
            *_numbers(row.figures if row.status in ("ok", "damaged") else None),
            published, t(f"rollup_verified_{row.verified}"), t(f"rollup_status_{row.status}"),
            said(row.detail, lang) or None, row.path,
        ]

    def total_line(label: str, f: Figures) -> list:
        return [label, None, None, None, None, *_numbers(f), None, None, None, None, None]

    out: list[list] = []
    if by:
        for key, rows, subtotal in result.groups(by):
            out.extend(village_line(r) for r in rows)
            name = " ".join(k for k in reversed(key) if k) or "—"
            out.append(total_line(t("rollup_subtotal", name=name), subtotal))
    else:
        out.extend(village_line(r) for r in result.rows)
    out.append(total_line(t("rollup_total", villages=result.total.villages), result.total))
    return out


def csv_bytes(result: RollUp, lang: str, by: str | None = None) -> bytes:
    from jifen_cli.render.csv import table_bytes

    return table_bytes(headers(lang), lines(result, lang, by))


def xlsx_bytes(result: RollUp, lang: str, by: str | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from jifen_cli.render.csv import neutralise

    book = Workbook()
    sheet = book.active
    sheet.title = result.quarter
    sheet.append(headers(lang))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for line in lines(result, lang, by):
        sheet.append([neutralise(v) if isinstance(v, str) else v for v in line])
        if line[-1] is None:  # a subtotal or the totals row
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
        for index in (11, 12, 13):
            sheet.cell(sheet.max_row, index + 1).number_format = "0.00"
    for cell in sheet[1]:  # text stays text: neutralised values are never formulas
        sheet.column_dimensions[cell.column_letter].width = 14
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

"""The roll-up as a table: village rows, subtotals, a totals row; as CSV, XLSX or on screen.

Numbers stay numbers (points as integers, money as Decimal yuan), so a spreadsheet can add them
up again; every text cell goes through render.csv.neutralise, so a village named `=1+1` is text.
The file keeps every column; the screen shows fewer (SCREEN), under short headings, so that
the table keeps to a 100-column terminal without breaking a number.
"""

from __future__ import annotations

from decimal import Decimal

from jifen_cli import i18n
from jifen_cli.i18n import said
from jifen_cli.rollup import Figures, RollUp, Row

COLUMNS = (
    "village", "township", "county", "class", "mode", "households", "participating", "entries",
    "earned", "deducted", "redeemed", "redeemed_value", "returned", "returned_value",
    "fund_granted", "fund_balance", "objections", "objections_upheld", "published", "verified",
    "status", "detail", "village_id", "file",
)
FIGURES = ("households", "participating", "entries", "earned", "deducted", "redeemed",
           "redeemed_value", "returned", "returned_value", "fund_granted", "fund_balance",
           "objections", "objections_upheld")

# On screen: who, how many took part, the points, the goods, and whether the row counts (a
# village that has not published the quarter says so in its status).
SCREEN = ("village", "households", "entries", "earned", "deducted", "redeemed", "redeemed_value",
          "status")


def screen(result: RollUp, lang: str, by: str | None = None):
    """The table for a terminal (fewer columns, short headings), and a line per file that was
    not counted."""
    t = _words(lang)
    keep = [COLUMNS.index(c) for c in SCREEN]
    published, status = COLUMNS.index("published"), COLUMNS.index("status")
    rows = []
    for line in lines(result, lang, by):
        row = [line[i] for i in keep]
        if line[published] == t("rollup_no"):
            row[-1] = t("rollup_screen_unpublished", status=line[status])
        rows.append(row)
    notes = [f"{r.path}: {t(f'rollup_status_{r.status}')} — {said(r.detail, lang)}"
             for r in result.rows if r.status != "ok"]
    numeric = tuple(n for n, c in enumerate(SCREEN) if c in FIGURES)
    return [t(f"rollup_screen_{c}") for c in SCREEN], rows, numeric, notes


def _money(fen: int) -> Decimal:
    return Decimal(fen).scaleb(-2)


def _numbers(f: Figures | None) -> list:
    if f is None:
        return [None] * len(FIGURES)
    return [f.households, f.participating, f.entries, f.earned, f.deducted, f.redeemed,
            _money(f.redeemed_fen), f.returned, _money(f.returned_fen), _money(f.fund_granted),
            _money(f.fund_balance), f.objections, f.objections_upheld]


def _words(lang: str):
    """`t(key, **params)`: our own words in `lang`."""
    return lambda key, **params: i18n.t(key, lang, **params)


def headers(lang: str) -> list[str]:
    return [i18n.t(f"rollup_col_{c}", lang) for c in COLUMNS]


def lines(result: RollUp, lang: str, by: str | None = None) -> list[list]:
    """Every line of the report, in order, our own words in `lang`. A subtotal or the totals
    line has no file (its last cell is None)."""
    t = _words(lang)

    def village_line(row: Row) -> list:
        published = None if row.published is None else t(f"rollup_{'yes' if row.published else 'no'}")
        return [
            row.village or None, row.township or None, row.county or None, row.klass,
            t(f"rollup_mode_{row.mode}") if row.mode else None,
            *_numbers(row.figures if row.status in ("ok", "damaged") else None),
            published, t(f"rollup_verified_{row.verified}"), t(f"rollup_status_{row.status}"),
            said(row.detail, lang) or None, row.village_id or None, row.path,
        ]

    def total_line(label: str, f: Figures) -> list:
        return [label, None, None, None, None, *_numbers(f), None, None, None, None, None, None]

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
    """The roll-up workbook, through the disclosure's writer and its print set-up."""
    from jifen_cli.render.xlsx import Sheet, workbook

    rows = lines(result, lang, by)
    title = i18n.t("rollup_title", lang, quarter=result.quarter, count=len(result.rows))
    sheet = Sheet(name=result.quarter, title=title, headings=headers(lang), rows=rows,
                  strong=frozenset(n for n, line in enumerate(rows) if line[-1] is None))
    return workbook([sheet], lang=lang, properties={"title": title})

"""notice.html: the printable notice for the village board, from templates/notice.html.j2.

Jinja2 with autoescape on: every name, item and shop is data and reaches the page as text. The
only markup that is not escaped is the QR code, which segno draws from the digest, and the two
CSS strings of the page margins (title, page number), which `css_string` escapes for CSS.

What the notice is on paper is tested on paper (tests/test_paper.py prints it in Chromium):
the 合计 row once at the end of its table, every border drawn, a title and a page number on
every page, no short word broken, a QR code that decodes at ordinary resolutions.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from pathlib import Path

from jifen_cli.i18n import t

LANG = "zh"  # the notice is posted in the village: Chinese
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
QUARTER_NAMES = {"1": "第一季度", "2": "第二季度", "3": "第三季度", "4": "第四季度"}
# 32 mm with its quiet zone: the digest's code (version 5-6) has modules of 0.65-0.7 mm, read
# by a phone from a step away from the board.
QR_MM = 32
# Columns whose cells are one word (a code, a group, a date, a rank): never broken. Columns of
# names and words: broken only where the text itself allows it (a space, a tsheg, punctuation),
# never between two characters of a Chinese name.
NOWRAP = {"pub_household", "pub_group", "pub_date", "pub_rank"}
KEEP_WORDS = {"pub_name", "pub_item", "pub_shop", "pub_category", "pub_fund_item", "pub_note"}


def _cell(value) -> tuple[str, bool]:
    """(text, is_number) of one table cell."""
    if hasattr(value, "text"):
        return value.text(LANG), False
    if isinstance(value, int | Decimal):
        return str(value), True
    return "" if value is None else str(value), False


def _classes(column: str, numeric: bool):
    """The class attribute of a column's cells (markup: the names are ours, not data)."""
    from markupsafe import Markup

    names = ["n"] if numeric else []
    if column in NOWRAP:
        names.append("nw")
    elif column in KEEP_WORDS:
        names.append("kw")
    return Markup(f' class="{" ".join(names)}"') if names else Markup("")


def css_string(text: str):
    """`text` as a quoted CSS string that nothing in it can end: every character that is not
    a letter, digit or mark (quotes, backslashes, `<`, controls, punctuation) is a hex escape."""
    from markupsafe import Markup

    out = []
    for char in text:
        if char == " " or unicodedata.category(char)[0] in "LMN":
            out.append(char)
        else:
            out.append(f"\\{ord(char):06x}")
    return Markup('"' + "".join(out) + '"')


def css_counters(template: str):
    """A message with {page} and {pages} as CSS `content`: strings and page counters."""
    from markupsafe import Markup

    parts = []
    for piece in re.split(r"(\{pages?\})", template):
        if piece in ("{page}", "{pages}"):
            parts.append(f"counter({piece[1:-1]})")
        elif piece:
            parts.append(css_string(piece))
    return Markup(" ".join(parts))


def _chinese_date(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day.year}年{day.month}月{day.day}日"


def notice(disclosure) -> str:
    import jinja2
    from markupsafe import Markup

    from jifen_cli.publication import HONOUR_TOP
    from jifen_cli.render.qr import svg

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    tables = []
    for table in disclosure.tables:
        numeric = [isinstance(v, int | Decimal) for v in (table.rows[0] if table.rows else ())]
        numeric += [False] * (len(table.columns) - len(numeric))
        honour = table.name == "honour"
        tables.append({
            "name": table.name,
            "title": t("notice_honour_title" if honour else table.title, LANG),
            "explain": t("notice_honour_explain", LANG, top=HONOUR_TOP) if honour else "",
            "headers": table.headers(LANG),
            "classes": [_classes(c, n) for c, n in zip(table.columns, numeric)],
            "rows": [[_cell(v)[0] for v in row] for row in table.rows],
            "totals": ([_cell(v)[0] for v in table.totals]
                       if table.totals and table.rows else None),
        })
    totals = disclosure.totals
    quarter_name = f"{disclosure.quarter[:4]}年{QUARTER_NAMES[disclosure.quarter[5]]}"
    return env.get_template("notice.html.j2").render(
        village=disclosure.village,
        quarter=disclosure.quarter,
        quarter_name=quarter_name,
        first=_chinese_date(disclosure.first),
        last=_chinese_date(disclosure.last),
        date=_chinese_date(disclosure.date),
        counts=disclosure.counts,
        totals=totals,
        redeemed_value=str(Decimal(totals["redeemed_value_fen"]).scaleb(-2)),
        head_seq=disclosure.head_seq,
        digest=disclosure.digest,
        qr=Markup(svg(disclosure.digest, size_mm=QR_MM, error="q")),
        tables=tables,
        page_title=css_string(t("notice_page_title", LANG, village=disclosure.village["name"],
                                quarter=quarter_name)),
        page_number=css_counters(t("notice_page", LANG, page="{page}", pages="{pages}")),
    )

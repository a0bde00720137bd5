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

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
HTML_LANG = {"zh": "zh-CN", "en": "en"}
# 32 mm with its quiet zone: the digest's code (version 5-6) has modules of 0.65-0.7 mm, read
# by a phone from a step away from the board.
QR_MM = 32
# Columns whose cells are one word (a code, a group, a date, a rank): never broken. Columns of
# names and words: broken only where the text itself allows it (a space, a tsheg, punctuation),
# never between two characters of a Chinese name.
NOWRAP = {"pub_household", "pub_group", "pub_date", "pub_rank", "pub_quarter", "pub_outcome",
          "pub_objection", "pub_reversals"}
KEEP_WORDS = {"pub_name", "pub_item", "pub_shop", "pub_category", "pub_fund_item", "pub_note"}


def _cell(value, lang: str) -> tuple[str, bool]:
    """(text, is_number) of one table cell."""
    if hasattr(value, "text"):
        return value.text(lang), False
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


def local_date(iso: str, lang: str) -> str:
    """2024-06-30 as the notice says it: 2024年6月30日."""
    day = dt.date.fromisoformat(iso)
    return t("notice_date", lang, year=day.year, month=day.month, day=day.day)


def notice(disclosure) -> str:
    """The notice, in the village's public language (every word of ours from i18n, through
    Jinja2's i18n extension: `_("key")` in the template)."""
    import jinja2
    from markupsafe import Markup

    from jifen_cli.publication import HONOUR_TOP
    from jifen_cli.render.qr import svg

    lang = disclosure.lang
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(
        gettext=lambda key: t(key, lang), ngettext=lambda one, many, n: t(many, lang),
        newstyle=False)
    tables = []
    for table in disclosure.tables:
        numeric = [isinstance(v, int | Decimal) for v in (table.rows[0] if table.rows else ())]
        numeric += [False] * (len(table.columns) - len(numeric))
        honour = table.name == "honour"
        explain = (t("notice_honour_explain", lang, top=HONOUR_TOP) if honour else
                   t("notice_objections_explain", lang) if table.name == "objections" else "")
        tables.append({
            "name": table.name,
            "title": t("notice_honour_title" if honour else table.title, lang),
            "explain": explain,
            "headers": table.headers(lang),
            "classes": [_classes(c, n) for c, n in zip(table.columns, numeric)],
            "rows": [[_cell(v, lang)[0] for v in row] for row in table.rows],
            "totals": ([_cell(v, lang)[0] for v in table.totals]
                       if table.totals and table.rows else None),
        })
    totals = disclosure.totals
    quarter_name = t(f"notice_quarter_{disclosure.quarter[5]}", lang, year=disclosure.quarter[:4])
    period_first, period_last = disclosure.objection_period
    return env.get_template("notice.html.j2").render(
        html_lang=HTML_LANG.get(lang, lang),
        bold=lambda value: Markup("<b>{}</b>").format(value),
        village=disclosure.village,
        quarter=disclosure.quarter,
        quarter_name=quarter_name,
        first=local_date(disclosure.first, lang),
        last=local_date(disclosure.last, lang),
        date=local_date(disclosure.date, lang),
        period_first=local_date(period_first, lang),
        period_last=local_date(period_last, lang),
        objection_days=disclosure.objection_days,
        counts=disclosure.counts,
        totals=totals,
        redeemed_value=str(Decimal(totals["redeemed_value_fen"]).scaleb(-2)),
        head_seq=disclosure.head_seq,
        digest=disclosure.digest,
        qr=Markup(svg(disclosure.digest, size_mm=QR_MM, error="q")),
        tables=tables,
        page_title=css_string(t("notice_page_title", lang, village=disclosure.village["name"],
                                quarter=quarter_name)),
        page_number=css_counters(t("notice_page", lang, page="{page}", pages="{pages}")),
    )

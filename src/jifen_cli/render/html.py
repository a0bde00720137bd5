"""notice.html: the printable notice for the village board, from templates/notice.html.j2.

Jinja2 with autoescape on: every name, item and shop is data and reaches the page as text. The
only markup that is not escaped is the QR code, which segno draws from the digest.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from jifen_cli.i18n import t

LANG = "zh"  # the notice is posted in the village: Chinese
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
QUARTER_NAMES = {"1": "第一季度", "2": "第二季度", "3": "第三季度", "4": "第四季度"}


def _cell(value) -> tuple[str, bool]:
    """(text, is_number) of one table cell."""
    if hasattr(value, "text"):
        return value.text(LANG), False
    if isinstance(value, int | Decimal):
        return str(value), True
    return "" if value is None else str(value), False


def _chinese_date(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day.year}年{day.month}月{day.day}日"


def notice(disclosure) -> str:
    import jinja2
    from markupsafe import Markup

    from jifen_cli.render.qr import svg

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    tables = [
        {
            "name": table.name,
            "title": t(table.title, LANG),
            "headers": table.headers(LANG),
            "numeric": [isinstance(v, int | Decimal) for v in (table.rows[0] if table.rows else ())],
            "rows": [[_cell(v) for v in row] for row in table.rows],
            "totals": [_cell(v) for v in table.totals] if table.totals and table.rows else None,
        }
        for table in disclosure.tables
    ]
    totals = disclosure.totals
    return env.get_template("notice.html.j2").render(
        village=disclosure.village,
        quarter=disclosure.quarter,
        quarter_name=f"{disclosure.quarter[:4]}年{QUARTER_NAMES[disclosure.quarter[5]]}",
        first=_chinese_date(disclosure.first),
        last=_chinese_date(disclosure.last),
        date=_chinese_date(disclosure.date),
        counts=disclosure.counts,
        totals=totals,
        redeemed_value=str(Decimal(totals["redeemed_value_fen"]).scaleb(-2)),
        head_seq=disclosure.head_seq,
        digest=disclosure.digest,
        qr=Markup(svg(disclosure.digest, scale=3)),
        tables=tables,
    )

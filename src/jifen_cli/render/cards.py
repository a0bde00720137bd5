"""Household cards (积分卡): printable HTML, six cards to an A4 page, each with a QR code.

A card shows the household's name, code and group, its available and honour points, its last
postings, the day it was printed and the ledger's head (the digest every later posting chains
to), as text and as a QR code. The QR code holds one line of text in the card's language —
`jifen|扎西岗村|H001|次仁卓玛|可用积分 12|荣誉积分 30|#SEQ HEAD` under `--lang zh`,
`jifen|VILLAGE|H001|NAME|available 12|honour 30|#SEQ HEAD` under `--lang en` — that anyone can
compare with the ledger; it is marked as UTF-8, so a phone shows the names as written.
ID numbers and phone numbers are never on a card. Every value is HTML-escaped (Jinja2 autoescape).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from jifen_cli import households, village
from jifen_cli.i18n import t
from jifen_cli.values import today

PER_PAGE = 6
TEMPLATE = "card.html.j2"
# At least 26 mm with the quiet zone: a card's code (version 7 to 10 for most names) has modules
# of 0.4-0.5 mm, which an office printer draws and a phone camera resolves at arm's length. A
# very long name makes more modules: the code grows (to 30 mm, what a card has room for) to
# keep them 0.4 mm.
QR_MM, QR_MAX_MM, QR_MODULE_MM = 26, 30, 0.4


def card_data(conn: sqlite3.Connection, codes: list[str], *, lang: str, last: int = 8) -> dict:
    info = village.info(conn)
    cards = []
    for code in codes:
        h = households.get(conn, code)
        postings = []
        for p in households.history(conn, code, limit=last):
            what = p["title"] or p["item_name"] or ""  # as they stood on the posting's date
            if p["reverses"]:
                what = f"#{p['reverses']} {what}".strip()
            if p["qty"] and p["qty"] > 1:
                what = f"{what} ×{p['qty']}"
            postings.append({"date": p["date"], "kind": t(f"kind_{p['kind']}", lang),
                             "what": what, "points": p["points"]})
        cards.append({
            "code": h["code"], "name": h["name"], "group": h["group"],
            "available": h["available"], "honour": h["honour"], "postings": postings,
            "qr_text": payload(info, h, lang),
        })
    return {"village": info, "cards": cards}


def payload(info: dict, household: dict, lang: str) -> str:
    """The line a card's QR code holds, in the reader's language."""
    return "|".join((
        "jifen", info["village"], household["code"], household["name"],
        f"{t('card_available', lang)} {household['available']}",
        f"{t('card_honour', lang)} {household['honour']}",
        f"#{info['head_seq']} {info['head']}",
    ))


def render(data: dict, *, lang: str) -> str:
    import jinja2

    from jifen_cli.render import qr

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent.parent / "templates"),
        autoescape=True, trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(  # the template's words: _("card_title"), from the catalogs
        gettext=lambda key: t(key, lang), ngettext=lambda one, many, n: t(many, lang),
        newstyle=False)
    for card in data["cards"]:
        card["qr"] = qr.svg(card["qr_text"], size_mm=QR_MM, module_mm=QR_MODULE_MM,
                            max_mm=QR_MAX_MM)
    cards = data["cards"]
    pages = [cards[i:i + PER_PAGE] for i in range(0, len(cards), PER_PAGE)]
    return env.get_template(TEMPLATE).render(
        village=data["village"], pages=pages, printed=today().isoformat(), lang=lang,
    )


def write(conn: sqlite3.Connection, codes: list[str], out: Path, *, lang: str,
          last: int = 8) -> Path:
    html = render(card_data(conn, codes, lang=lang, last=last), lang=lang)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "cards.html"
    temp = out / ".cards.html.partial"
    temp.write_text(html, encoding="utf-8")
    temp.replace(path)
    return path

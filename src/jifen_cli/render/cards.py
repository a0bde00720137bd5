"""Household cards (积分卡): printable HTML, six cards to an A4 page, each with a QR code.

A card shows the household's name, code and group, its available and honour points, its last
postings, the day it was printed and the ledger's head (the digest every later posting chains
to), as text and as a QR code. The QR code holds one line of text —
`jifen|VILLAGE|CODE|available N|honour N|#SEQ HEAD` — that anyone can compare with the ledger.
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


def card_data(conn: sqlite3.Connection, codes: list[str], *, lang: str, last: int = 8) -> dict:
    info = village.info(conn)
    rules = dict(conn.execute("SELECT code, title FROM rules"))
    items = dict(conn.execute("SELECT code, name FROM items"))
    cards = []
    for code in codes:
        h = households.get(conn, code)
        postings = []
        for p in households.history(conn, code, limit=last):
            what = rules.get(p["rule"]) or items.get(p["item"]) or ""
            if p["reverses"]:
                what = f"#{p['reverses']} {what}".strip()
            if p["qty"] and p["qty"] > 1:
                what = f"{what} ×{p['qty']}"
            postings.append({"date": p["date"], "kind": t(f"kind_{p['kind']}", lang),
                             "what": what, "points": p["points"]})
        cards.append({
            "code": h["code"], "name": h["name"], "group": h["group"],
            "available": h["available"], "honour": h["honour"], "postings": postings,
            "qr_text": f"jifen|{info['village']}|{h['code']}|available {h['available']}"
                       f"|honour {h['honour']}|#{info['head_seq']} {info['head']}",
        })
    return {"village": info, "cards": cards}


def render(data: dict, *, lang: str) -> str:
    import jinja2

    from jifen_cli.render import qr

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent.parent / "templates"),
        autoescape=True, trim_blocks=True, lstrip_blocks=True,
    )
    for card in data["cards"]:
        card["qr"] = qr.svg(card["qr_text"], scale=2)
    cards = data["cards"]
    pages = [cards[i:i + PER_PAGE] for i in range(0, len(cards), PER_PAGE)]
    labels = {k: t(f"card_{k}", lang) for k in (
        "title", "available", "honour", "date", "kind", "what", "points", "none", "printed",
        "digest")}
    return env.get_template(TEMPLATE).render(
        village=data["village"], pages=pages, t=labels, printed=today().isoformat(), lang=lang,
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

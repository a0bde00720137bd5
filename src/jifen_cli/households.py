"""The household register (户): the accounts of the ledger, and how they change over the years.

Heads of household change, names are corrected, families move away or turn out to be registered
twice. Every change goes through here and is kept in the register's history (registers.py) with
who, when, the old and new values and the reason, in the same transaction as the change:

- `edit` corrects or updates the register fields; a closed household is not edited.
- `close` (迁出/销户): the household's unspent points are cleared by a `close` posting dated the
  day it leaves, which its history shows; refused while it has pending claims or postings dated
  after that day. From then on it takes no records, events, redemptions or edits.
- `merge FROM INTO` (a household registered twice): a pair of `merge` postings, each naming
  the other, moves FROM's available points (`points`) and honour points (`qty`, see
  ledger.honour_points) to INTO, and FROM is closed, merged into INTO.

Read commands find a household by its code or by its head's name when exactly one household has
that name (`resolve`); commands that write take codes only.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

# ledger and registers are imported where this module writes: a read command (balance, a
# head's name resolved) needs neither, and starts without them.
from jifen_cli import db, periods
from jifen_cli.errors import (
    AmbiguousHousehold,
    BadInput,
    Duplicate,
    HouseholdClosed,
    UnknownHousehold,
)
from jifen_cli.i18n import Message
from jifen_cli.values import (
    check_code,
    check_id_number,
    check_phone,
    check_text,
    mask_id,
    now,
    optional_text,
)

COLUMNS = "code, name, grp, members, id_number, phone, available, honour, closed_on, merged_into"


def clean(code, name, group="", members=1, id_number=None, phone=None) -> dict:
    """Validate one household's fields (shared by `household add` and the importer)."""
    from jifen_cli.values import parse_int

    return {
        "code": check_code(code),
        "name": _name(name),
        "grp": optional_text(group, "group"),
        "members": parse_int(1 if members in (None, "") else members, "members", minimum=0),
        "id_number": check_id_number(id_number),
        "phone": check_phone(phone),
    }


def _name(value) -> str:
    name = check_text(value, "name")
    if "?" in name or "\ufffd" in name:  # what a GBK "CSV (逗号分隔)" makes of Tibetan script
        raise BadInput("name_question_mark", value=name)  # the importer words it for files
    return name


def _history_values(h: dict) -> dict:
    """A household's register fields as its history keeps them (the public names)."""
    return {"name": h["name"], "group": h["grp"], "members": h["members"],
            "id_number": h["id_number"], "phone": h["phone"]}


def insert_many(conn: sqlite3.Connection, households: list[dict], *, operator: str) -> None:
    """Register households, each with the `add` that starts its history."""
    from jifen_cli import registers

    stamp = now()
    conn.executemany(
        "INSERT INTO households (code, name, grp, members, id_number, phone, created_at, created_by)"
        " VALUES (:code, :name, :grp, :members, :id_number, :phone, :stamp, :operator)",
        [{**h, "stamp": stamp, "operator": operator} for h in households],
    )
    registers.append(conn, [registers.Change("household", h["code"], "add", _history_values(h))
                            for h in households], operator=operator, at=stamp)


def add(conn: sqlite3.Connection, *, operator: str, **fields) -> dict:
    household = clean(**fields)
    with db.transaction(conn):
        if exists(conn, household["code"]):
            raise Duplicate(what="household", code=household["code"])
        if household["id_number"]:
            ensure_id_free(id_holders(conn, household["id_number"]), household)
        insert_many(conn, [household], operator=operator)
    return household


def id_holders(conn: sqlite3.Connection, id_number: str | None = None
               ) -> dict[str, tuple[str, str]]:
    """ID number -> (code, name) of the open household registered with it (only `id_number`'s
    holder when given).

    The one place that says which households an ID number is unique among: the open ones (a
    household that has left may share it with the one it became)."""
    sql = ("SELECT id_number, code, name FROM households WHERE id_number IS NOT NULL"
           " AND closed_on IS NULL")
    params: tuple = ()
    if id_number is not None:
        sql += " AND id_number = ?"
        params = (id_number,)
    return {number: (code, name) for number, code, name in conn.execute(sql, params)}


def ensure_id_free(holders: dict[str, tuple[str, str]], household: dict) -> None:
    """Refuse an ID number that another open household already has, naming that household."""
    id_number = household["id_number"]
    holder = holders.get(id_number) if id_number else None
    if holder is not None and holder[0] != household["code"]:
        raise Duplicate("id_number_taken", id_number=mask_id(id_number), code=holder[0],
                        name=holder[1])


def exists(conn: sqlite3.Connection, code: str) -> bool:
    return conn.execute("SELECT 1 FROM households WHERE code = ?", (code,)).fetchone() is not None


def _public(row: tuple, private: bool) -> dict:
    code, name, group, members, id_number, phone, available, honour, closed, merged = row
    return {
        "code": code,
        "name": name,
        "group": group,
        "members": members,
        "id_number": (id_number or "") if private else mask_id(id_number),
        "phone": (phone or "") if private else "",
        "available": available,
        "honour": honour,
        "closed": closed is not None,
        "closed_on": closed,
        "merged_into": merged,
    }


def get(conn: sqlite3.Connection, code: str, *, private: bool = False) -> dict:
    row = conn.execute(f"SELECT {COLUMNS} FROM households WHERE code = ?", (code,)).fetchone()
    if row is None:
        raise UnknownHousehold(code=code)
    return _public(row, private)


def resolve(conn: sqlite3.Connection, text: str) -> str:
    """The code of the household `text` names: a code, or a head's name that exactly one
    household has. A household that has left counts only when no open one has the name (a
    merged duplicate carries the same name as the household it was merged into). Several
    households with that name are a refusal that lists them."""
    text = str(text).strip()
    if exists(conn, text):
        return text
    matches = conn.execute(
        "SELECT code, name, grp, closed_on FROM households WHERE name = ? ORDER BY code", (text,)
    ).fetchall()
    open_ = [m for m in matches if m[3] is None]
    if len(open_) == 1:
        return open_[0][0]
    if len(matches) == 1:
        return matches[0][0]
    if matches:
        raise AmbiguousHousehold(name=text, count=len(matches), households=[
            Message("household_match_closed" if closed else "household_match",
                              code=code, name=name, group=grp or "—", closed=closed or "")
            for code, name, grp, closed in matches])
    raise UnknownHousehold("unknown_household_or_name", code=text)


def ensure_open(conn: sqlite3.Connection, code: str) -> None:
    """Refuse anything new for a household that has left, naming when and why."""
    row = conn.execute("SELECT closed_on, merged_into FROM households WHERE code = ?",
                       (code,)).fetchone()
    if row is None:
        raise UnknownHousehold(code=code)
    if row[0] is not None:
        raise closed_refusal(conn, code, row[0], row[1])


def closed_refusal(conn: sqlite3.Connection, code: str, closed: str,
                   merged: str | None) -> HouseholdClosed:
    (reason,) = conn.execute(
        "SELECT reason FROM changes WHERE register = 'household' AND code = ?"
        " AND (action = 'close' OR action = 'merge') ORDER BY seq DESC LIMIT 1", (code,)
    ).fetchone() or ("",)
    if merged:
        return HouseholdClosed("household_merged", code=code, date=closed, into=merged,
                               reason=reason)
    return HouseholdClosed(code=code, date=closed, reason=reason)


def list_all(conn: sqlite3.Connection, *, group: str | None = None, private: bool = False,
             search: str | None = None, include_closed: bool = True) -> list[dict]:
    """Households by code. `search` matches the code, head's name or group (any part, any
    case), or the last four digits of the ID number or phone; closed households only with
    `include_closed`."""
    sql = f"SELECT {COLUMNS} FROM households WHERE 1 = 1"
    params: dict = {}
    if group is not None:
        sql += " AND grp = :group"
        params["group"] = group
    if not include_closed:
        sql += " AND closed_on IS NULL"
    if search is not None and search.strip():
        sql += (" AND (instr(lower(code), lower(:search)) OR instr(name, :search)"
                " OR instr(grp, :search) OR (length(:search) = 4"
                " AND (upper(substr(id_number, -4)) = upper(:search)"
                " OR substr(phone, -4) = :search)))")
        params["search"] = search.strip()
    return [_public(row, private) for row in conn.execute(sql + " ORDER BY code", params)]


# --- changes --------------------------------------------------------------------------------

_EDITABLE = {"name": "name", "group": "grp", "members": "members", "id_number": "id_number",
             "phone": "phone"}


def _reason(reason) -> str:
    return check_text(reason, "reason")


def edit(conn: sqlite3.Connection, code: str, *, operator: str, reason: str, **fields) -> dict:
    """Change register fields (only those given), keeping the old values in the history.
    Returns {field: (old, new)} of what changed."""
    from jifen_cli import registers
    from jifen_cli.values import parse_int

    reason = _reason(reason)
    wanted = {k: v for k, v in fields.items() if v is not None}
    if not wanted:
        raise BadInput("edit_nothing", code=code)
    clean_values = {}
    for key, value in wanted.items():
        if key == "name":
            clean_values[key] = _name(value)
        elif key == "group":
            clean_values[key] = optional_text(value, "group")
        elif key == "members":
            clean_values[key] = parse_int(value, "members", minimum=0)
        elif key == "id_number":
            clean_values[key] = check_id_number(value)
        elif key == "phone":
            clean_values[key] = check_phone(value)
        else:
            raise BadInput("bad_name", field=key)
    with db.transaction(conn):
        ensure_open(conn, code)
        row = dict(zip(_EDITABLE, conn.execute(
            "SELECT name, grp, members, id_number, phone FROM households WHERE code = ?", (code,)
        ).fetchone()))
        changed = {k: (row[k], v) for k, v in clean_values.items() if row[k] != v}
        if not changed:
            raise BadInput("edit_no_change", code=code)
        if changed.get("id_number", (None, None))[1]:
            ensure_id_free(id_holders(conn, changed["id_number"][1]),
                           {"code": code, "id_number": changed["id_number"][1]})
        conn.execute(
            "UPDATE households SET " + ", ".join(f"{_EDITABLE[k]} = ?" for k in changed)
            + " WHERE code = ?", (*(new for _, new in changed.values()), code))
        registers.append(conn, [registers.Change(
            "household", code, "edit", {k: new for k, (_, new) in changed.items()},
            old={k: old for k, (old, _) in changed.items()}, reason=reason)], operator=operator)
    return changed


def _leaving(conn: sqlite3.Connection, code: str, date: str, operator: str) -> tuple[int, int]:
    """The checks before a household leaves on `date`; returns its (available, honour). Its
    points are cleared or moved: a working-group reviewer does it, not the clerk alone."""
    from jifen_cli.village import require_reviewer

    ensure_open(conn, code)
    require_reviewer(conn, operator)
    periods.ensure_open(conn, date)
    pending = [f"#{i} {d}" for i, d in conn.execute(
        "SELECT id, date FROM claims WHERE household = ? AND status = 'pending' ORDER BY date, id",
        (code,))]
    if pending:
        raise BadInput("household_has_pending", code=code, count=len(pending),
                       claims=", ".join(pending))
    later = conn.execute(
        "SELECT seq, date FROM postings WHERE household = ? AND date > ? ORDER BY date, seq"
        " LIMIT 1", (code, date)).fetchone()
    if later:
        raise BadInput("household_posted_after", code=code, date=date, seq=later[0],
                       later=later[1])
    return conn.execute("SELECT available, honour FROM households WHERE code = ?",
                        (code,)).fetchone()


@dataclass
class Leaving:
    code: str
    date: str
    points: int          # available points cleared or moved
    honour: int          # honour points moved (merge)
    seqs: list[int]
    into: str | None = None


def close(conn: sqlite3.Connection, code: str, *, operator: str, reason: str,
          date: str) -> Leaving:
    """The household leaves: its points are cleared by a `close` posting dated `date` (unspent
    points, or a deficit a deduction left: a closed account stands at zero)."""
    from jifen_cli import ledger, registers
    from jifen_cli.ledger import Posting

    reason = _reason(reason)
    with db.transaction(conn):
        available, _ = _leaving(conn, code, date, operator)
        seq = ledger.head(conn)[0] + 1
        appended = ledger.append(conn, [Posting(
            kind="close", date=date, household=code, points=-available,
            ref=f"close:{code}:{seq}", note=f"销户清零：{reason}", recorded_by=operator,
            reviewed_by=operator)])
        conn.execute("UPDATE households SET closed_on = ? WHERE code = ?", (date, code))
        registers.append(conn, [registers.Change(
            "household", code, "close", {"closed": date}, old={"closed": None}, effective=date,
            reason=reason)], operator=operator)
    return Leaving(code, date, available, 0, list(appended.seqs))


def merge(conn: sqlite3.Connection, source: str, target: str, *, operator: str, reason: str,
          date: str) -> Leaving:
    """`source` was registered twice: its available and honour points move to `target` by a
    pair of postings naming each other, and `source` is closed, merged into `target`."""
    from jifen_cli import ledger, registers
    from jifen_cli.ledger import Posting

    reason = _reason(reason)
    if source == target:
        raise BadInput("merge_same", code=source)
    with db.transaction(conn):
        ensure_open(conn, target)
        available, honour = _leaving(conn, source, date, operator)
        out_seq = ledger.head(conn)[0] + 1
        appended = ledger.append(conn, [
            Posting(kind="merge", date=date, household=source, points=-available, qty=-honour,
                    ref=f"merge:{source}:{out_seq}:out",
                    note=f"并入 {target}（#{out_seq + 1}）：{reason}",
                    recorded_by=operator, reviewed_by=operator),
            Posting(kind="merge", date=date, household=target, points=available, qty=honour,
                    ref=f"merge:{source}:{out_seq}:in", note=f"由 {source} 并入（#{out_seq}）：{reason}",
                    recorded_by=operator, reviewed_by=operator),
        ])
        conn.execute("UPDATE households SET closed_on = ?, merged_into = ? WHERE code = ?",
                     (date, target, source))
        registers.append(conn, [registers.Change(
            "household", source, "merge", {"closed": date, "merged_into": target},
            old={"closed": None, "merged_into": None}, effective=date, reason=reason)],
            operator=operator)
    return Leaving(source, date, available, honour, list(appended.seqs), into=target)


def reopen(conn: sqlite3.Connection, code: str, *, operator: str, reason: str,
           date: str) -> Leaving:
    """A household closed or merged by mistake comes back: the posting that cleared its points
    is reversed (or, for a merge, the pair that moved them is undone by a pair naming it, honour
    and all), and it is open again, with its history saying so."""
    from jifen_cli import ledger, registers
    from jifen_cli.ledger import Posting
    from jifen_cli.village import require_reviewer

    reason = _reason(reason)
    with db.transaction(conn):
        row = conn.execute("SELECT closed_on, merged_into FROM households WHERE code = ?",
                           (code,)).fetchone()
        if row is None:
            raise UnknownHousehold(code=code)
        closed, into = row
        if closed is None:
            raise BadInput("household_not_closed", code=code)
        require_reviewer(conn, operator)
        periods.ensure_open(conn, date)
        if date < closed:
            raise BadInput("reopen_before_closing", code=code, date=date, closed=closed)
        kind = "merge" if into else "close"
        (seq, points, qty) = conn.execute(
            "SELECT seq, points, qty FROM postings WHERE household = ? AND kind = ?"
            " ORDER BY seq DESC LIMIT 1", (code, kind)).fetchone()
        if into:
            ensure_open(conn, into)
            available = conn.execute("SELECT available FROM households WHERE code = ?",
                                     (into,)).fetchone()[0]
            if available < -points:  # what the household it went into has spent of it
                raise BadInput("reopen_spent", code=code, into=into, points=-points,
                               available=available)
            postings = [
                Posting(kind="merge", date=date, household=into, points=points, qty=qty,
                        reverses=seq + 1, note=f"撤销合并：{code} 移回（#{seq + 1}）：{reason}",
                        recorded_by=operator, reviewed_by=operator),
                Posting(kind="merge", date=date, household=code, points=-points, qty=-qty,
                        reverses=seq, note=f"撤销合并：由 {into} 移回（#{seq}）：{reason}",
                        recorded_by=operator, reviewed_by=operator),
            ]
        else:
            postings = [Posting(kind="reverse", date=date, household=code, points=-points,
                                reverses=seq, note=f"撤销销户（#{seq}）：{reason}",
                                recorded_by=operator, reviewed_by=operator)]
        appended = ledger.append(conn, postings, reopening=code)
        conn.execute("UPDATE households SET closed_on = NULL, merged_into = NULL WHERE code = ?",
                     (code,))
        registers.append(conn, [registers.Change(
            "household", code, "reopen", {"closed": None, "merged_into": None},
            old={"closed": closed, "merged_into": into}, effective=date, reason=reason)],
            operator=operator)
    return Leaving(code, date, -points, -qty, list(appended.seqs), into=into)


def balance(conn: sqlite3.Connection, code: str) -> dict:
    row = conn.execute(
        "SELECT code, available, honour FROM households WHERE code = ?", (code,)
    ).fetchone()
    if row is None:
        raise UnknownHousehold(code=code)
    return {"household": row[0], "available": row[1], "honour": row[2]}


def balances(conn: sqlite3.Connection) -> list[dict]:
    return [
        {"household": code, "name": name, "group": grp, "available": available, "honour": honour}
        for code, name, grp, available, honour in conn.execute(
            "SELECT code, name, grp, available, honour FROM households ORDER BY code"
        )
    ]


HISTORY_KEYS = ("seq", "date", "kind", "points", "rule", "item", "qty", "note", "shop", "reverses",
                "recorded_by", "reviewed_by", "created_at")


def history(conn: sqlite3.Connection, code: str, *, limit: int | None = None) -> list[dict]:
    """A household's postings in the order things happened: by date, then as entered (the last
    `limit` of them when given), each with its rule's title and its item's name as they stood on
    the posting's date (the rule version in force; the item's name before a later rename)."""
    from jifen_cli import registers
    from jifen_cli.rules import Book

    if not exists(conn, code):
        raise UnknownHousehold(code=code)
    sql = (
        "SELECT seq, date, kind, points, rule, item, qty, note, shop, reverses, recorded_by,"
        " reviewed_by, created_at FROM postings WHERE household = ?"
    )
    params: tuple = (code,)
    if limit is None:
        sql += " ORDER BY date, seq"
    else:
        sql = f"SELECT * FROM ({sql} ORDER BY date DESC, seq DESC LIMIT ?) ORDER BY date, seq"
        params = (code, limit)
    book, names = Book(conn), registers.item_names(conn)
    out = []
    for row in conn.execute(sql, params):
        posting = dict(zip(HISTORY_KEYS, row))
        posting["title"] = (book.on(posting["rule"], posting["date"], retired_ok=True).title
                            if posting["rule"] in book else None)
        posting["item_name"] = names.on(posting["item"], posting["date"])
        out.append(posting)
    return out

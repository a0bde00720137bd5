"""The rule book (评分指标): signed points per unit, category, optional monthly cap — by version.

The villagers' assembly revises the rule book: `edit --from DATE` makes a new version of a rule
(title, points, monthly cap) that holds from DATE until the next one; the first version holds
from the beginning. A claim is approved with the version in force on the claim's own date,
cap included, whenever it is approved. `retire --from DATE` ends a rule: claims dated from DATE
on are refused. A version or retirement may not start where postings of the rule already stand
(they were posted under the version before), nor in a published quarter.

`rules` keeps each rule's category, its latest version's values and its retirement;
`rule_versions` every version; the history (registers.py) every change with its reason.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from jifen_cli import db, periods, registers
from jifen_cli.errors import BadInput, Duplicate, Retired, UnknownRule
from jifen_cli.periods import OPENING
from jifen_cli.values import check_code, check_text, now, parse_int, today

COLUMNS = ("code", "category", "title", "points", "cap_month")


def _points(value) -> int:
    points = parse_int(value, "points")
    if points == 0:
        raise BadInput("bad_zero_points")
    return points


def _cap(value) -> int | None:
    return None if value in (None, "") else parse_int(value, "cap_month", minimum=1)


def clean(code, category, title, points, cap_month=None) -> dict:
    points = _points(points)
    return {
        "code": check_code(code),
        "category": check_text(category, "category"),
        "title": check_text(title, "title"),
        "points": points,
        "cap_month": _cap(cap_month),
    }


def insert_many(conn: sqlite3.Connection, rules: list[dict], *, operator: str) -> None:
    """Add rules, each with its first version and the `add` that starts its history."""
    stamp = now()
    conn.executemany(
        "INSERT INTO rules (code, category, title, points, cap_month, created_at, created_by)"
        " VALUES (:code, :category, :title, :points, :cap_month, :stamp, :operator)",
        [{**r, "stamp": stamp, "operator": operator} for r in rules],
    )
    conn.executemany(
        "INSERT INTO rule_versions (code, valid_from, title, points, cap_month)"
        " VALUES (:code, :valid_from, :title, :points, :cap_month)",
        [{**r, "valid_from": OPENING} for r in rules],
    )
    registers.append(conn, [registers.Change(
        "rule", r["code"], "add", {k: r[k] for k in ("category", "title", "points", "cap_month")},
        effective=OPENING) for r in rules], operator=operator, at=stamp)


def add(conn: sqlite3.Connection, *, operator: str, **fields) -> dict:
    rule = clean(**fields)
    with db.transaction(conn):
        if conn.execute("SELECT 1 FROM rules WHERE code = ?", (rule["code"],)).fetchone():
            raise Duplicate(what="rule", code=rule["code"])
        insert_many(conn, [rule], operator=operator)
    return rule


@dataclass(frozen=True)
class Version:
    """A rule as it stands on one day: what a claim of that day is approved with."""

    code: str
    category: str
    title: str
    points: int
    cap_month: int | None
    valid_from: str          # OPENING for the first version
    retired: str | None      # the day from which the rule takes no claims

    def as_dict(self) -> dict:
        """The `rule list --json` shape."""
        return {"code": self.code, "category": self.category, "title": self.title,
                "points": self.points, "cap_month": self.cap_month,
                "from": None if self.valid_from == OPENING else self.valid_from,
                "retired": self.retired}


class Book:
    """The whole rule book, every version, read once: `on(code, date)` is the version in force."""

    def __init__(self, conn: sqlite3.Connection):
        self.rules: dict[str, registers.Rule] = registers.current_rules(conn)

    def on(self, code: str, date: str, *, retired_ok: bool = False) -> Version:
        rule = self.rules.get(code)
        if rule is None:
            if not code:
                raise BadInput("bad_name", field="rule")
            raise UnknownRule(code=code)
        if rule.retired is not None and date >= rule.retired and not retired_ok:
            raise Retired("rule_retired", code=code, date=date, retired=rule.retired)
        v = rule.version_on(date)
        return Version(code, rule.category, v.title, v.points, v.cap_month, v.valid_from,
                       rule.retired)

    def __contains__(self, code: str) -> bool:
        return code in self.rules


def on(conn: sqlite3.Connection, code: str, date: str) -> Version:
    """The version of rule `code` in force on `date`; refused when the rule was retired by
    then."""
    return Book(conn).on(code, date)


def get(conn: sqlite3.Connection, code: str) -> dict:
    """The rule as it stands now (the version in force today)."""
    version = Book(conn).on(code, today().isoformat(), retired_ok=True)
    return {k: getattr(version, k) for k in COLUMNS}


def list_all(conn: sqlite3.Connection, *, every_version: bool = False,
             on_date: str | None = None) -> list[Version]:
    """The version of each rule in force on `on_date` (today), or every version of each."""
    day = on_date or today().isoformat()
    out = []
    for code, rule in sorted(registers.current_rules(conn).items()):
        versions = rule.versions if every_version else [rule.version_on(day)]
        out.extend(Version(code, rule.category, v.title, v.points, v.cap_month, v.valid_from,
                           rule.retired) for v in versions)
    return out


def _posted_from(conn: sqlite3.Connection, code: str, date: str) -> tuple[int, str] | None:
    """The first posting of the rule dated on or after `date` that still stands."""
    return conn.execute(
        "SELECT p.seq, p.date FROM postings p WHERE p.rule = ? AND p.date >= ?"
        " AND (p.kind = 'earn' OR p.kind = 'deduct')"
        " AND NOT EXISTS (SELECT 1 FROM postings r WHERE r.reverses = p.seq)"
        " ORDER BY p.date, p.seq LIMIT 1", (code, date)).fetchone()


def _changing(conn: sqlite3.Connection, code: str, date: str) -> registers.Rule:
    """The checks before a version or retirement from `date`."""
    rule = registers.current_rules(conn).get(code)
    if rule is None:
        raise UnknownRule(code=code)
    if rule.retired is not None:
        raise Retired("rule_retired_already", code=code, retired=rule.retired)
    periods.ensure_open(conn, date)
    posted = _posted_from(conn, code, date)
    if posted:
        raise BadInput("rule_posted_from", code=code, date=date, seq=posted[0], posted=posted[1])
    return rule


def edit(conn: sqlite3.Connection, code: str, *, valid_from: str, reason: str, operator: str,
         title: str | None = None, points=None, cap_month=None) -> Version:
    """A new version of the rule from `valid_from`: the fields given change, the others are
    carried over from the version in force that day. `cap_month` 0 removes the cap."""
    reason = check_text(reason, "reason")
    if title is None and points is None and cap_month is None:
        raise BadInput("edit_nothing", code=code)
    with db.transaction(conn):
        rule = _changing(conn, code, valid_from)
        if valid_from == OPENING or any(v.valid_from == valid_from for v in rule.versions):
            raise BadInput("rule_version_exists", code=code, date=valid_from)
        before = rule.version_on(valid_from)
        new = {
            "title": before.title if title is None else check_text(title, "title"),
            "points": before.points if points is None else _points(points),
            "cap_month": before.cap_month if cap_month is None
            else (None if parse_int(cap_month, "cap_month", minimum=0) == 0
                  else parse_int(cap_month, "cap_month", minimum=1)),
        }
        old = {"title": before.title, "points": before.points, "cap_month": before.cap_month}
        if new == old:
            raise BadInput("edit_no_change", code=code)
        conn.execute("INSERT INTO rule_versions (code, valid_from, title, points, cap_month)"
                     " VALUES (?, ?, ?, ?, ?)", (code, valid_from, *new.values()))
        latest = conn.execute(
            "SELECT title, points, cap_month FROM rule_versions WHERE code = ?"
            " ORDER BY valid_from DESC LIMIT 1", (code,)).fetchone()
        conn.execute("UPDATE rules SET title = ?, points = ?, cap_month = ? WHERE code = ?",
                     (*latest, code))
        registers.append(conn, [registers.Change("rule", code, "version", new, old=old,
                                                 effective=valid_from, reason=reason)],
                         operator=operator)
    return Book(conn).on(code, valid_from)


def retire(conn: sqlite3.Connection, code: str, *, valid_from: str, reason: str,
           operator: str) -> str:
    """Claims dated from `valid_from` on are refused. Refused while claims dated from then
    are pending (review them first)."""
    reason = check_text(reason, "reason")
    with db.transaction(conn):
        _changing(conn, code, valid_from)
        pending = [f"#{i} {d}" for i, d in conn.execute(
            "SELECT id, date FROM claims WHERE rule = ? AND status = 'pending' AND date >= ?"
            " ORDER BY date, id", (code, valid_from))]
        if pending:
            raise BadInput("rule_retire_pending", code=code, date=valid_from,
                           count=len(pending), claims=", ".join(pending))
        conn.execute("UPDATE rules SET retired_from = ? WHERE code = ?", (valid_from, code))
        registers.append(conn, [registers.Change("rule", code, "retire", {"retired": valid_from},
                                                 old={"retired": None}, effective=valid_from,
                                                 reason=reason)], operator=operator)
    return valid_from

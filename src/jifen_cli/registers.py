"""The registers' history: every change to a household, rule, item, reviewer or partner shop.

The register tables (households, rules with rule_versions, items, reviewers, shops) hold each row
as it stands now, so reading them stays one lookup. `changes` holds how each row came to be:
one change per command — the register, the row's code, the action (add, edit, close, merge,
version, retire), the old and new values of what changed, the date it takes effect, the reason,
who and when — written in the same transaction as the row itself. Nothing in a register is ever
overwritten without its change.

`changes` is append-only (triggers refuse UPDATE and DELETE) and hash-chained like the ledger:
a change's hash is SHA-256 over the previous change's hash, a newline and the compact JSON array
of its fields in CHANGE_FIELDS order (`old` and `new` are themselves compact JSON objects with
sorted keys, carried as strings). The head is kept on the village row, and every publication
pins the head as it stood, so a quarter can be written again with the names it was published
with (`as_of`), and a rewritten history before a publication is caught.

The tables are therefore a cache of the history, like the balances are of the ledger: `verify`
replays every change and compares the result with every register row, so a name, group, rule
title or points, item name or price changed behind jifen's back is found and named.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field

from jifen_cli.i18n import Message
from jifen_cli.ledger import GENESIS, chain_hash, chain_proved
from jifen_cli.periods import OPENING
from jifen_cli.values import local_time

CHANGE_FIELDS = ("seq", "register", "code", "action", "effective", "old", "new", "reason",
                 "operator", "at")
HOUSEHOLD_FIELDS = ("name", "group", "members", "id_number", "phone")
ITEM_FIELDS = ("name", "points", "value_fen")
RULE_VERSION_FIELDS = ("title", "points", "cap_month")


def _values(values: dict | None) -> str | None:
    if values is None:
        return None
    return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


# A change is chained exactly as a posting is (ledger.chain_hash): SHA-256 over the previous
# hash, a newline and the compact JSON array of its fields.
change_hash = chain_hash


def head(conn: sqlite3.Connection) -> tuple[int, str]:
    return conn.execute("SELECT changes_seq, changes_hash FROM village").fetchone()


@dataclass
class Change:
    register: str
    code: str
    action: str
    new: dict
    old: dict | None = None
    effective: str = ""
    reason: str = ""


def append(conn: sqlite3.Connection, changes: list[Change], *, operator: str,
           at: str | None = None) -> int:
    """Chain and insert changes, moving the head. Inside the caller's transaction, which also
    writes the register rows themselves. Returns the last change's seq."""
    from jifen_cli.values import now, today

    seq, prev = head(conn)
    at = at or now()
    rows = []
    for change in changes:
        seq += 1
        fields = (seq, change.register, change.code, change.action,
                  change.effective or today().isoformat(), _values(change.old),
                  _values(change.new), change.reason, operator, at)
        prev = change_hash(prev, fields)
        rows.append((*fields, prev))
    if rows:
        conn.executemany(
            f"INSERT INTO changes ({', '.join(CHANGE_FIELDS)}, hash)"
            f" VALUES ({', '.join('?' * (len(CHANGE_FIELDS) + 1))})", rows)
        conn.execute("UPDATE village SET changes_seq = ?, changes_hash = ?", (seq, prev))
    return seq


# What `retire` looks for in the ledger: a posting of the row dated after the retirement.
_LATER = {"item": "item", "reviewer": "reviewed_by"}
_TABLES = {"item": ("items", "code"), "reviewer": ("reviewers", "name")}


def retire(conn: sqlite3.Connection, register: str, code: str, *, date: str, reason: str,
           operator: str) -> None:
    """An item or a reviewer retired from `date`, inside the caller's transaction: refused when
    the ledger has a posting of it dated later (the history would say it was gone before it);
    else the row's retired_on set and the change kept with its reason."""
    from jifen_cli.errors import BadInput

    later = conn.execute(
        f"SELECT seq, date FROM postings WHERE {_LATER[register]} = ? AND date > ?"
        " ORDER BY date LIMIT 1", (code, date)).fetchone()
    if later:
        raise BadInput("retire_before_activity", what=register, code=code, date=date,
                       seq=later[0], later=later[1])
    table, key = _TABLES[register]
    conn.execute(f"UPDATE {table} SET retired_on = ? WHERE {key} = ?", (date, code))
    append(conn, [Change(register, code, "retire", {"retired": date}, old={"retired": None},
                         effective=date, reason=reason)], operator=operator)


# --- the state a history describes ------------------------------------------------------------


@dataclass
class Household:
    code: str
    name: str
    group: str = ""
    members: int = 1
    id_number: str | None = None
    phone: str | None = None
    closed: str | None = None       # the day it left (迁出/销户) or was merged away
    merged_into: str | None = None


@dataclass
class RuleVersion:
    valid_from: str
    title: str
    points: int
    cap_month: int | None


@dataclass
class Rule:
    code: str
    category: str
    versions: list[RuleVersion] = field(default_factory=list)  # by valid_from
    retired: str | None = None  # claims dated from this day on are refused

    def version_on(self, date: str) -> RuleVersion:
        """The version in force on `date` (the first version holds from the beginning)."""
        chosen = self.versions[0]
        for version in self.versions:
            if version.valid_from <= date:
                chosen = version
        return chosen

    @property
    def latest(self) -> RuleVersion:
        return self.versions[-1]


@dataclass
class Item:
    code: str
    name: str
    points: int
    value_fen: int
    retired: str | None = None


@dataclass
class Registers:
    """Every register as a history describes it (all of it, or up to a change)."""

    households: dict[str, Household] = field(default_factory=dict)
    rules: dict[str, Rule] = field(default_factory=dict)
    items: dict[str, Item] = field(default_factory=dict)
    reviewers: dict[str, str | None] = field(default_factory=dict)  # name -> retired on
    shops: dict[str, str] = field(default_factory=dict)             # name -> contact
    seq: int = 0
    head: str = GENESIS
    problems: list[Message] = field(default_factory=list)


def _apply(state: Registers, seq: int, register: str, code: str, action: str, effective: str,
           new: dict) -> None:
    """One change applied to the state. A change that cannot apply (to a row never added, an
    action unknown) is a problem: the history was written by something other than jifen."""
    if register == "household":
        if action == "add":
            state.households[code] = Household(code=code, **{k: new[k] for k in HOUSEHOLD_FIELDS})
            return
        household = state.households.get(code)
        if household is None or action not in ("edit", "close", "merge", "reopen"):
            raise KeyError(code)
        if action == "edit":
            for key, value in new.items():
                if key not in HOUSEHOLD_FIELDS:
                    raise KeyError(key)
                setattr(household, key, value)
        else:  # close, merge, and reopen (closed None again)
            household.closed = new["closed"]
            household.merged_into = new.get("merged_into")
    elif register == "rule":
        if action == "add":
            state.rules[code] = Rule(code, new["category"], [RuleVersion(
                OPENING, new["title"], new["points"], new["cap_month"])])
            return
        rule = state.rules[code]
        if action == "version":
            version = RuleVersion(effective, new["title"], new["points"], new["cap_month"])
            rule.versions = sorted([v for v in rule.versions if v.valid_from != effective]
                                   + [version], key=lambda v: v.valid_from)
        elif action == "retire":
            rule.retired = new["retired"]
        else:
            raise KeyError(action)
    elif register == "item":
        if action == "add":
            state.items[code] = Item(code, new["name"], new["points"], new["value_fen"])
            return
        item = state.items[code]
        if action == "edit":
            for key, value in new.items():
                if key not in ITEM_FIELDS:
                    raise KeyError(key)
                setattr(item, key, value)
        elif action == "retire":
            item.retired = new["retired"]
        else:
            raise KeyError(action)
    elif register == "reviewer":
        if action == "add":
            state.reviewers[code] = None
        elif action == "retire" and code in state.reviewers:
            state.reviewers[code] = new["retired"]
        else:
            raise KeyError(action)
    elif register == "shop":
        if action != "add":
            raise KeyError(action)
        state.shops[code] = new.get("contact", "")
    else:
        raise KeyError(register)


def replay(conn: sqlite3.Connection, through: int | None = None) -> Registers:
    """The registers as the history describes them, up to change `through` (all by default),
    with the chain checked on the way: `problems` names the first change that does not match."""
    state = Registers()
    prev, expected = GENESIS, 0
    sql = f"SELECT {', '.join(CHANGE_FIELDS)}, hash FROM changes"
    params: tuple = ()
    if through is not None:
        sql += " WHERE seq <= ?"
        params = (through,)
    for row in conn.execute(sql + " ORDER BY seq", params):
        expected += 1
        fields, stored = row[:-1], row[-1]
        seq = fields[0]
        if seq != expected:
            state.problems.append(Message("registers_missing", seq=expected))
            break
        prev = change_hash(prev, fields)
        if prev != stored:
            state.problems.append(Message("registers_hash", seq=seq))
            break
        _, register, code, action, effective, _, new, *_ = fields  # CHANGE_FIELDS order
        try:
            _apply(state, seq, register, code, action, effective, json.loads(new))
        except (KeyError, TypeError, ValueError, IndexError):
            state.problems.append(Message("registers_unreadable", seq=seq))
            break
        state.seq, state.head = seq, prev
    return state


def current_rules(conn: sqlite3.Connection) -> dict[str, Rule]:
    """The rule book as the tables hold it now, every version."""
    rules = {code: Rule(code, category, [], retired) for code, category, retired in conn.execute(
        "SELECT code, category, retired_from FROM rules ORDER BY code")}
    for code, valid_from, title, points, cap in conn.execute(
        "SELECT code, valid_from, title, points, cap_month FROM rule_versions"
        " ORDER BY code, valid_from"
    ):
        if code in rules:
            rules[code].versions.append(RuleVersion(valid_from, title, points, cap))
    return rules


def current(conn: sqlite3.Connection) -> Registers:
    """The registers as the tables hold them now (the cache the history is checked against)."""
    state = Registers()
    for code, name, grp, members, id_number, phone, closed, merged in conn.execute(
        "SELECT code, name, grp, members, id_number, phone, closed_on, merged_into"
        " FROM households ORDER BY code"
    ):
        state.households[code] = Household(code, name, grp, members, id_number, phone, closed,
                                           merged)
    state.rules = current_rules(conn)
    for code, name, points, value_fen, retired in conn.execute(
        "SELECT code, name, points, value_fen, retired_on FROM items ORDER BY code"
    ):
        state.items[code] = Item(code, name, points, value_fen, retired)
    state.reviewers = dict(conn.execute("SELECT name, retired_on FROM reviewers ORDER BY name"))
    state.shops = dict(conn.execute("SELECT name, contact FROM shops ORDER BY name"))
    state.seq, state.head = head(conn)
    return state


def as_of(conn: sqlite3.Connection, through: int | None) -> Registers:
    """The registers as they stood after change `through` — the tables themselves when that is
    the head (nothing changed since), else the history replayed to it."""
    if through is None or through >= head(conn)[0]:
        return current(conn)
    return replay(conn, through)


# --- the cache checked against the history ---------------------------------------------------


def _rules_table(conn: sqlite3.Connection) -> dict[str, tuple]:
    """The rules rows' own copy of the latest version (what older readers see), by code."""
    return {code: (title, points, cap) for code, title, points, cap in conn.execute(
        "SELECT code, title, points, cap_month FROM rules")}


# The history's chain proved in bulk by the ledger's proof (ledger.chain_proved): SQLite writes
# each change's encoding (json_array escapes like Python's json), Python hashes it against the
# stored hash of the change before it. A BLOB makes json_array fail: the reference replay then.
_CHANGES_CHAIN = (f"SELECT seq, CAST(json_array({', '.join(CHANGE_FIELDS)}) AS BLOB), hash,"
                  " register, code, action, effective, new FROM changes ORDER BY seq")


def _agree(conn: sqlite3.Connection) -> bool:
    """True when the history's chain holds and every register table is exactly what it says;
    False on any doubt, and `differences` replays it change by change to name what differs.
    A fast path for `verify` and the roll-up: the whole history in one query, the registers
    compared whole (dataclass equality) instead of field by field."""
    try:
        rows = conn.execute(_CHANGES_CHAIN).fetchall()
        state = Registers()
        if rows:
            seqs, encodings, hashes = list(zip(*rows))[:3]
            if not chain_proved(seqs, encodings, hashes):
                return False
            for seq, _, _, register, code, action, effective, new in rows:
                _apply(state, seq, register, code, action, effective, json.loads(new))
            state.seq, state.head = seqs[-1], hashes[-1]
        tables = current(conn)
        if (state.seq, state.head, state.households, state.rules, state.items,
                state.reviewers, state.shops) != (
                tables.seq, tables.head, tables.households, tables.rules, tables.items,
                tables.reviewers, tables.shops):
            return False
        latest = _rules_table(conn)
        return all(latest.get(code, (r.latest.title, r.latest.points, r.latest.cap_month))
                   == (r.latest.title, r.latest.points, r.latest.cap_month)
                   for code, r in state.rules.items())
    except Exception:  # whatever it is, the replay meets it and names it
        return False


def differences(conn: sqlite3.Connection) -> list[Message]:
    """Every register row that is not what its history says: changed, added or removed behind
    jifen's back. Empty when the tables and the history agree (and the chain holds)."""
    if _agree(conn):
        return []
    history = replay(conn)
    if history.problems:
        return history.problems
    tables = current(conn)
    problems: list[Message] = []
    if (history.seq, history.head) != (tables.seq, tables.head):
        problems.append(Message("registers_head", seq=history.seq, head_seq=tables.seq))

    def facts(register: str, row) -> dict[str, tuple[Message, object]]:
        """A row as the fields a person would name (field -> (its name, value)): for a rule,
        each version's own, named with the day it starts."""
        def named(field: str, value, since: str = OPENING):
            label = Message(f"field_{field}")
            if since != OPENING:
                label = Message("field_since", field=label, date=since)
            return label, value

        if register == "household":
            return {f: named(f, getattr(row, f))
                    for f in (*HOUSEHOLD_FIELDS, "closed", "merged_into")}
        if register == "rule":
            out = {"category": named("category", row.category),
                   "retired": named("retired", row.retired)}
            for v in row.versions:
                for f in RULE_VERSION_FIELDS:
                    out[f"{f}@{v.valid_from}"] = named(f, getattr(v, f), v.valid_from)
            return out
        if register == "item":
            return {f: named(f if f != "name" else "item_name", getattr(row, f))
                    for f in (*ITEM_FIELDS, "retired")}
        field = "retired" if register == "reviewer" else "contact"
        return {field: named(field, row)}

    def said(value) -> str:
        return "—" if value in (None, "") else str(value)

    for register, ours, theirs in (
        ("household", history.households, tables.households),
        ("rule", history.rules, tables.rules),
        ("item", history.items, tables.items),
        ("reviewer", history.reviewers, tables.reviewers),
        ("shop", history.shops, tables.shops),
    ):
        for code in sorted(ours.keys() | theirs.keys()):
            if code not in ours:
                problems.append(Message("registers_row_added", register_key=f"what_{register}",
                                        code=code))
            elif code not in theirs:
                problems.append(Message("registers_row_removed",
                                        register_key=f"what_{register}", code=code))
            else:
                want, have = facts(register, ours[code]), facts(register, theirs[code])
                for name in sorted(want.keys() | have.keys()):
                    label, wanted = want.get(name, have.get(name))
                    found = have[name][1] if name in have else None
                    if name not in have or name not in want or wanted != found:
                        problems.append(Message(
                            "registers_row_changed", register_key=f"what_{register}",
                            code=code, field=label, stored=said(found),
                            history=said(wanted if name in want else None)))
    latest = _rules_table(conn)
    for code, rule in history.rules.items():
        v = rule.latest
        if code in latest and latest[code] != (v.title, v.points, v.cap_month):
            problems.append(Message(
                "registers_row_changed", register_key="what_rule", code=code,
                field=Message("field_latest_version"),
                stored=" / ".join(map(said, latest[code])),
                history=" / ".join(map(said, (v.title, v.points, v.cap_month)))))
    return problems


def pinned_problems(conn: sqlite3.Connection) -> list[Message]:
    """Publications pin the history's head as it stood: a history rewritten before a pin is
    caught even when the forger re-chained it."""
    problems = []
    hashes = dict(conn.execute("SELECT seq, hash FROM changes"))
    for quarter, seq, digest in conn.execute(
        "SELECT quarter, changes_seq, changes_hash FROM publications"
        " WHERE changes_seq IS NOT NULL ORDER BY quarter"
    ):
        if (GENESIS if seq == 0 else hashes.get(seq)) != digest:
            problems.append(Message("registers_pin", quarter=quarter, seq=seq))
    return problems


# --- the history of files made before it existed --------------------------------------------


def start_history(conn: sqlite3.Connection) -> list[tuple[int, str, str]]:
    """Begin the history of a file made before registers had one (migration 3): each row as it
    is becomes its `add`, in the order the rows were made, by whoever made them; every shop
    named on a posting is registered. Returns (changes_seq, changes_hash, quarter) for each
    publication: the history as it stood when the quarter was published."""
    adds: list[tuple[str, str, Change, str]] = []  # (created_at, by, change, register order)
    for code, name, grp, members, id_number, phone, at, by in conn.execute(
        "SELECT code, name, grp, members, id_number, phone, created_at, created_by FROM households"
    ):
        adds.append((at, by, Change("household", code, "add", {
            "name": name, "group": grp, "members": members, "id_number": id_number,
            "phone": phone}, effective=at[:10]), "1"))
    for code, category, title, points, cap, at, by in conn.execute(
        "SELECT code, category, title, points, cap_month, created_at, created_by FROM rules"
    ):
        conn.execute("INSERT INTO rule_versions (code, valid_from, title, points, cap_month)"
                     " VALUES (?, ?, ?, ?, ?)", (code, OPENING, title, points, cap))
        adds.append((at, by, Change("rule", code, "add", {
            "category": category, "title": title, "points": points, "cap_month": cap},
            effective=OPENING), "2"))
    for code, name, points, value_fen, at, by in conn.execute(
        "SELECT code, name, points, value_fen, created_at, created_by FROM items"
    ):
        adds.append((at, by, Change("item", code, "add", {
            "name": name, "points": points, "value_fen": value_fen}, effective=at[:10]), "3"))
    for name, at, by in conn.execute("SELECT name, added_at, added_by FROM reviewers"):
        adds.append((at, by, Change("reviewer", name, "add", {}, effective=at[:10]), "4"))
    # Registered by whoever recorded the shop's first posting, when it was recorded (SQLite
    # takes the bare columns from the row holding the min).
    for shop, at, by, _ in conn.execute(
        "SELECT shop, created_at, recorded_by, min(seq) FROM postings WHERE shop IS NOT NULL"
        " GROUP BY shop"
    ):
        conn.execute("INSERT INTO shops (name, contact, created_at, created_by)"
                     " VALUES (?, '', ?, ?)", (shop, at, by))
        adds.append((at, by, Change("shop", shop, "add", {"contact": ""}, effective=at[:10]), "5"))
    adds.sort(key=lambda a: (a[0], a[3], a[2].code))
    pins = conn.execute("SELECT quarter, published_at FROM publications").fetchall()
    seq_at: list[tuple[str, int]] = []
    for at, by, change, _ in adds:
        change.reason = "迁移：登记于记录历史之前"  # words written into the village's records
        seq = append(conn, [change], operator=by, at=at)
        seq_at.append((at, seq))
    hashes = dict(conn.execute("SELECT seq, hash FROM changes"))
    pinned = []
    for quarter, published_at in pins:
        # The rows made before the publication are the registers it was published with
        # (before this history, registers could only grow).
        seq = max((s for at, s in seq_at if at <= published_at), default=0)
        pinned.append((seq, hashes.get(seq, GENESIS), quarter))
    return pinned


# --- reading the history --------------------------------------------------------------------

def _shown(values: dict | None, private: bool) -> dict | None:
    """Values as a change is shown: ID numbers masked and phones hidden unless `private`."""
    if values is None or private:
        return values
    from jifen_cli.values import mask_id

    out = dict(values)
    if out.get("id_number"):
        out["id_number"] = mask_id(out["id_number"])
    if out.get("phone"):
        out["phone"] = "***"
    return out


def listing(conn: sqlite3.Connection, *, since: str | None = None, register: str | None = None,
            code: str | None = None, private: bool = False) -> list[dict]:
    """Every change (or those since a day, of one register, of one row), oldest first. A
    household's list includes the merge of another household into it."""
    sql = f"SELECT {', '.join(CHANGE_FIELDS)} FROM changes WHERE 1 = 1"
    params: list = []
    if register:
        sql += " AND register = ?"
        params.append(register)
    if code:
        sql += " AND (code = ? OR (action = 'merge' AND json_extract(new, '$.merged_into') = ?))"
        params += [code, code]
    out = []
    for row in conn.execute(sql + " ORDER BY seq", params):
        change = dict(zip(CHANGE_FIELDS, row))
        change["local_time"] = local_time(change["at"])
        if since and change["local_time"][:10] < since:  # the day on the clerk's clock
            continue
        change["old"] = _shown(json.loads(change["old"]) if change["old"] else None, private)
        change["new"] = _shown(json.loads(change["new"]), private)
        change["by"] = change.pop("operator")
        out.append(change)
    return out


class ItemNames:
    """Each item's name through time, from its history: the name on a day is the one its last
    change effective by then gave it (before its first, the name it was added with)."""

    def __init__(self, timeline: dict[str, list[tuple[str, str]]]):
        self.timeline = timeline

    def on(self, code: str | None, date: str) -> str | None:
        names = self.timeline.get(code) if code else None
        if not names:
            return None
        chosen = names[0][1]
        for effective, name in names:
            if effective <= date:
                chosen = name
        return chosen


def item_names(conn: sqlite3.Connection) -> ItemNames:
    timeline: dict[str, list[tuple[str, str]]] = {}
    for code, effective, new in conn.execute(
        "SELECT code, effective, json_extract(new, '$.name') FROM changes"
        " WHERE register = 'item' AND json_extract(new, '$.name') IS NOT NULL ORDER BY seq"
    ):
        timeline.setdefault(code, []).append((effective, new))
    return ItemNames(timeline)

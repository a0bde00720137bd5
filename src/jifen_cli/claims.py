"""Claims (记录) and the monthly review (审核).

一事一记录: every event is one claim, pending until a working-group reviewer who did not record
it approves (posting it to the ledger) or rejects it (keeping it, with the reason).

Monthly caps: a rule with `cap_month` limits the points (in absolute value) one household can get
from it in one calendar month, by the date the event happened (a reversal counts in the month of
the posting it reverses). On approval a claim that would pass
the cap is posted *up to* the cap, and its posting note says so; a claim with nothing left under
the cap is rejected with the cap named. The reviewer sees both in the command's output. This
follows the paper rule books (每月最高 N 分): the event is real, the rule limits what it earns.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from jifen_cli import db, ledger, periods, village
from jifen_cli.errors import (
    BadInput,
    ClaimNotPending,
    EvidenceProblem,
    JifenError,
    OwnClaim,
    UnknownClaim,
)
from jifen_cli.households import ensure_open as household_open
from jifen_cli.i18n import Message
from jifen_cli.ledger import Posting
from jifen_cli.rules import Book, Version
from jifen_cli.values import MAX_WHOLE, now, optional_text, parse_int, today

EVIDENCE_LIMIT = 10 * 1024 * 1024  # 10 MiB a file: a phone photo, a scanned page
CLAIM_KEYS = ("id", "household", "rule", "qty", "date", "note", "ref", "status", "recorded_by",
              "recorded_at", "reviewed_by", "reviewed_at", "reason", "posting", "event")


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MiB"


def read_evidence(paths: list[Path]) -> list[tuple[str, str, int, bytes]]:
    """(name, sha256, size, bytes) of each evidence file, refusing unreadable or oversized ones."""
    import hashlib  # here: OpenSSL is loaded only when there is evidence to hash
    out = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            raise EvidenceProblem(file=str(path), detail_key="evidence_is_folder")
        try:
            if not path.is_file():  # a device like /dev/zero, a pipe: not a document
                raise OSError
            with open(path, "rb") as f:
                data = f.read(EVIDENCE_LIMIT + 1)  # bounded, even if the file grows meanwhile
                size = max(len(data), os.fstat(f.fileno()).st_size)
        except OSError:
            raise EvidenceProblem(file=str(path), detail_key="evidence_missing") from None
        if size > EVIDENCE_LIMIT:
            raise EvidenceProblem(file=str(path), detail_key="evidence_too_big",
                                  size=_size(size), limit=_size(EVIDENCE_LIMIT))
        out.append((path.name, hashlib.sha256(data).hexdigest(), len(data), data))
    return out


# The most points one claim may carry, either way: the bound on what a clerk can type
# (values.MAX_WHOLE), now on what a claim makes, qty x points.
MAX_CLAIM_POINTS = MAX_WHOLE


def check_points(household: str, rule: Version, qty: int, *, claim: int | None = None) -> int:
    """The points a claim of `qty` under `rule` (the version in force on its date) makes,
    refused when they pass MAX_CLAIM_POINTS (in absolute value). Every claim is checked here
    where it is made (`record`, the records importer, an event) and again when it is posted
    (a later version of the rule may give more points)."""
    points = rule.points * qty
    if abs(points) > MAX_CLAIM_POINTS:
        facts = {"household": household, "rule": rule.code, "qty": qty,
                 "points": rule.points, "total": points, "limit": MAX_CLAIM_POINTS}
        if claim is not None:
            raise BadInput("claim_points_too_many_pending", id=claim, **facts)
        raise BadInput("claim_points_too_many", **facts)
    return points


def check_claim(conn: sqlite3.Connection, household: str, rule: str, qty, date: str) -> int:
    """The checks a claim must pass when it is recorded; returns the clean qty."""
    household_open(conn, household)
    rule_row = Book(conn).on(rule, date)  # a rule retired by the claim's date takes no claim
    qty = parse_int(qty, "qty", minimum=1)
    check_points(household, rule_row, qty)
    if date > today().isoformat():
        raise BadInput("future_date", value=date, today=today().isoformat())
    periods.ensure_open(conn, date)
    return qty


def record(conn: sqlite3.Connection, household: str, rule: str, *, qty=1, date: str,
           note: str = "", evidence: list[Path] = (), operator: str, ref: str | None = None) -> int:
    files = read_evidence(list(evidence))
    with db.transaction(conn):
        qty = check_claim(conn, household, rule, qty, date)
        cursor = conn.execute(
            "INSERT INTO claims (household, rule, qty, date, note, ref, recorded_by, recorded_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (household, rule, qty, date, optional_text(note, "note", note=True), ref, operator, now()),
        )
        claim_id = cursor.lastrowid
        if files:  # the archive's module only when there is something to archive
            from jifen_cli import evidence as archive

            archive.link(conn, [claim_id], files, operator=operator)
    return claim_id


def get(conn: sqlite3.Connection, claim_id: int) -> dict:
    if not 0 < claim_id < 2**63:  # beyond SQLite's integers: no such claim, not an OverflowError
        raise UnknownClaim(id=claim_id)
    row = conn.execute(
        f"SELECT {', '.join(CLAIM_KEYS)} FROM claims WHERE id = ?", (claim_id,)
    ).fetchone()
    if row is None:
        raise UnknownClaim(id=claim_id)
    return dict(zip(CLAIM_KEYS, row))


def list_claims(conn: sqlite3.Connection, *, month: str | None = None,
                status: str | None = "pending") -> list[dict]:
    sql = f"SELECT {', '.join(CLAIM_KEYS)}, (SELECT count(*) FROM evidence e WHERE e.claim = c.id)" \
          " FROM claims c WHERE 1 = 1"
    params: list = []
    if status:
        sql += " AND status = ?"
        params.append(status)
    if month:
        sql += " AND substr(date, 1, 7) = ?"
        params.append(month)
    sql += " ORDER BY date, id"
    return [
        {**dict(zip(CLAIM_KEYS, row)), "evidence": row[-1]} for row in conn.execute(sql, params)
    ]


require_reviewer = village.require_reviewer


@dataclass
class Review:
    approved: list[int] = field(default_factory=list)
    points: int = 0
    capped: list[tuple[int, int, dict]] = field(default_factory=list)  # (claim, posted, cap facts)
    rejected_at_cap: list[tuple[int, dict]] = field(default_factory=list)
    skipped_own: list[int] = field(default_factory=list)
    rejected: list[int] = field(default_factory=list)


class CapBook:
    """Points already posted per (household, rule, month), read from the ledger once per key —
    or, for the rules named to `read_all`, all at once."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.used: dict[tuple[str, str, str], int] = {}
        self.complete: set[str] = set()  # rules whose every key `used` holds

    def read_all(self, rules: list[str]) -> None:
        """Read what the ledger holds under `rules` for every household and month in one
        query: an import meets thousands of keys, and a SELECT for each cost it more than the
        rest of its work on a capped rule. The months are the events' months, as in `room`."""
        if not rules:
            return
        for household, rule, month, total in self.conn.execute(
            "SELECT p.household, p.rule, substr(coalesce(o.date, p.date), 1, 7), sum(p.points)"
            " FROM postings p LEFT JOIN postings o ON o.seq = p.reverses"
            " WHERE p.rule IN (SELECT value FROM json_each(?)) AND p.household IS NOT NULL"
            " AND p.kind IN ('earn', 'deduct', 'reverse') GROUP BY 1, 2, 3",
            (json.dumps(rules, ensure_ascii=False),),
        ):
            self.used[(household, rule, month)] = abs(total)
        self.complete.update(rules)

    def room(self, household: str, rule: Version, month: str) -> int | None:
        cap = rule.cap_month
        if cap is None:
            return None
        key = (household, rule.code, month)
        if key not in self.used and rule.code in self.complete:
            self.used[key] = 0
        if key not in self.used:
            # A reversal belongs to the month of the event it corrects, not to the day it was
            # posted: undoing a May reward in June frees room in May and takes none in June.
            (total,) = self.conn.execute(
                "SELECT coalesce(sum(p.points), 0) FROM postings p"
                " LEFT JOIN postings o ON o.seq = p.reverses"
                " WHERE p.household = ? AND p.rule = ? AND p.kind IN ('earn', 'deduct', 'reverse')"
                " AND coalesce(o.date, p.date) BETWEEN ? AND ?",
                (household, rule.code, f"{month}-01", f"{month}-31"),
            ).fetchone()
            self.used[key] = abs(total)
        return max(cap - self.used[key], 0)

    def take(self, household: str, rule: Version, month: str, points: int) -> None:
        if rule.cap_month is not None:
            self.used[(household, rule.code, month)] += abs(points)


def approve(conn: sqlite3.Connection, ids: list[int] | None, *, reviewer: str,
            month: str | None = None) -> Review:
    """Approve the named pending claims, or (ids=None) every pending claim [of the month].

    With --all, claims the reviewer recorded are left for another reviewer and listed; named
    ones are refused.
    """
    review = Review()
    with db.transaction(conn):
        require_reviewer(conn, reviewer)
        if ids is None:
            claims = list_claims(conn, month=month)
            review.skipped_own = [c["id"] for c in claims if c["recorded_by"] == reviewer]
            claims = [c for c in claims if c["recorded_by"] != reviewer]
        else:
            claims = [_pending(conn, i, reviewer) for i in dict.fromkeys(ids)]
            for claim in claims:  # `approve 3 4 --month 2024-05`: each named claim is of May
                if month and not claim["date"].startswith(f"{month}-"):
                    raise BadInput("claim_not_in_month", id=claim["id"], date=claim["date"],
                                   month=month)
            claims.sort(key=lambda c: (c["date"], c["id"]))
        post_claims(conn, claims, reviewer=reviewer, review=review)
    return review


def post_claims(conn: sqlite3.Connection, claims: list[dict], *, reviewer: str,
                review: Review) -> None:
    """Post approved claims to the ledger, applying monthly caps. Inside a transaction."""
    book = Book(conn)
    caps = CapBook(conn)
    postings, decided, rejected = [], [], []
    for claim in claims:
        # The version of the rule in force on the day the event happened, its cap included.
        rule = book.on(claim["rule"], claim["date"])
        posting = capped_posting(caps, rule, claim, reviewer=reviewer, review=review)
        if posting is None:
            rejected.append((review.rejected_at_cap[-1][1], claim["id"]))
            continue
        postings.append(posting)
        decided.append(claim["id"])
    appended = ledger.append(conn, postings)
    stamp = now()
    conn.executemany(
        "UPDATE claims SET status = 'approved', reviewed_by = ?, reviewed_at = ?, posting = ?"
        " WHERE id = ?",
        [(reviewer, stamp, seq, claim_id) for seq, claim_id in zip(appended.seqs, decided)],
    )
    conn.executemany(
        "UPDATE claims SET status = 'rejected', reviewed_by = ?, reviewed_at = ?, reason = ?"
        " WHERE id = ?",
        [(reviewer, stamp, cap_reason(f), cid) for f, cid in rejected],
    )
    review.approved.extend(decided)


# Words written into the village's own records (a posting's note, a claim's reason) are the
# village's language, Chinese, like the notice on its board; they never change once written.
def cap_reason(facts: dict) -> str:
    return f"已达月上限 {facts['cap']} 分"


def capped_posting(caps: CapBook, rule: Version, claim: dict, *, reviewer: str,
                   review: Review) -> Posting | None:
    """The posting for one approved claim under its rule's monthly cap (recorded in `review`),
    or None when the cap leaves nothing (the claim is then rejected, also recorded there).
    Shared by the monthly review and `jifen import records --approve`."""
    points = check_points(claim["household"], rule, claim["qty"], claim=claim["id"])
    month = claim["date"][:7]
    room = caps.room(claim["household"], rule, month)
    note = claim["note"]
    if room is not None and abs(points) > room:
        facts = {"rule": rule.code, "cap": rule.cap_month, "household": claim["household"],
                 "month": month, "used": rule.cap_month - room,
                 # what the household has had under this rule: points earned, or deducted
                 "taken_key": "cap_taken_deducted" if points < 0 else "cap_taken_earned"}
        if room == 0:
            review.rejected_at_cap.append((claim["id"], facts))
            return None
        points = room if points > 0 else -room
        review.capped.append((claim["id"], points, facts))
        note = f"{note}（月上限 {rule.cap_month} 分，按上限计入）".lstrip()
    caps.take(claim["household"], rule, month, points)
    review.points += points
    return claim_posting(claim["id"], claim["household"], rule.code, claim["qty"],
                         claim["date"], points=points, note=note,
                         recorded_by=claim["recorded_by"], reviewer=reviewer)


def claim_posting(claim: int, household: str, rule: str, qty: int, date: str, *, points: int,
                  note: str, recorded_by: str, reviewer: str) -> Posting:
    """The posting an approved claim makes, once its points are decided (`capped_posting`; a
    rule without a monthly cap posts qty x points as they are)."""
    return Posting(
        kind="earn" if points > 0 else "deduct", date=date, household=household, rule=rule,
        qty=qty, points=points, claim=claim, note=note, recorded_by=recorded_by,
        reviewed_by=reviewer,
    )


def _pending(conn: sqlite3.Connection, claim_id: int, reviewer: str) -> dict:
    claim = get(conn, claim_id)
    if claim["status"] != "pending":
        raise ClaimNotPending(id=claim_id, status_key=f"status_{claim['status']}")
    if claim["recorded_by"] == reviewer:
        raise OwnClaim(id=claim_id, name=reviewer)
    return claim


def reject(conn: sqlite3.Connection, ids: list[int], *, reason: str, reviewer: str) -> Review:
    reason = reason.strip()
    if not reason:
        raise BadInput("bad_name", field="reason")
    review = Review()
    with db.transaction(conn):
        require_reviewer(conn, reviewer)
        for claim_id in dict.fromkeys(ids):
            _pending(conn, claim_id, reviewer)
            conn.execute(
                "UPDATE claims SET status = 'rejected', reviewed_by = ?, reviewed_at = ?, reason = ?"
                " WHERE id = ?",
                (reviewer, now(), reason, claim_id),
            )
            review.rejected.append(claim_id)
    return review


# --- the reviewer's desk: what a claim would post, one claim whole, evidence added later ------


def add_evidence(conn: sqlite3.Connection, claim_id: int, paths: list[Path], *,
                 operator: str) -> list[tuple[str, str, int, bytes]]:
    """More evidence for a pending claim, checked as `record --evidence` checks it. A decided
    claim takes none: what was decided on is what stays archived with it."""
    from jifen_cli import evidence as archive

    files = read_evidence(list(paths))
    with db.transaction(conn):
        claim = get(conn, claim_id)
        if claim["status"] != "pending":
            raise ClaimNotPending("evidence_claim_decided", id=claim_id,
                                  status_key=f"status_{claim['status']}")
        archive.link(conn, [claim_id], files, operator=operator)
    return files


@dataclass
class Outcome:
    """What approving a claim would post (a pending one) or posted (an approved one), and why.
    `why` is a Message: English as a string (--json), said in the reader's language on screen."""

    points: int | None          # None: nothing is posted (rejected, or no rule to post with)
    why: Message
    cap: dict | None = None     # the monthly cap's facts when it decides the points
    ahead: list[int] = field(default_factory=list)  # pending claims approval takes first


def outcomes(conn: sqlite3.Connection, claims: list[dict],
             book: Book | None = None) -> dict[int, Outcome]:
    """The outcome of each claim. Pending ones are taken as approval takes them — in date order,
    each under the monthly cap the ledger and the claims before it leave — through the very
    decision approval makes (capped_posting); nothing is written."""
    book = book or Book(conn)
    caps, out = CapBook(conn), {}
    for claim in sorted((c for c in claims if c["status"] == "pending"),
                        key=lambda c: (c["date"], c["id"])):
        try:
            rule = book.on(claim["rule"], claim["date"])
        except JifenError as exc:  # a rule retired after the claim was recorded
            out[claim["id"]] = Outcome(None, Message(exc.key, **exc.params))
            continue
        review = Review()
        posting = capped_posting(caps, rule, claim, reviewer="", review=review)
        base = {"points": rule.points, "qty": claim["qty"], "total": rule.points * claim["qty"]}
        if posting is None:
            facts = review.rejected_at_cap[0][1]
            out[claim["id"]] = Outcome(0, Message("points_why_cap_full", **base, **facts), facts)
        elif review.capped:
            facts = review.capped[0][2]
            out[claim["id"]] = Outcome(posting.points, Message(
                "points_why_capped", **base, **facts, posted=posting.points), facts)
        else:
            out[claim["id"]] = Outcome(posting.points, Message("points_why", **base))
    decided = [c for c in claims if c["status"] != "pending"]
    posted = dict(conn.execute(
        "SELECT seq, points FROM postings WHERE seq IN (SELECT value FROM json_each(?))",
        (json.dumps([c["posting"] for c in decided if c["posting"] is not None]),)))
    for claim in decided:
        if claim["status"] == "approved" and claim["posting"] in posted:
            points = posted[claim["posting"]]
            out[claim["id"]] = Outcome(points, Message("points_why_posted", posted=points,
                                                       seq=claim["posting"]))
        else:
            out[claim["id"]] = Outcome(None, Message("points_why_rejected",
                                                     reason=claim["reason"] or ""))
    return out


def review_list(conn: sqlite3.Connection, *, month: str | None = None,
                status: str | None = "pending") -> list[dict]:
    """The claims of `list_claims`, each with its household's `name`, its rule's `title` (the
    version in force on the claim's date), the `points` it would post (or posted) and, when
    the monthly cap decides them, the `cap`."""
    items = list_claims(conn, month=month, status=status)
    book = Book(conn)
    names = dict(conn.execute("SELECT code, name FROM households"))
    results = outcomes(conn, items, book)
    for claim in items:
        outcome = results[claim["id"]]
        claim.update(name=names.get(claim["household"], ""),
                     title=book.on(claim["rule"], claim["date"], retired_ok=True).title,
                     points=outcome.points, cap=outcome.cap)
    return items


def show(conn: sqlite3.Connection, claim_id: int) -> dict:
    """Everything a reviewer needs to decide on one claim."""
    from jifen_cli import evidence as archive

    claim = get(conn, claim_id)
    book = Book(conn)
    version = book.on(claim["rule"], claim["date"], retired_ok=True)
    name, group = conn.execute("SELECT name, grp FROM households WHERE code = ?",
                               (claim["household"],)).fetchone()
    if claim["status"] == "pending":
        # Approval takes the month's pending claims of this household and rule in date order:
        # those before this one share its monthly cap first.
        same = [dict(zip(CLAIM_KEYS, row)) for row in conn.execute(
            f"SELECT {', '.join(CLAIM_KEYS)} FROM claims WHERE status = 'pending'"
            " AND household = ? AND rule = ? AND substr(date, 1, 7) = ?"
            " AND (date < ? OR (date = ? AND id <= ?)) ORDER BY date, id",
            (claim["household"], claim["rule"], claim["date"][:7], claim["date"],
             claim["date"], claim_id))]
        outcome = outcomes(conn, same, book)[claim_id]
        if outcome.cap is not None:
            outcome.ahead = [c["id"] for c in same if c["id"] != claim_id]
    else:
        outcome = outcomes(conn, [claim], book)[claim_id]
    event = None
    if claim["event"] is not None:
        (households,) = conn.execute("SELECT count(*) FROM claims WHERE event = ?",
                                     (claim["event"],)).fetchone()
        event = {"id": claim["event"], "households": households}
    files = archive.of_claim(conn, claim_id)
    return {
        **claim, "name": name, "group": group, "title": version.title,
        "category": version.category, "rule_points": version.points,
        "cap_month": version.cap_month, "points": outcome.points, "cap": outcome.cap,
        "why": outcome.why, "ahead": outcome.ahead, "event": claim["event"],
        "event_households": event["households"] if event else None,
        "evidence": [f.as_dict() for f in files],
    }

"""Numbered schema migrations, applied in order on every open, each in its own transaction.

Never edit a migration once released: add the next number. `PRAGMA user_version` records the last
one applied. Integrity lives in the schema as well as in the code: foreign keys, CHECK constraints,
UNIQUE refs, and triggers that refuse UPDATE and DELETE on the ledger and the publications.
"""

from __future__ import annotations

import sqlite3

# Each migration is a SQL script, or a function of the connection for data moves. The script
# runs inside the same transaction that records its number (see migrate).
M001_INITIAL = """
        CREATE TABLE village (
            id          INTEGER PRIMARY KEY CHECK (id = 1),
            name        TEXT NOT NULL CHECK (name <> ''),
            township    TEXT NOT NULL DEFAULT '',
            county      TEXT NOT NULL DEFAULT '',
            class       INTEGER NOT NULL CHECK (class IN (1, 2, 3)),
            mode        TEXT NOT NULL CHECK (mode IN ('store', 'partner', 'both')),
            created_at  TEXT NOT NULL,
            created_by  TEXT NOT NULL,
            head_seq    INTEGER NOT NULL DEFAULT 0,
            head_hash   TEXT NOT NULL
        );

        CREATE TABLE reviewers (
            name        TEXT PRIMARY KEY CHECK (name <> ''),
            added_at    TEXT NOT NULL,
            added_by    TEXT NOT NULL
        );

        CREATE TABLE households (
            code        TEXT PRIMARY KEY,
            name        TEXT NOT NULL CHECK (name <> ''),
            grp         TEXT NOT NULL DEFAULT '',
            members     INTEGER NOT NULL DEFAULT 1 CHECK (members >= 0),
            id_number   TEXT,
            phone       TEXT,
            available   INTEGER NOT NULL DEFAULT 0,
            honour      INTEGER NOT NULL DEFAULT 0,
            created_at  TEXT NOT NULL,
            created_by  TEXT NOT NULL
        );

        CREATE TABLE rules (
            code        TEXT PRIMARY KEY,
            category    TEXT NOT NULL CHECK (category <> ''),
            title       TEXT NOT NULL CHECK (title <> ''),
            points      INTEGER NOT NULL CHECK (typeof(points) = 'integer' AND points <> 0),
            cap_month   INTEGER CHECK (cap_month IS NULL OR cap_month > 0),
            created_at  TEXT NOT NULL,
            created_by  TEXT NOT NULL
        );

        CREATE TABLE items (
            code        TEXT PRIMARY KEY,
            name        TEXT NOT NULL CHECK (name <> ''),
            points      INTEGER NOT NULL CHECK (typeof(points) = 'integer' AND points > 0),
            value_fen   INTEGER NOT NULL CHECK (typeof(value_fen) = 'integer' AND value_fen >= 0),
            stock       INTEGER NOT NULL DEFAULT 0 CHECK (stock >= 0),
            created_at  TEXT NOT NULL,
            created_by  TEXT NOT NULL
        );

        CREATE TABLE imports (
            id          INTEGER PRIMARY KEY,
            kind        TEXT NOT NULL,
            file_name   TEXT NOT NULL,
            sha256      TEXT NOT NULL,
            rows        INTEGER NOT NULL,
            written     INTEGER NOT NULL,
            skipped     INTEGER NOT NULL,
            operator    TEXT NOT NULL,
            imported_at TEXT NOT NULL,
            UNIQUE (kind, sha256)
        );

        CREATE TABLE claims (
            id          INTEGER PRIMARY KEY,
            household   TEXT NOT NULL REFERENCES households(code),
            rule        TEXT NOT NULL REFERENCES rules(code),
            qty         INTEGER NOT NULL CHECK (qty > 0),
            date        TEXT NOT NULL,
            note        TEXT NOT NULL DEFAULT '',
            ref         TEXT,
            status      TEXT NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'approved', 'rejected')),
            recorded_by TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            reviewed_by TEXT,
            reviewed_at TEXT,
            reason      TEXT,
            posting     INTEGER,
            import_id   INTEGER REFERENCES imports(id)
        );
        CREATE INDEX claims_status_date ON claims (status, date);
        CREATE UNIQUE INDEX claims_ref ON claims (ref) WHERE ref IS NOT NULL;

        CREATE TABLE evidence (
            id          INTEGER PRIMARY KEY,
            claim       INTEGER NOT NULL REFERENCES claims(id),
            name        TEXT NOT NULL,
            sha256      TEXT NOT NULL,
            size        INTEGER NOT NULL,
            data        BLOB NOT NULL,
            added_at    TEXT NOT NULL
        );
        CREATE INDEX evidence_claim ON evidence (claim);

        -- The ledger. Append-only; `hash` chains each posting to the one before it.
        -- qty: units (of a rule or an item); points: signed change to available points;
        -- stock: signed change to the item's stock; fen: the yuan amount of the event, in fen.
        CREATE TABLE postings (
            seq         INTEGER PRIMARY KEY,
            kind        TEXT NOT NULL CHECK (kind IN
                        ('earn', 'deduct', 'redeem', 'reverse', 'expire', 'grant', 'restock', 'settle')),
            date        TEXT NOT NULL,
            household   TEXT REFERENCES households(code),
            rule        TEXT REFERENCES rules(code),
            item        TEXT REFERENCES items(code),
            qty         INTEGER NOT NULL DEFAULT 0,
            points      INTEGER NOT NULL DEFAULT 0 CHECK (typeof(points) = 'integer'),
            stock       INTEGER NOT NULL DEFAULT 0 CHECK (typeof(stock) = 'integer'),
            fen         INTEGER NOT NULL DEFAULT 0 CHECK (typeof(fen) = 'integer'),
            shop        TEXT,
            reverses    INTEGER REFERENCES postings(seq),
            claim       INTEGER REFERENCES claims(id),
            ref         TEXT,
            note        TEXT NOT NULL DEFAULT '',
            recorded_by TEXT NOT NULL,
            reviewed_by TEXT,
            created_at  TEXT NOT NULL,
            hash        TEXT NOT NULL
        );
        CREATE INDEX postings_household ON postings (household, seq);
        CREATE INDEX postings_date ON postings (date);
        -- Sparse columns: partial UNIQUE indexes hold only the rows that have a value.
        CREATE UNIQUE INDEX postings_reverses ON postings (reverses) WHERE reverses IS NOT NULL;
        CREATE UNIQUE INDEX postings_claim ON postings (claim) WHERE claim IS NOT NULL;
        CREATE UNIQUE INDEX postings_ref ON postings (ref) WHERE ref IS NOT NULL;

        CREATE TRIGGER postings_no_update BEFORE UPDATE ON postings
        BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: correct a posting with jifen reverse'); END;
        CREATE TRIGGER postings_no_delete BEFORE DELETE ON postings
        BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: correct a posting with jifen reverse'); END;

        -- One row per published quarter: locks it and pins the ledger digest at that moment.
        CREATE TABLE publications (
            quarter      TEXT PRIMARY KEY,
            head_seq     INTEGER NOT NULL,
            digest       TEXT NOT NULL,
            published_at TEXT NOT NULL,
            published_by TEXT NOT NULL,
            manifest     TEXT NOT NULL DEFAULT '{}'
        );
        CREATE TRIGGER publications_no_update BEFORE UPDATE ON publications
        BEGIN SELECT RAISE(ABORT, 'a publication cannot be changed'); END;
        CREATE TRIGGER publications_no_delete BEFORE DELETE ON publications
        BEGIN SELECT RAISE(ABORT, 'a publication cannot be removed'); END;
"""

# What each ref-less row of an import said, as a short digest (imports/apply.py `_row_key`): a
# later import that says the same thing again (a grown file re-imported) is refused at those rows.
# Keyed by the digest itself (WITHOUT ROWID): one B-tree, no separate index, and a look-up of a
# batch's keys reads only the entries that match.
M002_IMPORT_ROWS = """
        CREATE TABLE import_rows (
            key         INTEGER NOT NULL,
            import_id   INTEGER NOT NULL REFERENCES imports(id),
            row         INTEGER NOT NULL,
            PRIMARY KEY (key, import_id, row)
        ) WITHOUT ROWID;
"""


# The ledger's kinds and the claims' statuses, written as OR chains: SQLite 3.40 builds an
# in-memory lookup table for `x IN (...)` on every row it checks, which costs more than the
# rest of the constraint (see bench/import_bench.py). Same rule, cheaper to check.
POSTING_KINDS = ("earn", "deduct", "redeem", "reverse", "expire", "grant", "restock", "settle",
                 "close", "merge")
CLAIM_STATUSES = ("pending", "approved", "rejected")


def _or_chain(column: str, values: tuple[str, ...]) -> str:
    return "(" + " OR ".join(f"{column} = '{v}'" for v in values) + ")"


def _replace_table_sql(conn: sqlite3.Connection, table: str, old: str, new: str) -> None:
    """Change a CHECK constraint in place, SQLite's documented way for a change that every row
    already satisfies (https://sqlite.org/lang_altertable.html, "other kinds of changes"): the
    table's stored CREATE statement is rewritten and the schema version bumped, inside the
    migration's transaction. Nothing on disk but the statement changes."""
    (sql,) = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
    if old not in sql:
        raise sqlite3.DatabaseError(f"unexpected schema of {table}: cannot migrate")
    (version,) = conn.execute("PRAGMA schema_version").fetchone()
    conn.execute("PRAGMA writable_schema = ON")
    try:
        conn.execute("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
                     (sql.replace(old, new), table))
        conn.execute(f"PRAGMA schema_version = {version + 1}")
    finally:
        conn.execute("PRAGMA writable_schema = OFF")


def _fill_publications(conn: sqlite3.Connection, sql: str, rows: list[tuple]) -> None:
    """Fill a column a migration added to publications. A publication is never changed, so the
    trigger that says so is lifted for this one statement and put back exactly as it was."""
    (trigger,) = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger'"
                              " AND name = 'publications_no_update'").fetchone()
    conn.execute("DROP TRIGGER publications_no_update")
    conn.executemany(sql, rows)
    conn.execute(trigger)


M003_REGISTERS_SQL = """
        -- Registers that change (issue "Registers that live through the years"). The register
        -- tables hold each row as it stands now; `changes` holds every change that made it so,
        -- append-only and hash-chained like the ledger (registers.py).
        CREATE TABLE changes (
            seq         INTEGER PRIMARY KEY,
            register    TEXT NOT NULL CHECK (register = 'household' OR register = 'rule'
                        OR register = 'item' OR register = 'reviewer' OR register = 'shop'),
            code        TEXT NOT NULL,
            action      TEXT NOT NULL,
            effective   TEXT NOT NULL,
            old         TEXT,
            new         TEXT NOT NULL,
            reason      TEXT NOT NULL DEFAULT '',
            operator    TEXT NOT NULL,
            at          TEXT NOT NULL,
            hash        TEXT NOT NULL
        );
        CREATE INDEX changes_row ON changes (register, code, seq);
        CREATE TRIGGER changes_no_update BEFORE UPDATE ON changes
        BEGIN SELECT RAISE(ABORT, 'the register history is append-only'); END;
        CREATE TRIGGER changes_no_delete BEFORE DELETE ON changes
        BEGIN SELECT RAISE(ABORT, 'the register history is append-only'); END;

        ALTER TABLE village ADD COLUMN changes_seq INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE village ADD COLUMN changes_hash TEXT NOT NULL
            DEFAULT '0000000000000000000000000000000000000000000000000000000000000000';

        ALTER TABLE households ADD COLUMN closed_on TEXT;
        ALTER TABLE households ADD COLUMN merged_into TEXT REFERENCES households(code);

        -- A rule's versions: each holds from its date until the next one. The rules row keeps
        -- the latest version's values and the retirement.
        CREATE TABLE rule_versions (
            code        TEXT NOT NULL REFERENCES rules(code),
            valid_from  TEXT NOT NULL,
            title       TEXT NOT NULL CHECK (title <> ''),
            points      INTEGER NOT NULL CHECK (typeof(points) = 'integer' AND points <> 0),
            cap_month   INTEGER CHECK (cap_month IS NULL OR cap_month > 0),
            PRIMARY KEY (code, valid_from)
        );
        ALTER TABLE rules ADD COLUMN retired_from TEXT;

        ALTER TABLE items ADD COLUMN retired_on TEXT;
        ALTER TABLE reviewers ADD COLUMN retired_on TEXT;

        CREATE TABLE shops (
            name        TEXT PRIMARY KEY CHECK (name <> ''),
            contact     TEXT NOT NULL DEFAULT '',
            created_at  TEXT NOT NULL,
            created_by  TEXT NOT NULL
        );

        -- A publication also pins the register history as it stood, so the quarter can be
        -- written again with the names it was published with.
        ALTER TABLE publications ADD COLUMN changes_seq INTEGER;
        ALTER TABLE publications ADD COLUMN changes_hash TEXT;
"""


def m003_registers(conn: sqlite3.Connection) -> None:
    """Registers with a history: the tables above, each existing row's history started with
    the row as it is, every shop named on a posting registered, and the new posting kinds."""
    for statement in _statements(M003_REGISTERS_SQL):
        conn.execute(statement)
    _replace_table_sql(
        conn, "postings",
        "CHECK (kind IN\n"
        "                        ('earn', 'deduct', 'redeem', 'reverse', 'expire', 'grant', "
        "'restock', 'settle'))",
        f"CHECK {_or_chain('kind', POSTING_KINDS)}")
    _replace_table_sql(
        conn, "claims",
        "CHECK (status IN ('pending', 'approved', 'rejected'))",
        f"CHECK {_or_chain('status', CLAIM_STATUSES)}")
    from jifen_cli import registers

    pins = registers.start_history(conn)
    _fill_publications(conn, "UPDATE publications SET changes_seq = ?, changes_hash = ?"
                             " WHERE quarter = ?", pins)


M004_EVIDENCE_SQL = """
        -- The evidence archive (issue "The reviewer's desk and the evidence archive"). A file's
        -- bytes are kept once, under their SHA-256, however many claims they back: an
        -- activity's photo backs the claim of every household that took part. `evidence` links
        -- a claim to a file under the name it was given.
        CREATE TABLE evidence_blobs (
            sha256      TEXT PRIMARY KEY,
            size        INTEGER NOT NULL,
            data        BLOB NOT NULL
        );

        -- One activity many households took part in (升旗仪式, 卫生评比): one pending claim per
        -- household, each naming the event it was recorded with.
        CREATE TABLE events (
            id          INTEGER PRIMARY KEY,
            rule        TEXT NOT NULL REFERENCES rules(code),
            date        TEXT NOT NULL,
            qty         INTEGER NOT NULL,
            note        TEXT NOT NULL DEFAULT '',
            recorded_by TEXT NOT NULL,
            recorded_at TEXT NOT NULL
        );
        ALTER TABLE claims ADD COLUMN event INTEGER REFERENCES events(id);
        CREATE INDEX claims_event ON claims (event) WHERE event IS NOT NULL;

        CREATE TABLE evidence_links (
            id          INTEGER PRIMARY KEY,
            claim       INTEGER NOT NULL REFERENCES claims(id),
            name        TEXT NOT NULL,
            sha256      TEXT NOT NULL REFERENCES evidence_blobs(sha256),
            added_at    TEXT NOT NULL,
            added_by    TEXT NOT NULL
        );
"""


def _blob_matches(conn: sqlite3.Connection, rowid: int, sha256: str) -> bool:
    """Whether an old evidence row's bytes still hash to its SHA-256, read 1 MiB at a time."""
    import hashlib

    digest = hashlib.sha256()
    with conn.blobopen("evidence", "data", rowid, readonly=True) as blob:
        while chunk := blob.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest() == sha256


def m004_evidence(conn: sqlite3.Connection) -> None:
    """Evidence stored once per distinct file, and events. The old `evidence` table (one copy of
    the bytes per row) is rebuilt as links to `evidence_blobs`; every row keeps its id, claim,
    name and time, and its adder is the claim's recorder (the only way evidence came in)."""
    for statement in _statements(M004_EVIDENCE_SQL):
        conn.execute(statement)
    # Of rows holding the same SHA-256, the bytes kept are the first that still match it (a
    # copy changed behind jifen's back is not the one kept when a sound one exists).
    rows: dict[str, list[int]] = {}
    for row_id, sha256 in conn.execute("SELECT id, sha256 FROM evidence ORDER BY id"):
        rows.setdefault(sha256, []).append(row_id)
    for sha256, ids in rows.items():
        keep = ids[0]
        if len(ids) > 1:
            keep = next((i for i in ids if _blob_matches(conn, i, sha256)), ids[0])
        conn.execute("INSERT INTO evidence_blobs (sha256, size, data)"
                     " SELECT sha256, size, data FROM evidence WHERE id = ?", (keep,))
    conn.execute(
        "INSERT INTO evidence_links (id, claim, name, sha256, added_at, added_by)"
        " SELECT e.id, e.claim, e.name, e.sha256, e.added_at, coalesce(c.recorded_by, '')"
        " FROM evidence e LEFT JOIN claims c ON c.id = e.claim ORDER BY e.id")
    conn.execute("DROP TABLE evidence")
    conn.execute("ALTER TABLE evidence_links RENAME TO evidence")
    conn.execute("CREATE INDEX evidence_claim ON evidence (claim)")
    conn.execute("CREATE INDEX evidence_sha256 ON evidence (sha256)")



M005_DISCLOSURE_LOOP_SQL = """
        -- The 公示 loop (issue "The 公示 loop"). One public language for every disclosure file.
        ALTER TABLE village ADD COLUMN public_lang TEXT NOT NULL DEFAULT 'zh'
            CHECK (public_lang = 'zh' OR public_lang = 'en');

        -- A publication's own date (the one on its notice) and its objection period.
        ALTER TABLE publications ADD COLUMN date TEXT;
        ALTER TABLE publications ADD COLUMN objection_days INTEGER;

        -- The files as published, kept so that a quarter can always be written again byte for
        -- byte, even by a later jifen that draws them differently (zlib-compressed).
        CREATE TABLE publication_files (
            quarter     TEXT NOT NULL REFERENCES publications(quarter),
            name        TEXT NOT NULL,
            sha256      TEXT NOT NULL,
            data        BLOB NOT NULL,
            PRIMARY KEY (quarter, name)
        );
        CREATE TRIGGER publication_files_no_update BEFORE UPDATE ON publication_files
        BEGIN SELECT RAISE(ABORT, 'a publication cannot be changed'); END;
        CREATE TRIGGER publication_files_no_delete BEFORE DELETE ON publication_files
        BEGIN SELECT RAISE(ABORT, 'a publication cannot be changed'); END;

        -- Objections (异议) raised while a disclosure hangs on the board, and their outcome.
        CREATE TABLE objections (
            id           INTEGER PRIMARY KEY,
            quarter      TEXT NOT NULL REFERENCES publications(quarter),
            household    TEXT REFERENCES households(code),
            text         TEXT NOT NULL CHECK (text <> ''),
            raised_by    TEXT NOT NULL DEFAULT '',
            date         TEXT NOT NULL,
            late         INTEGER NOT NULL CHECK (late = 0 OR late = 1),
            recorded_by  TEXT NOT NULL,
            recorded_at  TEXT NOT NULL,
            status       TEXT NOT NULL DEFAULT 'open'
                         CHECK (status = 'open' OR status = 'upheld' OR status = 'dismissed'),
            reason       TEXT,
            resolved_by  TEXT,
            resolved_at  TEXT,
            resolved_on  TEXT,
            resolved_after TEXT,      -- the latest published quarter when it was resolved
            reported_in  TEXT
        );
        CREATE INDEX objections_quarter ON objections (quarter, id);
        -- Open -> resolved once; then only the quarter whose disclosure reported it is set, once.
        CREATE TRIGGER objections_resolved_once BEFORE UPDATE ON objections
        WHEN OLD.status <> 'open' AND (NEW.status IS NOT OLD.status OR NEW.reason IS NOT OLD.reason
             OR NEW.text IS NOT OLD.text OR NEW.household IS NOT OLD.household
             OR NEW.date IS NOT OLD.date OR NEW.resolved_by IS NOT OLD.resolved_by
             OR NEW.resolved_on IS NOT OLD.resolved_on OR NEW.resolved_at IS NOT OLD.resolved_at
             OR NEW.resolved_after IS NOT OLD.resolved_after OR OLD.reported_in IS NOT NULL)
        BEGIN SELECT RAISE(ABORT, 'a resolved objection cannot be changed'); END;
        -- Reported once, by the disclosure being published (the latest), and only once resolved.
        CREATE TRIGGER objections_reported_by_publication BEFORE UPDATE OF reported_in ON objections
        WHEN NEW.reported_in IS NOT OLD.reported_in AND (OLD.reported_in IS NOT NULL
             OR NEW.status = 'open' OR NEW.reported_in IS NULL
             OR NEW.reported_in IS NOT (SELECT max(quarter) FROM publications))
        BEGIN SELECT RAISE(ABORT, 'an objection is reported by the disclosure being published'); END;
        CREATE TRIGGER objections_no_delete BEFORE DELETE ON objections
        BEGIN SELECT RAISE(ABORT, 'an objection cannot be removed'); END;
"""


def m005_disclosure_loop(conn: sqlite3.Connection) -> None:
    """The public language, objections, the kept files, and each publication's own date (for a
    file published before: the date its manifest carries)."""
    for statement in _statements(M005_DISCLOSURE_LOOP_SQL):
        conn.execute(statement)
    import json

    dates = []
    for quarter, manifest, published_at in conn.execute(
        "SELECT quarter, manifest, published_at FROM publications"
    ):
        try:
            date = json.loads(manifest).get("published") or published_at[:10]
        except (ValueError, AttributeError):
            date = published_at[:10]
        dates.append((date, quarter))
    from jifen_cli.objections import DEFAULT_DAYS

    # A publication made before had no objection period of its own: it had the default's.
    _fill_publications(conn, "UPDATE publications SET date = ?, objection_days = ?"
                             " WHERE quarter = ?", [(d, DEFAULT_DAYS, q) for d, q in dates])


MIGRATIONS: list = [M001_INITIAL, M002_IMPORT_ROWS, m003_registers, m004_evidence,
                    m005_disclosure_loop]
LATEST = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection, upto: int = LATEST) -> None:
    """Apply every migration newer than the file's user_version (up to `upto`), one
    transaction each."""
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    for number, migration in enumerate(MIGRATIONS, start=1):
        if number <= current or number > upto:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Re-read under the write lock: another process may have migrated meanwhile.
            if conn.execute("PRAGMA user_version").fetchone()[0] >= number:
                conn.execute("ROLLBACK")
                continue
            if isinstance(migration, str):
                # executescript would COMMIT first, so the statements run one by one.
                for statement in _statements(migration):
                    conn.execute(statement)
            else:
                migration(conn)
            conn.execute(f"PRAGMA user_version = {number}")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")


def _statements(script: str) -> list[str]:
    """Split a script into complete statements (triggers hold semicolons of their own)."""
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements

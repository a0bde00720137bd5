"""Every foreseeable failure is a JifenError: a message key plus the facts a person needs.

The domain raises them; the CLI edge (cli/__init__.py) turns them into one message in the chosen
language and an exit code. Nothing else in the code decides how an error looks.
"""

from __future__ import annotations


class JifenError(Exception):
    """A refusal a person can act on. `key` names the message in the catalogs (i18n)."""

    exit_code = 1
    key = "error"

    def __init__(self, key: str | None = None, /, **params):
        self.key = key or self.key
        self.params = params
        super().__init__(self.key, params)

    def message(self, lang: str = "en") -> str:
        from jifen_cli.i18n import t

        return t(self.key, lang, **self.params)

    def __str__(self) -> str:
        return self.message("en")


class NoVillage(JifenError):
    key = "no_village"


class VillageExists(JifenError):
    key = "village_exists"


class NotAVillage(JifenError):
    key = "not_a_village"


class VillageDamaged(JifenError):
    """The file is a village file but SQLite cannot read it (flipped bytes, truncation).

    Commands refuse with exit 1; `verify` reports it as damage (exit 3)."""

    key = "village_damaged"


class InterruptedWrite(JifenError):
    """A read-only command met a file whose last write was cut off (exit 1, nothing lost)."""

    key = "interrupted_write"


class NewerSchema(JifenError):
    key = "newer_schema"


class OperatorRequired(JifenError):
    key = "operator_required"


class BadInput(JifenError):
    key = "bad_input"


class Duplicate(JifenError):
    key = "duplicate"


class UnknownHousehold(JifenError):
    key = "unknown_household"


class AmbiguousHousehold(JifenError):
    """A head's name that several households have: the refusal lists them."""

    key = "household_ambiguous"


class HouseholdClosed(JifenError):
    """The household has left (closed or merged): nothing new is recorded for it."""

    key = "household_closed"


class UnknownShop(JifenError):
    """Not a registered partner shop: the refusal names the closest registered ones."""

    key = "unknown_shop"


class Retired(JifenError):
    """A rule, item or reviewer that has been retired takes no new work."""

    key = "retired"


class UnknownRule(JifenError):
    key = "unknown_rule"


class UnknownItem(JifenError):
    key = "unknown_item"


class UnknownClaim(JifenError):
    key = "unknown_claim"


class UnknownObjection(JifenError):
    key = "unknown_objection"


class UnknownPosting(JifenError):
    key = "unknown_posting"


class NotReviewer(JifenError):
    key = "not_reviewer"


class OwnClaim(JifenError):
    key = "own_claim"


class ClaimNotPending(JifenError):
    key = "claim_not_pending"


class InsufficientPoints(JifenError):
    key = "insufficient_points"


class InsufficientStock(JifenError):
    key = "insufficient_stock"


class PeriodLocked(JifenError):
    key = "period_locked"


class AlreadyReversed(JifenError):
    key = "already_reversed"


class EvidenceProblem(JifenError):
    key = "evidence_problem"


class ImportRejected(JifenError):
    """An import with invalid rows. `problems` holds every `FILE:ROW: message` line."""

    key = "import_rejected"

    def __init__(self, problems: list[str], count: int | None = None, **params):
        # `count` is given when the lines were already streamed to the user (a huge file).
        self.problems = problems
        super().__init__(self.key, count=len(problems) if count is None else count, **params)


class PublishRefused(JifenError):
    key = "publish_refused"


class LedgerDamaged(JifenError):
    """`verify` found the ledger damaged or tampered with: exit 3."""

    exit_code = 3
    key = "ledger_damaged"


class StorageProblem(JifenError):
    """The file could not be read or written (read-only, disk full, not a database)."""

    key = "storage_problem"


def os_reason(exc: OSError) -> str:
    """Why the system refused, in the reader's language when it is a common reason (a Message),
    else the system's own words."""
    import errno

    from jifen_cli.i18n import Message, known

    key = f"os_{errno.errorcode.get(exc.errno or 0, '')}"
    return Message(key) if known(key) else exc.strerror or str(exc)


# --- the reviewer's desk and the evidence archive ---------------------------------------------


class EvidenceDamaged(JifenError):
    """Stored evidence whose bytes no longer match their SHA-256 (changed behind jifen's
    back): exit 3, like a damaged ledger. Names the claim and the file."""

    exit_code = 3
    key = "evidence_damaged"


class EventRefused(JifenError):
    """An event refused as a whole because of one household (unknown, closed, listed twice):
    nothing is recorded for any household of it."""

    key = "event_refused"

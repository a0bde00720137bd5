"""`jifen review list|approve|reject`: the monthly review (一月一审核)."""

from __future__ import annotations

from typing import Annotated

import typer

from jifen_cli.cli.options import Json, print_json, state
from jifen_cli.render.terminal import clip, table

# A note is cut to this many terminal cells in the table (whole in --json), so that the table
# keeps to a 100-column terminal.
NOTE_WIDTH = 24

review_app = typer.Typer(help="The monthly review of claims (审核).", no_args_is_help=True)
Month = Annotated[str | None, typer.Option(
    "--month", help="Only claims of that month.", metavar="YYYY-MM",
)]


def _month(value: str | None) -> str | None:
    from jifen_cli.values import parse_month

    return parse_month(value) if value else None


@review_app.command("list")
def list_(
    ctx: typer.Context,
    month: Month = None,
    status: Annotated[str, typer.Option(
        "--status", help="pending (default), approved, rejected or all.",
    )] = "pending",
    json: Json = False,
):
    """Claims waiting for review (or with --status, decided ones)."""
    from jifen_cli import claims

    s = state(ctx)
    if status not in ("pending", "approved", "rejected", "all"):
        raise typer.BadParameter("pending, approved, rejected or all", param_hint="--status")
    items = claims.list_claims(s.conn(), month=_month(month),
                               status=None if status == "all" else status)
    if json:
        print_json(items)
        return
    if not items:
        s.say("nothing_pending")
        return
    table(
        s.t("title_claims"),
        [s.t(c) for c in ("col_id", "col_date", "col_household", "col_rule", "col_qty",
                          "col_note", "col_evidence", "col_recorded_by", "col_status")],
        ([c["id"], c["date"], c["household"], c["rule"], c["qty"], clip(c["note"], NOTE_WIDTH),
          c["evidence"] or "", c["recorded_by"], s.t(f"status_{c['status']}")] for c in items),
        numeric=(0, 4),
    )


@review_app.command("approve")
def approve(
    ctx: typer.Context,
    ids: Annotated[list[int] | None, typer.Argument(help="Claim ids.", metavar="ID")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every pending claim (of --month).")] = False,
    month: Month = None,
):
    """Approve claims: they are posted to the ledger (monthly caps applied)."""
    from jifen_cli import claims

    s = state(ctx)
    # `approve (ID... | --all)`: neither, or both, is a usage error (exit 2), like a missing
    # argument; both is never guessed at, since approving everything would be the costly guess
    if not ids and not all_:
        raise typer.BadParameter(s.t("review_needs_ids"), ctx=ctx, param_hint="ID... | --all")
    if ids and all_:
        raise typer.BadParameter(s.t("review_ids_or_all"), ctx=ctx, param_hint="ID... | --all")
    review = claims.approve(s.conn(), None if all_ else ids, reviewer=s.operator(),
                            month=_month(month))
    for claim_id, points, facts in review.capped:
        s.say("approved_capped", id=claim_id, points=points, detail=s.t("cap_reached", **facts))
    for claim_id, facts in review.rejected_at_cap:
        s.say("rejected_capped", id=claim_id, detail=s.t("cap_reached", **facts))
    if review.skipped_own:
        typer.echo(s.t("own_claims_left", ids=", ".join(map(str, review.skipped_own))))
    s.say("approved", count=len(review.approved), points=review.points)


@review_app.command("reject")
def reject(
    ctx: typer.Context,
    ids: Annotated[list[int], typer.Argument(help="Claim ids.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept with the claim).")],
):
    """Reject claims, keeping them with the reason."""
    from jifen_cli import claims

    s = state(ctx)
    review = claims.reject(s.conn(), ids, reason=reason, reviewer=s.operator())
    s.say("rejected", count=len(review.rejected))


"""`jifen review list|show|approve|reject`: the monthly review (一月一审核), the reviewer's desk."""

from __future__ import annotations

from typing import Annotated

import typer

from jifen_cli.cli.options import Json, print_json, state
from jifen_cli.values import local_time

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
    """Claims waiting for review (or with --status, decided ones), with their points.

    The points are what approval would post: monthly caps applied as approval applies them,
    in date order.
    """
    from jifen_cli import claims

    s = state(ctx)
    if status not in ("pending", "approved", "rejected", "all"):
        raise typer.BadParameter("pending, approved, rejected or all", param_hint="--status")
    items = claims.review_list(s.conn(), month=_month(month),
                               status=None if status == "all" else status)
    if json:
        print_json(items)
        return
    if not items:
        s.say("nothing_pending")
        return
    from jifen_cli.render.terminal import one_line_table

    keys = ["col_id", "col_date", "col_household", "col_rule", "col_qty", "col_points",
            "col_files", "col_recorder", "col_status", "col_note"]
    if status == "pending":  # a column that says "pending" on every row says nothing
        keys.remove("col_status")
    rows = []
    for c in items:
        row = [c["id"], c["date"], f"{c['household']} {c['name']}", f"{c['rule']} {c['title']}",
               c["qty"], _points(c), c["evidence"] or "", c["recorded_by"],
               s.t(f"status_{c['status']}"), c["note"]]
        if status == "pending":
            del row[8]
        rows.append(row)
    one_line_table(s.t("title_claims"), [s.t(k) for k in keys], rows,
                   flexible=(2, 3, len(keys) - 1), caps={2: 20, 3: 20, 7: 8},
                   numeric=(0, 4, 5, 6))
    if any(c["cap"] for c in items):
        s.say("review_capped_footnote")


def _points(claim: dict) -> str:
    """+10, or +5* when the monthly cap decides it, or — when nothing is posted."""
    if claim["points"] is None:
        return "—"
    return f"{claim['points']:+d}{'*' if claim['cap'] else ''}"


@review_app.command("show")
def show(
    ctx: typer.Context,
    claim_id: Annotated[int, typer.Argument(help="The claim's id.", metavar="ID")],
    json: Json = False,
):
    """One claim, with everything a reviewer decides on, and its evidence.

    The household, the rule as it stood on the claim's date, the points it would post and why
    (the monthly cap named), who recorded it, the review, and the evidence files.
    """
    from jifen_cli import claims
    from jifen_cli.evidence import size_text
    from jifen_cli.i18n import said

    s = state(ctx)
    claim = claims.show(s.conn(), claim_id)
    if json:
        print_json(claim)
        return
    from jifen_cli.render.terminal import table

    none = "—"
    cap = none if claim["cap_month"] is None else claim["cap_month"]
    fields = [
        ("show_household", s.t("show_household_value", code=claim["household"],
                               name=claim["name"], group=claim["group"] or none)),
        ("show_rule", s.t("show_rule_value", rule=claim["rule"], title=claim["title"],
                          category=claim["category"], points=claim["rule_points"], cap=cap)),
        ("show_qty", claim["qty"]),
        ("show_date", claim["date"]),
        ("show_note", claim["note"] or none),
        ("show_points", none if claim["points"] is None else f"{claim['points']:+d}"),
        ("show_why", said(claim["why"], s.lang)
         + (s.t("show_ahead", ids=", ".join(f"#{i}" for i in claim["ahead"]))
            if claim["ahead"] else "")),
        ("show_recorded", s.t("show_by_at", by=claim["recorded_by"], at=local_time(claim["recorded_at"]))),
        ("show_status", s.t(f"status_{claim['status']}")),
        ("show_reviewed", none if not claim["reviewed_by"] else
         s.t("show_by_at", by=claim["reviewed_by"], at=local_time(claim["reviewed_at"]))),
        ("show_reason", claim["reason"] or none),
    ]
    if claim["event"] is not None:
        fields.append(("show_event", s.t("show_event_value", id=claim["event"],
                                         count=claim["event_households"])))
    table(s.t("title_claim", id=claim["id"]), [s.t("show_col_field"), s.t("show_col_value")],
          ([s.t(key), value] for key, value in fields))
    if not claim["evidence"]:
        s.say("show_no_evidence")
        return
    from jifen_cli.values import CONTROL_RE

    table(s.t("title_claim_evidence", count=len(claim["evidence"]),
              size=size_text(sum(f["size"] for f in claim["evidence"]))),
          [s.t("col_file"), s.t("col_size"), "SHA-256"],
          ([CONTROL_RE.sub("\ufffd", f["name"]), size_text(f["size"]), f["sha256"]]
           for f in claim["evidence"]), numeric=(1,))


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


"""`jifen publish`: the quarterly disclosure (一季度一公示)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from jifen_cli.cli.options import Date, Json, date_or_today, print_json, state


def publish(
    ctx: typer.Context,
    quarter: Annotated[str, typer.Option(
        "--quarter", help="The quarter to publish: 2024Q2 or 2024-Q2.", metavar="YYYYQn",
    )],
    out: Annotated[Path | None, typer.Option(
        "--out", help="Folder for the files (default ./disclosure-YYYYQn); must not exist yet "
                      "or be empty.",
    )] = None,
    date: Date = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Write the same files without locking or recording the publication.",
    )] = False,
    objection_days: Annotated[int | None, typer.Option(
        "--objection-days", min=1, max=366,
        help="The objection period (公示期) in days from the publication date (default 7).",
    )] = None,
    json: Json = False,
):
    """Write the quarter's disclosure, lock the quarter, and print the ledger digest.

    The notice is dated --date (default today); the files hold no other clock, so the same
    ledger published on the same date gives the same bytes.
    """
    from jifen_cli import publication

    s = state(ctx)
    result = publication.publish(
        s.conn(), quarter, out=out, date=date_or_today(date), operator=s.operator(),
        dry_run=dry_run, objection_days=objection_days,
    )
    notice = result.out / "notice.html"
    first, last = result.objection_period
    if json:
        print_json({"quarter": result.quarter, "locked": not result.dry_run,
                    "head_seq": result.head_seq, "digest": result.digest,
                    "published": result.date, "written_again": result.again,
                    "from_kept_copy": result.from_kept_copy,
                    "objection_period": {"first": first, "last": last},
                    "out": str(result.out), "notice": str(notice), "files": result.files})
        return
    if result.again:
        s.say("published_again", quarter=result.quarter, published=result.date,
              digest=result.digest, out=str(result.out), notice=str(notice))
        if result.from_kept_copy:
            s.say("published_again_kept")
        if result.ignored:
            s.say("published_again_ignored", options=", ".join(result.ignored))
        return
    s.say("published_dry_run" if dry_run else "published", quarter=result.quarter,
          head_seq=result.head_seq, digest=result.digest, out=str(result.out),
          notice=str(notice), first=first, last=last)


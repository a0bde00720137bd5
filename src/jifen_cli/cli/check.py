"""`jifen check`: the whole-file health report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from jifen_cli.cli.options import Json, print_json, state


def check(
    ctx: typer.Context,
    file: Annotated[Path | None, typer.Argument(
        help="The village file to check (default: the --db file).")] = None,
    json: Json = False,
):
    """Whole-file health report: integrity, chain, balances, stock, digests, overdue work.

    Exit 3 when any check fails (damage); warnings do not change the exit code. A file it will
    not examine (an interrupted write, a newer schema, not a village file) is refused, exit 1;
    with --json the document says so too (`status`, `reason`). It never changes the file.
    """
    from jifen_cli import health
    from jifen_cli.errors import JifenError
    from jifen_cli.i18n import said

    s = state(ctx)
    path = file or s.db
    try:
        report = health.check(path)
    except JifenError as exc:  # refused (exit 1): with --json, the document says so too
        if json:
            print_json(health.refusal(path, exc))
        raise
    if json:
        print_json(report.as_dict())
    else:
        from jifen_cli.render.terminal import table

        table(
            s.t("title_check", path=report.path),
            [s.t("col_check"), s.t("col_status"), s.t("col_detail")],
            ([s.t(f"check_item_{c.name}"), s.t(f"status_{c.status}"), said(c.detail, s.lang)]
             for c in report.checks),
        )
        s.say(f"check_{report.status}")
    if report.status == health.FAIL:
        raise typer.Exit(3)

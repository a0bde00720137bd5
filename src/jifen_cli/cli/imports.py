"""`jifen import KIND FILE`: bulk import from CSV or XLSX, all or nothing."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from jifen_cli.cli.options import state

PROGRESS_FROM = 4 * 1024 * 1024  # bytes: smaller files finish before a bar is worth drawing


class Kind(str, Enum):
    households = "households"
    rules = "rules"
    items = "items"
    records = "records"
    redemptions = "redemptions"


def import_(
    ctx: typer.Context,
    kind: Annotated[Kind, typer.Argument(help="What the file holds.")],
    file: Annotated[Path, typer.Argument(help="A CSV (UTF-8, UTF-8 with BOM, GBK) or XLSX file.")],
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Check every row and show what would be written; write nothing.",
    )] = False,
    approve: Annotated[bool, typer.Option(
        "--approve", help="records: post at once, the operator (a reviewer) as reviewer.",
    )] = False,
    date: Annotated[str | None, typer.Option(
        "--date", help="items: date of the opening-stock postings (default today).",
        metavar="YYYY-MM-DD",
    )] = None,
):
    """Import households, rules, items, records or redemptions. Any bad row: nothing is written."""
    from jifen_cli import imports
    from jifen_cli.values import parse_date

    s = state(ctx)
    operator = (s.operator_name or "-") if dry_run else s.operator()
    with _progress(file, s.t("import_progress")) as progress:
        result = imports.run(
            s.conn(), kind.value, file, operator=operator, lang=s.lang, dry_run=dry_run,
            approve=approve, date=parse_date(date).isoformat() if date else None,
            on_problem=lambda line: typer.echo(line, err=True), progress=progress,
        )
    show(s, result)


def show(s, result) -> None:
    """Print what an import did (or would do, or had already done)."""
    if result.already:
        a = result.already
        s.say("import_already", file=result.file, id=a["id"], when=a["imported_at"],
              operator=a["operator"])
        return
    key = "import_dry_run" if result.dry_run else \
        "import_done_skipped" if result.skipped else "import_done"
    s.say(key, file=result.file, id=result.import_id, rows=result.rows, written=result.written,
          skipped=result.skipped)
    for name in ("households", "rules", "items", "restock", "claims", "earn", "deduct", "redeem",
                 "capped", "rejected_at_cap"):
        if result.counts.get(name):
            s.say(f"import_count_{name}", count=result.counts[name])
    if result.points or result.stock:
        s.say("import_totals", points=result.points, stock=result.stock)


class _progress:
    """A rich progress bar on stderr for a large file when stderr is a terminal; else nothing."""

    def __init__(self, file: Path, label: str):
        self.bar = None
        try:
            size = file.stat().st_size
        except OSError:
            size = 0
        if size >= PROGRESS_FROM and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

            self.bar = Progress("{task.description}", BarColumn(), DownloadColumn(),
                                TimeRemainingColumn(), console=Console(stderr=True),
                                transient=True)
            self.task = self.bar.add_task(label, total=size)

    def __enter__(self):
        if self.bar is None:
            return None
        self.bar.start()
        return lambda done, total: self.bar.update(self.task, completed=done)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()

"""`jifen import KIND FILE`: bulk import from CSV or XLSX, all or nothing."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from jifen_cli.cli.options import state
from jifen_cli.values import local_time

PROGRESS_FROM = 4 * 1024 * 1024  # bytes: smaller files finish before a bar is worth drawing
SHOWN_PROBLEMS = 50  # bad rows shown on screen; --errors FILE keeps them all


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
        "--approve", help="records: post at once, the operator (a reviewer) as reviewer; each "
        "row's recorder (a recorded_by/记录人 column or --recorded-by) must be someone else.",
    )] = False,
    date: Annotated[str | None, typer.Option(
        "--date", help="items: date of the opening-stock postings (default today).",
        metavar="YYYY-MM-DD",
    )] = None,
    recorded_by: Annotated[str | None, typer.Option(
        "--recorded-by", help="records: who recorded the rows that do not name a recorder in a "
        "recorded_by/记录人 column (with --approve: never the operator).", metavar="NAME",
    )] = None,
    allow_repeats: Annotated[bool, typer.Option(
        "--allow-repeats", help="Write rows without a ref that say exactly what a row of an "
        "earlier import said (new events that look the same).",
    )] = False,
    errors: Annotated[Path | None, typer.Option(
        "--errors", help=f"Write every bad row to FILE (the screen shows the first "
        f"{SHOWN_PROBLEMS}).", metavar="FILE", dir_okay=False,
    )] = None,
):
    """Import households, rules, items, records or redemptions. Any bad row: nothing is written."""
    from jifen_cli import imports
    from jifen_cli.errors import ImportRejected
    from jifen_cli.values import parse_date

    s = state(ctx)
    operator = (s.operator_name or "-") if dry_run else s.operator()
    with _Problems(s, errors) as problems, _progress(file, s.t("import_progress")) as progress:
        try:
            result = imports.run(
                s.conn(), kind.value, file, operator=operator, lang=s.lang, dry_run=dry_run,
                approve=approve, recorded_by=recorded_by, allow_repeats=allow_repeats,
                date=parse_date(date).isoformat() if date else None,
                on_problem=problems.add, progress=progress,
            )
        except ImportRejected as exc:
            for line in exc.problems:  # a header's problems come whole, not streamed
                problems.add(line)
            exc.problems = []
            problems.summary()
            raise
    show(s, result)


class _Problems:
    """The FILE:ROW lines of a refused import: the first SHOWN_PROBLEMS on stderr, then how many
    more; all of them, when --errors FILE is given, in FILE (UTF-8 with BOM, so Excel opens the
    Chinese and Tibetan right; one line each). FILE is written on every run, empty when the
    import went through, so a script never reads the errors of an earlier run."""

    def __init__(self, s, path: Path | None):
        self.s = s
        self.path = path
        self.count = 0
        self.out = None

    def __enter__(self):
        if self.path is not None:
            self.out = open(self.path, "w", encoding="utf-8-sig", newline="\n")
        return self

    def add(self, line: str) -> None:
        self.count += 1
        if self.count <= SHOWN_PROBLEMS:
            typer.echo(line, err=True)
        if self.out is not None:
            self.out.write(line + "\n")

    def summary(self) -> None:
        hidden = self.count - SHOWN_PROBLEMS
        if hidden > 0:
            key = "import_more_problems_in" if self.out is not None else "import_more_problems"
            typer.echo(self.s.t(key, count=hidden, file=str(self.path)), err=True)

    def __exit__(self, *exc) -> None:
        if self.out is not None:
            self.out.close()


def show(s, result) -> None:
    """Print what an import did (or would do, or had already done)."""
    if result.already:
        a = result.already
        s.say("import_already", file=result.file, id=a["id"], when=local_time(a["imported_at"]),
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
        s.say("import_totals" if result.stock else "import_points", points=result.points,
              stock=result.stock)


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

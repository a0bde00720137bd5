"""`jifen rollup` (the township and city roll-up) and `jifen export --parquet` (the bridge)."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from jifen_cli.cli.options import Json, print_json, state

Files = Annotated[list[Path], typer.Argument(
    help="Village files, or folders searched (recursively) for them.", show_default=False,
    metavar="FILE_OR_FOLDER...",
)]
Jobs = Annotated[int | None, typer.Option(
    "--jobs", min=1, help="Worker processes (default: one per core).",
)]


CacheDir = Annotated[Path | None, typer.Option(
    "--cache", metavar="DIR",
    help="Folder of the verification cache (default: the user's cache folder, e.g. "
         "~/.cache/jifen).",
)]
NoCache = Annotated[bool, typer.Option(
    "--no-cache", help="Verify every file again; read and write no verification cache.",
)]


def _open_cache(ctx: typer.Context, folder: Path | None, off: bool):
    """The verification cache the options name (None with --no-cache), its note said."""
    s = state(ctx)
    if off and folder is not None:
        raise typer.BadParameter(s.t("cache_not_both"), ctx=ctx, param_hint="--cache | --no-cache")
    if off:
        return None
    from jifen_cli import cache
    from jifen_cli.i18n import said

    found = cache.open_cache(folder)
    if found.problem is not None:
        typer.echo(s.t("cache_rebuilt", detail=said(found.problem, s.lang)), err=True)
    return found


def _cache_notes(ctx: typer.Context, found) -> None:
    """What the run found of the cache: rows damaged on disk, entries it could not keep."""
    from jifen_cli.i18n import said

    for note in (() if found is None else (found.rows_damaged, found.unwritable)):
        if note is not None:
            typer.echo(said(note, state(ctx).lang), err=True)


class By(str, Enum):
    township = "township"
    county = "county"


@contextmanager
def _progress(description: str):
    """A progress bar on stderr when it is a terminal; nothing at all on a pipe or a file."""
    if not sys.stderr.isatty():
        yield None, None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    bar = Progress("{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                   console=Console(stderr=True), transient=True)
    task = bar.add_task(description, total=None)
    with bar:
        yield (lambda n: bar.update(task, total=n)), (lambda n: bar.advance(task, n))


def rollup(
    ctx: typer.Context,
    files: Files,
    quarter: Annotated[str, typer.Option(
        "--quarter", help="The quarter: 2024Q2 or 2024-Q2.", metavar="YYYYQn",
    )],
    out: Annotated[Path | None, typer.Option(
        "--out", help="Write the table to FILE.csv (UTF-8 with BOM) or FILE.xlsx instead of "
                      "printing it.",
    )] = None,
    by: Annotated[By | None, typer.Option(
        "--by", help="Subtotals per township or per county.",
    )] = None,
    jobs: Jobs = None,
    cache_dir: CacheDir = None,
    no_cache: NoCache = False,
    json: Json = False,
):
    """One row per village file, with subtotals and totals, for a township or a whole city.

    Every file is opened read-only and never changed; its chain is verified and its quarter
    computed by the same code as `jifen publish`. A damaged, foreign, truncated or newer file
    is a row that says so; a file or village named twice is counted once. Files whose exact
    bytes were verified before (by SHA-256, in the verification cache) are not verified again.
    """
    from dataclasses import asdict

    from jifen_cli import periods
    from jifen_cli import rollup as domain
    from jifen_cli.render import rollup as render

    s = state(ctx)
    quarter = periods.parse_quarter(quarter)
    suffix = out.suffix.lower() if out else None
    if out is not None and suffix not in (".csv", ".xlsx"):
        from jifen_cli.errors import BadInput

        raise BadInput("rollup_bad_out", path=str(out))
    verified = _open_cache(ctx, cache_dir, no_cache)
    with _progress(s.t("rollup_progress")) as (found, advance):
        result = domain.roll_up(files, quarter, jobs=jobs, progress=advance, on_found=found,
                                cache=verified)
    _cache_notes(ctx, verified)
    if not result.rows:
        from jifen_cli.errors import BadInput

        raise BadInput("rollup_nothing", paths=" ".join(map(str, files)))
    not_counted = sum(1 for r in result.rows if not r.counted and r.status != "duplicate")
    if json:
        document = {
            "quarter": result.quarter,
            "villages": [r.as_dict() for r in result.rows],
            "total": asdict(result.total),
            "statuses": result.counts(),
        }
        if by:
            document["subtotals"] = [
                {"key": dict(zip(("county", "township"), key)), **asdict(subtotal)}
                for key, _, subtotal in result.groups(by.value)
            ]
        print_json(document)
        return
    by_value = by.value if by else None
    if out is not None:
        data = (render.csv_bytes if suffix == ".csv" else render.xlsx_bytes)(result, s.lang, by_value)
        out.write_bytes(data)
        s.say("rollup_written", path=str(out), villages=result.total.villages,
              files=len(result.rows))
    else:
        from jifen_cli.render.terminal import table

        columns, rows, numeric, notes = render.screen(result, s.lang, by_value)
        table(s.t("rollup_title", quarter=quarter, count=len(result.rows)), columns, rows,
              numeric=numeric)
        for line in notes:
            typer.echo(line)
    if not_counted:
        typer.echo(s.t("rollup_not_counted", count=not_counted), err=True)


def export(
    ctx: typer.Context,
    files: Files,
    parquet: Annotated[Path, typer.Option(
        "--parquet", help="Folder of the Parquet dataset (created; partitions are replaced).",
    )],
    quarter: Annotated[str | None, typer.Option(
        "--quarter", help="Only this quarter (default: every quarter).", metavar="YYYYQn",
    )] = None,
    jobs: Jobs = None,
    cache_dir: CacheDir = None,
    no_cache: NoCache = False,
    json: Json = False,
):
    """Write the postings of many villages as a Parquet dataset for a data platform.

    Partitioned county=/township=/village=/quarter= (hive style); the schema is documented in
    jifen_cli/dataset.py. Damaged or foreign files are not exported and are listed. Files
    verified before are not verified again (the verification cache, as for `jifen rollup`).
    """
    from jifen_cli import dataset

    s = state(ctx)
    dataset.require_pyarrow()
    verified = _open_cache(ctx, cache_dir, no_cache)
    with _progress(s.t("export_progress")) as (found, advance):
        summary = dataset.export(files, parquet, quarter=quarter, jobs=jobs, progress=advance,
                                 on_found=found, cache=verified)
    _cache_notes(ctx, verified)
    if json:
        print_json({**summary, "skipped": [r.as_dict() for r in summary["skipped"]]})
        return
    s.say("export_done", villages=summary["villages"], postings=summary["postings"],
          path=str(parquet))
    for row in summary["skipped"]:
        typer.echo(s.t("export_skipped", path=row.path, status=s.t(f"rollup_status_{row.status}"),
                       detail=row.detail), err=True)

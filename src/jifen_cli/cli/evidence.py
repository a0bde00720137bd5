"""`jifen evidence add|get|export`: the evidence archive (佐证材料归档)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from jifen_cli.cli.options import state

evidence_app = typer.Typer(help="The evidence behind the claims (佐证材料).",
                           no_args_is_help=True)
ClaimId = Annotated[int, typer.Argument(help="The claim's id.", metavar="CLAIM")]
# An archive smaller than this is written before a bar would be worth drawing.
PROGRESS_FROM = 16 * 1024 * 1024


@evidence_app.command("add")
def add(
    ctx: typer.Context,
    claim_id: ClaimId,
    files: Annotated[list[Path], typer.Argument(help="Photos or scans.", metavar="FILE...")],
):
    """Add evidence to a pending claim (the same checks as `record --evidence`)."""
    from jifen_cli import claims

    s = state(ctx)
    added = claims.add_evidence(s.conn(), claim_id, files, operator=s.operator())
    s.say("evidence_added", id=claim_id, count=len(added))


@evidence_app.command("get")
def get(
    ctx: typer.Context,
    claim_id: ClaimId,
    out: Annotated[Path, typer.Option(
        "--out", help="The folder to write into (default: the current folder).",
        show_default=False,
    )] = Path("."),
):
    """Write a claim's evidence files into a folder, each checked against its SHA-256.

    The files keep their own names, made safe for any file system. Never overwrites a file: a
    name already taken refuses the whole get, and nothing is written.
    """
    from jifen_cli import evidence

    s = state(ctx)
    written = evidence.get(s.conn(), claim_id, out)
    if not written:
        s.say("evidence_none", id=claim_id)
        return
    for item, path in written:
        s.say("evidence_written", path=str(path), size=evidence.size_text(item.size))
    s.say("evidence_got", id=claim_id, count=len(written), out=str(out))


class _Progress:
    """A bar on stderr for a large archive when stderr is a terminal; nothing on a pipe."""

    def __init__(self, label: str):
        self.label, self.bar, self.task = label, None, None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            if total < PROGRESS_FROM or not sys.stderr.isatty():
                return
            from rich.console import Console
            from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

            self.bar = Progress("{task.description}", BarColumn(), DownloadColumn(),
                                TimeRemainingColumn(), console=Console(stderr=True),
                                transient=True)
            self.task = self.bar.add_task(self.label, total=total)
            self.bar.start()
        self.bar.update(self.task, completed=done)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()


@evidence_app.command("export")
def export(
    ctx: typer.Context,
    quarter: Annotated[str, typer.Option(
        "--quarter", help="The quarter: 2024Q2 or 2024-Q2.", metavar="YYYYQn")],
    out: Annotated[Path, typer.Option(
        "--out", help="A new (or empty) folder for the archive.")],
):
    """The quarter's evidence archive (佐证材料归档), every file checked.

    Every evidence file of every claim dated in the quarter, as
    OUT/<household>/<claim id>-<file name>, with OUT/index.csv (UTF-8 with BOM).
    """
    from jifen_cli import evidence

    s = state(ctx)
    progress = _Progress(s.t("evidence_export_progress"))
    try:
        archive = evidence.export(s.conn(), quarter, out, progress=progress)
    finally:
        progress.stop()
    s.say("evidence_exported", quarter=archive.quarter, out=str(archive.out),
          files=archive.files, claims=archive.claims, households=archive.households,
          size=evidence.size_text(archive.size), stored=archive.stored)

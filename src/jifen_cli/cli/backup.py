"""`jifen backup` and `jifen restore`: safe copies of the village file, verified."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from jifen_cli.cli.options import state


def backup(
    ctx: typer.Context,
    dest: Annotated[str, typer.Argument(
        help="A new file, or a folder to put a file named after the village and ledger head "
             "(a trailing / says it is a folder, which must exist).", metavar="DEST")],
):
    """Copy the village file safely (even while others write) and verify the copy.

    Done already (exit 0, nothing written) when DEST holds a sound copy of the village exactly
    as it stands; anything else there is never overwritten."""
    from jifen_cli import backup as domain

    s = state(ctx)
    copy = domain.backup(s.conn(), dest)
    s.say("backup_exists" if copy.existing else "backed_up", path=copy.path,
          village=copy.village, postings=copy.postings, head=copy.head[:16])


def restore(
    ctx: typer.Context,
    source: Annotated[Path, typer.Argument(help="The backup to restore.")],
    to: Annotated[Path | None, typer.Option(
        "--to", help="Where to restore it (must not exist; default: the --db path).")] = None,
):
    """Verify a backup and copy it to a new village file (never over an existing one)."""
    from jifen_cli import backup as domain

    s = state(ctx)
    copy = domain.restore(source, to or s.db)
    s.say("restored", path=copy.path, village=copy.village, postings=copy.postings,
          head=copy.head[:16])

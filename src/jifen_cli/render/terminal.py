"""Terminal tables. rich is imported here, inside the function, so commands that print no table
(and every --json call) never pay for it."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence


def table(title: str, columns: Sequence[str], rows: Iterable[Sequence], *,
          numeric: Sequence[int] = ()) -> None:
    """Print a table whose columns line up with CJK and Tibetan text.

    Numbers are never broken across lines (a wrapped 7330 reads as 733 and 0): when the table is
    too wide, its text columns wrap instead. The width is the terminal's; on a pipe or in a file
    it is COLUMNS when that is set, else at least 160."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console()
    if not console.is_terminal and not os.environ.get("COLUMNS", "").isdigit():
        console = Console(width=max(console.width, 160))
    grid = Table(title=title, title_justify="left", header_style="bold")
    for index, name in enumerate(columns):
        number = index in numeric
        grid.add_column(name, justify="right" if number else "left", overflow="fold",
                        no_wrap=number)
    for row in rows:
        grid.add_row(*(Text("" if cell is None else str(cell)) for cell in row))
    console.print(grid)


def clip(text: str | None, width: int) -> str:
    """`text` on one line, cut to `width` terminal cells with an ellipsis when longer (a CJK
    character takes two cells): for free text such as notes, whole in --json."""
    from rich.cells import cell_len, set_cell_size

    line = " ".join((text or "").split())
    if cell_len(line) <= width:
        return line
    return set_cell_size(line, width - 1).rstrip() + "…"

"""Terminal tables. rich is imported here, inside the function, so commands that print no table
(and every --json call) never pay for it."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence


def _console():
    """The terminal's width; on a pipe or in a file, COLUMNS when that is set, else at least
    160."""
    from rich.console import Console

    console = Console()
    if not console.is_terminal and not os.environ.get("COLUMNS", "").isdigit():
        console = Console(width=max(console.width, 160))
    return console


def table(title: str, columns: Sequence[str], rows: Iterable[Sequence], *,
          numeric: Sequence[int] = (), nowrap: Sequence[int] = ()) -> None:
    """Print a table whose columns line up with CJK and Tibetan text.

    Numbers are never broken across lines (a wrapped 7330 reads as 733 and 0): when the table is
    too wide, its text columns wrap instead; so do the columns in `nowrap` (a date, a code)."""
    from rich.table import Table
    from rich.text import Text

    console = _console()
    grid = Table(title=title, title_justify="left", header_style="bold")
    for index, name in enumerate(columns):
        number = index in numeric
        grid.add_column(name, justify="right" if number else "left", overflow="fold",
                        no_wrap=number or index in nowrap)
    for row in rows:
        grid.add_row(*(Text("" if cell is None else str(cell)) for cell in row))
    console.print(grid)


def one_line_table(title: str, columns: Sequence[str], rows: Iterable[Sequence], *,
                   flexible: Sequence[int], caps: Mapping[int, int] | None = None,
                   numeric: Sequence[int] = ()) -> None:
    """A table whose every row stays on one line of the terminal: a cell longer than its column
    is cut with "…" (line breaks become spaces). The other columns keep their width; the
    `flexible` ones (names, titles, a note) share what is left, each its fair share, and a
    column in `caps` is at most that wide. Drawn light (no vertical rules) to leave the text
    the room."""
    from rich import box
    from rich.cells import cell_len
    from rich.measure import Measurement
    from rich.table import Table
    from rich.text import Text

    console = _console()
    cells = [["" if cell is None else " ".join(str(cell).split()) for cell in row]
             for row in rows]

    def grid(widths: list[int]) -> Table:
        made = Table(title=title, title_justify="left", header_style="bold",
                     box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
                     collapse_padding=True)
        for index, name in enumerate(columns):
            made.add_column(name, justify="right" if index in numeric else "left",
                            width=widths[index], no_wrap=True, overflow="ellipsis")
        return made

    # What the rules and padding take, as rich itself measures it.
    chrome = Measurement.get(console, console.options, grid([1] * len(columns))).maximum \
        - len(columns)
    heads = [cell_len(name) for name in columns]
    widths = [max([heads[i], *(cell_len(row[i]) for row in cells)]) for i in range(len(columns))]
    for index, cap in (caps or {}).items():
        widths[index] = min(widths[index], max(cap, heads[index]))
    room = console.width - chrome - sum(w for i, w in enumerate(widths) if i not in flexible)
    # Water-filling: the narrowest flexible column takes what it needs up to an equal share,
    # and what it leaves goes to the others.
    todo = sorted(flexible, key=lambda i: widths[i])
    while todo:
        share = room // len(todo)
        index = todo.pop(0)
        widths[index] = max(min(widths[index], share), heads[index], 1)
        room -= widths[index]
    table = grid(widths)
    for row in cells:
        table.add_row(*(Text(cell, no_wrap=True, overflow="ellipsis") for cell in row))
    console.print(table)

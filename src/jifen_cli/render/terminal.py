"""Terminal tables. rich is imported here, inside the function, so commands that print no table
(and every --json call) never pay for it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def table(title: str, columns: Sequence[str], rows: Iterable[Sequence], *,
          numeric: Sequence[int] = ()) -> None:
    """Print a table whose columns line up with CJK and Tibetan text."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console()
    if not console.is_terminal:
        console = Console(width=max(console.width, 160))
    grid = Table(title=title, title_justify="left", header_style="bold")
    for index, name in enumerate(columns):
        grid.add_column(name, justify="right" if index in numeric else "left", overflow="fold")
    for row in rows:
        grid.add_row(*(Text("" if cell is None else str(cell)) for cell in row))
    console.print(grid)

"""`jifen demo`: build the sample village from sample_data/ and show it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from jifen_cli.cli.options import state


def demo(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option(
        "--out", help="Folder for the demo village (its file is DIR/jifen.db).",
    )] = Path("jifen-demo"),
):
    """Build the sample village 扎西岗村 from sample_data/ through `jifen import`, and show it."""
    from jifen_cli.cli.imports import show
    from jifen_cli.demo import Demo
    from jifen_cli.render.terminal import table

    s = state(ctx)

    def on_step(key: str, params: dict) -> None:
        if key == "import_result":
            show(s, params["result"])
        else:
            s.say(key, **params)

    built = Demo(out, on_step, lang=s.lang)
    try:
        built.build()
        table(
            s.t("demo_top"),
            [s.t(c) for c in ("col_code", "col_name", "col_group", "col_available", "col_honour")],
            ([b["household"], b["name"], b["group"], b["available"], b["honour"]]
             for b in built.top()),
            numeric=(3, 4),
        )
    finally:
        built.close()
    s.say("demo_done", path=built.path)

"""Options shared by several commands."""

from __future__ import annotations

from typing import Annotated

import typer

Json = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]
Date = Annotated[str | None, typer.Option(
    "--date", help="YYYY-MM-DD; default today.", metavar="YYYY-MM-DD",
)]


def state(ctx: typer.Context):
    return ctx.obj


def date_or_today(value: str | None) -> str:
    """A `--date` as YYYY-MM-DD, today when not given; never a day after today."""
    from jifen_cli.errors import BadInput
    from jifen_cli.values import parse_date, today

    date = parse_date(value) if value else today()
    if date > today():
        raise BadInput("future_date", value=date.isoformat(), today=today().isoformat())
    return date.isoformat()


def print_json(document) -> None:
    import json

    typer.echo(json.dumps(document, ensure_ascii=False, indent=2))


def changed_text(s, changed: dict, *, label=lambda k: f"field_{k}",
                 shown=lambda k, v: v) -> str:
    """What a register change changed, for its message: 户主: 边巴 → 边巴次仁；组别: — → 三组.
    `label(field)` is the message key of a field's name, `shown(field, value)` how a value is
    said."""
    from jifen_cli.i18n import join

    def say(field, value):
        value = shown(field, value)
        return "—" if value in (None, "") else value

    return join(s.lang, [s.t("changed_field", field=s.t(label(k)), old=say(k, old), new=say(k, new))
                         for k, (old, new) in changed.items()])

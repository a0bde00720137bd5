"""The root of the command line: global options, the sub-commands, and the error edge.

Each module in this package is Typer only: parse, call one domain function, render. Errors raised
by the domain are turned into one message and one exit code here, in `JifenGroup.invoke`.
"""

from __future__ import annotations

import sqlite3
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from typer._click.exceptions import UsageError
from typer.core import TyperGroup

from jifen_cli.cli import words
from jifen_cli.errors import (
    ImportRejected,
    JifenError,
    OperatorRequired,
    StorageProblem,
    os_reason,
)
from jifen_cli.i18n import LANGS, default_lang, t

if TYPE_CHECKING:  # Typer ships its own click; only its types are named here
    import click


Lang = Enum("Lang", {lang: lang for lang in LANGS}, type=str)  # one per catalog in locale/


class State:
    """What the global options decided, handed to every command through ctx.obj."""

    def __init__(self, db: Path, operator: str | None, lang: str):
        self.db = db
        self.operator_name = (operator or "").strip() or None
        self.lang = lang
        self._conn: sqlite3.Connection | None = None

    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            from jifen_cli.db import open_village

            self._conn = open_village(self.db)
        return self._conn

    def operator(self) -> str:
        if not self.operator_name:
            raise OperatorRequired()
        return self.operator_name

    def say(self, key: str, **params) -> None:
        typer.echo(t(key, self.lang, **params))

    def t(self, key: str, **params) -> str:
        return t(key, self.lang, **params)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _storage_problem(path: str, exc: sqlite3.Error) -> StorageProblem:
    from jifen_cli.db import is_busy

    if is_busy(exc):
        return StorageProblem(path=path, detail_key="file_busy")
    return StorageProblem(path=path, detail=str(exc))


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


class JifenGroup(TyperGroup):
    """Loads sub-commands on demand (COMMANDS) and turns every foreseeable failure into a
    message on stderr and an exit code."""

    def main(self, args=None, prog_name=None, **extra):
        """The language is read from the command line before it is parsed, so that `--help` and
        usage errors are in it too."""
        args = list(sys.argv[1:] if args is None else args)
        words.use(words.eager_lang(args))
        words.translate_command(self)
        return super().main(args, prog_name, **extra)

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent, **extra)
        except UsageError as exc:
            words.translate_error(exc)
            raise

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return super().get_command(ctx, name) or load_command(name)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except UsageError as exc:  # a sub-command's, in click's English
            words.translate_error(exc)
            raise
        except JifenError as exc:
            self._fail(ctx, exc)
        except sqlite3.DatabaseError as exc:
            state = ctx.obj if isinstance(ctx.obj, State) else None
            path = str(state.db) if state else "the village file"
            self._fail(ctx, _storage_problem(path, exc))
        except BrokenPipeError:  # `jifen balance | head`: the reader has gone; stop quietly
            _silence_stdout()
            raise typer.Exit(0) from None
        except OSError as exc:  # a file named on the command line that cannot be read/written
            self._fail(ctx, StorageProblem(path=exc.filename or "", detail=os_reason(exc)))
        finally:
            if isinstance(ctx.obj, State):
                ctx.obj.close()

    @staticmethod
    def _fail(ctx: click.Context, exc: JifenError):
        lang = ctx.obj.lang if isinstance(ctx.obj, State) else default_lang()
        if isinstance(exc, ImportRejected):
            for line in exc.problems:
                typer.echo(line, err=True)
        typer.echo(exc.message(lang), err=True)
        raise typer.Exit(exc.exit_code)


app = typer.Typer(
    cls=JifenGroup,
    name="jifen",
    help="jifen — the village points-supermarket ledger (积分超市台账).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[Path, typer.Option(
        "--db", envvar="JIFEN_DB", help="The village file.", show_default=True,
    )] = Path("jifen.db"),
    operator: Annotated[str | None, typer.Option(
        "--operator", envvar="JIFEN_OPERATOR", help="Who is doing this (required to write).",
    )] = None,
    lang: Annotated[Lang | None, typer.Option(
        "--lang", help="Language of messages and help: one of the catalogs (zh, en). Default: "
        "JIFEN_LANG, else the locale's (LANGUAGE, LC_ALL, LC_MESSAGES, LANG), else English (an "
        "unknown JIFEN_LANG is ignored).",
    )] = None,
) -> None:
    ctx.obj = State(db, operator, lang.value if lang else default_lang())


# Sub-commands are loaded when they are called, not at start-up: `jifen balance` imports and builds
# only `balance`, so a command starts about as fast as a bare Typer hello-world. The table maps each
# name to "module:attribute" — a Typer sub-app (a noun with verbs) or a plain command function.
COMMANDS = {
    "init": "village:init",
    "reviewer": "village:reviewer_app",
    "household": "households:household_app",
    "rule": "rules:rule_app",
    "item": "items:item_app",
    "record": "records:record",
    "review": "review:review_app",
    "redeem": "redeem:redeem",
    "reverse": "redeem:reverse",
    "balance": "ledger:balance",
    "history": "ledger:history",
    "verify": "ledger:verify",
    "publish": "publish:publish",
    "fund": "fund:fund_app",
    "settle": "fund:settle",
    "import": "imports:import_",
    "demo": "demo:demo",
    "expire": "expire:expire",
    "backup": "backup:backup",
    "restore": "backup:restore",
    "card": "cards:card",
    "check": "check:check",
    "shop": "shops:shop_app",
    "changes": "changes:changes",
    "objection": "objections:objection_app",
    "rollup": "rollup:rollup",
    "export": "rollup:export",
    "evidence": "evidence:evidence_app",
    "event": "events:event_app",
}


def load_command(name: str) -> click.Command | None:
    target = COMMANDS.get(name)
    if target is None:
        return None
    import importlib

    module_name, attribute = target.split(":")
    obj = getattr(importlib.import_module(f"jifen_cli.cli.{module_name}"), attribute)
    if not isinstance(obj, typer.Typer):
        single = typer.Typer()
        single.command(name)(obj)
        obj = single
    obj._add_completion = False  # completion belongs to the root, which has it switched off
    command = typer.main.get_command(obj)
    command.name = name
    words.translate_command(command)
    return command


def main() -> None:
    app()

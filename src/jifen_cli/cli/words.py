"""The command line's own words in the reader's language: `--help` texts, and Typer's words
(Usage, Options, [required], "No such option", ...).

The language is decided before the command line is parsed (`eager_lang`), so usage errors are in
it too. Help texts stay in English in the code; `translate_command` swaps each for its catalog
entry (keyed by the English words) on the command objects, which are built anew for every run.
Typer's words come from `locale/<lang>/LC_MESSAGES/typer.po`: those Typer passes through gettext
(the global domain, answered by `_framework_gettext`), and the English sentences of the click it
ships, written as patterns ("No such option: {name}") that `translate_error` matches and says
again in the reader's language.
"""

from __future__ import annotations

import functools
import gettext
import re
import sys

from jifen_cli import i18n

_lang = i18n.SOURCE_LANG
_gettext_domain = gettext.dgettext

# Typer's words it passes through gettext when typer.rich_utils is imported: said again when the
# language changes within one process (tests run many commands in one).
RICH_UTILS_WORDS = {
    "DEPRECATED_STRING": "(deprecated) ",
    "DEFAULT_STRING": "[default: {}]",
    "ENVVAR_STRING": "[env var: {}]",
    "REQUIRED_LONG_STRING": "[required]",
    "ARGUMENTS_PANEL_TITLE": "Arguments",
    "OPTIONS_PANEL_TITLE": "Options",
    "COMMANDS_PANEL_TITLE": "Commands",
    "ERRORS_PANEL_TITLE": "Error",
    "ABORTED_TEXT": "Aborted.",
    "RICH_HELP": "Try [blue]'{command_path} {help_option}'[/] for help.",
}


def eager_lang(args: list[str], environ=None) -> str:
    """The language of this run: `--lang X` (or `--lang=X`) before a bare `--`, when there is a
    catalog for X; else as the environment says (i18n.default_lang)."""
    import os

    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(args) and args[i + 1] in i18n.LANGS:
            return args[i + 1]
        if arg.startswith("--lang=") and arg[7:] in i18n.LANGS:
            return arg[7:]
    return i18n.default_lang(os.environ if environ is None else environ)


def use(lang: str) -> None:
    """Say the command line's own words in `lang` from now on."""
    global _lang
    _lang = lang
    if gettext.dgettext is not _framework_gettext:
        gettext.dgettext = _framework_gettext
    rich_utils = sys.modules.get("typer.rich_utils")
    if rich_utils is not None:
        for name, english in RICH_UTILS_WORDS.items():
            setattr(rich_utils, name, framework(english))


def _fold_help(rich_utils) -> None:
    """Help text that wraps onto the next line instead of being cut off with "…". rich breaks
    lines at spaces, and a Chinese sentence has none: in a table cell (Typer's options panel)
    rich then crops it. Folded, it goes on, character by character, on the next line."""
    make = rich_utils._make_rich_text
    if getattr(make, "folds", False):
        return

    def folding(**kwargs):
        made = make(**kwargs)
        if hasattr(made, "overflow"):  # a Text (Markdown wraps by itself)
            made.overflow = "fold"
        return made

    folding.folds = True
    rich_utils._make_rich_text = folding


def framework(english: str) -> str:
    """One of Typer's words in the current language."""
    found = i18n.catalog(_lang, "typer") if _lang != i18n.SOURCE_LANG else None
    return found.gettext(english) if found is not None else english


def _framework_gettext(domain: str, message: str) -> str:
    """gettext's global domain ("messages", Typer's), answered from typer.po; other domains as
    gettext answers them."""
    if domain == "messages":
        return framework(message)
    return _gettext_domain(domain, message)


def translate_command(command, lang: str | None = None) -> None:
    """`command` and everything under it with its help texts in `lang`, boolean flags without a
    type shown (`--json` takes no value), and its usage line in `lang`."""
    lang = lang or _lang
    if command.help:
        command.help = i18n.help_text(command.help, lang)
    if getattr(command, "short_help", None):
        command.short_help = i18n.help_text(command.short_help, lang)
    for metavar in ("options_metavar", "subcommand_metavar"):  # [OPTIONS], COMMAND [ARGS]...
        if getattr(command, metavar, None):
            setattr(command, metavar, framework(getattr(command, metavar)))
    for param in command.params:
        _translate_param(param, lang)
    command.get_usage = functools.partial(_usage, command.get_usage)
    command.get_help_option = functools.partial(_help_option, command.get_help_option)
    command.format_help = functools.partial(_format_help, command.format_help)
    for sub in getattr(command, "commands", {}).values():
        translate_command(sub, lang)


def _translate_param(param, lang: str) -> None:
    if getattr(param, "help", None):
        param.help = i18n.help_text(param.help, lang)
    if getattr(param, "is_flag", False) and param.metavar is None:
        param.metavar = ""  # Typer shows a flag's type, <bool>, as if it took a value


def _usage(get_usage, ctx) -> str:
    usage = get_usage(ctx)
    prefix = "Usage: "
    return framework(prefix) + usage[len(prefix):] if usage.startswith(prefix) else usage


def _format_help(format_help, ctx, formatter):
    """The help, drawn by Typer's rich_utils (imported only now: help is when it is needed)
    with text that folds rather than being cut."""
    import typer.rich_utils

    _fold_help(typer.rich_utils)
    return format_help(ctx, formatter)


def _help_option(get_help_option, ctx):
    option = get_help_option(ctx)
    if option is not None and option.metavar is None:  # the first time it is asked for
        option.metavar = ""
        option.help = framework(option.help)
    return option


def translate_error(exc) -> None:
    """A usage error (click's, in English) said in the current language, in place."""
    if _lang == i18n.SOURCE_LANG or getattr(exc, "_jifen_said", False):
        return
    if type(exc).__name__ == "NoArgsIsHelpError":  # its message is the help, already said
        return
    said = say_sentence(exc.format_message())
    exc.format_message = lambda: said
    exc._jifen_said = True


@functools.cache
def _patterns(lang: str) -> list[tuple[re.Pattern, str]]:
    """typer.po's sentence patterns (msgctxt "sentence"), longest first: the English msgid as a
    regular expression with a group per placeholder, and its translation."""
    found = i18n.catalog(lang, "typer")
    if found is None:
        return []
    patterns = []
    for key, said in found._catalog.items():
        if not isinstance(key, str) or not key.startswith("sentence\x04"):
            continue
        english = key.split("\x04", 1)[1]
        parts = re.split(r"\{(\w+)\}", english)
        regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)"
                        for i, part in enumerate(parts))
        patterns.append((re.compile(regex + r"\Z", re.S), said))
    return sorted(patterns, key=lambda p: -len(p[0].pattern))


def say_sentence(english: str) -> str:
    """One of click's English sentences in the current language: the first pattern that matches
    it whole, its placeholders said again the same way (a reason inside "Invalid value for X:
    {reason}"); unknown sentences stay as they are."""
    for regex, said in _patterns(_lang):
        match = regex.match(english)
        if match:
            return said.format(**{k: say_sentence(v) for k, v in match.groupdict().items()})
    return english

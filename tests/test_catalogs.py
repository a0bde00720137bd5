"""The words live in gettext catalogs (src/jifen_cli/locale): every key the code uses is in every
catalog, every key in a catalog is used, placeholders match, a new language is a new file, and
under --lang zh (or LANG=zh_CN.UTF-8) the help and Typer's own words are Chinese."""

from __future__ import annotations

import ast
import re
import shutil
import string
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from typer.testing import CliRunner

from jifen_cli import i18n
from jifen_cli.cli import app

PACKAGE = Path(i18n.__file__).parent
CATALOGS = sorted(PACKAGE.glob("locale/*.pot")) + sorted(PACKAGE.glob("locale/*/LC_MESSAGES/*.po"))


def _lang(path: Path) -> str:
    return "en" if path.suffix == ".pot" else path.parent.parent.name


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def _babel(path: Path):
    with path.open("rb") as fp:
        return read_po(fp)


def test_babel_and_gettext_read_the_same_words_with_the_same_placeholders():
    assert {_lang(p) for p in CATALOGS} >= {"zh", "en"}
    for path in CATALOGS:
        catalog = i18n.catalog(_lang(path), path.stem)
        for entry in _babel(path):
            if not entry.id:
                continue
            said = catalog.pgettext(entry.context, entry.id) if entry.context else \
                catalog.gettext(entry.id)
            assert said == (entry.string or entry.id), (path, entry.context, entry.id)
            if entry.string:
                assert _fields(entry.string) == _fields(entry.id), (path, entry.context)
            assert ("python-brace-format" in entry.flags) == bool(
                _fields(entry.id) | _fields(entry.string or "")), (path, entry.context, entry.id)


def test_every_language_has_every_entry_of_the_template_and_chinese_all_translated():
    templates = {path.stem: {(m.context, m.id) for m in _babel(path) if m.id}
                 for path in CATALOGS if path.suffix == ".pot"}
    assert set(templates) == {"jifen", "typer"}
    for path in CATALOGS:
        if path.suffix == ".po":
            entries = [m for m in _babel(path) if m.id]
            assert {(m.context, m.id) for m in entries} == templates[path.stem], path
            if _lang(path) == "zh":  # Chinese all the way; a new language may ship part-done
                assert not [m.id for m in entries if not m.string], path


def test_chinese_messages_are_chinese():
    for key, zh in i18n.catalog("zh").by_key.items():
        en = i18n.text(key, "en")
        words = "".join(text for text, *_ in string.Formatter().parse(zh))
        if key.startswith(("col_", "kind_")) or zh == en or not any(ch.isalpha() for ch in words):
            continue  # a column code, the same in both, or placeholders and marks only
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh), key


# --- every key the code uses is in the catalogs, and every key there is used -------------------

def _code():
    """(string literals, keys passed where a message key is expected, f-string prefixes)."""
    from jifen_cli import errors

    takes_key = {"t", "say", "Message", "text", "_"} | {
        name for name, obj in vars(errors).items()
        if isinstance(obj, type) and issubclass(obj, errors.JifenError)}
    literals, keys, prefixes = set(), set(), set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                literals.add(node.value)
            elif isinstance(node, ast.JoinedStr) and node.values and isinstance(
                    node.values[0], ast.Constant) and re.fullmatch(r"[a-z_]+_", node.values[0].value):
                prefixes.add(node.values[0].value)
            elif isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                args = [a for a in node.args[:1] if name in takes_key]
                args += [k.value for k in node.keywords if (k.arg or "").endswith("_key")]
                keys |= {a.value for a in args if isinstance(a, ast.Constant)
                         and isinstance(a.value, str) and re.fullmatch(r"[a-z][a-z0-9_]*", a.value)}
    for path in PACKAGE.rglob("*.j2"):
        template = path.read_text(encoding="utf-8")
        keys |= set(re.findall(r'_\("([a-z0-9_]+)"', template))
        literals |= set(re.findall(r'"([a-z0-9_]+)"', template))
    return literals, keys, prefixes


NOT_KEYS = {"import_result"}  # the demo's progress event (demo.py's own `say`), not a message


def test_every_key_the_code_passes_is_in_the_catalogs():
    _, keys, _ = _code()
    assert len(keys) > 300, "the scan found too few keys"
    missing = sorted(key for key in keys - NOT_KEYS if not i18n.known(key))
    assert not missing


def test_every_key_in_the_catalogs_is_used():
    literals, keys, prefixes = _code()
    unused = sorted(key for key in i18n.catalog("en").by_key
                    if key not in literals | keys and not key.startswith(tuple(prefixes)))
    assert not unused


def test_every_help_text_in_the_template_is_shown_by_a_command():
    shown = {text for _, command in _commands() for text in _helps(command)}
    template = {m.id for m in _babel(PACKAGE / "locale/jifen.pot") if m.id and not m.context}
    assert template == shown


# --- the languages are the catalogs that exist ---------------------------------------------------

def _translate(path: Path, words: dict, fuzzy: dict) -> None:
    """What a translator does in Poedit: fill in msgstr (marking a guess fuzzy)."""
    from babel.messages.pofile import write_po

    catalog = _babel(path)
    for entry in catalog:
        key = entry.context or entry.id
        if key in words or key in fuzzy:
            entry.string = words.get(key) or fuzzy[key]
            if key in fuzzy:
                entry.flags.add("fuzzy")
    with path.open("wb") as fp:
        write_po(fp, catalog)


def test_a_language_is_a_catalog_file(tmp_path):
    """Tibetan begins as the README says: `pybabel init` from the templates in a copy of the
    package, a few entries translated. --lang bo is offered and speaks it: its words where it has
    them, English where it has not, and not a guess marked fuzzy."""
    from babel.messages.frontend import CommandLineInterface

    copy = tmp_path / "jifen_cli"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    locale = copy / "locale"
    for domain in ("jifen", "typer"):
        CommandLineInterface().run(["pybabel", "-q", "init", "-D", domain, "-l", "bo",
                                    "-i", str(locale / f"{domain}.pot"), "-d", str(locale)])
    _translate(locale / "bo/LC_MESSAGES/jifen.po",
               {"no_village": "{path} ན་གྲོང་ཚོའི་ཡིག་ཆ་མི་འདུག", "Household codes.": "ཁྱིམ་ཚང་གི་ཨང་རྟགས།"},
               {"Every household.": "ཁྱིམ་ཚང་ཚང་མ།"})
    _translate(locale / "bo/LC_MESSAGES/typer.po", {"Options": "འདེམས་ཚན།"}, {})
    assert i18n.languages(locale) == ("en", "bo", "zh")

    def run(*args):
        return subprocess.run([sys.executable, "-m", "jifen_cli", *args], capture_output=True,
                              text=True, cwd=tmp_path, env={"PYTHONPATH": str(tmp_path),
                                                            "COLUMNS": "200"})

    refused = run("--lang", "bo", "--db", "none.db", "balance")
    assert refused.returncode == 1, refused.stderr
    assert "none.db ན་གྲོང་ཚོའི་ཡིག་ཆ་མི་འདུག" in refused.stderr
    shown = run("--lang", "bo", "card", "--help")
    assert "ཁྱིམ་ཚང་གི་ཨང་རྟགས།" in shown.stdout and "འདེམས་ཚན།" in shown.stdout
    assert "Folder for cards.html." in shown.stdout  # not translated yet: English
    assert "Every household." in shown.stdout and "ཁྱིམ་ཚང་ཚང་མ།" not in shown.stdout  # fuzzy
    assert "<en|bo|zh>" in run("--help").stdout  # English first, then as the folders sort


def test_no_shipped_entry_is_a_guess():
    assert not [(p, m.context, m.id) for p in CATALOGS for m in _babel(p) if m.id and m.fuzzy]


# --- Chinese all the way -------------------------------------------------------------------------

runner = CliRunner()


def _commands(command=None, path=()):
    """Every command and sub-command, as (path, command object) — walked, not listed by hand."""
    import typer

    from jifen_cli.cli import words

    if command is None:
        words.use("en")  # the objects with their English help, as the code writes it
        command = typer.main.get_command(app)
    yield path, command
    if hasattr(command, "list_commands"):
        ctx = command.context_class(command)
        for name in command.list_commands(ctx):
            yield from _commands(command.get_command(ctx, name), (*path, name))


def _helps(command) -> list[str]:
    texts = [command.help] + [p.help for p in command.params if getattr(p, "help", None)]
    if hasattr(command, "list_commands"):
        ctx = command.context_class(command)
        texts += [command.get_command(ctx, name).help for name in command.list_commands(ctx)]
    return [text for text in texts if text]


def _flat(text: str) -> str:
    return re.sub(r"[\s│╭╮╰╯─…]+", "", text)


ENGLISH = re.compile(r"\b[A-Za-z]{2,}[ ,]+[a-z]{2,}[ ,]+[a-z]{2,}\b")  # three English words


@pytest.mark.parametrize("env", [{}, {"LANG": "zh_CN.UTF-8"}], ids=["--lang zh", "LANG=zh_CN"])
def test_every_help_is_chinese(env):
    commands = [(path, _helps(command)) for path, command in _commands()]  # before any zh run
    assert len(commands) > 60  # every command and sub-command, e.g. household edit
    zh = i18n.catalog("zh")
    for path, helps in commands:
        args = ["--lang", "zh"] if not env else []
        shown = runner.invoke(app, [*args, *path, "--help"], env=env)
        assert shown.exit_code == 0, (path, shown.output)
        out = shown.output
        for word in ("用法：", "选项", "显示本帮助并退出。"):
            assert word in out, (path, word)
        for english in ("Usage", "Options", "Commands", "Arguments", "[required]", "[default:",
                        "Show this message", "<bool>"):
            assert english not in out, (path, english)
        for text in helps:
            said = zh.gettext(text)
            assert said != text, (path, text)  # translated
            first = inspect_first_paragraph(said)
            assert _flat(first)[:12] in _flat(out), (path, said)
        body = [line for line in out.splitlines() if "用法：" not in line]
        assert not [line for line in body if ENGLISH.search(line)], (path, out)


def test_no_help_text_is_cut_off_on_an_80_column_terminal():
    """rich breaks lines at spaces; a Chinese sentence has none, and a table cell would crop it
    with "…". Every help text, in both languages, is shown whole: wrapped, never cut."""
    for path, _ in _commands():
        for lang in ("zh", "en"):
            narrow, wide = (runner.invoke(app, ["--lang", lang, *path, "--help"],
                                          env={"COLUMNS": columns, "TERM": "dumb"})
                            for columns in ("80", "400"))
            assert narrow.exit_code == wide.exit_code == 0, (path, narrow.output)
            # an ellipsis of the text's own (文号……, "number…") is there however wide
            assert narrow.output.count("…") == wide.output.count("…"), (lang, path,
                                                                         narrow.output)


def inspect_first_paragraph(text: str) -> str:
    return text.split("\n\n")[0]


def test_help_stays_english_in_english():
    shown = runner.invoke(app, ["--lang", "en", "household", "edit", "--help"])
    assert shown.exit_code == 0
    assert "Usage: jifen household edit" in shown.output
    assert "Correct or update a household" in shown.output and "Options" in shown.output
    assert "用法" not in shown.output and "<bool>" not in shown.output


USAGE_ERRORS = [
    (["household", "add", "H001", "次仁卓玛", "--bogus"], "没有这个选项：--bogus",
     "No such option: --bogus"),
    (["init"], "缺少选项 '--village'。", "Missing option '--village'."),
    (["household", "add"], "缺少参数 'code'。", "Missing argument 'code'."),
    (["init", "--village", "བཀྲ་ཤིས་སྒང་", "--mode", "bogus"], "'--mode' 的值无效：'bogus' 不在可选值",
     "Invalid value for '--mode': 'bogus' is not one of"),
    (["nosuch"], "没有这个命令：'nosuch'。", "No such command 'nosuch'."),
    (["household", "add", "H001", "次仁卓玛", "--members", "many"],
     "'--members' 的值无效：'many' 不是整数。", "Invalid value for '--members': 'many' is not a valid"),
    (["household", "add", "H001", "次仁卓玛", "--members", "-1"],
     "'--members' 的值无效：-1 不在范围 x>=0 之内。", "Invalid value for '--members': -1 is not in the"),
]


@pytest.mark.parametrize("args,zh,en", USAGE_ERRORS, ids=[
    "no such option", "missing option", "missing argument", "invalid choice", "no such command",
    "not an integer", "out of range"])
def test_usage_errors_are_in_the_readers_language(args, zh, en):
    said = runner.invoke(app, ["--lang", "zh", *args])
    assert said.exit_code == 2
    assert zh in _flat(said.stderr) or zh in said.stderr, said.stderr
    assert "错误" in said.stderr and "查看帮助" in said.stderr and "用法：" in said.stderr
    assert "Error" not in said.stderr and "Usage" not in said.stderr
    zh_env = runner.invoke(app, args, env={"LANG": "zh_CN.UTF-8"})
    assert zh_env.exit_code == 2 and zh in zh_env.stderr
    english = runner.invoke(app, ["--lang", "en", *args])
    assert english.exit_code == 2
    assert en in english.stderr and "Try 'jifen" in english.stderr, english.stderr


def test_the_language_is_read_before_the_options_it_sits_among():
    """`--lang zh` after a bad option still says the error in Chinese; `--lang=zh` too."""
    said = runner.invoke(app, ["--bogus", "--lang=zh", "balance"])
    assert said.exit_code == 2 and "没有这个选项：--bogus" in said.stderr

"""Every user-facing word, from the gettext catalogs in `locale/`.

`locale/jifen.pot` is the template: `msgctxt` is the message key the code uses (the key a
JifenError carries), `msgid` the English text. A `--help` text is its own English `msgid`, without
a context. Each language translates it in `locale/<lang>/LC_MESSAGES/jifen.po` (`msgstr`);
English, the source, needs no catalog of its own. `typer.pot` and `<lang>/LC_MESSAGES/typer.po`
beside it hold the command-line framework's own words (Usage, Options, "No such option", ...).
The languages are English and the catalogs that exist: adding `bo/LC_MESSAGES/jifen.po` adds
Tibetan.

`t(key, lang, **params)` formats one message. A catalog is read from its source the first time a
language is asked for, by the standard library's `gettext.GNUTranslations` with a .po reader in
place of its .mo one: a few milliseconds, no build step, and a translator's edit shows at once.
"""

from __future__ import annotations

import gettext
import os
import re
from pathlib import Path

LOCALE = Path(__file__).parent / "locale"
SOURCE_LANG = "en"


def languages(locale: Path | None = None) -> tuple[str, ...]:
    """English, then the languages there is a catalog for."""
    folder = locale or LOCALE
    found = sorted(p.name for p in folder.iterdir() if (p / "LC_MESSAGES" / "jifen.po").is_file())
    return (SOURCE_LANG, *(lang for lang in found if lang != SOURCE_LANG))


LANGS = languages()


class Catalog(gettext.GNUTranslations):
    """A gettext catalog read from its `.po` source. `pgettext`, `gettext` and `ngettext` work
    as on any GNUTranslations; `by_key` maps a message key (the msgctxt) to its text."""

    by_key: dict[str, str]

    def _parse(self, fp) -> None:
        self._catalog = catalog = {}
        self.by_key = by_key = {}
        self.plural = lambda n: int(n != 1)
        self._info = {}
        self._charset = "utf-8"
        for entry in read_po(fp.read()):
            msgid, strs, ctxt = entry["msgid"], entry["msgstr"], entry.get("msgctxt")
            if msgid == "" and ctxt is None:
                self._read_header(strs[0])
                continue
            if entry.get("fuzzy"):  # as msgfmt does: a guess is not used
                strs = [""] * len(strs)
            if "msgid_plural" in entry:
                for n, text in enumerate(strs):
                    catalog[(msgid, n)] = text or (msgid if n == 0 else entry["msgid_plural"])
                continue
            text = strs[0] or msgid  # the template, or an entry not translated yet: English
            catalog[msgid if ctxt is None else f"{ctxt}\x04{msgid}"] = text
            if ctxt is not None:
                by_key[ctxt] = text

    def _read_header(self, header: str) -> None:
        for line in header.splitlines():
            name, _, value = line.partition(":")
            self._info[name.strip().lower()] = value.strip()
        forms = self._info.get("plural-forms", "")
        if "plural=" in forms:
            self.plural = gettext.c2py(forms.split("plural=")[1].rstrip(";"))


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}
_ESCAPE = re.compile(r"\\(.)")


def _unquote(text: str) -> str:
    body = text.strip()[1:-1]
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(0)), body) if "\\" in body else body


def read_po(text: str) -> list[dict]:
    """The entries of a .po file: msgctxt, msgid, msgid_plural, msgstr (a list: one string, or
    one per plural form), fuzzy (a guess a translator has not confirmed, as `#, fuzzy` marks
    it). Other comments and obsolete (#~) entries are skipped."""
    entries: list[dict] = []
    entry: dict = {}
    field = None
    for line in text.splitlines():
        if not line or line[0] == "#":
            if line.startswith("#,") and "fuzzy" in line:  # comes before the entry it marks
                if "msgstr" in entry:
                    entries.append(entry)
                    entry = {}
                entry["fuzzy"] = True
            continue
        if line[0] == '"':
            value = _unquote(line)
            if field[0] == "msgstr":
                entry["msgstr"][field[1]] += value
            else:
                entry[field[0]] += value
            continue
        name, _, rest = line.partition(" ")
        if name in ("msgctxt", "msgid") and "msgstr" in entry:  # a new entry begins
            entries.append(entry)
            entry = {}
        if name.startswith("msgstr"):
            index = int(name[7:-1]) if name != "msgstr" else 0
            strs = entry.setdefault("msgstr", [])
            strs.extend([""] * (index + 1 - len(strs)))
            strs[index] = _unquote(rest)
            field = ("msgstr", index)
        else:
            entry[name] = _unquote(rest)
            field = (name, None)
    if "msgstr" in entry:
        entries.append(entry)
    return entries


_catalogs: dict[tuple[str, str], Catalog | None] = {}


def catalog(lang: str, domain: str = "jifen") -> Catalog | None:
    """The catalog of `lang` (None when there is none), read once; English's is the template."""
    if (lang, domain) not in _catalogs:
        name = f"{domain}.pot" if lang == SOURCE_LANG else f"{lang}/LC_MESSAGES/{domain}.po"
        try:
            with (LOCALE / name).open(encoding="utf-8") as fp:
                _catalogs[lang, domain] = Catalog(fp)
        except FileNotFoundError:
            _catalogs[lang, domain] = None
    return _catalogs[lang, domain]


def text(key: str, lang: str = SOURCE_LANG) -> str:
    """The words of message `key` in `lang`, else in English, else the key itself."""
    for choice in (lang, SOURCE_LANG):
        found = catalog(choice)
        if found is not None and key in found.by_key:
            return found.by_key[key]
    return key


def known(key: str) -> bool:
    """Whether `key` names a message (in the template, the source of them all)."""
    found = catalog(SOURCE_LANG)
    return found is not None and key in found.by_key


def help_text(english: str, lang: str) -> str:
    """A `--help` text (keyed by its English words) in `lang`; English when not translated."""
    found = catalog(lang) if lang != SOURCE_LANG else None
    return found.gettext(english) if found is not None else english


def _language_of(value: str) -> str | None:
    """zh_CN.UTF-8 -> zh when there is a zh catalog; C and POSIX are English."""
    code = value.split(".")[0].split("@")[0]
    if code in ("C", "POSIX"):
        return SOURCE_LANG
    for candidate in (code, code.split("_")[0].lower()):
        if candidate in LANGS:
            return candidate
    return None


def default_lang(environ=os.environ) -> str:
    """`--lang` default: JIFEN_LANG, else the locale's language as gettext finds it (LANGUAGE,
    then the first set of LC_ALL, LC_MESSAGES, LANG), when there is a catalog for it; else
    English. An unknown JIFEN_LANG is ignored."""
    explicit = environ.get("JIFEN_LANG", "")
    if explicit in LANGS:
        return explicit
    for name in environ.get("LANGUAGE", "").split(":"):
        if name and (lang := _language_of(name)) and lang != SOURCE_LANG:
            return lang
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if value := environ.get(variable):
            return _language_of(value) or SOURCE_LANG
    return SOURCE_LANG


def t(key: str, lang: str = "en", /, **params) -> str:
    template = text(key, lang)
    if "what" in params:  # a noun named by key: "household" -> 户 / Household
        params["what"] = t(f"what_{params['what']}", lang)
    if known(f"field_{params.get('field')}"):  # an input named by its code: qty -> 数量
        params["field"] = t(f"field_{params['field']}", lang)
    for name in [p for p in params if p.endswith("_key")]:  # a nested message, e.g. detail_key
        inner = {k: v for k, v in params.items() if not k.endswith("_key")}
        params[name[:-4]] = t(params[name], lang, **inner)
    params = {name: _in(lang, value) for name, value in params.items()}
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template


def join(lang: str, items) -> str:
    """Items listed in `lang`: 甲；乙 or a; b."""
    return text("list_separator", lang).join(str(_in(lang, item)) for item in items)


def _in(lang: str, value):
    """A parameter as said in `lang`: a Message translated, a list of them joined (；/ ; )."""
    if isinstance(value, Message):
        return value.message(lang)
    if isinstance(value, list):
        return join(lang, value)
    return value


def _rebuild(cls: type, key: str, params: dict) -> Message:
    return cls(key, **params)


class Message(str):
    """Words to be said later, in whichever language the reader wants. The string itself is the
    English text (what `--json` and scripts see, stable); `message(lang)` says it in `lang`.
    Parameters may be Messages or lists of them (joined with ；or ;), said in the same lang.
    A domain module that describes something (a check, a roll-up row) returns one of these."""

    key: str
    params: dict

    def __new__(cls, key: str, /, **params):
        text = super().__new__(cls, t(key, "en", **params))
        text.key, text.params = key, params
        return text

    def __reduce__(self):  # to worker processes and through dataclasses.asdict
        return _rebuild, (type(self), self.key, self.params)

    def message(self, lang: str = "en") -> str:
        return t(self.key, lang, **self.params)


def said(value, lang: str) -> str:
    """Any text in `lang`: a Message translated, anything else as it is."""
    return value.message(lang) if isinstance(value, Message) else "" if value is None else str(value)

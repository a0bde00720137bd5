"""Every message exists in every catalog with the same placeholders; the language follows the
environment; nested keys are translated."""

from __future__ import annotations

import string

from jifen_cli.i18n import LANGS, catalog, default_lang, t, text


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_message_has_every_language_with_the_same_placeholders():
    assert LANGS[0] == "en" and "zh" in LANGS
    for key, en in catalog("en").by_key.items():
        for lang in LANGS:
            said = text(key, lang)
            assert said.strip() or key == "list_separator", (lang, key)
            assert _fields(said) == _fields(en), (lang, key)


def test_default_language_follows_the_environment():
    assert default_lang({"LANG": "zh_CN.UTF-8"}) == "zh"
    assert default_lang({"LANG": "en_US.UTF-8"}) == "en"
    assert default_lang({}) == "en"
    assert default_lang({"LANG": "en_US.UTF-8", "JIFEN_LANG": "zh"}) == "zh"
    assert default_lang({"LANG": "zh_CN.UTF-8", "JIFEN_LANG": "fr"}) == "zh"  # unknown: ignored
    # as gettext looks: LANGUAGE first, then the first set of LC_ALL, LC_MESSAGES, LANG
    assert default_lang({"LANG": "en_US.UTF-8", "LC_ALL": "zh_CN.UTF-8"}) == "zh"
    assert default_lang({"LANG": "zh_CN.UTF-8", "LC_ALL": "C.UTF-8"}) == "en"
    assert default_lang({"LANG": "en_US.UTF-8", "LANGUAGE": "fr:zh"}) == "zh"
    assert default_lang({"LANG": "fr_FR.UTF-8"}) == "en"  # no catalog for it


def test_nested_message_keys_are_translated():
    said = t("evidence_problem", "zh", file="a.jpg", detail_key="evidence_missing")
    assert said == "佐证材料 a.jpg：文件不存在或无法读取"
    assert t("duplicate", "zh", what="household", code="H001").startswith("户 H001")


def test_an_unknown_key_is_said_as_itself():
    assert t("no_such_key_anywhere", "zh") == "no_such_key_anywhere"

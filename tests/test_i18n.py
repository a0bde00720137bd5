"""Every message exists in Chinese and English with the same placeholders."""

from __future__ import annotations

import string

from jifen_cli.i18n import MESSAGES, default_lang, t


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_message_has_both_languages_with_the_same_placeholders():
    for key, (zh, en) in MESSAGES.items():
        assert zh.strip() and en.strip(), key
        assert _fields(zh) == _fields(en), key


def test_chinese_messages_are_chinese():
    for key, (zh, en) in MESSAGES.items():
        words = "".join(text for text, *_ in string.Formatter().parse(zh))
        if key.startswith(("col_", "kind_")) or zh == en or not any(ch.isalpha() for ch in words):
            continue  # a column code, the same in both, or placeholders and marks only ({field}：{old} → {new})
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh), key


def test_default_language_follows_the_environment():
    assert default_lang({"LANG": "zh_CN.UTF-8"}) == "zh"
    assert default_lang({"LANG": "en_US.UTF-8"}) == "en"
    assert default_lang({}) == "en"
    assert default_lang({"LANG": "en_US.UTF-8", "JIFEN_LANG": "zh"}) == "zh"


def test_nested_message_keys_are_translated():
    text = t("evidence_problem", "zh", file="a.jpg", detail_key="evidence_missing")
    assert text == "佐证材料 a.jpg：文件不存在或无法读取"
    assert t("duplicate", "zh", what="household", code="H001").startswith("户 H001")

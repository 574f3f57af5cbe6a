"""The text rule: what may be stored, and how old text is made printable."""

import pytest

from ecozone.errors import Invalid
from ecozone.textguard import check_optional, check_text, find_unstorable, printable


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("a\x00b", 0x00),
        ("\x1b[31mred", 0x1B),
        ("x\x7f", 0x7F),
        ("x\x85", 0x85),
        ("evil\u202etxt.exe", 0x202E),
        ("iso\u2066late", 0x2066),
        ("lone\ud800", 0xD800),
    ],
)
def test_refused_characters_are_named_with_field_and_position(text, code):
    with pytest.raises(Invalid) as caught:
        check_text(text, "reason", multiline=True)
    message = str(caught.value)
    assert message.startswith("reason: character ")
    assert f"U+{code:04X}" in message
    assert f"position {text.index(chr(code)) + 1}" in message


def test_line_breaks_only_in_multiline_text():
    assert check_text("line one\nline two\ttab\r\n", "narrative", multiline=True)
    with pytest.raises(Invalid, match=r"name: character U\+000A \(LF\) at position 2"):
        check_text("a\nb", "name")
    assert find_unstorable("a\tb") == (1, "\t")


def test_ordinary_chinese_text_passes_unchanged():
    text = "重庆自贸区 · 排放口 DA001（SO₂ ≤ 50 mg/m³）"
    assert check_text(text, "name") is text
    assert check_optional(None, "name") is None


def test_printable_replaces_controls_and_keeps_layout():
    assert printable("a\x00b\x1bc\td\ne") == "a\ufffdb\ufffdc\td\ne"
    assert printable("正常") == "正常"

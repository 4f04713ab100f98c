"""The one sanitizer: untrusted text becomes visible, inert display text."""

from __future__ import annotations

import pytest
from rich.text import Text

from inspector.safety import clean, safe_text


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("Order Completed", "Order Completed"),
        ("\x1b[2J", "\\e[2J"),
        ("\x1b]52;c;ZXZpbA==\x07", "\\e]52;c;ZXZpbA==\\x07"),
        ("a\nb\tc\rd", "a\\nb\\tc\\rd"),
        ("\x00\x7f\x85\x9b", "\\x00\\x7f\\x85\\x9b"),
        ("abc\u202edef", "abc\\u202edef"),
        ("\u2066x\u2069", "\\u2066x\\u2069"),
        ("zero\u200bwidth", "zero\\u200bwidth"),
        ("\ufeffbom", "\\ufeffbom"),
        ("line\u2028sep", "line\\u2028sep"),
        ("Café ✓ 日本", "Café ✓ 日本"),
    ],
)
def test_control_and_bidi_characters_become_visible(raw, shown):
    assert clean(raw) == shown


def test_no_unsafe_character_survives_any_input():
    every = "".join(chr(c) for c in range(0x3000)) + "\ufeff\ufff9\ufffa\ufffb"
    out = clean(every, max_len=None)
    assert all(ch.isprintable() for ch in out)


def test_markup_stays_literal():
    t = safe_text("[@click=app.quit]x[/] [red]x")
    assert isinstance(t, Text)
    assert t.plain == "[@click=app.quit]x[/] [red]x"
    assert t.spans == []


def test_long_values_are_cut():
    assert clean("x" * 10_000, max_len=20) == "x" * 20 + "…"
    assert len(clean("x" * 10_000, max_len=None)) == 10_000


def test_non_strings_are_shown_as_text():
    assert clean(123) == "123"
    assert clean(None) == "None"

"""Whitespace and character normalisation (the text conventions in ``parsers/record.py``)."""

from __future__ import annotations

import unicodedata

import pytest

from parsers.text import clean_line, clean_text


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  a \t b\n c  ", "a b c"),
        ("a\u00a0b\u2002c\u2009d\u202fe\u3000f", "a b c d e f"),  # NBSP and other spaces
        ("zero\u200bwidth\u200c\u200djoin\ufeff\u2060", "zerowidthjoin"),
        ("soft\u00adhyphen", "softhyphen"),
        ("icon\ue001glyph", "iconglyph"),  # private-use icon-font glyphs
        ("cafe\u0301", "café"),  # NFD -> NFC
        ("", ""),
        ("\u00a0\u200b ", ""),
    ],
)
def test_clean_line(raw: str, clean: str) -> None:
    assert clean_line(raw) == clean
    assert unicodedata.is_normalized("NFC", clean_line(raw))


def test_clean_text_strips_lines_and_drops_blank_ones() -> None:
    assert (
        clean_text("  first  line \n\n \u00a0\n second\u3000line \r\n") == "first line\nsecond line"
    )


def test_clean_text_never_returns_an_empty_string() -> None:
    assert clean_text(" \n\u200b\n") is None

"""Whitespace and character normalisation shared by every parser (see ``record.py``).

Kept in one place so that the site parser, the generic QAPage parser and the fixtures agree
byte for byte on what "the same text" means, whatever markup or encoding a page used.
"""

from __future__ import annotations

import re
import unicodedata

#: Characters that render as nothing: dropped rather than turned into spaces, so a word
#: broken by a zero-width space or a soft hyphen reads as one word.
ZERO_WIDTH: frozenset[str] = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e")

# Private-use code points are icon-font glyphs (share buttons, stars), never words. The
# flattener also uses a few of them as in-band markers, so they must never reach a record.
# (A regex, not str.translate: a translate table is a per-character dict lookup.)
_DROP = re.compile(f"[{''.join(sorted(ZERO_WIDTH))}\ue000-\uf8ff]")


def clean_line(text: str) -> str:
    """One visible line: zero-width and icon glyphs dropped, whitespace collapsed, NFC.

    ``str.split()`` already treats NBSP, the U+2000 spaces, U+3000 and line separators as
    whitespace, so splitting and re-joining turns every Unicode space into one plain space.
    """
    if not text.isascii():
        text = _DROP.sub("", text)
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())


def clean_text(text: str) -> str | None:
    """Multi-line text: every line cleaned, blank lines removed; ``None`` when nothing is left."""
    lines = [line for line in (clean_line(part) for part in text.splitlines()) if line]
    return "\n".join(lines) or None

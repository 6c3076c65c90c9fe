"""``Label``: how a visible label a site parser anchors on is found on a line, fast.

Generic: the labels themselves belong to their site's package (``parsers.sites.<site>``); this
is only the shape ``parsers.lines.LineIndex`` scans a page for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Label:
    """A pattern that recognises a label on one line, plus lowercase literals every match
    contains, so a whole page can be scanned with ``str.find`` (C speed) and the pattern only
    confirms the few candidate lines (see ``parsers.lines.LineIndex``)."""

    pattern: re.Pattern[str]
    hints: tuple[str, ...]

    def search(self, text: str) -> re.Match[str] | None:
        """``pattern.search`` for lines that hold a hint: a case-insensitive pattern that starts
        with an alternation costs 15-100 us on a paragraph, a substring test well under 1 us."""
        lowered = text.lower()
        if not any(hint in lowered for hint in self.hints):
            return None
        return self.pattern.search(text)

    def match(self, text: str) -> re.Match[str] | None:
        lowered = text.lower()
        if not any(hint in lowered for hint in self.hints):
            return None
        return self.pattern.match(text)

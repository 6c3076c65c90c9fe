"""Dates as pages write them -> ISO ``YYYY-MM-DD`` strings (``None`` when not a real date).

Pages write dates in several styles (``2023/12/23``, ``Dec 23, 2023``, ``23 Dec 2023``,
ISO timestamps in JSON-LD and ``<time datetime>``); the record stores one spelling so dates
compare and sort as strings.
"""

from __future__ import annotations

import re
from datetime import date

_MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<mon>[A-Za-z]{3,9})\.?"
_PATTERNS: tuple[re.Pattern[str], ...] = (
    # 2023/12/23, 2023-12-23, 2023.12.23, 2023年12月23日, 2023-12-23T10:00:00+08:00
    re.compile(r"(?<!\d)(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})(?!\d)"),
    # Dec 23, 2023 / December 23 2023
    re.compile(_MONTH + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})(?!\d)"),
    # 23 Dec 2023 / 23 December, 2023
    re.compile(r"(?<!\d)(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(?P<y>\d{4})(?!\d)"),
)

#: Four digits in a row, which every date pattern holds (its year).
_YEAR = re.compile(r"\d{4}")
# Full-width digits and separators (common on CJK pages) read as their ASCII forms.
_FOLD = str.maketrans("０１２３４５６７８９／－．", "0123456789/-.")


def parse_date(text: str | None) -> str | None:
    """The first date written in ``text`` as ``YYYY-MM-DD``; ``None`` if none or invalid."""
    found = find_date(text)
    return found[0] if found else None


def find_date(text: str | None) -> tuple[str, int, int] | None:
    """``(ISO date, start, end)`` of the first date written in ``text``; ``None`` if none or
    invalid. The span indexes ``text`` itself (the full-width fold keeps positions)."""
    if not text:
        return None
    if not text.isascii():
        text = text.translate(_FOLD)
    if _YEAR.search(text) is None:  # every pattern has one: most lines end here, in C
        return None
    for pattern in _PATTERNS:
        match = pattern.search(text)
        if match is None:
            continue
        parts = match.groupdict()
        if "mon" in parts:
            month = _MONTHS.get(parts["mon"].lower())
            if month is None:
                continue
        else:
            month = int(parts["m"])
        try:
            day = date(int(parts["y"]), month, int(parts["d"])).isoformat()
        except ValueError:
            return None
        return day, match.start(), match.end()
    return None

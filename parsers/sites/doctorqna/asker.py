"""The asker line: ``Chen, 30~39 year old female. Ask Date: 2023/12/23`` and its variants.

The line is free text assembled by the site, so it is read by pattern rather than position:
name first (optional), then an age phrase (optional), then a sex word (optional). Parsing
happens on a copy with full-width punctuation folded to ASCII; because the fold maps one
character to one character, spans found in the copy slice the original, so the name and the
age label are returned exactly as shown.
"""

from __future__ import annotations

import re

from parsers.record import Asker

# One-to-one folds only: positions in the folded copy must equal positions in the original.
_FOLD = str.maketrans(
    "～〜∼，、：．－–—０１２３４５６７８９",
    "~~~,,:.---0123456789",
)

_YEARS = r"(?:\s*-?\s*years?[\s-]*old|\s*y/?o\b|\s*yrs?\b|\s*歲)?"
_AGE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("range", re.compile(r"(?<!\d)(\d{1,3})\s*(?:~|-|to)\s*(\d{1,3})" + _YEARS, re.I)),
    ("under", re.compile(r"\b(?:under|below|less than)\s+(\d{1,3})" + _YEARS, re.I)),
    (
        "over",
        re.compile(r"(?<!\d)(\d{1,3})" + _YEARS + r"\s*(?:and|or)\s*(?:above|over|older)", re.I),
    ),
    ("plus", re.compile(r"(?<!\d)(\d{1,3})\s*\+" + _YEARS, re.I)),
    ("exact", re.compile(r"(?<!\d)(\d{1,3})\s*(?:-?\s*years?[\s-]*old|歲)", re.I)),
)
_SEX = re.compile(r"(?:^|(?<=[\s,.]))(female|male|woman|man|女性?|男性?)\s*[.,]?\s*$", re.I)
_SEX_WORDS = {"female": "female", "woman": "female", "male": "male", "man": "male"}


def _sex_value(word: str) -> str:
    lowered = word.lower()
    if lowered in _SEX_WORDS:
        return _SEX_WORDS[lowered]
    return "female" if lowered.startswith("女") else "male"


def _age(folded: str, original: str) -> tuple[int, int | None, int | None, str] | None:
    """``(start, min, max, label)`` of the leftmost age phrase, or ``None``."""
    best: tuple[int, int | None, int | None, str] | None = None
    for kind, pattern in _AGE_PATTERNS:
        match = pattern.search(folded)
        if match is None or (best is not None and match.start() >= best[0]):
            continue
        first = int(match.group(1))
        if kind == "range":
            low, high = first, int(match.group(2))
        elif kind == "under":
            low, high = None, first - 1
        elif kind in ("over", "plus"):
            low, high = first, None
        else:
            low = high = first
        best = (match.start(), low, high, original[match.start() : match.end()].strip())
    return best


def parse_who(text: str) -> Asker | None:
    """Name, age and sex from the part of the asker line before ``Ask Date``.

    Returns ``None`` when the text states neither an age nor a sex and is too long to be a
    bare name, so callers can tell an asker phrase from an ordinary sentence.
    """
    original = text.strip().rstrip(".。 ").strip()
    folded = original.translate(_FOLD)
    sex_match = _SEX.search(folded)
    end = sex_match.start() if sex_match else len(folded)
    age = _age(folded[:end], original[:end])
    sex = _sex_value(sex_match.group(1)) if sex_match else None
    if age is None and sex is None:
        name = original.strip(" ,.")
        if not name or len(name) > 40 or len(name.split()) > 4:
            return None
        return Asker(name=name)
    start = age[0] if age else end
    name = original[:start].strip(" ,.，、") or None
    if name is not None and (len(name) > 40 or len(name.split()) > 5):
        return None
    if age is None:
        return Asker(name=name, sex=sex)
    _, low, high, label = age
    return Asker(name=name, age_min=low, age_max=high, age_label=label, sex=sex)


_NAME_PART = re.compile(
    r"^[^\d.!?:;()]{1,30}?(?:\s*[,，])?$|^(?:mr|mrs|ms|miss|mx)\.\s*\S.{0,25}$", re.I
)


def is_part(text: str) -> bool:
    """Whether ``text`` (one line) can be a piece of an asker phrase that markup split into
    blocks (``Chen`` / ``30~39 year old`` / ``female``): an age, a sex, or a short name in
    capitalised words (never a sentence, so a question's last line is not taken for a name).
    """
    text = text.strip()
    if not text or len(text) > 40:
        return False
    asker = parse_who(text)
    if asker is not None and (asker.age_label or asker.sex):
        return asker.name is None or len(asker.name.split()) <= 3
    if not _NAME_PART.match(text):
        return False
    words = text.rstrip(",，").split()
    return 0 < len(words) <= 3 and all(not word[:1].islower() for word in words)


def _has_name(text: str) -> bool:
    """A piece that starts the phrase: a name (``Chen,``), alone or with the rest of it."""
    asker = parse_who(text)
    return asker is not None and asker.name is not None


def parse_parts(texts: list[str]) -> tuple[int, Asker] | None:
    """The asker phrase in the last lines of ``texts`` (each a piece, see ``is_part``):
    ``(how many lines it takes, the asker)``, taking the most lines that read as one phrase
    with an age or a sex; ``None`` if none does."""
    count = 0
    while count < len(texts) and count < 4 and is_part(texts[len(texts) - 1 - count]):
        count += 1
        if _has_name(texts[len(texts) - count]):
            break  # the phrase starts with the name: what stands above it (initials) is not part
    for size in range(count, 0, -1):
        asker = parse_who(" ".join(text.strip() for text in texts[len(texts) - size :]))
        if asker is not None and (asker.age_label or asker.sex):
            return size, asker
    return None

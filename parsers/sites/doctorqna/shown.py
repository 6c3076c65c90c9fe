"""How many doctor replies a page shows, counted from its visible lines alone.

The reply reader (``parse._replies``) reads the replies where it expects them: between the
asker line and the first chrome or section label that ends them. A template it has never
seen can put them elsewhere (under a "Responses (2)" heading read as a comment section, in
a card whose header reads as the page's banner, in a table) and the reader then loses them
without knowing. This count does not share that path: it looks at every line after the
asker block for what only a reply shows, so a reply the reader lost still shows here and the
record carries a warning instead of passing for clean.

What counts (each found with one scan of the page text, ``LineIndex``, never a loop over
lines):

* doctor headers (``Dr. <name> reply <Department>``, a bare ``Dr. <Name>`` whose ``reply``
  or department markup split into the next line, ``<name>醫師回覆<科>``), outside the
  Similar Q&A teasers and not under a widget's title ("Popular Questions");
* reply headers in words the reader does not know ("Answered by Dr. Lin Kai · Orthopedics",
  "Dr. Lin Kai answered:", "Dr. Lin Kai's answer"), likewise;
* ``Reply Date`` labels, wherever they sit (no teaser shows one);
* a reply count in a heading ("Responses (2)", "3 answers", "Doctors' replies (2)"), only
  when a doctor header or a ``Reply Date`` follows it closely: "2 Responses" above readers'
  comments, or "12 answers" beside a teaser, counts no doctor's reply.

What does not: lines in regions the markup states hold other content (a sidebar, menus, the
page's header and footer, search, dialogs, ads, buttons, share bars, hidden copies). A
comment region is not among them: doctors' replies marked up as comments are still replies;
nor is an ``<aside>`` between the asker line and the first section label, in the article's
flow (a reply boxed as an aside), where no sidebar sits.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from parsers.flatten import (
    AD,
    ASIDE,
    BANNER,
    BUTTON,
    COMMENTS,
    CONTENTINFO,
    DIALOG,
    FORM,
    HIDDEN_COPY,
    NAV,
    SEARCH,
    SHARE,
    Line,
    Region,
)
from parsers.lines import LineIndex
from parsers.sites.doctorqna import sections
from parsers.sites.doctorqna.chrome import POST_NAV, WIDGET, Chrome
from parsers.sites.doctorqna.labels import DOCTOR_BARE, DOCTOR_SUFFIXES, REPLY_DATE, REPLY_WORD

#: Regions whose lines are never this page's replies.
_ELSEWHERE = frozenset({ASIDE, NAV, SEARCH, DIALOG, AD, BUTTON, SHARE, HIDDEN_COPY})
#: The page's header and footer, unless as short as a reply card's own ``<header>`` or
#: ``<footer>`` (outside any sectioning element, markup calls those banner and footer too).
_LANDMARKS = frozenset({BANNER, CONTENTINFO})
_MAX_CARD_LANDMARK_LINES = 8
#: What a doctor header line starts with or holds (lower case), for the page-text scan.
DOCTOR_NEEDLES = ("\ndr", "\ndoctor", *DOCTOR_SUFFIXES)
_COUNT_NEEDLES = ("answer", "repl", "respons", "回覆")
_WHAT = r"(?:doctors?['’]?s?\s+)?(?:answers?|repl(?:y|ies)|responses?)"
#: "Responses (2)", "2 answers", "Doctors' replies (3)", "Answers: 2", "回覆 (2)".
_STATED = re.compile(
    rf"^(?:(?P<before>\d{{1,3}})\s+{_WHAT}|(?:{_WHAT}|回覆)\s*(?:[(（]\s*(?P<inside>\d{{1,3}})"
    rf"\s*[)）]|[:：]\s*(?P<after>\d{{1,3}})))\s*[:：]?$",
    re.I,
)
#: A name in capitalised words, or in a script without case (林怡君).
_NAME = r"(?:[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,3}|[^\W\d_A-Za-z]{1,12})"
#: An avatar's initials that a flex layout renders glued to the header ("KMDr. Kuo").
_INITIALS = r"(?:[A-Z]{1,3}(?=[A-Z]))?"
#: What may follow the doctor's name: a department, a date, set off by a separator.
_TAIL = r"(?:\s*[:：·•|,(（\-–—]\s*[^.!?]{0,40})?\s*[:：]?$"
#: A reply header worded otherwise than "Dr. <name> reply <Department>": "Answered by
#: Dr. Lin Kai · Orthopedics", "Reply from Doctor Lin", "Dr. Lin Kai answered:", "Dr. Lin
#: Kai's answer". Case matters for the name: "Dr. Wu says it is nothing" is no header.
_WORDED = re.compile(
    rf"^{_INITIALS}(?i:(?:answer(?:ed)?|repl(?:y|ied)|respon(?:se|ded))\s+(?:from|by)\s+(?:Dr\.?|Doctor)"
    rf"\s*){_NAME}{_TAIL}|^{_INITIALS}(?i:Dr\.?|Doctor)\s*{_NAME}(?:\s+(?i:answered|responded|writes|wrote)"
    rf"|['’]s\s+(?i:answer|reply|response)){_TAIL}"
)
#: Titles of blocks that list other pages: a doctor line below one is a teaser.
_NOT_REPLIES = frozenset({WIDGET, POST_NAV})
#: Chrome that closes any widget above it: a marker below is not the widget's.
_OUT_OF_WIDGETS = frozenset({COMMENTS, CONTENTINFO, BANNER, NAV, ASIDE, FORM, SEARCH})
#: How close below a count heading its first reply marker must be (an avatar, a sort menu
#: or a note may sit between).
_NEAR = 6


@dataclass(frozen=True, slots=True)
class Shown:
    """What the page shows of its replies: headers, ``Reply Date`` labels, a stated count."""

    headers: int = 0
    dates: int = 0
    stated: int = 0


def _elsewhere(
    line: Line, regions: Sequence[Region], kept: set[int], inline: tuple[int, int]
) -> bool:
    """``line`` sits in a region holding other content than the article's replies. An
    ``<aside>`` wholly within ``inline`` (after the asker line, before the first section
    label below it) is in the article's flow, not a sidebar: a reply boxed as an aside."""
    number = line.region
    while number >= 0:
        region = regions[number]
        if number not in kept and (
            (region.kind in _ELSEWHERE and not (region.kind == ASIDE and _within(region, inline)))
            or (region.kind in _LANDMARKS and region.end - region.start > _MAX_CARD_LANDMARK_LINES)
        ):
            return True
        number = region.parent
    return False


def _within(region: Region, bounds: tuple[int, int]) -> bool:
    return bounds[0] <= region.start and region.end <= bounds[1]


def is_header(text: str, following: str = "") -> bool:
    """``text`` is a doctor's reply header (name, and a department if one is shown).

    A bare ``Dr. <Name>`` is one only when markup split its ``reply`` or department off into
    the ``following`` line: alone, it is as likely an expert's byline in More Info or a
    commenter's name."""
    found = sections.doctor(text)
    if found is None or REPLY_DATE.search(text) is not None:
        return False
    if found[1] is not None:
        return sections.looks_like_department(found[1])
    if DOCTOR_BARE.match(text) is None:
        return True  # "Dr. Jones replied:" says reply, with no department
    return REPLY_WORD.match(following) is not None or sections.looks_like_department(following)


def is_worded_header(text: str) -> bool:
    """``text`` heads a reply in other words than the site's ("Answered by Dr. Lin Kai")."""
    return len(text) <= 100 and _WORDED.match(text) is not None


def stated_count(text: str) -> int | None:
    """The number of replies a heading states ("Responses (2)" -> 2), else ``None``."""
    if len(text) > 40:
        return None
    match = _STATED.match(text)
    if match is None:
        return None
    return int(match.group("before") or match.group("inside") or match.group("after"))


def shown_replies(
    lines: Sequence[Line],
    found: LineIndex,
    chrome: Chrome,
    start: int,
    teasers: tuple[int, int],
    sections_at: int | None = None,
) -> Shown:
    """The replies lines ``start`` onwards show (``teasers``: the Similar Q&A lines, whose
    doctor lines head other pages' replies; ``sections_at``: the first section label after
    ``start``, if any)."""
    regions, kept = chrome.regions, chrome.kept
    inline = (start, start if sections_at is None else sections_at)
    dates = {
        index
        for index in found.find_all(REPLY_DATE, start)
        if not _elsewhere(lines[index], regions, kept, inline)
    }
    headers = {
        index
        for index in found.lines_with(DOCTOR_NEEDLES, start)
        if not teasers[0] <= index < teasers[1]
        and is_header(lines[index].text, lines[index + 1].text if index + 1 < len(lines) else "")
        and not _elsewhere(lines[index], regions, kept, inline)
    }
    worded = {
        index
        for index in {
            *found.lines_with(DOCTOR_NEEDLES, start),
            *found.lines_with(_COUNT_NEEDLES, start),
        }
        if not teasers[0] <= index < teasers[1]
        and is_worded_header(lines[index].text)
        and not _elsewhere(lines[index], regions, kept, inline)
    }
    # A widget's teasers head other pages' replies; a Reply Date is only ever a reply's own.
    in_article = set(_in_article(chrome, sorted(dates | headers | worded), start))
    markers = sorted(dates | ((headers | worded) & in_article))
    stated = 0
    if markers:
        for index in found.lines_with(_COUNT_NEEDLES, start):
            count = stated_count(lines[index].text)
            if count is None or _elsewhere(lines[index], regions, kept, inline):
                continue
            following = markers[bisect_right(markers, index) :][:1]
            if following and following[0] - index <= _NEAR:
                stated = max(stated, count)
    # A card may show both wordings ("Dr. Lin Kai reply Orthopedics" over "Dr. Lin Kai's
    # answer"): the larger count, never their sum.
    return Shown(max(len(headers & in_article), len(worded & in_article)), len(dates), stated)


def _in_article(chrome: Chrome, markers: list[int], start: int) -> list[int]:
    """The ``markers`` that are not under a widget's title ("Popular Questions" above
    teasers of other pages, a post navigation): looking up from each marker, the first
    widget title, earlier marker or landmark met decides (a marker under another one shares
    its verdict, so a widget's second teaser is the widget's too; a landmark or comment
    section between a widget and the marker closed the widget)."""
    verdicts: dict[int, bool] = {}
    for marker in markers:
        verdict = True
        for index in range(marker - 1, start - 1, -1):
            if index in verdicts:
                verdict = verdicts[index]
                break
            kind = chrome.kind(index)
            if kind in _NOT_REPLIES or kind in _OUT_OF_WIDGETS:
                verdict = kind in _OUT_OF_WIDGETS
                break
        verdicts[marker] = verdict
    return [marker for marker in markers if verdicts[marker]]

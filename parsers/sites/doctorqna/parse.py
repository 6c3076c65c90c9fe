"""doctorqna.com article pages, read by their visible labels rather than their markup.

We have never seen the site's real HTML, only the visible text of its pages, so nothing here
keys on a class name or id. The page is flattened to visible lines (``parsers.flatten``) and a
small state machine walks them, anchored on the labels in ``labels`` (this package):

    [chrome] [SEO title] [Share to:] question title, body..., asker line (Ask Date:)
    (Dr. <name> reply <Department>, body..., Reply Date:)*
    More Info, explanation...   Similar Q&A, teasers...   Related FAQ, topic/(Department)...

Site chrome (``chrome``) is never question, reply or explanation text, and a section
that no label closes ends where the article's own content ends: at the first chrome that
closes it (share bar, comments, sidebar, footer) or at the end of the element that holds both
the asker line and the section's label. schema.org QAPage data, when present, confirms where
the question starts and fills what the visible text lacks; visible text wins when both exist.
What the parser is unsure of goes into ``QARecord.warnings`` (``parsers.warnings``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import urljoin, urlsplit

from parsers import warnings as w
from parsers.dates import find_date, parse_date
from parsers.errors import NotAnArticle, PageNotFound
from parsers.lines import Document, Line, LineIndex
from parsers.links import absolute_url
from parsers.record import Answer, Asker, QARecord
from parsers.schema import missing_fields
from parsers.sites.doctorqna import sections, shown
from parsers.sites.doctorqna.asker import parse_parts, parse_who
from parsers.sites.doctorqna.chrome import (
    ASIDE,
    BANNER,
    BREADCRUMBS,
    CLUTTER,
    COMMENTS,
    CONTENTINFO,
    FORM,
    META,
    NAV,
    POST_NAV,
    SEARCH,
    SHARE,
    TITLE,
    WIDGET,
    Chrome,
    is_date_only,
)
from parsers.sites.doctorqna.labels import (
    ASK_DATE,
    ASK_DATE_LABEL,
    FOOTER,
    MORE_INFO,
    NOT_FOUND,
    READ_MORE,
    RELATED_FAQ,
    REPLY_DATE,
    SIMILAR,
    UNANSWERED,
    Label,
)
from parsers.structured import QAData
from parsers.urls import canonicalize_url

SITE = "doctorqna"
VERSION = "doctorqna/18"

_ARTICLE_ID = re.compile(r"/article/(\d+)")
_LANG_SEGMENT = re.compile(r"^/([a-z]{2}(?:-[a-zA-Z]{2,4})?)(?:/|$)")
_MAX_CHROME_LINK_WORDS = 6
_MAX_ASKER_CHARS = 80
#: Chrome that ends the replies: what follows the article, never what sits inside it.
_AFTER_ARTICLE = frozenset({CONTENTINFO, ASIDE, COMMENTS, WIDGET, POST_NAV})
#: Chrome that may sit between a section label and its first line (not yet a boundary).
_BEFORE_TEXT = frozenset({SHARE, META, BREADCRUMBS, NAV})


class _Page:
    """One page under reading: its lines, their label index and their chrome."""

    def __init__(self, doc: Document, titles: frozenset[str]) -> None:
        self.doc = doc
        self.lines = doc.lines
        self.found = LineIndex(doc.lines)
        self.chrome = Chrome(doc.lines, doc.regions, titles, doc.spans, self.found)
        self.titles = titles

    def anchor(self, label: Label, start: int = 0, stop: int | None = None) -> int | None:
        """The first line at or after ``start`` (before ``stop``) carrying ``label`` that is the
        article's: never in an ad, dialog or hidden copy, nor in a button unless it is the
        button's own caption (an accordion or tab toggle); preferably outside every
        chrome region, else in a landmark (a "Related FAQ" in a ``<nav>``) unless the label
        is itself a link there (a menu item)."""
        fallback = None
        for index in self.found.find_all(label, start):
            if stop is not None and index >= stop:
                break
            if self.chrome.hard(index, toggle=True):
                continue
            if not self.chrome.in_regions(index):
                return index
            if fallback is None and not self.lines[index].links:
                fallback = index
        return fallback

    def shown(self, label: Label, start: int, stop: int, times: int) -> bool:
        """Whether ``label`` shows at least ``times`` times in lines ``start`` to ``stop`` as
        the article's (outside chrome regions, and not as a link: a footer's "More info"
        link repeats no section); stops looking once it does."""
        seen = 0
        for index in self.found.find_all(label, start):
            if index >= stop:
                break
            if not self.chrome.in_regions(index) and not self.lines[index].links:
                seen += 1
                if seen >= times:
                    return True
        return False

    def column_end(self, index: int, outside: int) -> int:
        """End of the largest block element holding line ``index`` but not line ``outside``
        (the column beside the article that holds a section box)."""
        best, size = index + 1, 0
        for start, end in self.doc.spans:
            if start <= index < end and not start <= outside < end and end - start > size:
                best, size = end, end - start
        return best

    def container_end(self, first: int, second: int) -> int:
        """End of the smallest block element holding lines ``first`` and ``second``."""
        best = len(self.lines)
        size = None
        for start, end in self.doc.spans:
            if start <= first and end > second and (size is None or end - start < size):
                best, size = end, end - start
        return best


def _date_of(line: Line, rest: str) -> str | None:
    return parse_date(rest) or next(filter(None, map(parse_date, line.times)), None)


@dataclass
class _Cursor:
    """Where the asker block sits: question lines end at ``start``; replies begin after ``end``."""

    start: int
    end: int
    asker: Asker = field(default_factory=Asker)
    asked_on: str | None = None
    spill: str | None = None  # body text glued to the asker line by inline markup
    date_shown: bool = True  # something follows the label: a date the parser could not read


def _find_asker(page: _Page) -> _Cursor | None:
    """The asker block: the ``Ask Date`` line plus whatever markup split off it."""
    lines = page.lines
    index = page.anchor(ASK_DATE_LABEL)
    match = ASK_DATE.search(lines[index].text) if index is not None else None
    if index is None or match is None:
        return None
    page.chrome.keep(index)
    line = lines[index]
    start, end = index, index
    who = line.text[: match.start()].strip()
    rest = line.text[match.end() :]
    asked_on = _date_of(line, rest)
    date_shown = bool(rest.strip())
    if asked_on is None and index + 1 < len(lines) and not rest.strip():
        asked_on = parse_date(lines[index + 1].text)  # <dt>Ask Date</dt><dd>2023/12/23</dd>
        if asked_on is not None:
            end = index + 1
        date_shown = date_shown or asked_on is not None or _looks_like_a_date(lines[index + 1])
    spill = None
    asker = parse_who(who) if who else None
    if who and asker is None:
        spill, asker = who, Asker()
    if asker is None:  # the phrase in blocks of its own: "Chen," / "30~39 year old" / "female."
        before = []
        for back in range(index - 1, max(index - 5, -1), -1):
            if lines[back].heading or page.chrome.is_chrome(back):
                break
            before.insert(0, lines[back].text)
        found = parse_parts(before)
        if found is not None:
            start, asker = index - found[0], found[1]
    if asker is None and not who:  # "Ask Date: 2024/2/11 · Wu, 45 years old." (a meta row)
        after_date, end = _asker_after(page, rest, end)
        asker = parse_who(after_date) if after_date else None
    asker = asker or Asker()
    if asker.name is None and start > 0:  # "Chen," split off by markup
        name_line = lines[start - 1].text
        if name_line.endswith((",", "，")) and len(name_line) <= 41:
            asker = replace(asker, name=name_line.rstrip(",，").strip() or None)
            start -= 1
    return _Cursor(start, end, asker, asked_on, spill, date_shown)


def _asker_after(page: _Page, rest: str, end: int) -> tuple[str, int]:
    """The asker phrase a template shows after the ``Ask Date`` (a meta row: date, then who):
    the text after the date on the label's line, else the line after the date. ``("", end)``
    when neither reads as an asker phrase (an age or a sex)."""
    found = find_date(rest)
    tail = rest[found[2] :].strip(" ·•|,;-–—") if found else ""
    if _is_asker(tail):
        return tail, end
    following = end + 1
    if following < len(page.lines) and not page.chrome.is_chrome(following):
        text = page.lines[following].text
        if _is_asker(text):
            return text, following
    return "", end


def _is_asker(text: str) -> bool:
    if not text or len(text) > _MAX_ASKER_CHARS:
        return False
    asker = parse_who(text)
    return asker is not None and bool(asker.age_label or asker.sex)


def _looks_like_a_date(line: Line) -> bool:
    """A short line of digits and separators right after a date label: a date written in a
    form the parser cannot read (``2023/13/45``, ``23.12.``)."""
    text = line.text
    return len(text) <= 30 and sum(ch.isdigit() for ch in text) >= 4


def _split_title(title: str | None) -> str | None:
    """``"<SEO title> - <Department>"`` -> the SEO title (the whole title otherwise)."""
    if not title:
        return None
    head, sep, tail = title.rpartition(" - ")
    if sep and head.strip() and sections.looks_like_department(tail.strip()):
        return head.strip()
    return title


def _question(
    page: _Page, first: int, stop: int, qa: QAData | None
) -> tuple[str | None, list[str]]:
    """Question title and body lines from lines ``first`` to ``stop`` (the asker block).

    The question starts after the last chrome line above it that is not clutter (the SEO
    title, "Share to:", breadcrumbs, a byline, the site's header and menus); clutter (a
    button, an ad) and chrome trailing the body (a share bar, entry meta) are skipped.
    Chrome is judged lazily, walking back from the asker line: a real page has hundreds of
    menu lines above the question, and only the ones after the last chrome line matter.
    """
    lines, chrome = page.lines, page.chrome

    def skipped(index: int) -> bool:
        return chrome.is_chrome(index) or is_date_only(lines[index].text)

    def strong(index: int) -> bool:
        kind = chrome.kind(index)
        return (kind is not None and kind not in CLUTTER) or is_date_only(lines[index].text)

    shown_title = next(
        (i for i in range(stop - 1, first - 1, -1) if lines[i].text.casefold() in page.titles),
        first - 1,
    )
    end = stop
    while end > shown_title + 1 and skipped(end - 1):  # a share bar above the asker line
        end -= 1
    anchor = next((i for i in range(end - 1, first - 1, -1) if strong(i)), first - 1)
    title_at = None
    if qa is not None and qa.name:
        wanted = qa.name.casefold()
        title_at = next((i for i in range(first, stop) if lines[i].text.casefold() == wanted), None)
    if title_at is None:
        # The heading right above the body text: a later line that repeats the title word for
        # word (and so reads as a heading) is body text, not the title.
        text_at = next(
            (i for i in range(anchor + 1, end) if not lines[i].heading and not skipped(i)), end
        )
        heads = [
            i
            for i in range(max(first, anchor - 40), text_at)
            if lines[i].heading and not skipped(i)
        ]
        title_at = heads[-1] if heads else None
    if title_at is None:
        title_at = anchor + 1
        while title_at < stop and (
            skipped(title_at)
            or (
                title_at < stop - 1
                and lines[title_at].links
                and len(lines[title_at].text.split()) <= _MAX_CHROME_LINK_WORDS
            )
        ):
            title_at += 1  # navigation and logo links above an unlabelled question
    if title_at >= stop:
        return None, []
    body = [lines[i].content for i in range(title_at + 1, end) if not skipped(i)]
    return lines[title_at].text, body


@dataclass
class _Reply:
    """A reply being read: lines join ``body`` until its ``Reply Date`` closes it."""

    name: str | None
    department: str | None
    body: list[str] = field(default_factory=list)
    date: str | None = None
    closed: bool = False
    date_unread: bool = False

    def answer(self) -> Answer:
        return Answer(self.name, self.department, "\n".join(self.body), self.date)


@dataclass
class _Replies:
    answers: list[Answer]
    headers: int  # doctor headers read
    dated: int  # Reply Date labels read
    empty: int  # replies with a header but no body
    date_unread: bool

    @classmethod
    def of(cls, replies: list[_Reply], dated: int, date_unread: bool) -> _Replies:
        """The answers of the replies read (a header without a body is no answer)."""
        kept = [reply for reply in replies if reply.body]
        return cls(
            answers=[reply.answer() for reply in kept],
            headers=len(replies),
            dated=dated,
            empty=len(replies) - len(kept),
            date_unread=date_unread,
        )


def _replies(lines: Sequence[Line]) -> _Replies:
    """``Dr. <name> reply <Department>``, body lines, ``Reply Date:`` - repeated.

    A ``Reply Date`` usually closes its reply (buttons and notes after it are not body), but
    one shown before any body line (right under the doctor line) leaves the reply open.
    """
    replies: list[_Reply] = []
    dated = 0
    index = 0
    if _dates_above(lines):
        return _replies_dated_above(lines)
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line.text:
            continue
        found = sections.doctor(line.text)
        if found is not None:
            replies.append(_Reply(*found))
            continue
        current = replies[-1] if replies else None
        if current is None or current.closed:
            continue  # "not yet replied" notes, buttons after a reply
        match = REPLY_DATE.search(line.text)
        if match is None:
            if not UNANSWERED.search(line.text) or len(line.text.split()) > 8:
                current.body.append(line.content)
            continue
        dated += 1
        before = line.text[: match.start()].strip()
        if before:  # "... last paragraph. Reply Date: ..." glued by inline markup
            current.body.append(before)
        rest = line.text[match.end() :]
        current.date = _date_of(line, rest)
        if current.date is None and index < len(lines) and not rest.strip():
            current.date = parse_date(lines[index].text)  # the date in the next element
            if current.date is None and _looks_like_a_date(lines[index]):
                current.date_unread = True
            index += 1 if current.date else 0
        elif current.date is None and rest.strip():
            current.date_unread = True
        current.closed = bool(current.body)
    return _Replies.of(replies, dated, any(reply.date_unread for reply in replies if reply.body))


def _first_reply_marker(page: _Page, start: int, stop: int) -> int:
    """The first doctor header or ``Reply Date`` in lines ``start`` to ``stop`` (else ``stop``)."""
    for index in range(start, stop):
        text = page.lines[index].text
        if sections.doctor(text) is not None or REPLY_DATE.search(text):
            return index
    return stop


def _body_below(page: _Page, start: int, stop: int) -> list[str]:
    """Question text below the asker block: the lines that are not chrome, not headings
    ("Doctors' replies") and not an unanswered notice."""
    lines = page.lines
    return [
        lines[index].content
        for index in range(start, stop)
        if not page.chrome.is_chrome(index)
        and not lines[index].heading
        and not (UNANSWERED.search(lines[index].text) and len(lines[index].text.split()) <= 12)
    ]


def _dates_above(lines: Sequence[Line]) -> bool:
    """Each reply shows its ``Reply Date`` above its doctor header (a card whose date sits in
    its top line): the first ``Reply Date`` comes before the first header."""
    for line in lines:
        if REPLY_DATE.search(line.text):
            return True
        if sections.doctor(line.text) is not None:
            return False
    return False


def _replies_dated_above(lines: Sequence[Line]) -> _Replies:
    """Replies laid out ``Reply Date`` / ``Dr. <name> reply <Dept>`` / body...: a date
    belongs to the header that follows it."""
    replies: list[_Reply] = []
    date: str | None = None
    date_unread = False
    dated = 0
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        found = sections.doctor(line.text)
        if found is not None:
            replies.append(_Reply(*found, date=date))
            date = None
            continue
        match = REPLY_DATE.search(line.text)
        if match is not None:
            dated += 1
            rest = line.text[match.end() :]
            date = _date_of(line, rest)
            if date is None and not rest.strip() and index < len(lines):
                date = parse_date(lines[index].text)  # the date in the next element
                index += 1 if date else 0
            date_unread = date_unread or date is None
            continue
        if replies and (not UNANSWERED.search(line.text) or len(line.text.split()) > 8):
            replies[-1].body.append(line.content)
    return _Replies.of(replies, dated, date_unread)


def _reply_lines(page: _Page, start: int, end: int) -> list[Line]:
    """The lines of the replies area that are not chrome (doctor and date lines always are
    read: a doctor's name may well be a ``rel=author`` link)."""
    chrome = page.chrome
    kept = []
    for index in range(start, end):
        line = page.lines[index]
        if chrome.is_chrome(index) and not (
            chrome.region_kind(index) is None
            and (sections.doctor(line.text) or REPLY_DATE.search(line.text))
        ):
            continue
        kept.append(line)
    return kept


def _first_closer(page: _Page, start: int, end: int, kinds: frozenset[str] | None) -> int:
    """The first line in ``start..end`` whose chrome ends the article (of ``kinds`` only,
    when given); ``end`` if none."""
    chrome = page.chrome
    for index in range(start, end):
        kind = chrome.kind(index)
        if kind is None:
            continue
        if kinds is None:
            if chrome.closes(index):
                return index
        elif kind in kinds:
            return index
    return end


def _section_lines(page: _Page, first: int, end: int, *, keep_read_more: bool) -> list[Line]:
    """Lines ``first`` to ``end`` of a section (below its label): the section stops at the first
    chrome that ends the article once its text has begun (a share bar, entry meta, the
    comments, a sidebar); clutter (buttons, ads, dialogs) is skipped."""
    chrome = page.chrome
    kept: list[Line] = []
    for index in range(first, end):
        line = page.lines[index]
        kind = chrome.kind(index)
        if kind is None or (keep_read_more and READ_MORE.match(line.text)):
            kept.append(line)
            continue
        if kind in CLUTTER or kind == TITLE:
            continue
        if not kept and kind in _BEFORE_TEXT:
            continue
        break
    return kept


def _tab_panels(page: _Page, found: Sequence[int | None]) -> dict[int, tuple[int, int]]:
    """Section labels shown as tabs: two or more labels on consecutive lines with nothing
    between them (a tab list), followed by as many blocks, one per label in the same order
    (the panels). ``label line -> (first, end)`` of its panel; empty when the blocks after
    the run are not one per label (then each section reads below its own label as usual).

    The panels are the outermost blocks after the run inside the smallest block that holds
    the run and what follows it, so no role or class name is needed."""
    at = sorted(index for index in found if index is not None)
    labels: list[int] = []
    for index in at:
        if labels and index == labels[-1] + 1:
            labels.append(index)
        elif len(labels) < 2:
            labels = [index]
    if len(labels) < 2:
        return {}
    first = labels[-1] + 1
    end = page.container_end(labels[0], first)
    outer: list[tuple[int, int]] = []  # the outermost blocks in first..end, in page order
    for start, stop in sorted(
        (span for span in page.doc.spans if first <= span[0] and span[1] <= end),
        key=lambda span: (span[0], -span[1]),
    ):
        if not outer or start >= outer[-1][1]:
            outer.append((start, stop))
    if len(outer) != len(labels) or outer[0][0] != first:
        return {}
    return dict(zip(labels, outer, strict=True))


#: Regions a section box above the article may not sit in: menus, the page header.
_NOT_A_BOX = frozenset({NAV, BANNER, CONTENTINFO, SEARCH, FORM})


def _section_label(page: _Page, label: Label, after: int, before: int) -> int | None:
    """The line of a section label: after the asker block, else (a column that the markup
    puts before the article, as legacy two-column tables do) above the question, outside
    menus and the page header."""
    index = page.anchor(label, after)
    if index is None and before > 0:
        index = page.anchor(label, 0, before)
        if index is not None and page.chrome.region_kind(index) in _NOT_A_BOX:
            return None
    return index


def _find_footer(page: _Page, start: int) -> int:
    """Where the page footer starts (a page-level ``<footer>`` or a copyright line)."""
    footers = [
        r.start
        for number, r in enumerate(page.doc.regions)
        if r.kind == CONTENTINFO and r.start >= start and number not in page.chrome.kept
    ]
    candidates = (min(footers, default=None), page.found.find(FOOTER, start))
    return min((index for index in candidates if index is not None), default=len(page.lines))


#: A reply card's own ``<header>``/``<footer>`` (outside any sectioning element, so the
#: markup calls it the page's banner or footer) is a few lines long.
_REPLY_LANDMARKS = frozenset({BANNER, CONTENTINFO})
_MAX_REPLY_LANDMARK_LINES = 4


def _keep_reply_landmarks(page: _Page, start: int) -> None:
    """A short ``<header>``/``<footer>`` after the asker line that holds a doctor header or a
    ``Reply Date`` belongs to a reply, not to the page: it is content."""
    candidates = set(page.found.find_all(REPLY_DATE, start))
    candidates.update(page.found.lines_with(shown.DOCTOR_NEEDLES, start))
    for index in sorted(candidates):
        line = page.lines[index]
        if line.region >= 0 and (REPLY_DATE.search(line.text) or sections.doctor(line.text)):
            page.chrome.keep_own(index, _REPLY_LANDMARKS, _MAX_REPLY_LANDMARK_LINES)


def _next_label(start: int, ends: Sequence[int | None], last: int) -> int:
    """The next section label after ``start`` or the page footer, whichever comes first."""
    return min((end for end in ends if end is not None and end > start), default=last)


def _language(doc: Document, url: str) -> str | None:
    if doc.lang:
        return doc.lang
    match = _LANG_SEGMENT.match(urlsplit(url).path)
    return match.group(1) if match else None


def _is_not_found(doc: Document) -> bool:
    texts = [doc.title or ""] + [line.text for line in doc.lines[:30] if line.heading]
    return any(NOT_FOUND.search(text) for text in texts)


def _from_structured(qa: QAData) -> list[Answer]:
    return [
        Answer(doctor_name=answer.author, department=None, body=answer.text, replied_on=answer.date)
        for answer in qa.answers
        if answer.text
    ]


def _lost_replies(seen: shown.Shown, answers: int) -> set[str]:
    """The warnings for replies the page shows (``seen``) that ``answers`` do not account for."""
    lost = set()
    if max(seen.headers, seen.dates) > answers:
        lost.add(w.REPLY_MARKER_WITHOUT_ANSWER)
    if seen.stated > answers:
        lost.add(w.FEWER_ANSWERS_THAN_SHOWN)
    return lost


def parse_document(doc: Document, url: str) -> QARecord:
    """The record for one flattened doctorqna page (see the module docstring)."""
    seo_title = _split_title(doc.title)
    titles = frozenset(title.casefold() for title in (doc.title, seo_title) if title)
    page = _Page(doc, titles)
    lines = page.lines
    cursor = _find_asker(page)
    qa = doc.qa
    if cursor is None and qa is None:
        if _is_not_found(doc):
            raise PageNotFound("the page says it was not found", url=url)
        raise NotAnArticle("no asker line (Ask Date) and no QAPage data on the page", url=url)
    warnings: set[str] = set(doc.notes)

    after = cursor.end + 1 if cursor else 0
    if cursor is not None:
        _keep_reply_landmarks(page, after)
    before = cursor.start if cursor else 0
    more_at = _section_label(page, MORE_INFO, after, before)
    similar_at = _section_label(page, SIMILAR, after, before)
    related_at = _section_label(page, RELATED_FAQ, after, before)
    for label_at in (more_at, similar_at, related_at):
        if label_at is not None:
            page.chrome.keep(label_at)
    footer_at = _find_footer(page, after)
    labels = (more_at, similar_at, related_at, footer_at)
    anchor_line = cursor.start if cursor else 0

    panels = _tab_panels(page, (more_at, similar_at, related_at))

    def section_end(label_at: int) -> int:
        if label_at in panels:
            return panels[label_at][1]
        end = _next_label(label_at, labels, len(lines))
        if label_at < anchor_line:  # a box in a column the markup puts before the article
            return min(end, page.column_end(label_at, anchor_line))
        return min(end, page.container_end(anchor_line, label_at))

    def section_start(label_at: int) -> int:
        return panels[label_at][0] if label_at in panels else label_at + 1

    if cursor is not None:
        # Section boxes the markup puts before the article (a left column) are not question.
        boxes = [section_end(at) for at in (more_at, similar_at, related_at) if at is not None]
        question_from = max((end for end in boxes if end <= cursor.start), default=0)
        question_title, body = _question(page, question_from, cursor.start, qa)
        if cursor.spill:
            body.append(cursor.spill)
            warnings.add(w.ASKER_LINE_UNPARSED)
        if cursor.asked_on is None and cursor.date_shown:
            warnings.add(w.ASK_DATE_UNPARSED)
        replies_end = _next_label(cursor.end, labels, len(lines))
        replies_end = _first_closer(page, after, replies_end, _AFTER_ARTICLE)
        replies_at = after
        if question_title is None and not body:  # the asker line above the question (mobile)
            replies_at = next(
                (i for i in range(after, replies_end) if sections.doctor(lines[i].text)),
                replies_end,
            )
            question_title, body = _question(page, after, replies_at, qa)
        elif not body:  # title, asker line, then the question's text (a meta row under the title)
            replies_at = _first_reply_marker(page, after, replies_end)
            body = _body_below(page, after, replies_at)
        read = _replies(sections.doctor_headers(_reply_lines(page, replies_at, replies_end)))
        answers = read.answers
        if read.date_unread:
            warnings.add(w.REPLY_DATE_UNPARSED)
        asker, asked_on = cursor.asker, cursor.asked_on
    else:
        question_title, body, answers, asker, asked_on = None, [], [], Asker(), None
        read = None
    question_body = "\n".join(body) or None

    base = urljoin(url, doc.base) if doc.base else url
    explanation = None
    if more_at is not None:
        kept = _section_lines(
            page,
            section_start(more_at),
            section_end(more_at),
            keep_read_more=False,
        )
        explanation = sections.explanation(kept, doc.emphasized)
        if explanation is None:
            warnings.add(w.MORE_INFO_UNPARSED)
    similar: tuple = ()
    similar_span = (len(lines), len(lines))
    if similar_at is not None:
        first, end = section_start(similar_at), section_end(similar_at)
        similar_span = (first - 1, end)
        kept = _section_lines(page, first, end, keep_read_more=True)
        similar = sections.similar(kept, base, doc.link_titles)
        if not similar:
            warnings.add(w.SIMILAR_UNPARSED)
    related: tuple = ()
    if related_at is not None:
        kept = _section_lines(
            page,
            section_start(related_at),
            section_end(related_at),
            keep_read_more=False,
        )
        related = sections.related_faq(kept, base)
        if not related:
            warnings.add(w.RELATED_FAQ_UNPARSED)

    if cursor is not None and read is not None:
        sections_at = min(
            (at for at in (more_at, similar_at, related_at) if at is not None and at > after),
            default=None,
        )
        seen = shown.shown_replies(lines, page.found, page.chrome, after, similar_span, sections_at)
        warnings.update(_lost_replies(seen, len(answers)))
        if read.empty:
            warnings.add(w.REPLY_MARKER_WITHOUT_ANSWER)
        stop = more_at if more_at is not None else (similar_at or len(lines))
        repeated = page.shown(ASK_DATE_LABEL, 0, stop, 2) or any(
            label_at is not None and page.shown(label, label_at + 1, len(lines), 1)
            for label, label_at in (
                (MORE_INFO, more_at),
                (SIMILAR, similar_at),
                (RELATED_FAQ, related_at),
            )
        )
        if repeated:
            warnings.add(w.REPEATED_CONTENT)

    if qa is not None:
        if (not question_title and qa.name) or (not question_body and qa.text):
            warnings.add(w.QUESTION_FROM_STRUCTURED_DATA)
        question_title = question_title or qa.name
        question_body = question_body or qa.text
        asked_on = asked_on or qa.date
        if not answers and qa.answers:
            answers = _from_structured(qa)
            if answers:
                warnings.add(w.ANSWERS_FROM_STRUCTURED_DATA)
        else:
            stated = {qa.answer_count, len(qa.answers) or None} - {None}
            if any(count != len(answers) for count in stated):
                warnings.add(w.STRUCTURED_DATA_DISAGREES)
        if asker == Asker() and qa.author:
            asker = Asker(name=qa.author)
    if cursor is None:  # no asker line: the replies the page shows, counted from its top
        warnings.update(
            _lost_replies(
                shown.shown_replies(lines, page.found, page.chrome, 0, similar_span), len(answers)
            )
        )

    canonical = absolute_url(doc.canonical, base) if doc.canonical else None
    canonical = canonical or canonicalize_url(url)
    id_match = _ARTICLE_ID.search(canonical) or _ARTICLE_ID.search(url)
    values = {
        "page_title": doc.title,
        "question_title": question_title,
        "question_body": question_body,
        "asker": asker,
        "asked_on": asked_on,
        "answers": tuple(answers),
        "explanation": explanation,
        "similar": similar,
        "related_faq": related,
    }
    record = QARecord(
        url=url,
        canonical_url=canonical,
        site=SITE,
        external_id=id_match.group(1) if id_match else None,
        language=_language(doc, url),
        seo_title=seo_title,
        parser_version=VERSION,
        warnings=w.ordered(warnings),
        **values,
    )
    return replace(record, missing=missing_fields(record))

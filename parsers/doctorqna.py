"""doctorqna.com article pages, read by their visible labels rather than their markup.

We have never seen the site's real HTML, only the visible text of its pages, so nothing here
keys on a class name or id. The page is flattened to visible lines (``parsers.lines``) and a
small state machine walks them, anchored on the labels in ``parsers.labels``:

    [chrome] [SEO title] [Share to:] question title, body..., asker line (Ask Date:)
    (Dr. <name> reply <Department>, body..., Reply Date:)*
    More Info, explanation...   Similar Q&A, teasers...   Related FAQ, topic/(Department)...

schema.org QAPage data, when present, confirms where the question starts and fills what the
visible text lacks; visible text wins when both exist.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from parsers import sections
from parsers.asker import parse_who
from parsers.dates import parse_date
from parsers.errors import NotAnArticle, PageNotFound
from parsers.labels import (
    ADVERT,
    ASK_DATE,
    ASK_DATE_LABEL,
    BREADCRUMB,
    FOOTER,
    MORE_INFO,
    NOT_FOUND,
    RELATED_FAQ,
    REPLY_DATE,
    SHARE,
    SHARE_WIDGETS,
    SIMILAR,
    UNANSWERED,
)
from parsers.lines import Document, Line, LineIndex
from parsers.links import absolute_url
from parsers.record import EXPECTED_FIELDS, Answer, Asker, QARecord
from parsers.structured import QAData
from parsers.urls import canonicalize_url

SITE = "doctorqna"
VERSION = "doctorqna/2"

_ARTICLE_ID = re.compile(r"/article/(\d+)")
_LANG_SEGMENT = re.compile(r"^/([a-z]{2}(?:-[a-zA-Z]{2,4})?)(?:/|$)")
_MAX_CHROME_LINK_WORDS = 6


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


def _is_who(line: Line) -> Asker | None:
    asker = parse_who(line.text)
    if asker is not None and (asker.age_label or asker.sex):
        return asker
    return None


def _find_asker(lines: Sequence[Line], found: LineIndex) -> _Cursor | None:
    """The asker block: the ``Ask Date`` line plus whatever markup split off it."""
    index = found.find(ASK_DATE_LABEL)
    match = ASK_DATE.search(lines[index].text) if index is not None else None
    if index is None or match is None:
        return None
    line = lines[index]
    start, end = index, index
    who = line.text[: match.start()].strip()
    rest = line.text[match.end() :]
    asked_on = _date_of(line, rest)
    if asked_on is None and index + 1 < len(lines) and not rest.strip():
        asked_on = parse_date(lines[index + 1].text)  # <dt>Ask Date</dt><dd>2023/12/23</dd>
        if asked_on is not None:
            end = index + 1
    spill = None
    asker = parse_who(who) if who else None
    if who and asker is None:
        spill, asker = who, Asker()
    if asker is None and index > 0:  # "Chen, 30~39 year old female." on its own line
        asker = _is_who(lines[index - 1])
        if asker is not None:
            start = index - 1
    asker = asker or Asker()
    if asker.name is None and start > 0:  # "Chen," split off by markup
        name_line = lines[start - 1].text
        if name_line.endswith((",", "，")) and len(name_line) <= 41:
            asker = replace(asker, name=name_line.rstrip(",，").strip() or None)
            start -= 1
    return _Cursor(start, end, asker, asked_on, spill)


def _split_title(title: str | None) -> str | None:
    """``"<SEO title> - <Department>"`` -> the SEO title (the whole title otherwise)."""
    if not title:
        return None
    head, sep, tail = title.rpartition(" - ")
    if sep and head.strip() and sections.looks_like_department(tail.strip()):
        return head.strip()
    return title


def _is_share(text: str) -> bool:
    match = SHARE.match(text)
    if match is None:
        return False
    rest = [word.lower() for word in re.split(r"[\s|/]+", match.group("rest")) if word]
    # Button captions, or the one-letter glyphs icon fonts leave behind ("f", "in").
    return all(word in SHARE_WIDGETS or len(word) <= 2 for word in rest)


def _is_chrome(line: Line, titles: set[str]) -> bool:
    text = line.text
    return (
        not text
        or text.casefold() in titles
        or _is_share(text)
        or text.lower() in SHARE_WIDGETS
        or bool(BREADCRUMB.search(text) and line.links)
    )


def _question(
    lines: Sequence[Line], titles: set[str], qa: QAData | None
) -> tuple[str | None, list[str]]:
    """Question title and body lines from the lines above the asker block.

    Chrome is judged lazily, walking back from the asker line: a real page has hundreds of
    menu lines above the question, and only the ones after the last chrome line (and the
    headings) matter.
    """
    judged: dict[int, bool] = {}

    def chrome(index: int) -> bool:
        if index not in judged:
            judged[index] = _is_chrome(lines[index], titles)
        return judged[index]

    shown_title = next(
        (i for i in range(len(lines) - 1, -1, -1) if lines[i].text.casefold() in titles), -1
    )
    end = len(lines)
    while end > shown_title + 1 and chrome(end - 1):  # a share bar above the asker line
        end -= 1
    # The question starts after the last chrome line (SEO title, "Share to:", breadcrumbs).
    anchor = next((i for i in range(end - 1, -1, -1) if chrome(i)), -1)
    title_at = None
    if qa is not None and qa.name:
        wanted = qa.name.casefold()
        title_at = next((i for i, ln in enumerate(lines) if ln.text.casefold() == wanted), None)
    if title_at is None:
        # The heading right above the body text: a later line that repeats the title word for
        # word (and so reads as a heading) is body text, not the title.
        text_at = next(
            (i for i in range(anchor + 1, end) if not lines[i].heading and not chrome(i)), end
        )
        heads = [i for i in range(text_at) if lines[i].heading and not chrome(i)]
        title_at = heads[-1] if heads else None
    if title_at is None:
        title_at = anchor + 1
        while title_at < len(lines) and (
            chrome(title_at)
            or (
                title_at < len(lines) - 1
                and lines[title_at].links
                and len(lines[title_at].text.split()) <= _MAX_CHROME_LINK_WORDS
            )
        ):
            title_at += 1  # navigation and logo links above an unlabelled question
    if title_at >= len(lines):
        return None, []
    body = [lines[i].content for i in range(title_at + 1, len(lines)) if not chrome(i)]
    return lines[title_at].text, body


@dataclass
class _Reply:
    """A reply being read: lines join ``body`` until its ``Reply Date`` closes it."""

    name: str | None
    department: str | None
    body: list[str] = field(default_factory=list)
    date: str | None = None
    closed: bool = False

    def answer(self) -> Answer:
        return Answer(self.name, self.department, "\n".join(self.body), self.date)


def _replies(lines: Sequence[Line]) -> list[Answer]:
    """``Dr. <name> reply <Department>``, body lines, ``Reply Date:`` - repeated.

    A ``Reply Date`` usually closes its reply (buttons and notes after it are not body), but
    one shown before any body line (right under the doctor line) leaves the reply open.
    """
    replies: list[_Reply] = []
    index = 0
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
            if ADVERT.match(line.text) is None and (
                not UNANSWERED.search(line.text) or len(line.text.split()) > 8
            ):
                current.body.append(line.content)
            continue
        before = line.text[: match.start()].strip()
        if before:  # "... last paragraph. Reply Date: ..." glued by inline markup
            current.body.append(before)
        rest = line.text[match.end() :]
        current.date = _date_of(line, rest)
        if current.date is None and index < len(lines) and not rest.strip():
            current.date = parse_date(lines[index].text)  # the date in the next element
            index += 1 if current.date else 0
        current.closed = bool(current.body)
    return [reply.answer() for reply in replies if reply.body or reply.date]


def _find_footer(doc: Document, found: LineIndex, start: int) -> int:
    """Where the page footer starts (a page-level ``<footer>`` or a copyright line)."""
    footers = [r.start for r in doc.regions if r.kind == "contentinfo" and r.start >= start]
    candidates = (min(footers, default=None), found.find(FOOTER, start))
    return min((index for index in candidates if index is not None), default=len(doc.lines))


def _section_end(start: int, ends: Sequence[int | None], last: int) -> int:
    """End of a section: the next section label or the page footer, whichever comes first."""
    return min((end for end in ends if end is not None and end > start), default=last)


def _language(doc: Document, url: str) -> str | None:
    if doc.lang:
        return doc.lang
    match = _LANG_SEGMENT.match(urlsplit(url).path)
    return match.group(1) if match else None


def _is_not_found(doc: Document) -> bool:
    texts = [doc.title or ""] + [line.text for line in doc.lines[:30] if line.heading]
    return any(NOT_FOUND.search(text) for text in texts)


def _missing(record: dict) -> tuple[str, ...]:
    asker: Asker = record["asker"]
    present = {
        "page_title": record["page_title"],
        "question_title": record["question_title"],
        "question_body": record["question_body"],
        "asker.name": asker.name,
        "asker.age": asker.age_label,
        "asker.sex": asker.sex,
        "asked_on": record["asked_on"],
        "answers": record["answers"],
        "explanation": record["explanation"],
        "similar": record["similar"],
        "related_faq": record["related_faq"],
    }
    return tuple(name for name in EXPECTED_FIELDS if not present[name])


def _from_structured(qa: QAData) -> list[Answer]:
    return [
        Answer(doctor_name=answer.author, department=None, body=answer.text, replied_on=answer.date)
        for answer in qa.answers
        if answer.text
    ]


def parse_document(doc: Document, url: str) -> QARecord:
    """The record for one flattened doctorqna page (see the module docstring)."""
    lines = doc.lines
    found = LineIndex(lines)
    cursor = _find_asker(lines, found)
    qa = doc.qa
    if cursor is None and qa is None:
        if _is_not_found(doc):
            raise PageNotFound("the page says it was not found", url=url)
        raise NotAnArticle("no asker line (Ask Date) and no QAPage data on the page", url=url)
    seo_title = _split_title(doc.title)
    titles = {title.casefold() for title in (doc.title, seo_title) if title}

    after = cursor.end + 1 if cursor else 0
    more_at = found.find(MORE_INFO, after)
    similar_at = found.find(SIMILAR, after)
    related_at = found.find(RELATED_FAQ, after)
    labels = (more_at, similar_at, related_at, _find_footer(doc, found, after))

    if cursor is not None:
        question_title, body = _question(lines[: cursor.start], titles, qa)
        if cursor.spill:
            body.append(cursor.spill)
        replies_end = _section_end(cursor.end, labels, len(lines))
        replies_at = after
        if question_title is None and not body:  # the asker line above the question (mobile)
            replies_at = next(
                (i for i in range(after, replies_end) if sections.doctor(lines[i].text)),
                replies_end,
            )
            question_title, body = _question(lines[after:replies_at], titles, qa)
        answers = _replies(sections.doctor_headers(lines[replies_at:replies_end]))
        asker, asked_on = cursor.asker, cursor.asked_on
    else:
        question_title, body, answers, asker, asked_on = None, [], [], Asker(), None
    question_body = "\n".join(body) or None

    if qa is not None:
        question_title = question_title or qa.name
        question_body = question_body or qa.text
        asked_on = asked_on or qa.date
        answers = answers or _from_structured(qa)
        if asker == Asker() and qa.author:
            asker = Asker(name=qa.author)

    base = url
    explanation = (
        sections.explanation(lines[more_at + 1 : _section_end(more_at, labels, len(lines))])
        if more_at is not None
        else None
    )
    similar = (
        sections.similar(
            lines[similar_at + 1 : _section_end(similar_at, labels, len(lines))],
            base,
            doc.link_titles,
        )
        if similar_at is not None
        else ()
    )
    related = (
        sections.related_faq(
            lines[related_at + 1 : _section_end(related_at, labels, len(lines))], base
        )
        if related_at is not None
        else ()
    )
    canonical = absolute_url(doc.canonical, url) if doc.canonical else None
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
    return QARecord(
        url=url,
        canonical_url=canonical,
        site=SITE,
        external_id=id_match.group(1) if id_match else None,
        language=_language(doc, url),
        seo_title=seo_title,
        parser_version=VERSION,
        missing=_missing(values),
        **values,
    )

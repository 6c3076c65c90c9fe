"""台灣e院 (Taiwan e-Hospital, sp1.hso.mohw.gov.tw/doctor): one question page -> one record.

The site has served two templates of the same page (docs/sites.md): an old one where a Q&A
is a ``ul.QAunit`` of ``li`` items, and a w3.css one of ``div``s. Both show the same visible
labels, and only those are read here, as lines (``parsers.lines``), never class names:

* the subject ``#<q_no> <title>``;
* the asker line ``發問者：<name>／<男|女>／<age>, YYYY/MM/DD`` (the w3.css template drops the
  label and ends the line with ``提問：`` instead);
* the doctor line ``答復者：<hospital>／<department>／<doctor>, YYYY/MM/DD`` (hospital
  optional; the w3.css template ends it with ``回覆：``);
* ``相關分類：<topics>`` (links to the site's FAQ topic listings) and the view count.

The question runs from the asker line to the doctor line, the reply from the doctor line to
the end of the block holding the Q&A. The view count is a capture-time observation: it is in
the record (``view_count``) but not in its content, so a changing count makes no revision.
Pages are Big5: decoded as cp950 (``parsers.decode``), and the backslash the site's PHP
doubles after a character whose second Big5 byte is 0x5C (功, 許, 蓋...) is removed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from parsers.dates import parse_date
from parsers.errors import NotAnArticle, PageNotFound
from parsers.flatten import (
    AD,
    ASIDE,
    BANNER,
    BUTTON,
    CONTENTINFO,
    DIALOG,
    HIDDEN_COPY,
    NAV,
    SEARCH,
    SHARE,
)
from parsers.lines import Document, Line
from parsers.record import EXPECTED_FIELDS as ARTICLE_FIELDS
from parsers.record import Answer, Asker, QARecord, RelatedFAQ
from parsers.schema import missing_fields
from parsers.sites.ehospital.urls import external_id
from parsers.text import clean_text
from parsers.urls import canonicalize_url
from parsers.warnings import (
    ASK_DATE_UNPARSED,
    ASKER_LINE_UNPARSED,
    REPEATED_CONTENT,
    REPLY_DATE_UNPARSED,
    REPLY_MARKER_WITHOUT_ANSWER,
    ordered,
)

SITE = "ehospital"
VERSION = "ehospital/2"
LANGUAGE = "zh-Hant"
#: Words of the labels below: a chrome region holding one is read line by line
#: (``parsers.flatten``), since it may hold the Q&A (發問者, 答復者, 回覆：, 相關分類).
REGION_WORDS: tuple[str, ...] = ("發問", "答復", "回覆", "相關")

#: The record fields a complete question page has (``QARecord.missing`` order): every field a
#: complete article has but the two this site never publishes, a long-form explanation and
#: similar-question teasers, so a 台灣e院 page is not counted as lacking them.
EXPECTED_FIELDS: tuple[str, ...] = tuple(
    name for name in ARTICLE_FIELDS if name not in ("explanation", "similar")
)

# The full-width slash is A1 FE in cp950; Python's big5 codec writes it as A2 41, which cp950
# reads as the division slash: both separate the fields.
_SLASH = r"[／/∕]"
_COLON = r"\s*[：:]\s*"
_DATE = r"(?P<date>\d{4}\s*[/／\-.]\s*\d{1,2}\s*[/／\-.]\s*\d{1,2})"
_SUBJECT = re.compile(r"^#\s*(?P<id>\d+)\s*(?P<title>.*)$")
# The asker and doctor lines: "<label>：<who>, <date>" or "<who>, <date> <label>：".
_ASKER = re.compile(
    rf"^(?:發問者{_COLON})(?P<who>.*?)\s*[,，]?\s*{_DATE}?\s*$"
    rf"|^(?P<who2>.*?)\s*[,，]\s*{_DATE.replace('date', 'date2')}\s*提問\s*[：:]?\s*$"
)
_DOCTOR = re.compile(
    rf"^(?:答覆者|答復者){_COLON}(?P<who>.*?)\s*[,，]?\s*{_DATE}?\s*$"
    rf"|^(?P<who2>.*?)\s*[,，]\s*{_DATE.replace('date', 'date2')}\s*回覆\s*[：:]?\s*$"
)
_TOPICS = re.compile(rf"^相關分類{_COLON}(?P<topics>.*)$")
#: The view count under any of the labels Chinese sites give it: 點閱數, 瀏覽次數, 閱讀量, 人氣...
_VIEWS = re.compile(
    rf"(?:(?:瀏覽|點閱|閱覽|觀看|閱讀)\s*(?:次數|人次|數|量)|人氣){_COLON}(?P<n>[\d,]+)"
)
_TOPIC_SEPARATORS = re.compile(r"[、，,；;|\s]+")
_AGE = re.compile(
    r"^(?P<lo>\d+)\s*[~～\-－至到]\s*(?P<hi>\d+)\s*歲?$"
    r"|^(?P<above>\d+)\s*歲?\s*以上$"
    r"|^(?:未滿\s*(?P<under>\d+)\s*歲?|(?P<below>\d+)\s*歲?\s*以下)$"
    r"|^(?P<exact>\d+)\s*歲$"
)
_CHROME_KINDS = frozenset(
    {AD, ASIDE, BANNER, BUTTON, CONTENTINFO, DIALOG, HIDDEN_COPY, NAV, SEARCH, SHARE}
)
_SEX = {"男": "male", "女": "female"}
_NOT_FOUND = re.compile(r"不存在\s*[!！。.]?$")


def _trail_5c_characters() -> str:
    """Every cp950 character whose second byte is 0x5C, the ASCII backslash."""
    found = []
    for lead in range(0x81, 0xFF):
        try:
            found.append(bytes((lead, 0x5C)).decode("cp950"))
        except UnicodeDecodeError:
            continue
    return "".join(found)


#: The site's PHP escapes every 0x5C byte, so a Big5 character ending in 0x5C is served with a
#: backslash after it ("功\能"); the backslash is the server's, not the writer's.
_MAGIC_QUOTE = re.compile(f"([{re.escape(_trail_5c_characters())}])\\\\")


def unescape(text: str | None) -> str | None:
    """``text`` without the backslashes the server added after 功, 許, 蓋 and their kind."""
    if not text or "\\" not in text:
        return text
    return _MAGIC_QUOTE.sub(r"\1", text)


def _canonical(url: str, q_no: str | None) -> str:
    """The question URL with only ``q_no`` kept: listings link it with paging parameters."""
    if q_no is None:
        return canonicalize_url(url)
    parts = urlsplit(url)
    return canonicalize_url(urlunsplit((*parts[:3], urlencode({"q_no": q_no}), "")))


def _query_value(url: str, name: str) -> str | None:
    """A query parameter, percent-decoded as UTF-8 or, failing that, as cp950 (the site)."""
    query = urlsplit(url).query
    for encoding in ("utf-8", "cp950"):
        try:
            values = dict(parse_qsl(query, encoding=encoding, errors="strict"))
        except UnicodeDecodeError:
            continue
        return (values.get(name) or "").strip() or None
    return None


def _age(text: str) -> tuple[int | None, int | None]:
    match = _AGE.match(text)
    if match is None:
        return None, None
    if match["lo"]:
        return int(match["lo"]), int(match["hi"])
    if match["above"]:
        return int(match["above"]), None
    if match["under"] or match["below"]:
        under = match["under"]
        return None, (int(under) - 1 if under else int(match["below"]))
    return int(match["exact"]), int(match["exact"])


def _who(match: re.Match[str]) -> tuple[list[str], str | None, bool]:
    """The ／-separated parts, the ISO date and whether a date was written but unreadable."""
    who = match["who"] if match["who"] is not None else match["who2"]
    written = match["date"] or match["date2"]
    parts = [unescape(p.strip()) or "" for p in re.split(_SLASH, who or "")]
    iso = parse_date(written) if written else None
    return [p for p in parts if p], iso, bool(written) and iso is None


def _asker(match: re.Match[str]) -> tuple[Asker, str | None, set[str]]:
    parts, asked_on, bad_date = _who(match)
    notes = {ASK_DATE_UNPARSED} if bad_date else set()
    sex_at = next((i for i, p in enumerate(parts) if p in _SEX), None)
    if sex_at is None and not parts:
        return Asker(), asked_on, notes | {ASKER_LINE_UNPARSED}
    if sex_at is None:  # no sex shown: the name alone
        return Asker(name=parts[0]), asked_on, notes
    name = "／".join(parts[:sex_at]) or None
    label = parts[sex_at + 1].strip("()（）") if len(parts) > sex_at + 1 else None
    age_min, age_max = _age(label) if label else (None, None)
    if label and age_min is None and age_max is None:
        notes.add(ASKER_LINE_UNPARSED)
    asker = Asker(
        name=name,
        age_min=age_min,
        age_max=age_max,
        age_label=label or None,
        sex=_SEX[parts[sex_at]],
    )
    return asker, asked_on, notes


def _doctor(match: re.Match[str]) -> tuple[str | None, str | None, str | None, str | None, bool]:
    """(hospital, department, doctor, replied_on, date unreadable) of a doctor line."""
    parts, replied_on, bad_date = _who(match)
    hospital = department = None
    if len(parts) >= 3:
        hospital, department = "／".join(parts[:-2]), parts[-2]
    elif len(parts) == 2:
        department = parts[0]
    doctor = parts[-1] if parts else None
    return hospital, department, doctor, replied_on, bad_date


def _topics(line: Line, base: str) -> tuple[RelatedFAQ, ...]:
    """The 相關分類 topics, each with the FAQ listing it links to (``q_type`` names the topic,
    ``UrlClass`` the department)."""
    match = _TOPICS.match(line.text)
    text = unescape(match["topics"]) if match else ""
    links = {}
    for href in line.links:
        topic = _query_value(href, "q_type")
        if topic:
            links.setdefault(topic, href)
    topics = []
    for word in _TOPIC_SEPARATORS.split(text or ""):
        if not word or any(t.topic == word for t in topics):
            continue
        href = links.get(word)
        topics.append(
            RelatedFAQ(
                topic=word,
                department=_query_value(href, "UrlClass") if href else None,
                url=canonicalize_url(href, base=base) if href else None,
            )
        )
    return tuple(topics)


def _body(lines: Sequence[Line]) -> str | None:
    return unescape(clean_text("\n".join(line.content for line in lines)))


class _Unit:
    """Where the labels of one Q&A sit among the page's lines."""

    def __init__(self, doc: Document) -> None:
        self.lines = doc.lines
        self.spans = doc.spans
        self.subjects: list[int] = []
        self.askers: list[int] = []
        self.doctors: list[int] = []
        self.topics: list[int] = []
        self.views: list[int] = []
        self.chrome = _chrome_regions(doc)
        for index, line in enumerate(self.lines):
            text = line.text
            if line.region in self.chrome:
                continue  # a menu or footer holding "#3" or a date is no Q&A
            if _SUBJECT.match(text):
                self.subjects.append(index)
            elif _ASKER.match(text):
                self.askers.append(index)
            elif _DOCTOR.match(text):
                self.doctors.append(index)
            elif _TOPICS.match(text):
                self.topics.append(index)
            if _VIEWS.search(text):
                self.views.append(index)

    def end(self, first: int, last: int) -> int:
        """End of the smallest block holding lines ``first`` and ``last``."""
        best, size = len(self.lines), None
        for start, end in self.spans:
            if start <= first and end > last and (size is None or end - start < size):
                best, size = end, end - start
        return best

    def text_lines(self, start: int, stop: int) -> list[Line]:
        """Lines ``start`` to ``stop`` that are not labels of the Q&A or site chrome."""
        labels = {*self.askers, *self.doctors, *self.topics, *self.views}
        return [
            self.lines[i]
            for i in range(start, stop)
            if i not in labels and self.lines[i].region not in self.chrome
        ]


def _chrome_regions(doc: Document) -> frozenset[int]:
    """The regions that are site chrome: landmarks, dialogs, buttons, ads, hidden copies, and
    what they hold. A ``<form>`` is not: old PHP pages wrap the whole content in one."""
    chrome: set[int] = set()
    for index, region in enumerate(doc.regions):
        if region.kind in _CHROME_KINDS or region.parent in chrome:
            chrome.add(index)
    return frozenset(chrome)


def parse_document(doc: Document, url: str) -> QARecord:
    """The record of one question page; listings are ``NotAnArticle``, a question the site
    says does not exist ``PageNotFound``."""
    if any(line.heading and _NOT_FOUND.search(line.text) for line in doc.lines):
        raise PageNotFound("the page says the question does not exist", url=url)
    unit = _Unit(doc)
    if len(unit.askers) > 1:
        raise NotAnArticle(f"{len(unit.askers)} questions on one page: a listing", url=url)
    q_no = external_id(url)
    if not unit.askers:
        if q_no is not None:
            raise PageNotFound("a question page without a question (no 發問者 line)", url=url)
        raise NotAnArticle("no 發問者 line: not a question page", url=url)
    asker_at = unit.askers[0]
    doctor_at = unit.doctors[0] if unit.doctors else None
    # The subject closest above the asker line: a "#2" the asker wrote is no subject.
    subject_at = max((i for i in unit.subjects if i < asker_at), default=None)
    first = min(i for i in (subject_at, asker_at) if i is not None)
    end = unit.end(first, doctor_at if doctor_at is not None else asker_at)
    notes: set[str] = set()
    if len(unit.doctors) > 1 or len(unit.topics) > 1:
        notes.add(REPEATED_CONTENT)

    title = None
    if subject_at is not None:
        subject = _SUBJECT.match(doc.lines[subject_at].text)
        assert subject is not None
        # The w3.css template shows the view count on the subject's line, after the title.
        shown = subject["title"]
        views_there = _VIEWS.search(shown)
        title = unescape(shown[: views_there.start()] if views_there else shown).strip() or None
        q_no = q_no or subject["id"]

    asker_match = _ASKER.match(doc.lines[asker_at].text)
    assert asker_match is not None
    asker, asked_on, asker_notes = _asker(asker_match)
    notes |= asker_notes
    question_end = doctor_at if doctor_at is not None else end
    question = _body(unit.text_lines(asker_at + 1, question_end))

    answers: tuple[Answer, ...] = ()
    if doctor_at is not None:
        doctor_match = _DOCTOR.match(doc.lines[doctor_at].text)
        assert doctor_match is not None
        hospital, department, doctor, replied_on, bad_date = _doctor(doctor_match)
        if bad_date:
            notes.add(REPLY_DATE_UNPARSED)
        reply = _body(unit.text_lines(doctor_at + 1, end))
        if reply:
            answers = (
                Answer(
                    doctor_name=doctor,
                    department=department,
                    body=reply,
                    replied_on=replied_on,
                    hospital=hospital,
                ),
            )
        else:
            notes.add(REPLY_MARKER_WITHOUT_ANSWER)

    base = urljoin(url, doc.base) if doc.base else url
    topics = _topics(doc.lines[unit.topics[0]], base) if unit.topics else ()
    views = None
    if unit.views:
        count = _VIEWS.search(doc.lines[unit.views[0]].text)
        assert count is not None
        views = int(count["n"].replace(",", ""))

    page_title = unescape(doc.title)
    record = QARecord(
        url=url,
        canonical_url=_canonical(url, q_no),
        site=SITE,
        external_id=q_no,
        language=LANGUAGE,
        page_title=page_title,
        question_title=title,
        question_body=question,
        asker=asker,
        asked_on=asked_on,
        answers=answers,
        related_faq=topics,
        view_count=views,
        parser_version=VERSION,
        warnings=ordered(notes),
    )
    return replace(record, missing=missing_fields(record, EXPECTED_FIELDS))

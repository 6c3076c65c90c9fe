"""The labelled sections below the replies: More Info, Similar Q&A and Related FAQ.

Each works on the flattened ``Line``s between its label and the next section, so it is as
markup-independent as the rest of the site parser. Decisions that could depend on markup
(is this line a heading?) are made from the text alone, so ``<h3>Conclusion</h3>`` and
``<p><b>Conclusion</b></p>`` give the same record.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

from parsers.lines import Line
from parsers.links import absolute_url
from parsers.record import Explanation, RelatedFAQ, SimilarQA
from parsers.sites.doctorqna.labels import (
    DOCTOR,
    DOCTOR_BARE,
    DOCTOR_STARTS,
    DOCTOR_SUFFIXES,
    DOCTOR_ZH,
    READ_MORE,
    REPLY_DATE,
    REPLY_WORD,
)

_TERMINAL = tuple(".!?:;,…。！？：；，、")
_LIST_ITEM = re.compile(r"^(?:\d+|[a-zA-Z]|[ivxIVX]+)[.)]\s|^[•·▪■◦●\-–*+]\s?")
_CONNECTORS = frozenset({"and", "of", "&", "the", "for", "in", "with", "or", "to", "a", "an"})
_MAX_HEADING_WORDS = 12
_MAX_HEADING_CHARS = 100
_MAX_SENTENCE_CASE_WORDS = 5
_MAX_LOWER_DEPT_WORDS = 4
_DIGIT = re.compile(r"\d")
_PAREN = re.compile(r"^[(（]\s*(?P<dept>[^()（）]+?)\s*[)）]$")


def _title_case(text: str) -> bool:
    words = [word for word in text.split() if word[:1].isalpha()]
    significant = [word for word in words if word.lower() not in _CONNECTORS]
    return bool(significant) and all(not word[0].islower() for word in significant)


def looks_like_department(text: str) -> bool:
    """A department name: short, no sentence punctuation or digits, capitalised words."""
    if not text or len(text) > 60 or any(ch.isdigit() for ch in text):
        return False
    if any(mark in text for mark in ".!?:;…()（）"):
        return False
    if not text.isascii():
        return True
    return len(text.split()) <= 6 and _title_case(text.replace(",", " "))


def _heading_like(line: Line) -> bool:
    text = line.text
    if line.item or line.row or len(text) > _MAX_HEADING_CHARS or _LIST_ITEM.match(text):
        return False
    if len(text.split()) > _MAX_HEADING_WORDS:
        return False
    if text[0].islower():
        return False
    if text.endswith("?"):
        return _title_case(text)  # "What Should You Do?" is a heading, "Is it bad?" is not
    if text.endswith(_TERMINAL):
        return False
    # "Treatment options" reads as a heading; a cut-off sentence in sentence case does not.
    return _title_case(text) or len(text.split()) <= _MAX_SENTENCE_CASE_WORDS


def explanation(
    lines: Sequence[Line], emphasized: frozenset[str] = frozenset()
) -> Explanation | None:
    """More Info: the text with one paragraph/heading/item/row per line, and its headings."""
    kept = [line for line in lines if line.text]
    if not kept:
        return None
    like = [_heading_like(line) for line in kept]
    stated = [line.heading or line.text in emphasized for line in kept]
    headings = tuple(
        line.text for index, line in enumerate(kept) if _is_heading(stated, like, index)
    )
    return Explanation(text="\n".join(line.content for line in kept), headings=headings)


def _is_heading(stated: Sequence[bool], like: Sequence[bool], index: int) -> bool:
    """Whether line ``index`` of a More Info section is a sub-heading.

    The text decides (``<h3>Conclusion</h3>`` and ``<p><b>Conclusion</b></p>`` agree): a
    heading-like line followed by body text. Where the page states a heading (``h1``-``h6``,
    ``role=heading``, a line that is all bold), that also decides what is body: the short
    first line under a stated heading ("Chest pain or fainting") is its text, and a stated
    heading followed by a heading-like line that is not stated is still the heading.
    """
    if not like[index] or index + 1 >= len(like):
        return False
    if stated[index]:
        return not stated[index + 1] or not like[index + 1]
    if index > 0 and stated[index - 1] and like[index - 1]:
        return False  # the first line under a stated heading is its text
    return not like[index + 1]


def _department(text: str) -> str | None:
    """``Gastroenterology`` or ``(Gastroenterology)``: the department as it reads, unbracketed."""
    text = text.strip()
    bracketed = _PAREN.match(text)
    return (bracketed.group("dept") if bracketed else text) or None


def _sentence(text: str) -> bool:
    """What follows "reply" reads as the rest of a sentence, not a department: it starts in
    lower case and runs on (more than four words, or a sentence's end)."""
    text = text.strip()
    return text[:1].islower() and (
        len(text.split()) > _MAX_LOWER_DEPT_WORDS or text.endswith(_TERMINAL)
    )


@lru_cache(maxsize=128)
def doctor(text: str) -> tuple[str | None, str | None] | None:
    """``(name, department)`` from a ``Dr. <name> reply <Department>`` line, else ``None``.

    Remembered for the last lines asked about: reading one page asks about most of its lines
    three or four times (reply headers, teasers, reply markers, chrome), with the same answer.
    """
    if text[:2].lower() not in DOCTOR_STARTS and (
        text.isascii() or not any(suffix in text for suffix in DOCTOR_SUFFIXES)
    ):
        return None
    match = DOCTOR.match(text) or DOCTOR_ZH.match(text)
    if match is not None:
        dept = match.group("dept")
        if _sentence(dept):
            return None  # "Dr. Hsu replied that surgery is rarely urgent." is reply text
        return match.group("name").strip(" :：") or None, _department(dept)
    match = DOCTOR_BARE.match(text)
    if match is None:
        return None
    words = match.group("name").split()
    # A bare "Dr. <Name>" only when it reads as a name, not "Dr. Chen agrees".
    if len(words) <= 4 and all(not word[0].islower() for word in words):
        return " ".join(words), None
    return None


def _header_parts(lines: Sequence[Line], index: int) -> int:
    """How many lines from ``index`` (a doctor line without a department) the header spans.

    Markup may put ``reply``, ``reply <Department>`` or the department in elements of their
    own. A department line right after a bare ``Dr. <Name>`` counts only when the reply date
    does not follow it at once (then it was a one-line reply body).
    """
    end = index + 1
    said_reply = DOCTOR.match(lines[index].text) is not None
    word = REPLY_WORD.match(lines[end].text) if end < len(lines) else None
    if word is not None and word.group("dept"):
        # "Replies are slow, sorry." opens a reply body; it is not "reply <Department>".
        word = word if looks_like_department(_department(word.group("dept")) or "") else None
    if word is not None:
        end, said_reply = end + 1, True
        if word.group("dept"):
            return end - index
    if (
        end < len(lines)
        and looks_like_department(lines[end].text)
        and (said_reply or end + 1 >= len(lines) or not REPLY_DATE.match(lines[end + 1].text))
    ):
        end += 1
    return end - index


def doctor_headers(lines: Sequence[Line]) -> list[Line]:
    """``lines`` with every doctor header as one ``Dr. <name> reply <Department>`` line.

    Whatever markup split (``Dr. Chen`` / ``reply`` / ``Hepatology`` in three blocks) is
    joined, and a ``Reply Date`` that inline markup glued to the end of a header becomes a
    line of its own, so the reply and teaser readers see one shape only.
    """
    out: list[Line] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        found = doctor(line.text)
        if found is None:
            out.append(line)
            index += 1
            continue
        span = 1 if found[1] is not None else _header_parts(lines, index)
        parts = lines[index : index + span]
        index += span
        text = " ".join(part.text for part in parts)
        if span > 1 and DOCTOR.match(text) is None and DOCTOR_BARE.match(parts[0].text):
            text = f"{parts[0].text} reply {parts[1].text}"  # "Dr. Chen" / "Hepatology"
        date = REPLY_DATE.search(text)
        if span == 1 and date is None:
            out.append(line)
            continue
        links = tuple(link for part in parts for link in part.links)
        times = tuple(time for part in parts for time in part.times)
        if date is None:
            out.append(Line(text, links, times))
            continue
        out.append(Line(text[: date.start()].strip(), links))
        out.append(Line(text[date.start() :], (), times))
    return out


def _url(line: Line | None, base: str) -> str | None:
    if line is None or not line.links:
        return None
    return absolute_url(line.links[0], base)


def _teaser_doctor(group: Sequence[Line], more_title: str | None) -> int | None:
    """Which line of a teaser is its doctor line. A card's title may itself read as a bare
    doctor header ("Dr. Chen Explains Fatty Liver"): a line that says "reply" wins, and the
    first line is the title whenever the card goes on."""
    found = [i for i, line in enumerate(group) if doctor(line.text)]
    if not found:
        return None
    said_reply = [i for i in found if DOCTOR.match(group[i].text) or DOCTOR_ZH.match(group[i].text)]
    if said_reply:
        return said_reply[0]
    if (
        found[0] == 0
        and len(group) > 1
        and (len(found) > 1 or more_title is None or group[0].text == more_title)
    ):
        return found[1] if len(found) > 1 else None
    return found[0]


def _teaser(group: Sequence[Line], base: str, titles: Mapping[str, str]) -> SimilarQA | None:
    read_more = READ_MORE.match(group[-1].text) if group else None
    if read_more is not None:
        more_line: Line | None = group[-1]
        more_title = read_more.group("title").strip() or None
        if more_title is None and group[-1].links:  # the title only in the link's attribute
            more_title = titles.get(group[-1].links[0])
        group = group[:-1]
    else:
        more_line, more_title = None, None
    doctor_at = _teaser_doctor(group, more_title)
    before = list(group if doctor_at is None else group[:doctor_at])
    after = [] if doctor_at is None else list(group[doctor_at + 1 :])
    title_line = None
    if before and (len(before) > 1 or more_title is None or before[0].text == more_title):
        title_line = before.pop(0)
    title = title_line.text if title_line is not None else more_title
    if not title:
        return None
    name, department = doctor(group[doctor_at].text) if doctor_at is not None else (None, None)
    return SimilarQA(
        title=title,
        url=_url(more_line, base) or _url(title_line, base),
        question_snippet="\n".join(line.content for line in before) or None,
        doctor_name=name,
        department=department,
        reply_snippet="\n".join(line.content for line in after) or None,
    )


def similar(lines: Sequence[Line], base: str, titles: Mapping[str, str]) -> tuple[SimilarQA, ...]:
    """Similar Q&A teasers: title, question snippet, doctor line, reply snippet, Read More.

    Teasers end at their ``[Read More]`` line; a page without those links falls back to
    one teaser per doctor line (title and snippet before it, one snippet line after), and a
    page without doctor lines either to one teaser per linked title (snippets after it).
    ``titles`` are the page's link ``title`` attributes, for a bare ``[Read More]`` link.
    """
    kept = doctor_headers([line for line in lines if line.text])
    groups: list[list[Line]] = []
    if any(READ_MORE.match(line.text) for line in kept):
        current: list[Line] = []
        index = 0
        while index < len(kept):
            line = kept[index]
            index += 1
            more = READ_MORE.match(line.text)
            if more is None:
                current.append(line)
                continue
            if (
                not more.group("title")
                and index < len(kept)
                and current
                and kept[index].text == current[0].text
            ):  # a bare "Read more" link, the card's title repeated in the next element
                line = Line(f"{line.text} {kept[index].text}", line.links + kept[index].links)
                index += 1
            groups.append([*current, line])
            current = []
    elif any(doctor(line.text) for line in kept):
        starts = [i for i, line in enumerate(kept) if doctor(line.text)]
        for number, at in enumerate(starts):
            begin = starts[number - 1] + 2 if number else 0
            groups.append(kept[begin : at + 2])
    else:  # cards of a linked title and snippets only: each link starts a card
        for line in kept:
            if line.links or not groups:
                groups.append([line])
            else:
                groups[-1].append(line)
    teasers = (_teaser(group, base, titles) for group in groups)
    return tuple(teaser for teaser in teasers if teaser is not None)


#: What may separate chips written on one line: nothing, or a comma, a middle dot, a bar...
_CHIP_SEPARATOR = r"(?:[,，;；·•|、]\s*)?"
_PAIR = rf"[^()（）]+?\s*[(（]\s*[^()（）]+?\s*[)）]\s*{_CHIP_SEPARATOR}"
_PAIRS = re.compile(rf"^(?:{_PAIR})+$")
_PAIR_PARTS = re.compile(
    r"(?P<topic>[^()（）,，;；·•|、\s][^()（）]*?)\s*[(（]\s*(?P<dept>[^()（）]+?)\s*[)）]"
)


def _pairs(line: Line, base: str) -> list[RelatedFAQ]:
    """``Topic(Dept)`` pairs on one line; inline markup may glue several chips together."""
    parts = list(_PAIR_PARTS.finditer(line.text))
    links: list[str | None] = list(line.links) if len(line.links) == len(parts) else []
    links = links or [_url(line, base) if i == 0 else None for i in range(len(parts))]
    return [
        RelatedFAQ(
            part.group("topic").strip(),
            part.group("dept"),
            absolute_url(link, base) if link else None,
        )
        for part, link in zip(parts, links, strict=True)
    ]


def related_faq(lines: Sequence[Line], base: str) -> tuple[RelatedFAQ, ...]:
    """``<topic>`` then ``(<Department>)`` pairs (or both on one line), until anything else.

    A department has no digits: "Responses (2)" after the chips is a count, not a topic.
    """
    kept = [line for line in lines if line.text]
    found: list[RelatedFAQ] = []
    index = 0
    while index < len(kept):
        line = kept[index]
        following = _PAREN.match(kept[index + 1].text) if index + 1 < len(kept) else None
        if following is not None and _DIGIT.search(following.group("dept")):
            following = None
        if following is not None and not _PAREN.match(line.text):
            found.append(RelatedFAQ(line.text, following.group("dept"), _url(line, base)))
            index += 2
        elif _PAIRS.match(line.text) and not any(
            _DIGIT.search(part.group("dept")) for part in _PAIR_PARTS.finditer(line.text)
        ):
            found.extend(_pairs(line, base))
            index += 1
        else:
            break
    return tuple(found)

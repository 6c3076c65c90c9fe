"""A page that loses a reply it shows is never a clean record (issue 9).

Metamorphic, over every fixture with answers: each rewrite keeps every reply on the page,
visible, but lays the replies out as templates the reply reader may not expect (under a
comment-section heading, without their ``Reply Date``, with headers that no longer read as
headers, are worded otherwise or are numbered, glued into one line, inside a comment
region, a form, a table or an aside, under a widget's title, after the sections). The
property is not that the reader copes, but that it never pretends to:

    len(record.answers) == shown  or  the record carries a reply warning

where ``shown`` is the number of replies the fixture's page shows (its expected record).
Plus the counting of reply evidence itself (``parsers.sites.doctorqna.shown``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from parsers import parse
from parsers.decode import html_to_unicode_cp950
from parsers.sites.doctorqna.shown import is_header, is_worded_header, stated_count

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "doctorqna"
#: The codes that say "a reply the page shows may be missing".
REPLY_WARNINGS = frozenset(
    {
        "reply_marker_without_answer",
        "fewer_answers_than_shown",
        "structured_data_disagrees",
        "answers_from_structured_data",
    }
)
CASES = sorted(
    path.parent.name
    for path in FIXTURES.glob("*/expected.json")
    if json.loads(path.read_text(encoding="utf-8"))["answers"]
)

_GAP = r"(?:\s|&nbsp;|<[^>]*>)*"  # what markup may put between a label's words


def _label(*spellings: str) -> re.Pattern[str]:
    """``spellings``, their words split by any markup (``<span>Ask</span> <span>Date</span>``)."""
    return re.compile("|".join(_GAP.join(map(re.escape, s.split())) for s in spellings), re.I)


_ASKED = _label("Ask Date", "發問日期")
_REPLY_DATE = re.compile(rf"(?:{_label('Reply Date', '回覆日期').pattern}){_GAP}[:：]?", re.I)
_BLOCK_OPEN = re.compile(
    r"<(?:div|p|article|section|header|li|tr|td|dt|dd|h\d|table|blockquote)\b[^>]*>", re.I
)
_LABELS = _label("More Info", "Similar Q&amp;A", "Related FAQ", "延伸閱讀", "相關問答")
_INNER_BLOCKS = re.compile(
    r"<(/?)(?:div|p|article|section|header|footer|h\d|li|ul|ol|dl|dt|dd)\b", re.I
)


def _case(case: str) -> tuple[dict, str, str, dict]:
    folder = FIXTURES / case
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    content_type = (meta.get("headers") or {}).get("Content-Type")
    encoding, html = html_to_unicode_cp950(content_type, (folder / "page.html").read_bytes())
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    return meta, html, encoding, expected


def _replies_area(html: str, expected: dict) -> tuple[int, int] | None:
    """Where the replies sit in ``html``: from the block holding the first reply's doctor
    name (or its ``Reply Date``, whichever comes first) to the block holding the first
    section label after it (or the page footer, or the end of the body)."""
    asked = _ASKED.search(html)
    if asked is None:
        return None
    name = expected["answers"][0]["doctor_name"] or ""
    found = [at for at in (html.find(name, asked.end()) if name else -1,) if at != -1]
    date = _REPLY_DATE.search(html, asked.end())
    found += [date.start()] if date else []
    if not found:
        return None
    first = min(found)
    opens = [match.start() for match in _BLOCK_OPEN.finditer(html, asked.end(), first)]
    if not opens:
        return None
    start = opens[-1]
    label = _LABELS.search(html, first)
    end = html.rfind("<", start, label.start()) if label else -1
    if end <= start:
        footer = html.lower().find("<footer", first)
        end = footer if footer != -1 else html.lower().rfind("</body")
    return (start, end) if end > start else None


def _around(html: str, expected: dict, change: Callable[[str], str]) -> str:
    """``html`` with the replies area replaced by ``change(area)``."""
    area = _replies_area(html, expected)
    if area is None:
        return html
    start, end = area
    return html[:start] + change(html[start:end]) + html[end:]


def _drop_doctor_titles(area: str, expected: dict) -> str:
    """ "Dr. Kuo Mingde reply ..." -> "Kuo Mingde reply ...": no longer a doctor header."""
    for answer in expected["answers"]:
        name = answer["doctor_name"]
        if name:
            area = re.sub(rf"Dr\.?\s*(?:<!--[^>]*-->|<[^>]+>|\s)*(?={re.escape(name)})", "", area)
    return area


def _rewrites(expected: dict) -> dict[str, Callable[[str], str]]:
    count = len(expected["answers"])

    def heading(text: str) -> Callable[[str], str]:
        return lambda area: f"<h2>{text}</h2><p>Newest first</p>" + area

    def no_dates(area: str) -> str:
        return _REPLY_DATE.sub("", area)

    def not_headers(area: str) -> str:
        return _drop_doctor_titles(area, expected)

    def then(*changes: Callable[[str], str]) -> Callable[[str], str]:
        def apply(area: str) -> str:
            for change in changes:
                area = change(area)
            return area

        return apply

    changes: dict[str, Callable[[str], str]] = {
        "under_responses_heading": heading(f"Responses ({count})"),
        "under_comments_heading": heading("Comments"),
        "under_responses_heading_no_dates": then(no_dates, heading(f"Responses ({count})")),
        "under_answers_count_no_dates": then(no_dates, heading(f"{count} answers")),
        "under_comments_heading_no_dates": then(no_dates, heading("Comments")),
        "headers_unreadable": not_headers,
        # "Answered by Dr. Kuo Mingde · Pulmonology", and no Reply Date to go by.
        "headers_reworded_no_dates": then(
            no_dates,
            lambda area: re.sub(
                r"\brepl(?:y|ied|ies)\b", "·", re.sub(r"Dr\.", "Answered by Dr.", area)
            ),
        ),
        "headers_unreadable_under_comments": then(not_headers, heading("Comments")),
        "glued_into_one_line": lambda area: _INNER_BLOCKS.sub(r"<\1span", area),
        "in_a_comment_region": lambda area: f'<div role="comment">{area}</div>',
        "in_schema_comments": lambda area: (
            f'<div itemscope itemtype="https://schema.org/UserComments">{area}</div>'
        ),
        "in_a_table": lambda area: f"<table><tr><td>{area}</td></tr></table>",
        "in_a_form": lambda area: f"<form action='/en/vote' method='post'>{area}</form>",
        "numbered_headers": lambda area: re.sub(r"Dr\.", "1. Dr.", area),
        "under_discussion_heading": heading("Discussion"),
        # Under a title that reads as a widget's: the headers pass for teasers of other
        # pages, but a Reply Date is only ever a reply's own.
        "under_a_widget_title": heading("Related posts"),
    }

    def moved_last(html: str) -> str:
        area = _replies_area(html, expected)
        if area is None:
            return html
        start, end = area
        rest = html[:start] + html[end:]
        close = rest.lower().rfind("</body")
        close = len(rest) if close == -1 else close
        return rest[:close] + html[start:end] + rest[close:]

    rewrites: dict[str, Callable[[str], str]] = {
        name: (lambda html, change=change: _around(html, expected, change))
        for name, change in changes.items()
    }

    def in_an_aside(html: str) -> str:
        """The replies boxed as an ``<aside>`` in the article's flow, before its sections
        (after them, an aside is a sidebar: see the sidebar case below)."""
        area = _replies_area(html, expected)
        if area is None or not _LABELS.match(html, html.find(">", area[1]) + 1):
            return html
        start, end = area
        return html[:start] + f"<aside>{html[start:end]}</aside>" + html[end:]

    rewrites["moved_after_the_sections"] = moved_last
    rewrites["in_an_aside_before_the_sections"] = in_an_aside
    return rewrites


PAIRS = [
    (case, name)
    for case in CASES
    for name, rewrite in sorted(_rewrites(_case(case)[3]).items())
    if rewrite(_case(case)[1]) != _case(case)[1]
]


@pytest.mark.parametrize(("case", "rewrite"), PAIRS)
def test_a_reply_lost_to_a_layout_is_never_a_clean_record(case: str, rewrite: str) -> None:
    meta, html, encoding, expected = _case(case)
    rewritten = _rewrites(expected)[rewrite](html)
    record = parse(
        rewritten.encode(encoding, "xmlcharrefreplace"), meta["url"], meta.get("headers")
    )
    shown = len(expected["answers"])
    assert len(record.answers) == shown or REPLY_WARNINGS & set(record.warnings), (
        f"{len(record.answers)} of {shown} replies read, warnings {record.warnings}"
    )


def test_every_fixture_with_answers_is_rewritten() -> None:
    assert {case for case, _ in PAIRS} == set(CASES)


@pytest.mark.parametrize(
    ("text", "header"),
    [
        ("Answered by Dr. Kuo Mingde · Pulmonology", True),
        ("Answered by Dr. Kuo Mingde (Pulmonology)", True),
        ("Reply from Doctor Lin", True),
        ("Dr. Lin Kai answered:", True),
        ("Dr. Lin Kai's answer", True),
        ("Answered by Dr. 林怡君 · Family Medicine", True),
        ("KMAnswered by Dr. Kuo Mingde", True),  # an avatar's initials glued by a flex row
        ("Dr. Wu says it is nothing", False),
        ("Dr. Wu answered my question last year and said it was fine.", False),
        ("Dr. Lin Kai reply Orthopedics", False),  # the site's own wording: is_header
    ],
)
def test_a_header_in_other_words_is_still_a_header(text: str, header: bool) -> None:
    assert is_worded_header(text) is header


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Responses (2)", 2),
        ("Responses（3）", 3),
        ("3 answers", 3),
        ("1 Answer", 1),
        ("Doctors' replies (2)", 2),
        ("Doctor's answers (4):", 4),
        ("Answers: 2", 2),
        ("回覆 (2)", 2),
        ("Responses", None),
        ("2 comments", None),
        ("3 thoughts on “Knee pain”", None),
        ("2 answers to your question about your knee and your hip", None),
        ("Answered 2 days ago", None),
    ],
)
def test_a_heading_states_a_reply_count(text: str, count: int | None) -> None:
    assert stated_count(text) == count


@pytest.mark.parametrize(
    ("text", "following", "header"),
    [
        ("Dr. Lin Kai reply Orthopedics", "", True),
        ("Dr. Lin Kai", "Orthopedics", True),  # the department split off by markup
        ("Dr. Lin Kai", "reply", True),
        ("Dr. Lin Kai", "Reviewed this article in May.", False),  # a byline
        ("Dr. Jones replied:", "", True),
        ("Dr. Lin KaireplyOrthopedics", "", True),
        ("林怡君醫師回覆家醫科", "", True),
        ("Dr. Lin Kai reply Orthopedics Reply Date: 2024/05/02", "", False),
        ("Dr. Lin replied that surgery is rarely urgent.", "", False),
        ("Dr. Wu at my local clinic said it was an allergy.", "", False),
        ("Lin Kai reply Orthopedics", "", False),
    ],
)
def test_a_doctor_header_is_told_from_text_about_a_doctor(
    text: str, following: str, header: bool
) -> None:
    assert is_header(text, following) is header


URL = "https://doctorqna.com/en/article/200321"
QUESTION = "<h1>Knee pain on stairs?</h1><p>It hurts going up.</p>"
ASKER = "<p>Ho, 20~29 year old male. Ask Date: 2024/05/01</p>"
REPLY = "<p>Dr. Lin Kai reply Orthopedics</p><p>Try ice.</p><p>Reply Date: 2024/05/02</p>"
SECOND = "<p>Dr. Wu Fen reply Orthopedics</p><p>Rest it.</p><p>Reply Date: 2024/05/03</p>"
MORE = "<h2>More Info</h2><p>Knees take load.</p>"


def warnings_of(body: str) -> tuple[str, ...]:
    html = f"<html><head><title>Knee Pain - Orthopedics</title></head><body>{body}</body></html>"
    return parse(html.encode(), URL).warnings


@pytest.mark.parametrize(
    "body",
    [
        # The case that started this: replies under a comment-section heading, a note between.
        QUESTION + ASKER + "<h2>Responses (2)</h2><p>KL</p>" + REPLY + SECOND,
        # No Reply Date to go by: the heading's count and the headers are the evidence.
        QUESTION + ASKER + "<h2>Responses (2)</h2><p>Newest first</p>"
        "<p>Dr. Lin Kai reply Orthopedics</p><p>Try ice.</p>"
        "<p>Dr. Wu Fen reply Orthopedics</p><p>Rest it.</p>",
        # Replies marked up as comments.
        QUESTION + ASKER + MORE + f'<div role="comment">{REPLY}{SECOND}</div>',
        # No asker line the parser knows ("Asked on"): the question comes from QAPage data,
        # which lists no answer, while the page shows a reply.
        '<script type="application/ld+json">{"@type": "QAPage", "mainEntity": {"@type": '
        '"Question", "name": "Knee pain on stairs?", "text": "It hurts going up."}}</script>'
        + QUESTION
        + "<p>Ho, 20~29 year old male. Asked on 2024/05/01</p>"
        + REPLY,
    ],
    ids=["responses_heading", "count_without_dates", "comment_region", "no_asker_line"],
)
def test_replies_out_of_the_readers_reach_still_warn(body: str) -> None:
    assert REPLY_WARNINGS & set(warnings_of(body))


@pytest.mark.parametrize(
    "extra",
    [
        # Readers' comments under a count heading: no doctor's reply follows it.
        "<h2>2 Responses</h2><p>Mei says:</p><p>Thanks, same here.</p>"
        "<p>Ann says:</p><p>Helpful.</p>",
        # Teasers of other questions under a widget title.
        "<div><h3>Popular Questions</h3><p>Dr. Ho reply Cardiology</p><p>Walk daily.</p>"
        "<p>Dr. Wu reply Neurology</p><p>Sleep more.</p></div>",
        # Question teasers with their answer counts.
        "<div><h3>Recent Questions</h3><p><a href='/en/article/9'>Hip pain?</a></p>"
        "<p>3 answers</p></div>",
        # A sidebar of other pages' replies.
        "<aside><h3>Latest answers</h3><p>Dr. Wu Fen reply Orthopedics</p><p>Rest it.</p>"
        "<p>Reply Date: 2024/05/03</p></aside>",
        # An expert's byline in More Info.
        "<h2>Reviewed by</h2><p>Dr. Chen Shidian</p><p>Reviewed this article in May 2024.</p>",
        # A commenter who is a doctor.
        "<h2>Comments</h2><p>Dr. Amy Lee</p><p>May 3, 2024</p><p>Good advice.</p>",
    ],
    ids=[
        "readers_comments",
        "widget_teasers",
        "answer_counts_of_teasers",
        "sidebar",
        "byline_in_more_info",
        "doctor_commenting",
    ],
)
def test_what_only_mentions_replies_adds_no_warning(extra: str) -> None:
    assert warnings_of(QUESTION + ASKER + REPLY + MORE + extra) == ()

"""What a parser admits it is unsure of: stable codes carried in ``QARecord.warnings``.

A record with warnings is still stored, but it is not a clean record: the crawl report counts
the pages that carry each code (and exits 3 above a threshold), ``healthqa show`` and
``healthqa fixtures check`` print them and every export has them, so nobody cites a record the
parser itself doubted. A code, once published, keeps its meaning; add new ones instead.
"""

from __future__ import annotations

#: Every warning code a parser can give, with what it means (the table in docs/parsers.md).
WARNING_CODES: dict[str, str] = {
    "reply_marker_without_answer": (
        "the page shows more doctor reply headers or 'Reply Date' labels after the asker "
        "line than answers were extracted (or a header with no body): a reply it shows may "
        "be missing or incomplete"
    ),
    "fewer_answers_than_shown": (
        "a heading above the replies states more replies ('Responses (3)', '3 answers') than "
        "were extracted: a reply it shows may be missing"
    ),
    "answers_from_structured_data": (
        "no reply could be read from the visible text; the answers come from the page's "
        "schema.org QAPage data"
    ),
    "question_from_structured_data": (
        "the question title or body could not be read from the visible text and comes from "
        "the page's schema.org QAPage data"
    ),
    "structured_data_disagrees": (
        "the page's schema.org QAPage data counts more or fewer answers than the page shows"
    ),
    "structured_data_unreadable": (
        "a JSON-LD block could not be read (invalid, or nested too deep); the record comes "
        "from the visible text alone"
    ),
    "asker_line_unparsed": (
        "the asker line before 'Ask Date' could not be read as name, age and sex; its text "
        "was kept in the question body"
    ),
    "ask_date_unparsed": "an 'Ask Date' label shows no date that could be read",
    "reply_date_unparsed": "a 'Reply Date' label shows no date that could be read",
    "more_info_unparsed": "the page shows a 'More Info' label but no text was read under it",
    "similar_unparsed": "the page shows a 'Similar Q&A' label but no teaser was read under it",
    "related_faq_unparsed": "the page shows a 'Related FAQ' label but no topic was read under it",
    "repeated_content": (
        "the asker line or a section label appears more than once in the article; the first "
        "one was read"
    ),
}

REPLY_MARKER_WITHOUT_ANSWER = "reply_marker_without_answer"
FEWER_ANSWERS_THAN_SHOWN = "fewer_answers_than_shown"
ANSWERS_FROM_STRUCTURED_DATA = "answers_from_structured_data"
QUESTION_FROM_STRUCTURED_DATA = "question_from_structured_data"
STRUCTURED_DATA_DISAGREES = "structured_data_disagrees"
STRUCTURED_DATA_UNREADABLE = "structured_data_unreadable"
ASKER_LINE_UNPARSED = "asker_line_unparsed"
ASK_DATE_UNPARSED = "ask_date_unparsed"
REPLY_DATE_UNPARSED = "reply_date_unparsed"
MORE_INFO_UNPARSED = "more_info_unparsed"
SIMILAR_UNPARSED = "similar_unparsed"
RELATED_FAQ_UNPARSED = "related_faq_unparsed"
REPEATED_CONTENT = "repeated_content"


def ordered(codes: set[str] | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """``codes`` in the table's order, each once, so equal records compare equal."""
    wanted = set(codes)
    unknown = wanted - WARNING_CODES.keys()
    if unknown:
        raise ValueError(f"unknown warning codes: {sorted(unknown)}")
    return tuple(code for code in WARNING_CODES if code in wanted)

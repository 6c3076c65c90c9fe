"""``QARecord.warnings``: the parser says what it is unsure of, above all a reply it lost.

Each code of ``parsers.warnings.WARNING_CODES`` has a page that raises it here, and a page
that raises nothing; ``docs/parsers.md`` documents every code.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from parsers import parse
from parsers.warnings import WARNING_CODES, ordered

URL = "https://doctorqna.com/en/article/200321"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "parsers.md"

QUESTION = "<h1>Knee pain on stairs?</h1><p>It hurts going up.</p>"
ASKER = "<p>Ho, 20~29 year old male. Ask Date: 2024/05/01</p>"
REPLY = "<p>Dr. Lin Kai reply Orthopedics</p><p>Try ice.</p><p>Reply Date: 2024/05/02</p>"
MORE = "<h2>More Info</h2><p>Knees take load.</p>"


def page(body: str, head: str = "") -> bytes:
    return (
        f"<html><head><title>Knee Pain - Orthopedics</title>{head}</head><body>{body}</body></html>"
    ).encode()


def warnings_of(body: str, head: str = "") -> tuple[str, ...]:
    return parse(page(body, head), URL).warnings


def json_ld(answers: int, answer_count: int | None = None) -> str:
    data = {
        "@context": "https://schema.org",
        "@type": "QAPage",
        "mainEntity": {
            "@type": "Question",
            "name": "Knee pain on stairs?",
            "text": "It hurts going up.",
            "suggestedAnswer": [
                {"@type": "Answer", "text": f"Answer {n}.", "author": {"name": "Lin Kai"}}
                for n in range(answers)
            ],
        },
    }
    if answer_count is not None:
        data["mainEntity"]["answerCount"] = answer_count
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def test_a_clean_page_has_no_warnings() -> None:
    assert warnings_of(QUESTION + ASKER + REPLY + MORE) == ()


@pytest.mark.parametrize(
    "replies",
    [
        # A header the parser cannot read, but its Reply Date is shown.
        "<p>Lin Kai, M.D. answered:</p><p>Try ice.</p><p>Reply Date: 2024/05/02</p>",
        # A header and a date, the body only in an image.
        '<p>Dr. Lin Kai reply Orthopedics</p><p><img src="answer.png"></p>'
        "<p>Reply Date: 2024/05/02</p>",
        # Two replies shown, the second one's body missing.
        REPLY + "<p>Dr. Wu Fen reply Orthopedics</p><p>Reply Date: 2024/05/03</p>",
        # A reply shown after the section labels, where no reply is read.
        REPLY + MORE + "<div><p>Dr. Wu Fen reply Orthopedics</p><p>Rest it.</p>"
        "<p>Reply Date: 2024/05/03</p></div>",
    ],
    ids=["unreadable_header", "body_in_image", "second_body_missing", "after_labels"],
)
def test_a_page_that_loses_a_reply_it_shows_is_never_clean(replies: str) -> None:
    body = QUESTION + ASKER + replies + ("" if MORE in replies else MORE)
    assert "reply_marker_without_answer" in warnings_of(body)


def test_a_sidebar_of_other_answers_is_not_the_pages_replies() -> None:
    sidebar = (
        "<aside><h3>Latest answers</h3><p>Dr. Wu Fen reply Orthopedics</p><p>Rest it.</p>"
        "<p>Reply Date: 2024/05/03</p></aside>"
    )
    widget = "<div><h3>Popular Questions</h3><p>Dr. Ho reply Cardiology</p><p>Walk daily.</p></div>"
    assert warnings_of(QUESTION + ASKER + REPLY + MORE + sidebar) == ()
    assert warnings_of(QUESTION + ASKER + REPLY + MORE + widget) == ()


def test_a_footer_link_named_like_a_label_repeats_nothing() -> None:
    footer = "<footer><a href='/en/about'>More Info</a> <p>© 2024 DoctorQnA</p></footer>"
    assert warnings_of(QUESTION + ASKER + REPLY + MORE + footer) == ()


def test_teaser_doctor_lines_are_not_replies_of_the_page() -> None:
    similar = (
        "<h2>Similar Q&amp;A</h2><p>Stairs</p><p>Q ...</p><p>Dr. Wu reply Orthopedics</p>"
        "<p>A ...</p><a href='/en/article/1'>[Read More] Stairs</a>"
    )
    assert warnings_of(QUESTION + ASKER + REPLY + MORE + similar) == ()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (
            QUESTION + "<p>Feeling bad since the accident last week. Ask Date: 2024/05/01</p>",
            "asker_line_unparsed",
        ),
        (QUESTION + "<p>Ho, 20~29 year old male. Ask Date: 2024/13/45</p>", "ask_date_unparsed"),
        (
            QUESTION + ASKER + "<p>Dr. Lin Kai reply Orthopedics</p><p>Try ice.</p>"
            "<p>Reply Date: 2024/02/30</p>",
            "reply_date_unparsed",
        ),
        (QUESTION + ASKER + REPLY + "<h2>More Info</h2><h2>Related FAQ</h2>", "more_info_unparsed"),
        (
            QUESTION + ASKER + REPLY + MORE + "<h2>Similar Q&amp;A</h2><h2>Related FAQ</h2>",
            "similar_unparsed",
        ),
        (
            QUESTION + ASKER + REPLY + MORE + "<h2>Related FAQ</h2><p>Ask a doctor now!</p>",
            "related_faq_unparsed",
        ),
        (QUESTION + ASKER + REPLY + MORE + ASKER + REPLY + MORE, "repeated_content"),
        (QUESTION + ASKER + "<h2>Responses (2)</h2>" + REPLY + MORE, "fewer_answers_than_shown"),
    ],
    ids=lambda value: value if value in WARNING_CODES else "",
)
def test_what_the_parser_could_not_read_is_a_warning(body: str, code: str) -> None:
    assert code in warnings_of(body)


def test_answers_taken_from_structured_data_say_so() -> None:
    found = parse(page(QUESTION + ASKER + MORE, json_ld(2)), URL)
    assert [answer.body for answer in found.answers] == ["Answer 0.", "Answer 1."]
    assert found.warnings == ("answers_from_structured_data",)


def test_structured_data_that_counts_other_answers_disagrees() -> None:
    assert warnings_of(QUESTION + ASKER + REPLY + MORE, json_ld(2)) == (
        "structured_data_disagrees",
    )
    assert warnings_of(QUESTION + ASKER + REPLY + MORE, json_ld(1, answer_count=3)) == (
        "structured_data_disagrees",
    )
    assert warnings_of(QUESTION + ASKER + REPLY + MORE, json_ld(1, answer_count=1)) == ()


def test_a_question_only_in_structured_data_says_so() -> None:
    found = parse(page("<p>Nothing to see here.</p>", json_ld(1)), URL)
    assert found.question_title == "Knee pain on stairs?"
    assert "question_from_structured_data" in found.warnings


def test_unreadable_json_ld_is_a_warning_not_a_failure() -> None:
    broken = '<script type="application/ld+json">{"@type": "QAPage", </script>'
    assert warnings_of(QUESTION + ASKER + REPLY + MORE, broken) == ("structured_data_unreadable",)


def test_codes_come_in_table_order_and_unknown_codes_are_refused() -> None:
    assert ordered({"repeated_content", "reply_marker_without_answer"}) == (
        "reply_marker_without_answer",
        "repeated_content",
    )
    with pytest.raises(ValueError, match="unknown warning codes"):
        ordered({"made_up"})


def test_every_code_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for code in WARNING_CODES:
        assert f"| `{code}` |" in text, f"{code} is missing from the table in docs/parsers.md"

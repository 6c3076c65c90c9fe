"""Hostile pages (issue 11): parse time linear in the input whatever its shape, and pages that
once crashed the parser or failed it outright give a record that says what it doubts.

The timeouts are hang guards, not speed assertions: each page takes well under half a second
now, while the old flattener (unwrapping inline elements one by one) took 2/13/103 s on
20k/40k/100k nested ``<b>`` and lexbor alone takes minutes on 100k nested blocks and 6 s on
50k attributes of one element (see ``parsers.guard``): a timeout means a quadratic path is
back.
"""

from __future__ import annotations

import pytest

from parsers import parse
from parsers.structured import _walk

URL = "https://doctorqna.com/en/article/200777"
ARTICLE = (
    "<h1>Knee pain?</h1><p>It hurts on stairs.</p>"
    "<p>Ho, 20~29 year old male. Ask Date: 2024/05/01</p>"
    "<p>Dr. Lin Kai reply Orthopedics</p><p>Try ice.</p><p>Reply Date: 2024/05/02</p>"
    "<h2>More Info</h2><p>Knees take load.</p>"
)


def _page(body: str, head: str = "") -> bytes:
    return (
        f"<html><head><title>Knee Pain - Orthopedics</title>{head}</head><body>{body}</body></html>"
    ).encode()


def _parses(body: bytes) -> None:
    """The article inside the nesting is read as it would be without it."""
    record = parse(body, URL)
    assert record.asked_on == "2024-05-01"
    assert [answer.body for answer in record.answers] == ["Try ice."]


@pytest.mark.timeout(10)
@pytest.mark.parametrize("depth", [20_000, 40_000, 100_000])
def test_deeply_nested_inline_elements_parse_in_linear_time(depth: int) -> None:
    _parses(_page("<b>" * depth + ARTICLE + "</b>" * depth))


@pytest.mark.timeout(10)
def test_deeply_nested_blocks_parse_in_linear_time() -> None:
    depth = 100_000
    _parses(_page("<blockquote>" * depth + ARTICLE + "</blockquote>" * depth))


@pytest.mark.timeout(10)
def test_deeply_nested_blocks_with_text_at_every_level() -> None:
    depth = 20_000
    _parses(_page("<div>x<span>" * depth + ARTICLE + "</span></div>" * depth))


@pytest.mark.timeout(5)
def test_an_element_with_fifty_thousand_attributes() -> None:
    attributes = " ".join(f'data-a{i}="{i}"' for i in range(50_000))
    body = f'<div {attributes} role="main" style="display:block">{ARTICLE}</div>'
    record = parse(_page(body), URL)
    assert record.asked_on == "2024-05-01"


def test_a_page_whose_middle_is_repeated_gives_a_record_that_says_so() -> None:
    """Once ``ValueError: min() arg is an empty sequence`` (a label found after the footer)."""
    page = _page(ARTICLE + "<footer>© 2024 DoctorQnA</footer>")
    middle = page.index(b"<p>Dr. Lin"), page.index(b"<footer>")
    repeated = page[: middle[1]] + page[middle[0] : middle[1]] + page[middle[1] :]
    record = parse(repeated, URL)
    assert record.answers[0].body == "Try ice."
    assert "repeated_content" in record.warnings


def test_json_ld_nested_thousands_deep_falls_back_to_the_visible_text() -> None:
    deep = "[" * 2_000 + "]" * 2_000
    head = f'<script type="application/ld+json">{deep}</script>'
    record = parse(_page(ARTICLE, head), URL)
    assert record.question_title == "Knee pain?"
    assert record.answers[0].doctor_name == "Lin Kai"
    assert "structured_data_unreadable" in record.warnings


def test_structured_data_nested_thousands_deep_is_walked_without_recursion() -> None:
    """Whatever depth ``json.loads`` accepts, finding the Question must not recurse."""
    inner: dict = {"@type": "Question", "name": "Deep?"}
    for _ in range(5_000):
        inner = {"@graph": [inner]}
    assert [question["name"] for question in _walk({"@type": "QAPage", "mainEntity": inner})] == [
        "Deep?"
    ]

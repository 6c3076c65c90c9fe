"""Mangled pages: ``parse()`` returns a record that follows the text conventions, or raises a
``ParseError`` - never anything else, never hangs.

Hypothesis deletes, duplicates and reorders element-sized spans of real fixture pages,
truncates them anywhere and injects junk bytes (NUL, invalid UTF-8, control bytes).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parsers import parse
from parsers.errors import ParseError
from parsers.record import EXPECTED_FIELDS, QARecord

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
URL = "https://doctorqna.com/en/article/200999"
BUILT = (
    b"<html lang=en><head><title>Knee Pain - Orthopedics</title></head><body><div>Share to:</div>"
    b"<h1>Knee pain?</h1><p>It hurts.</p><p>Ho, 20~29 year old male. Ask Date: 2024/05/01</p>"
    b"<p><b>Dr.</b> <a href=/d/1>Lin</a> reply Orthopedics</p><p>Ice.</p><p>Reply Date: 2024/05/02"
    b"</p><h2>More Info</h2><p>Knees.</p><h3>Care</h3><ol><li>Rest</li></ol>"
    b"<h2>Similar Q&amp;A</h2>"
    b"<a href=/en/article/1>Stairs</a><p>Q ...</p><p>Dr. Wu reply Orthopedics</p><p>A ...</p>"
    b"<a href=/en/article/1>[Read More] Stairs</a><h2>Related FAQ</h2><a href=/f/1>Gout</a>"
    b"<p>(Rheumatology)</p></body></html>"
)
PAGES = [BUILT] + [path.read_bytes() for path in sorted(FIXTURES.glob("*/*/page.html"))]
_TAG_START = re.compile(rb"<[a-zA-Z/!]")
_INVISIBLE = re.compile("[\u00a0\u200b\u200c\u200d\ufeff\u2060\ue000-\uf8ff]")


def _boundaries(page: bytes) -> list[int]:
    return [match.start() for match in _TAG_START.finditer(page)] + [len(page)]


@st.composite
def mangled(draw: st.DrawFn) -> bytes:
    page = draw(st.sampled_from(PAGES))
    for _ in range(draw(st.integers(1, 4))):
        cuts = _boundaries(page)
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "truncate", "junk"]))
        if op == "truncate":
            page = page[: draw(st.integers(0, len(page)))]
            continue
        if op == "junk":
            at = draw(st.integers(0, len(page)))
            junk = draw(st.binary(max_size=12) | st.sampled_from([b"\x00", b"\xff\xfe", b"\xc3"]))
            page = page[:at] + junk + page[at:]
            continue
        if len(cuts) < 3:
            continue
        first = draw(st.integers(0, len(cuts) - 2))
        last = draw(st.integers(first + 1, min(first + 8, len(cuts) - 1)))
        start, end = cuts[first], cuts[last]
        span = page[start:end]
        if op == "delete":
            page = page[:start] + page[end:]
        elif op == "duplicate":
            page = page[:end] + span + page[end:]
        else:
            other = cuts[draw(st.integers(0, len(cuts) - 1))]
            rest = page[:start] + page[end:]
            at = min(other, len(rest))
            page = rest[:at] + span + rest[at:]
    return page


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def assert_follows_conventions(record: QARecord) -> None:
    assert record.parser_version
    assert set(record.missing) <= set(EXPECTED_FIELDS)
    for text in _strings(record.to_dict()):
        assert text, "absent values are None, never empty strings"
        assert not _INVISIBLE.search(text), repr(text)
        assert unicodedata.is_normalized("NFC", text)
        for line in text.split("\n"):
            assert line and line == line.strip() and "  " not in line, repr(text)


@pytest.mark.timeout(90)
@settings(
    max_examples=250,
    deadline=2000,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mangled())
def test_mangled_pages_give_a_record_or_a_parse_error(page: bytes) -> None:
    try:
        record = parse(page, URL, {"Content-Type": "text/html; charset=utf-8"})
    except ParseError as error:
        assert error.code and str(error)
        return
    assert_follows_conventions(record)


@pytest.mark.timeout(60)
@settings(max_examples=100, deadline=2000, derandomize=True)
@given(st.binary(max_size=2000), st.sampled_from([None, "doctorqna"]))
def test_arbitrary_bytes_never_escape_as_another_exception(body: bytes, site: str | None) -> None:
    try:
        record = parse(body, URL, site=site)
    except ParseError:
        return
    assert_follows_conventions(record)


def test_every_prefix_of_a_page_parses_or_fails_cleanly() -> None:
    """A download cut at any byte keeps whatever it got once the asker line is complete."""
    complete = BUILT.index(b"</p>", BUILT.index(b"Ask Date")) + len(b"</p>")
    for end in range(len(BUILT) + 1):
        try:
            record = parse(BUILT[:end], URL)
        except ParseError as error:
            assert end < complete, f"cut at {end}: {error}"
            continue
        assert_follows_conventions(record)
        if end >= complete:
            assert record.question_title == "Knee pain?", f"cut at {end}"
            assert record.asked_on == "2024-05-01", f"cut at {end}"

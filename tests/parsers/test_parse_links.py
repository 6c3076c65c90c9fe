"""The fast path for link targets must agree exactly with ``canonicalize_url``."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.links import absolute_url
from parsers.urls import canonicalize_url

BASES = [
    "https://doctorqna.com/en/article/200123",
    "http://doctorqna.com/en/article/200123?utm_source=x",
    "http://127.0.0.1:8080/en/article/1",
    "HTTPS://WWW.Example.org:443/q/5/",
]


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize(
    "href",
    [
        "/en/faq/gout",
        "/en/faq/gout/",
        "/en/article/1?utm_medium=x&b=2&a=1",
        "/en/article/1#answer",
        "//doctorqna.com/en/faq/x",
        "https://doctorqna.com/en/article/198765",
        "http://doctorqna.com/en/article/198765",
        "https://doctorqna.com/en/./faq/../faq/x",
        "../faq/x",
        "faq/x",
        " /en/faq/spaced ",
        "/en/faq/%E8%82%9D",
        "/",
    ],
)
def test_same_as_canonicalize_url(base: str, href: str) -> None:
    assert absolute_url(href, base) == canonicalize_url(href, base=base)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    st.sampled_from(BASES),
    st.lists(
        st.sampled_from(["/", "a", "B", ".", "..", "?", "#", "%2F", "x=1", "&", " "]), max_size=8
    ),
)
def test_same_as_canonicalize_url_for_generated_paths(base: str, pieces: list[str]) -> None:
    href = "/" + "".join(pieces)
    assert absolute_url(href, base) == canonicalize_url(href, base=base)

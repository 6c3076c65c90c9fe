"""Bytes to text: declared and detected encodings, and bodies that are not text at all."""

from __future__ import annotations

import gzip

import pytest

from parsers import parse
from parsers.decode import decode
from parsers.errors import BinaryBody, EmptyBody, ParseError

URL = "https://doctorqna.com/en/article/200001"
PAGE = (
    "<html><head>{meta}<title>胃痛 - Family Medicine</title></head><body>"
    "<p>Share to:</p><p>飯後胃痛？</p><p>醫師您好，我最近胃痛。</p>"
    "<p>王先生，50~59 year old male. Ask Date: 2023/10/08</p></body></html>"
)


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (PAGE.format(meta="").encode("utf-8"), {"Content-Type": "text/html; charset=utf-8"}),
        (PAGE.format(meta="").encode("utf-8"), None),
        (PAGE.format(meta="").encode("cp950"), {"content-type": "text/html; charset=big5"}),
        (PAGE.format(meta='<meta charset="big5">').encode("cp950"), None),
        (
            PAGE.format(
                meta='<meta http-equiv="Content-Type" content="text/html; charset=big5">'
            ).encode("cp950"),
            {b"Content-Type": [b"text/html"]},
        ),
        (PAGE.format(meta="").encode("cp950"), None),  # undeclared: detected
        (PAGE.format(meta="").encode("utf-16"), None),  # BOM
        (b"\xef\xbb\xbf" + PAGE.format(meta="").encode("utf-8"), None),
    ],
    ids=[
        "header",
        "undeclared-utf8",
        "header-big5",
        "meta",
        "http-equiv",
        "detect",
        "utf16",
        "bom",
    ],
)
def test_every_encoding_route_gives_the_same_text(body: bytes, headers: dict | None) -> None:
    record = parse(body, URL, headers)
    assert record.question_title == "飯後胃痛？"
    assert record.question_body == "醫師您好，我最近胃痛。"
    assert record.asker.name == "王先生"


@pytest.mark.parametrize("body", [b"", b"   \r\n\t  ", b"\xef\xbb\xbf  \n"])
def test_empty_bodies(body: bytes) -> None:
    with pytest.raises(EmptyBody):
        parse(body, URL)


@pytest.mark.parametrize(
    ("body", "headers", "says"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(200), None, "PNG"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", None, "PDF"),
        (gzip.compress(b"<html><body>Ask Date: 2023/01/01</body></html>"), None, "gzip"),
        (b"GIF89a" + bytes(50), None, "GIF"),
        (b"<html>" + b"\x00\x01\x02\x03" * 100 + b"</html>", None, "control bytes"),
        (b"<html><body>hi</body></html>", {"Content-Type": "image/jpeg"}, "image/jpeg"),
    ],
)
def test_binary_bodies_are_refused_with_a_reason(
    body: bytes, headers: dict | None, says: str
) -> None:
    with pytest.raises(BinaryBody) as caught:
        parse(body, URL, headers)
    assert says in str(caught.value)
    assert caught.value.code == "binary_body"


def test_a_stray_nul_or_invalid_byte_does_not_lose_the_page() -> None:
    body = PAGE.format(meta="").encode("utf-8").replace(b"<p>Share", b"\x00\xff<p>Share")
    record = parse(body, URL, {"Content-Type": "text/html; charset=utf-8"})
    assert record.question_title == "飯後胃痛？"
    assert record.asker.name == "王先生"


def test_decode_returns_text() -> None:
    assert (
        decode(b"<p>caf\xe9</p>", {"Content-Type": "text/html; charset=latin-1"}) == "<p>café</p>"
    )


def test_errors_are_parse_errors_with_the_url() -> None:
    with pytest.raises(ParseError) as caught:
        parse(b"", URL)
    assert caught.value.url == URL
    assert URL in str(caught.value)

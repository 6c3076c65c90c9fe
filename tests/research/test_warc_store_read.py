"""Reading single records back by pointer, with the crawler's Content-Encoding handling."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest
from research_warc import append_response

from storage.warc import WarcReadError, decode_body, read_response

HTML = "<html><body><p>Ask Date: 2023/12/23 — 胃痛</p></body></html>".encode()


def test_reads_each_record_by_pointer_and_undoes_gzip(tmp_path: Path) -> None:
    warc = tmp_path / "crawl-00001.warc.gz"
    first = append_response(warc, "http://x.test/en/article/1", b"<p>one</p>")
    second = append_response(warc, "http://x.test/en/article/2", HTML, gzip_body=True)
    third = append_response(warc, "http://x.test/missing", b"gone", status="404 Not Found")

    one = read_response(tmp_path, warc.name, *first)
    assert (one.url, one.status, one.body) == ("http://x.test/en/article/1", 200, b"<p>one</p>")

    two = read_response(tmp_path, warc.name, *second)
    assert two.raw_body[:2] == b"\x1f\x8b"  # archived as it came off the wire
    assert two.body == HTML
    assert "Content-Encoding" not in two.headers
    assert two.headers["Content-Type"] == "text/html; charset=utf-8"

    three = read_response(tmp_path, warc.name, third[0], None)
    assert (three.status, three.body, three.record_type) == (404, b"gone", "response")


def test_stops_at_its_own_record_even_before_a_torn_tail(tmp_path: Path) -> None:
    warc = tmp_path / "torn.warc.gz"
    pointer = append_response(warc, "http://x.test/a", b"whole")
    append_response(warc, "http://x.test/b", b"x" * 5000)
    with warc.open("r+b") as fh:
        fh.truncate(pointer[1] + 40)  # tear the second record
    assert read_response(tmp_path, warc.name, *pointer).body == b"whole"
    with pytest.raises(WarcReadError, match=r"torn\.warc\.gz"):
        read_response(tmp_path, warc.name, pointer[1], None)


@pytest.mark.parametrize(
    ("warc_name", "offset", "message"),
    [("absent.warc.gz", 0, "cannot read"), ("data.warc.gz", 10_000, "ends before")],
)
def test_bad_pointers_give_clear_errors(
    tmp_path: Path, warc_name: str, offset: int, message: str
) -> None:
    append_response(tmp_path / "data.warc.gz", "http://x.test/a", b"a")
    with pytest.raises(WarcReadError, match=message):
        read_response(tmp_path, warc_name, offset, 100)


def test_decode_body_mirrors_scrapy_order_and_leaves_unknown_encodings() -> None:
    raw_deflate = zlib.compressobj(wbits=-15)
    raw = raw_deflate.compress(b"hello") + raw_deflate.flush()
    assert decode_body(raw, "deflate") == (b"hello", [])
    assert decode_body(zlib.compress(b"hi"), "identity-ish, deflate") == (b"hi", ["identity-ish"])
    assert decode_body(b"plain", None) == (b"plain", [])
    with pytest.raises(ValueError, match="gzip"):
        decode_body(b"not gzip at all", "gzip")

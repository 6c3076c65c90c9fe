"""The WARC store's reader on files other tools write: framing, encodings, tears, non-WARC."""

from __future__ import annotations

import gzip
import io
import zlib
from pathlib import Path

import brotli
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from storage.warc import WarcReadError, http_body, read_response, scan

PAGE = "<html><body><p>胃痛 — stomach ache</p></body></html>".encode()


def _chunked(body: bytes, size: int = 7) -> bytes:
    parts = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


def _write(path: Path, bodies: list[tuple[str, bytes, list[tuple[str, str]]]], *, gz: bool) -> None:
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=gz, warc_version="1.0")
        for url, body, headers in bodies:
            record = writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(body),
                http_headers=StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1"),
            )
            writer.write_record(record)


@pytest.mark.parametrize(
    ("stored", "headers"),
    [
        (
            _chunked(gzip.compress(PAGE)),
            [("Transfer-Encoding", "chunked"), ("Content-Encoding", "gzip")],
        ),
        (brotli.compress(PAGE), [("Content-Encoding", "br")]),
        (zlib.compress(PAGE), [("Content-Encoding", "deflate")]),
        (gzip.compress(PAGE[:20]) + gzip.compress(PAGE[20:]), [("Content-Encoding", "gzip")]),
        (_chunked(PAGE), [("transfer-encoding", "Chunked")]),
        (PAGE, [("Transfer-Encoding", "chunked")]),  # a server that said chunked but was not
    ],
    ids=["chunked-gzip", "br", "deflate", "two-gzip-members", "chunked", "false-chunked"],
)
def test_stored_framings_and_encodings_give_the_page(
    tmp_path: Path, stored: bytes, headers: list[tuple[str, str]]
) -> None:
    path = tmp_path / "foreign.warc.gz"
    _write(path, [("http://x.test/a", stored, [("Content-Type", "text/html"), *headers])], gz=True)
    [record] = list(scan(path))
    body, seen = http_body(record.raw_body, dict(record.http_headers()))
    assert body == PAGE
    assert {k.lower() for k in seen} == {"content-type"}
    again = read_response(tmp_path, path.name, record.offset, record.length)
    assert again.body == PAGE and again.status == 200


@pytest.mark.parametrize("gz", [True, False], ids=["warc.gz", "warc"])
def test_scan_yields_whole_records_then_names_the_tear(tmp_path: Path, gz: bool) -> None:
    path = tmp_path / ("t.warc.gz" if gz else "t.warc")
    pages = [(f"http://x.test/{n}", PAGE * 40 + bytes([n]), []) for n in range(3)]
    _write(path, pages, gz=gz)
    whole = list(scan(path))
    assert [r.header("WARC-Target-URI") for r in whole] == [url for url, _, _ in pages]
    last = whole[-1]
    for cut in (last.offset + last.length // 2, last.offset + 30, last.offset + 150):
        torn = tmp_path / f"cut{cut}"
        torn.write_bytes(path.read_bytes()[:cut])
        read: list[str] = []
        with pytest.raises(WarcReadError, match=r"torn") as error:
            read.extend(r.header("WARC-Target-URI") or "" for r in scan(torn))
        assert read == [url for url, _, _ in pages[:2]]
        assert str(error.value).startswith(str(torn)) and "\n" not in str(error.value)


def test_non_warc_and_malformed_headers_are_one_line_errors(tmp_path: Path) -> None:
    html = tmp_path / "page.html"
    html.write_bytes(PAGE)
    with pytest.raises(WarcReadError, match="WARC or ARC") as error:
        list(scan(html))
    assert "\n" not in str(error.value)
    good = tmp_path / "good.warc"
    _write(good, [("http://x.test/1", PAGE, [])], gz=False)
    bad = tmp_path / "bad.warc"
    bad.write_bytes(
        good.read_bytes() + b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: many\r\n\r\n"
    )
    read: list[int] = []
    with pytest.raises(WarcReadError, match=r"bad\.warc") as error:
        read.extend(r.offset for r in scan(bad))
    assert read == [0] and "\n" not in str(error.value)

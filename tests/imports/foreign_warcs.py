"""WARC and ARC files shaped as other tools write them, built with warcio in the test.

Heritrix/warcprox: WARC/1.0, one gzip member per record, HTTP bodies kept chunked and gzip,
a request record per response (``WARC-Concurrent-To``), ``dns:`` records, and revisit records
(identical-payload-digest profile) for the same URL. Browsertrix/pywb: WARC/1.1, brotli
bodies, and URL-agnostic revisits (a payload first seen under another URL). ARC: the
Internet Archive's older format, which warcio reads and converts.
"""

from __future__ import annotations

import gzip
import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import brotli
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from demo_site import DemoSite, DemoSiteConfig

SITE = DemoSite(DemoSiteConfig(pages=12, seed=3), base_url="https://doctorqna.com")
IDENTICAL = "http://netpreserve.org/warc/1.0/revisit/identical-payload-digest"
START = datetime(2021, 3, 4, 5, 6, 7, tzinfo=UTC)


@dataclass(frozen=True)
class Shaped:
    path: Path
    urls: list[str]  # article URLs with a 200 response in the file


def article(n: int) -> tuple[str, bytes]:
    article_id = SITE.article_ids()[n]
    path = SITE.path_for(article_id)
    return f"https://doctorqna.com{path}", SITE.page(path).body


def _chunked(body: bytes, size: int = 1000) -> bytes:
    parts = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


def _date(moment: datetime, version: str) -> str:
    if version == "1.0":
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def response(
    writer: WARCWriter,
    url: str,
    body: bytes,
    headers: list[tuple[str, str]],
    moment: datetime,
    *,
    status: str = "200 OK",
) -> str:
    version = writer.warc_version.split("/")[-1]
    record = writer.create_warc_record(
        url,
        "response",
        payload=io.BytesIO(body),
        http_headers=StatusAndHeaders(status, headers, protocol="HTTP/1.1"),
        warc_headers_dict={"WARC-Date": _date(moment, version)},
    )
    writer.write_record(record)
    request = writer.create_warc_record(
        url,
        "request",
        payload=io.BytesIO(b""),
        http_headers=StatusAndHeaders(
            f"GET {url.split('doctorqna.com')[-1]} HTTP/1.1",
            [("Host", "doctorqna.com"), ("User-Agent", "heritrix")],
            is_http_request=True,
        ),
        warc_headers_dict={
            "WARC-Date": _date(moment, version),
            "WARC-Concurrent-To": record.rec_headers.get_header("WARC-Record-ID"),
        },
    )
    writer.write_record(request)
    return str(record.rec_headers.get_header("WARC-Payload-Digest"))


def _revisit(
    writer: WARCWriter, url: str, digest: str, refers_to: str, moment: datetime, earlier: datetime
) -> None:
    version = writer.warc_version.split("/")[-1]
    record = writer.create_revisit_record(
        url,
        digest,
        refers_to,
        _date(earlier, version),
        http_headers=StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
        ),
        warc_headers_dict={"WARC-Date": _date(moment, version)},
    )
    record.rec_headers.replace_header("WARC-Profile", IDENTICAL)
    writer.write_record(record)


def heritrix(path: Path) -> Shaped:
    """Three articles chunked + gzip, a 404, a dns record, and a later revisit of article 0."""
    urls = []
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.0")
        writer.write_record(
            writer.create_warc_record(
                "dns:doctorqna.com",
                "response",
                payload=io.BytesIO(b"20210304050607\ndoctorqna.com. 300 IN A 10.0.0.1\n"),
                warc_content_type="text/dns",
            )
        )
        digests = {}
        for n in range(3):
            url, body = article(n)
            urls.append(url)
            digests[url] = response(
                writer,
                url,
                _chunked(gzip.compress(body)),
                [
                    ("Content-Type", "text/html; charset=utf-8"),
                    ("Content-Encoding", "gzip"),
                    ("Transfer-Encoding", "chunked"),
                ],
                START + timedelta(seconds=n),
            )
        response(
            writer,
            "https://doctorqna.com/en/article/1",
            b"<html><body>Page not found</body></html>",
            [("Content-Type", "text/html")],
            START + timedelta(seconds=5),
            status="404 Not Found",
        )
        first = urls[0]
        _revisit(writer, first, digests[first], first, START + timedelta(days=30), START)
    return Shaped(path, urls)


def browsertrix(path: Path) -> Shaped:
    """Two articles brotli-compressed, and a URL-agnostic revisit: article 4's payload seen
    again under the ``www.`` host, whose response record the file does not repeat."""
    urls = []
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.1")
        digests = {}
        for n in (3, 4):
            url, body = article(n)
            urls.append(url)
            digests[url] = response(
                writer,
                url,
                brotli.compress(body),
                [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "br")],
                START + timedelta(hours=n),
            )
        alias = urls[1].replace("://doctorqna.com", "://www.doctorqna.com")
        _revisit(
            writer,
            alias,
            digests[urls[1]],
            urls[1],
            START + timedelta(days=2),
            START + timedelta(hours=4),
        )
    return Shaped(path, urls)


def arc(path: Path) -> Shaped:
    """Two articles in an ARC v1 file (the format before WARC)."""
    head = b"1 0 healthqa-test\nURL IP-address Archive-date Content-type Archive-length\n"
    out = b"filedesc://%s 0.0.0.0 20090101000000 text/plain %d\n" % (
        path.name.encode(),
        len(head),
    )
    out += head + b"\n"
    urls = []
    for n, stamp in ((5, b"20090102030405"), (6, b"20090102030406")):
        url, body = article(n)
        urls.append(url)
        payload = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + body
        out += b"%s 10.0.0.1 %s text/html %d\n" % (url.encode(), stamp, len(payload))
        out += payload + b"\n"
    path.write_bytes(out)
    return Shaped(path, urls)


def plain(path: Path, first: int, count: int) -> Shaped:
    """Uncompressed WARC/1.0 with ``count`` plain articles from index ``first``."""
    urls = []
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=False, warc_version="1.0")
        for n in range(first, first + count):
            url, body = article(n)
            urls.append(url)
            response(
                writer,
                url,
                body,
                [("Content-Type", "text/html; charset=utf-8")],
                START + timedelta(minutes=n),
            )
    return Shaped(path, urls)

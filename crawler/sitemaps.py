"""Read sitemaps and sitemap indexes as a stream, with a size limit and a clear error.

Scrapy's ``Sitemap`` builds the whole lxml tree of a file (hundreds of MB for a 50 MB
sitemap) and silently "recovers" malformed XML. ``iter_sitemap`` walks the file with
``iterparse``, drops every element once read, reads ``.xml.gz`` files through a decompressor
that stops at ``max_bytes``, and raises ``SitemapError`` with a stable ``code`` (after yielding
every entry read before the problem), so the crawl can record the failure on the capture and
in its report.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Iterator
from typing import BinaryIO

from lxml import etree

URLSET = "urlset"
SITEMAP_INDEX = "sitemapindex"


class SitemapError(Exception):
    """A sitemap that could not be read to its end; ``code`` says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class _Limited(io.RawIOBase):
    """A readable view of ``stream`` that raises once more than ``limit`` bytes were read."""

    def __init__(self, stream: BinaryIO, limit: int) -> None:
        self._stream = stream
        self._limit = limit
        self._read = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size if size is not None and size >= 0 else 65536)
        self._read += len(data)
        if self._limit and self._read > self._limit:
            raise SitemapError(
                "sitemap_too_large",
                f"sitemap is larger than {self._limit} bytes once decompressed",
            )
        return data


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def iter_sitemap(body: bytes, max_bytes: int = 0) -> Iterator[tuple[str, str]]:
    """Yield ``(kind, location)`` for each entry; ``kind`` is ``URLSET`` or ``SITEMAP_INDEX``.

    ``body`` may be gzip-compressed (a ``.xml.gz`` file, not a Content-Encoding).
    """
    raw: BinaryIO = io.BytesIO(body)
    if body[:2] == b"\x1f\x8b":
        raw = gzip.GzipFile(fileobj=raw)  # type: ignore[assignment]
    stream = _Limited(raw, max_bytes)
    events = etree.iterparse(
        stream,
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
    )
    kind: str | None = None
    try:
        for event, element in events:
            name = _local(element.tag)
            if kind is None:
                if name not in (URLSET, SITEMAP_INDEX):
                    raise SitemapError(
                        "sitemap_not_a_sitemap",
                        f"root element is <{name}>, not <urlset> or <sitemapindex>",
                    )
                kind = name
                continue
            if event != "end":
                continue
            if name == "loc":
                location = (element.text or "").strip()
                if location:
                    yield kind, location
            elif name in ("url", "sitemap"):
                element.clear()
                parent = element.getparent()
                while parent is not None and element.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as error:
        raise SitemapError("sitemap_malformed", f"malformed XML: {error}") from None
    except (OSError, EOFError, zlib.error) as error:
        raise SitemapError("sitemap_bad_gzip", f"cannot decompress: {error}") from None
    if kind is None:
        raise SitemapError("sitemap_malformed", "empty document")

"""Undo HTTP ``Content-Encoding`` the way the crawler's Scrapy stack does.

WARC records keep the body as it came off the wire (often gzip). The crawler's pipeline parses
the body *after* Scrapy's ``HttpCompressionMiddleware`` decoded it, so a re-parse must decode
identically or it would see different bytes than the live crawl did. This mirrors that
middleware (``scrapy.downloadermiddlewares.httpcompression``) without importing Scrapy, which
``storage`` must not depend on: encodings are undone last-applied first, and decoding stops at
the first encoding it does not know, leaving the rest listed.
"""

from __future__ import annotations

import gzip
import io
import struct
import zlib
from collections.abc import Callable

_CHUNK = 65536


def _gunzip(data: bytes) -> bytes:
    """Like ``scrapy.utils.gz.gunzip``: keep what decompressed before a CRC error or a tear."""
    reader = gzip.GzipFile(fileobj=io.BytesIO(data))
    out = io.BytesIO()
    while True:
        try:
            chunk = reader.read1(_CHUNK)
        except (OSError, EOFError, struct.error):
            if out.getbuffer().nbytes:
                break
            raise
        if not chunk:
            break
        out.write(chunk)
    return out.getvalue()


def _inflate(data: bytes) -> bytes:
    """zlib-wrapped deflate, falling back to raw deflate as some servers send."""
    try:
        return zlib.decompressobj().decompress(data)
    except zlib.error:
        return zlib.decompressobj(wbits=-15).decompress(data)


def _decoders() -> dict[str, Callable[[bytes], bytes]]:
    decoders: dict[str, Callable[[bytes], bytes]] = {
        "gzip": _gunzip,
        "x-gzip": _gunzip,
        "deflate": _inflate,
    }
    try:  # Scrapy decodes br only when a brotli module is installed; so do we.
        import brotli
    except ImportError:
        return decoders
    decoders["br"] = brotli.decompress
    return decoders


DECODERS: dict[str, Callable[[bytes], bytes]] = _decoders()


def decode_body(body: bytes, content_encoding: str | None) -> tuple[bytes, list[str]]:
    """Return the decoded body and the encodings left undecoded (outermost last).

    Raises ``ValueError`` (zlib/gzip/brotli errors are normalised to it) when a known
    encoding's data is corrupt, so the caller can record a clear reason.
    """
    encodings = [e.strip().lower() for e in (content_encoding or "").split(",") if e.strip()]
    while encodings and encodings[-1] in DECODERS:
        name = encodings.pop()
        try:
            body = DECODERS[name](body)
        except Exception as exc:  # each codec has its own error type
            raise ValueError(f"cannot undo Content-Encoding {name!r}: {exc}") from exc
    return body, encodings

"""Undo an archived HTTP response's transfer framing and content encodings.

A WARC response record keeps the body as it came off the wire. The crawler's client had
already undone chunked framing before the writer saw it, but other tools (wget, Heritrix,
Browsertrix) keep ``Transfer-Encoding: chunked`` bodies as sent. The parser must be given the
bytes a live crawl parses, which are what Scrapy's ``HttpCompressionMiddleware`` hands on:

* chunked framing is undone with warcio's ``ChunkedDataReader``, which carries on with the
  bytes as they are where a server said "chunked" but did not chunk;
* content encodings are undone last-applied first, stopping at the first unknown one (left
  listed, as Scrapy does), with warcio's gzip/deflate decompressor factories; a tear or a
  bad checksum after some output keeps that output (Scrapy's ``gunzip`` does the same).
  Brotli uses ``brotli.decompress``: warcio's ``br`` wrapper calls a ``decompress`` method
  that brotli's ``Decompressor`` no longer has, and warcio then silently hands back the
  compressed bytes.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable, Mapping

from warcio.bufferedreaders import (
    ChunkedDataReader,
    deflate_decompressor,
    deflate_decompressor_alt,
    gzip_decompressor,
)

_BLOCK = 65536


def _feed(factory: Callable[[], object], data: bytes, out: bytearray) -> bytes | None:
    """Decompress one stream from ``data`` into ``out`` block by block.

    Returns what follows the stream's end (another gzip member) or ``None`` when the data
    ended first. A zlib error raises only when nothing came out yet.
    """
    decompressor = factory()
    view = memoryview(data)
    for start in range(0, len(data), _BLOCK):
        try:
            out += decompressor.decompress(view[start : start + _BLOCK])  # type: ignore[attr-defined]
        except zlib.error:
            if out:
                return None
            raise
        if decompressor.eof:  # type: ignore[attr-defined]
            return decompressor.unused_data + data[start + _BLOCK :]  # type: ignore[attr-defined,no-any-return]
    return None


def _gunzip(data: bytes) -> bytes:
    """Every gzip member in turn (RFC 1952 allows several)."""
    out = bytearray()
    rest: bytes | None = data
    while rest:
        rest = _feed(gzip_decompressor, rest, out)
    return bytes(out)


def _inflate(data: bytes) -> bytes:
    """zlib-wrapped deflate, or raw deflate as some servers send it."""
    out = bytearray()
    try:
        _feed(deflate_decompressor, data, out)
    except zlib.error:
        _feed(deflate_decompressor_alt, data, out)
    return bytes(out)


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

    Raises ``ValueError`` (zlib/brotli errors are normalised to it) when a known encoding's
    data is corrupt from its first byte, so the caller can record a clear reason.
    """
    encodings = [e.strip().lower() for e in (content_encoding or "").split(",") if e.strip()]
    while encodings and encodings[-1] in DECODERS:
        name = encodings.pop()
        try:
            body = DECODERS[name](body)
        except Exception as exc:  # each codec has its own error type
            raise ValueError(f"cannot undo Content-Encoding {name!r}: {exc}") from exc
    return body, encodings


def dechunk(body: bytes) -> bytes:
    """``body`` without chunked transfer framing (as is, where it is not really chunked)."""
    return ChunkedDataReader(io.BytesIO(body)).read()  # type: ignore[no-any-return]


def http_body(raw: bytes, headers: Mapping[str, str]) -> tuple[bytes, dict[str, str]]:
    """The body the crawl's parser would be given, and the headers as the pipeline saw them.

    Transfer-Encoding is dropped once undone; Content-Encoding is dropped, or reduced to the
    encodings left undecoded. Raises ``ValueError`` for corrupt compressed data.
    """
    seen = dict(headers)
    names = {name.lower(): name for name in seen}
    transfer = names.get("transfer-encoding")
    if transfer is not None and "chunked" in seen[transfer].lower():
        raw = dechunk(raw)
        del seen[transfer]
    encoding = names.get("content-encoding")
    if encoding is None:
        return raw, seen
    body, left = decode_body(raw, seen.pop(encoding))
    if left:
        seen["Content-Encoding"] = ", ".join(left)
    return body, seen

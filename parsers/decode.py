"""Response bytes -> text, the way a browser (and Scrapy) would decode them.

Encoding precedence follows ``w3lib.encoding.html_to_unicode``: byte-order mark, then the
HTTP ``Content-Type`` charset, then ``<meta charset>`` / ``http-equiv``, then detection.
Bodies that are not text at all are refused here with a precise error instead of being
parsed into garbage records.
"""

from __future__ import annotations

from collections.abc import Mapping

from w3lib.encoding import (
    html_body_declared_encoding,
    html_to_unicode,
    http_content_type_encoding,
    read_bom,
)

from parsers.errors import BinaryBody, EmptyBody

#: Leading bytes of formats that are sometimes served where HTML was expected.
MAGIC_NUMBERS: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"RIFF", "a RIFF (WebP/WAV) file"),
    (b"%PDF-", "a PDF document"),
    (b"\x1f\x8b", "gzip-compressed bytes (Content-Encoding not undone?)"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed bytes"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x00\x00\x01\x00", "an icon"),
    (b"wOFF", "a web font"),
    (b"wOF2", "a web font"),
)
_BINARY_TYPES = ("image/", "audio/", "video/", "font/", "application/pdf", "application/zip")
_TEXT_CONTROLS = b"\t\n\r\f\x1b"  # ESC: ISO-2022 encodings use it
# Deleting every byte that is not a suspicious control byte leaves exactly those (in C).
_NOT_CONTROL = bytes(range(0x20, 0x100)) + _TEXT_CONTROLS
_SAMPLE = 4096
_MAX_CONTROL_RATIO = 0.05


def header(headers: Mapping[str, str] | None, name: str) -> str | None:
    """Case-insensitive header lookup that also accepts Scrapy-style ``bytes`` values."""
    if not headers:
        return None
    wanted = name.lower()
    for key, value in headers.items():
        key_text = key.decode("latin-1") if isinstance(key, bytes) else str(key)
        if key_text.lower() == wanted:
            if isinstance(value, list | tuple):
                value = value[-1] if value else ""
            return value.decode("latin-1") if isinstance(value, bytes) else str(value)
    return None


def _detect(body: bytes) -> str:
    """Used only when nothing declares an encoding: UTF-8 if valid, else Big5 (cp950)."""
    for encoding in ("utf-8", "cp950"):
        try:
            body.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    return "cp1252"


def html_to_unicode_cp950(content_type: str | None, body: bytes) -> tuple[str, str]:
    """``w3lib.encoding.html_to_unicode`` (with this module's detection), except that a page
    declared Big5 is read as cp950 when it is valid cp950.

    w3lib (like browsers) reads "big5" as Big5-HKSCS, which maps code points differently from
    Microsoft's cp950, what Taiwanese servers actually emit: A1 FE is "∕" instead of the
    full-width "／" that separates 台灣e院's asker fields, A1 45 "‧" and A3 E1 "€" are lost.
    A page that is not valid cp950 (Hong Kong characters) keeps the HKSCS reading.
    """
    encoding, text = html_to_unicode(content_type, body, auto_detect_fun=_detect)
    if encoding == "big5hkscs":
        try:
            return "cp950", body.decode("cp950")
        except UnicodeDecodeError:
            pass
    return encoding, text


def check_binary(body: bytes, content_type: str | None) -> None:
    """Raise ``BinaryBody`` if ``body`` is evidently not a text document."""
    if content_type and content_type.strip().lower().startswith(_BINARY_TYPES):
        raise BinaryBody(f"Content-Type is {content_type.split(';')[0].strip()}, not HTML")
    for magic, what in MAGIC_NUMBERS:
        if body.startswith(magic):
            raise BinaryBody(f"the body is {what}, not HTML")
    if read_bom(body)[0] is not None or "utf-16" in (content_type or "").lower():
        return  # UTF-16/32 text is full of NUL bytes by design
    sample = body[:_SAMPLE]
    controls = len(sample.translate(None, _NOT_CONTROL))
    if controls > _MAX_CONTROL_RATIO * len(sample):
        raise BinaryBody(
            f"{controls} of the first {len(sample)} bytes are control bytes or NULs; "
            "the body is not text"
        )


def decode(body: bytes, headers: Mapping[str, str] | None = None) -> str:
    """Decode an HTML response body, refusing empty and binary bodies."""
    markup = markup_of(body, headers)
    return markup.decode("utf-8", "replace") if isinstance(markup, bytes) else markup


_UTF8 = frozenset({"utf-8", "utf8", "u8", "unicode-1-1-utf-8", "x-unicode20utf8"})


def markup_of(body: bytes, headers: Mapping[str, str] | None = None) -> bytes | str:
    """The body as the HTML parser should get it: the bytes themselves when the page is
    UTF-8 (lexbor reads UTF-8 bytes natively; decoding them to ``str`` only for lexbor to
    encode them again costs more than a third of its parse), else the decoded text.

    The encoding is chosen exactly as ``decode`` chooses it (BOM, HTTP charset, ``<meta>``,
    detection); empty and binary bodies are refused the same way.
    """
    if not body or body.isspace():
        raise EmptyBody(f"the body is empty ({len(body)} bytes of whitespace)")
    content_type = header(headers, "content-type")
    check_binary(body, content_type)
    bom, _ = read_bom(body)
    if bom is None:
        declared = (
            http_content_type_encoding(content_type) if content_type else None
        ) or html_body_declared_encoding(body)
        if (declared or "").lower() in _UTF8 or (declared is None and _detect(body) == "utf-8"):
            return body
    elif bom.lower().replace("_", "-") in ("utf-8", "utf8"):
        if not body[3:].strip():
            raise EmptyBody("the body decodes to whitespace only")
        return body[3:]
    _, text = html_to_unicode_cp950(content_type, body)
    if not text.strip():
        raise EmptyBody("the body decodes to whitespace only")
    return text

"""Bounds a browser puts on a document, applied before lexbor sees it.

Lexbor's tree builder is quadratic on two shapes a hostile page can take: block elements
nested tens of thousands deep (each start tag searches the whole stack of open elements:
40,000 nested ``<div>`` cost it 3.5 s, 100,000 well over a minute) and one element with tens
of thousands of attributes (each checked against all before it: 50,000 cost 6 s). Browsers
never build such trees: Blink stops nesting at a depth of 512 and puts deeper elements
beside the 512th. This module does the same to the markup, so parse time stays linear in the
size of the page, and no ordinary page is touched: it only looks closer at pages with many
thousands of tags or tags longer than any real one.
"""

from __future__ import annotations

import re

#: Blink's ``kMaximumHTMLParserDOMTreeDepth``: deeper elements become siblings.
MAX_DEPTH = 512
#: Fewer tags than this cannot nest deep enough to slow lexbor down: the page is not scanned.
_SCAN_TAGS = 8_000
#: A start tag longer than this holds thousands of attributes; only its first ones are kept.
_LONG_TAG = 16_384
_MAX_ATTRIBUTES = 256
# Elements whose end tag is required and whose start tag makes lexbor search the stack of open
# elements (elements with optional end tags, such as <p> and <li>, close themselves).
_NESTING = (
    "address|article|aside|blockquote|center|details|dialog|dir|div|dl|fieldset|figcaption|"
    "figure|footer|header|hgroup|main|menu|nav|ol|search|section|summary|ul"
)
_BLOCK_TAG = re.compile(rf"<(/?)(?:{_NESTING})(?=[\s/>])", re.I)
_START_TAG = re.compile(r"<[A-Za-z][^\s/>]*")
# One C-level scan finds whether any tag is that long at all (the usual answer: no).
_HAS_LONG_TAG = re.compile(rf"<[A-Za-z][^<>]{{{_LONG_TAG}}}")
_HAS_LONG_TAG_BYTES = re.compile(rf"<[A-Za-z][^<>]{{{_LONG_TAG}}}".encode())
_ATTRIBUTE = re.compile(r"""\s*([^\s"'=<>/]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*))?""")


def bounded(markup: bytes | str) -> bytes | str:
    """``markup`` with nesting deeper than ``MAX_DEPTH`` flattened and overlong start tags cut
    to their first attributes; unchanged (the same object) for any ordinary page. UTF-8
    bytes that need either are returned as text."""
    text = isinstance(markup, str)
    if (
        len(markup) > _LONG_TAG
        and _has_long_run(markup, ">" if text else b">")
        and markup.count("=" if text else b"=") > _MAX_ATTRIBUTES
        and (_HAS_LONG_TAG if text else _HAS_LONG_TAG_BYTES).search(markup)
    ):
        markup = _cut_long_tags(markup if text else markup.decode("utf-8", "replace"))
        text = True
    if markup.count("<" if text else b"<") > _SCAN_TAGS:
        deep = _flatten_deep(markup if text else markup.decode("utf-8", "replace"))
        if deep is not markup and (text or deep != markup.decode("utf-8", "replace")):
            markup = deep
    return markup


def _has_long_run(markup: bytes | str, close: bytes | str) -> bool:
    """Whether ``markup`` has a run of ``_LONG_TAG + 2`` characters without ``close``, as a
    start tag that long must be (``<``, its name, then ``_LONG_TAG`` characters before its
    ``>``). Any such run covers a multiple of ``_LONG_TAG + 1``, so looking around those
    few offsets answers with a handful of C-level searches instead of a scan of the page."""
    step = _LONG_TAG + 1
    for at in range(step, len(markup), step):
        before = markup.rfind(close, 0, at)
        after = markup.find(close, at)
        if (len(markup) if after == -1 else after) - before - 1 >= _LONG_TAG + 2:
            return True
    return False


def _flatten_deep(html: str) -> str:
    """Drop the start and end tags of elements nested deeper than ``MAX_DEPTH`` (their
    content stays, beside their 512th ancestor as in a browser)."""
    tags = list(_BLOCK_TAG.finditer(html))
    depth = deepest = 0
    for match in tags:
        depth = max(0, depth - 1) if match.group(1) else depth + 1
        deepest = max(deepest, depth)
    if deepest <= MAX_DEPTH:
        return html
    out = []
    position = depth = 0
    for match in tags:
        if match.group(1):
            drop = depth > MAX_DEPTH
            depth = max(0, depth - 1)
        else:
            depth += 1
            drop = depth > MAX_DEPTH
        if drop:
            end = html.find(">", match.end())
            out.append(html[position : match.start()])
            position = len(html) if end == -1 else end + 1
    out.append(html[position:])
    return "".join(out)


def _cut_long_tags(html: str) -> str:
    """Start tags longer than ``_LONG_TAG`` keep their name and first ``_MAX_ATTRIBUTES``
    attributes (a browser keeps the first of duplicated attributes too)."""
    out = []
    position = 0
    for match in _START_TAG.finditer(html):
        if match.start() < position:
            continue
        end = html.find(">", match.end())
        if end == -1 or end - match.start() < _LONG_TAG:
            continue
        attributes = []
        at = match.end()
        while len(attributes) < _MAX_ATTRIBUTES:
            found = _ATTRIBUTE.match(html, at, end)
            if found is None or found.end() == at:
                break
            attributes.append(found.group(0))
            at = found.end()
        # The tag ends at the first ">" outside a quoted value: find it past what was read.
        close = html.find(">", at) if at < end else end
        out.append(html[position : match.end()])
        out.append("".join(attributes) + ">")
        position = close + 1
    if not out:
        return html
    out.append(html[position:])
    return "".join(out)

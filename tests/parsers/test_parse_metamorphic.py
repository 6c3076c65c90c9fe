"""Rewrites that keep what a reader sees must keep the record.

Each fixture page is rewritten and must still parse to its own ``expected.json``:

* markup noise: comments between tags, other block elements, extra wrappers, noise
  attributes, upper-case tags, minified whitespace;
* the transforms of issue 9: every text node split into spans joined by framework comments
  (as React and Vue render it); the article wrapped in a blog theme (byline, share bar,
  comments with a reply form, sidebar widgets, cookie banner); ``<template>``, ``hidden`` and
  ``aria-hidden`` copies of the page; the document moved under a ``<base href>`` with every
  link relative to it; the page re-encoded in windows-1252 or Big5 declared only in a
  ``<meta http-equiv>``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urljoin

import pytest
from selectolax.lexbor import LexborHTMLParser

from parsers import parse
from parsers.decode import html_to_unicode_cp950

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
CASES = sorted(
    path.parent.relative_to(FIXTURES).as_posix()
    for path in FIXTURES.glob("*/*/expected.json")
    if (path.parent / "page.html").exists()
)


def _in_body(rewrite: Callable[[str], str]) -> Callable[[str], str]:
    """Apply ``rewrite`` after ``<body``, so ``<title>`` and ``<head>`` stay untouched."""

    def apply(html: str) -> str:
        at = html.lower().find("<body")
        return html if at == -1 else html[:at] + rewrite(html[at:])

    return apply


_BLOCK = (
    r"(?:div|p|section|article|aside|header|footer|main|table|tbody|thead|tr|td|th|ul|ol|li"
    r"|h\d|br|dl|dt|dd)"
)


def _minify(body: str) -> str:
    """Whitespace next to a block boundary is never rendered, so it can all go."""
    body = re.sub(rf"\s+(?=</?{_BLOCK}\b)", "", body, flags=re.I)
    return re.sub(rf"(</?{_BLOCK}\b[^>]*>)\s+", r"\1", body, flags=re.I)


# Text between tags, outside elements whose content is not markup.
_RAW = re.compile(r"(<(script|style|textarea|title)\b.*?</\2\s*>)", re.I | re.S)
_TEXT = re.compile(r">([^<]+)<")
_ENTITY = re.compile(r"&#?\w+;?")
_COMMENTS = ("<!-- -->", "<!--[-->", "<!---->", "<!--]-->")


def _split_text(text: str, count: list[int]) -> str:
    """``text`` as two spans joined by a framework comment, cut mid-word where it can be
    (never inside an entity): what a reader sees does not change."""
    if not text.strip():
        return text
    middle = len(text) // 2
    for entity in _ENTITY.finditer(text):
        if entity.start() < middle < entity.end():
            middle = entity.end()
    if middle >= len(text):
        return f"<span>{text}</span>"
    comment = _COMMENTS[count[0] % len(_COMMENTS)]
    count[0] += 1
    return f"<span>{text[:middle]}</span>{comment}<span>{text[middle:]}</span>"


def _framework_split(body: str) -> str:
    count = [0]
    parts = _RAW.split(body)
    out = []
    for index, part in enumerate(parts):
        if index % 3 == 1 or index % 3 == 2:  # a raw-text element and its captured tag name
            out.append(part if index % 3 == 1 else "")
            continue
        out.append(_TEXT.sub(lambda m: ">" + _split_text(m.group(1), count) + "<", part))
    return "".join(out)


_BYLINE = (
    '<div class="entry-meta">Posted on <a href="/en/2024/01/05/" rel="bookmark">'
    '<time datetime="2024-01-05T08:00:00+08:00">January 5, 2024</time></a> by '
    '<a href="/en/author/editors" rel="author">DoctorQnA Editors</a></div>'
)
_AFTER_ARTICLE = """
<div class="sharedaddy"><h3>Share this:</h3><ul>
<li><a href="https://twitter.com/intent/tweet?url=x" title="Share on Twitter">Twitter</a></li>
<li><a href="https://www.facebook.com/sharer/sharer.php?u=x">Facebook</a></li></ul></div>
<footer class="entry-footer">Posted in <a href="/en/category/health" rel="category tag">Health</a>
Tagged <a href="/en/tag/questions" rel="tag">questions</a></footer>
<nav class="post-navigation"><a href="/en/p/1" rel="prev">Previous Post</a>
<a href="/en/p/2" rel="next">Next Post</a></nav>
<div class="comments-area"><h2>3 Comments</h2><ol class="comment-list">
<li><b>Mei</b> says:<p>January 6, 2024 at 9:12 am</p><p>Thank you, this helped me too.</p>
<a rel="nofollow" href="#respond">Reply</a></li></ol>
<div class="comment-respond">
<h3>Leave a Reply <small><a href="#" style="display:none">Cancel reply</a></small></h3>
<form action="/wp-comments-post.php" method="post"><p>Your email address will not be published.</p>
<p><label>Comment</label><textarea name="comment"></textarea></p>
<p><label>Name</label><input name="author"></p>
<p><input type="submit" value="Post Comment"></p></form>
</div></div>
"""
_SIDEBAR = """
<aside class="widget-area"><section class="widget"><h2 class="widget-title">Recent Posts</h2><ul>
<li><a href="/en/p/3">How to sleep better</a></li>
<li><a href="/en/p/4">Is coffee bad for you?</a></li>
</ul></section><section class="widget"><h2 class="widget-title">Categories</h2><ul>
<li><a href="/en/category/health">Health</a></li></ul></section></aside>
<div class="cookie-notice" role="dialog"><p>We use cookies to give you the best experience on
our website.</p><button type="button">Accept</button><a href="/en/privacy">Privacy policy</a></div>
"""


def _blog_theme(question_title: str | None) -> Callable[[str], str]:
    """The page's body inside a blog theme: a byline right above the question title, then
    after the article a share bar, entry footer, post navigation, comments with a reply form,
    a sidebar and a cookie notice (before the page's own footer, where a theme puts them)."""

    def apply(html: str) -> str:
        bounds = _body_bounds(html)
        if bounds is None:
            return html
        open_end, close = bounds
        body = html[open_end:close]
        if question_title:
            body = _before_text(body, question_title, _BYLINE)
        footer = _page_footer(body)
        body = body[:footer] + _AFTER_ARTICLE + body[footer:]
        themed = (
            '<div id="page" class="site"><header class="site-header"><p class="site-title">'
            '<a href="/en" rel="home">Health Blog</a></p><nav><ul><li><a href="/en/about">About'
            '</a></li></ul></nav></header><div class="site-content"><main class="site-main">'
            f"{body}</main>{_SIDEBAR}</div></div>"
        )
        return html[:open_end] + themed + html[close:]

    return apply


def _body_bounds(html: str) -> tuple[int, int] | None:
    """Where the body's content starts (after ``<body ...>``) and ends (``</body>`` or EOF)."""
    at = html.lower().find("<body")
    if at == -1:
        return None
    close = html.lower().rfind("</body")
    return html.index(">", at) + 1, len(html) if close == -1 else close


def _before_text(body: str, text: str, block: str) -> str:
    """``block`` inserted before the element whose text starts with ``text`` (if found)."""
    escaped = text.replace("&", "&amp;")
    at = body.find(escaped[:30])
    if at == -1:
        return body
    tag = body.rfind("<", 0, at)
    while tag != -1 and body[tag + 1 : tag + 2] in "/!":
        tag = body.rfind("<", 0, tag)
    return body if tag == -1 else body[:tag] + block + body[tag:]


def _page_footer(body: str) -> int:
    """Where the page's own footer starts (its last ``<footer``), else the end of the body."""
    at = body.lower().rfind("<footer")
    return len(body) if at == -1 else at


def _hidden_copies(html: str) -> str:
    """The body's content again as a ``<template>``, a ``hidden`` and an ``aria-hidden``
    copy (the last one first in the page, where it is most tempting)."""
    bounds = _body_bounds(html)
    if bounds is None:
        return html
    open_end, close = bounds
    # The copy as lexbor serialises it, so a truncated page's open elements are closed in
    # the copy instead of swallowing the original.
    parsed = LexborHTMLParser(html).body
    body = _RAW.sub("", parsed.inner_html or "") if parsed is not None else ""
    return (
        html[:open_end]
        + f'<div aria-hidden="true">{body}</div>'
        + html[open_end:close]
        + f"<template>{body}</template><div hidden>{body}</div>"
        + html[close:]
    )


_HREF = re.compile(r"""(\bhref\s*=\s*)(["']?)([^"'\s>]*)\2""", re.I)
_NOT_RELATIVE = ("javascript:", "mailto:", "tel:", "#", "data:")


_BASE = re.compile(r"""<base\b[^>]*\bhref\s*=\s*["']?([^"'\s>]+)[^>]*>""", re.I)


def _under_base(url: str) -> Callable[[str], str]:
    """A ``<base href>`` one directory up from the page, every link rewritten relative to it
    (links resolved first as the page resolved them: against its own ``<base>`` if any)."""

    def apply(html: str) -> str:
        own = _BASE.search(html)
        resolved_against = urljoin(url, own.group(1)) if own else url
        base = urljoin(url, "../")

        def relative(match: re.Match[str]) -> str:
            href = match.group(3)
            if not href or href.lower().startswith(_NOT_RELATIVE):
                return match.group(0)
            target = urljoin(resolved_against, href.replace("&amp;", "&"))
            if target.startswith(base):
                target = target[len(base) :] or "./"
            quote = match.group(2) or '"'
            return f"{match.group(1)}{quote}{target.replace('&', '&amp;')}{quote}"

        html = _HREF.sub(relative, _BASE.sub("", html))
        head = re.search(r"<head\b[^>]*>", html, re.I)
        tag = f'<base href="{base}">'
        return html[: head.end()] + tag + html[head.end() :] if head else tag + html

    return apply


_CHARSET = re.compile(
    r"""<meta\b[^>]*(?:charset\s*=|http-equiv\s*=\s*["']?content-type)[^>]*>""", re.I
)


def _reencode(html: str, encoding: str) -> bytes:
    """``html`` in ``encoding`` declared only by ``<meta http-equiv>``; characters the
    encoding lacks become character references (``\\u`` escapes inside scripts)."""
    html = _CHARSET.sub("", html)
    declaration = f'<meta http-equiv="Content-Type" content="text/html; charset={encoding}">'
    head = re.search(r"<head\b[^>]*>", html, re.I)
    html = html[: head.end()] + declaration + html[head.end() :] if head else declaration + html
    out = []
    for index, part in enumerate(_RAW.split(html)):
        if index % 3 == 2:
            continue
        if index % 3 == 1:
            escaped = part.encode(encoding, "backslashreplace")
            out.append(escaped.replace(b"\\x", b"\\u00"))  # \xe9 -> \u00e9 (JSON, JS)
        else:
            out.append(part.encode(encoding, "xmlcharrefreplace"))
    return b"".join(out)


def _case(case: str) -> tuple[dict, str, str, dict]:
    """Meta, the page's text, the encoding it is served in, and the expected record."""
    folder = FIXTURES / case
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    content_type = (meta.get("headers") or {}).get("Content-Type")
    encoding, html = html_to_unicode_cp950(content_type, (folder / "page.html").read_bytes())
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    return meta, html, encoding, expected


def _rewrites(case: str) -> dict[str, Callable[[str], str]]:
    meta, _, _, expected = _case(case)
    return {
        "minified": _in_body(_minify),
        "comments": _in_body(
            lambda body: re.sub(
                r"(</?(?:div|p|section|td|tr|li|h\d)\b[^>]*>)", r"\1<!-- x -->", body, flags=re.I
            )
        ),
        "div_to_section": _in_body(
            lambda body: re.sub(r"<(/?)div\b", r"<\1section", body, flags=re.I)
        ),
        "p_to_div": _in_body(lambda body: re.sub(r"<(/?)p\b", r"<\1div", body, flags=re.I)),
        "wrapped_blocks": _in_body(
            lambda body: re.sub(
                r"</div>",
                "</div></div>",
                re.sub(r"<div\b([^>]*)>", r'<div\1><div class="w">', body, flags=re.I),
                flags=re.I,
            )
        ),
        "noise_attributes": _in_body(
            lambda body: re.sub(
                r"<(div|p|span|a|td|font)\b", r'<\1 data-v="1" class="c-x js-y"', body, flags=re.I
            )
        ),
        "swapped_case_tags": _in_body(
            lambda body: re.sub(
                r"<(/?)([a-zA-Z][a-zA-Z0-9]*)", lambda m: f"<{m[1]}{m[2].swapcase()}", body
            )
        ),
        "framework_split_text": _in_body(_framework_split),
        "blog_theme": _blog_theme(expected.get("question_title")),
        "hidden_copies": _hidden_copies,
        "under_base_href": _under_base(meta["url"]),
    }


#: Only the pairs where the rewrite changes the page: a rewrite with nothing to change would
#: prove nothing, so it is not a test at all (rather than a skip).
PAIRS = [
    (case, name)
    for case in CASES
    for name, rewrite in sorted(_rewrites(case).items())
    if rewrite(_case(case)[1]) != _case(case)[1]
]


@pytest.mark.parametrize(("case", "rewrite"), PAIRS)
def test_rewritten_page_keeps_its_record(case: str, rewrite: str) -> None:
    meta, html, encoding, expected = _case(case)
    rewritten = _rewrites(case)[rewrite](html)
    body = rewritten.encode(encoding, "xmlcharrefreplace")
    record = parse(body, meta["url"], meta.get("headers"), site=meta.get("site"))
    assert record.to_dict() == expected


def _legacy_encoding(html: str) -> str:
    """Big5 for a page in Chinese, windows-1252 for the rest."""
    return "big5" if re.search("[\u4e00-\u9fff]", html) else "windows-1252"


@pytest.mark.parametrize("case", CASES)
def test_page_reencoded_and_declared_only_in_meta_keeps_its_record(case: str) -> None:
    meta, html, _, expected = _case(case)
    encoding = _legacy_encoding(html)
    body = _reencode(html, encoding)
    headers = {"Content-Type": "text/html"}
    record = parse(body, meta["url"], headers, site=meta.get("site"))
    assert record.to_dict() == expected

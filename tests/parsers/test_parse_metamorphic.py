"""Rewrites that keep what a reader sees must keep the record: comments between tags, other
block elements, extra wrapper elements, noise attributes, upper-case tags.

Each fixture page is rewritten and must still parse to its own ``expected.json``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from parsers import parse

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "doctorqna"
CASES = sorted(
    path.parent.name
    for path in FIXTURES.glob("*/expected.json")
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


REWRITES: dict[str, Callable[[str], str]] = {
    "minified": _in_body(_minify),
    "comments": _in_body(
        lambda body: re.sub(
            r"(</?(?:div|p|section|td|tr|li|h\d)\b[^>]*>)", r"\1<!-- x -->", body, flags=re.I
        )
    ),
    "div_to_section": _in_body(lambda body: re.sub(r"<(/?)div\b", r"<\1section", body, flags=re.I)),
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
}


def _page(case: str) -> tuple[dict, str, str]:
    """Meta, the page's text and the encoding it is served in (Big5 pages stay Big5)."""
    folder = FIXTURES / case
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    encoding = "cp950" if "big5" in json.dumps(meta).lower() else "utf-8"
    return meta, (folder / "page.html").read_bytes().decode(encoding), encoding


#: Only the pairs where the rewrite changes the page: a rewrite with nothing to change would
#: prove nothing, so it is not a test at all (rather than a skip).
PAIRS = [
    (case, name)
    for case in CASES
    for name, rewrite in sorted(REWRITES.items())
    if rewrite(_page(case)[1]) != _page(case)[1]
]


@pytest.mark.parametrize(("case", "rewrite"), PAIRS)
def test_rewritten_page_keeps_its_record(case: str, rewrite: str) -> None:
    meta, html, encoding = _page(case)
    rewritten = REWRITES[rewrite](html)
    record = parse(rewritten.encode(encoding), meta["url"], meta.get("headers"))
    expected = json.loads((FIXTURES / case / "expected.json").read_text(encoding="utf-8"))
    assert record.to_dict() == expected

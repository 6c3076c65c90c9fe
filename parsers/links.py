"""Link targets on a page -> canonical absolute URLs, cheaply.

A page links to a dozen similar questions and FAQ topics, almost always as plain paths
(``/en/faq/gout``) or absolute URLs on the page's own origin. For those, the canonical form
is the page's canonical origin plus the path, so the full ``canonicalize_url`` (join,
split, query rebuild) is only paid for the links that need it. The result is identical
either way (``tests/parsers/test_parse_links.py`` checks that).
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from parsers.urls import canonicalize_url

# A root-relative path with nothing canonicalisation would change: no query, fragment,
# whitespace, backslash, dot segment or trailing slash.
_PLAIN_PATH = re.compile(r"^/(?!/)(?:[^?#\s\\/]+/)*[^?#\s\\/]+$")


@lru_cache(maxsize=256)
def _origin(base: str) -> str:
    parts = urlsplit(canonicalize_url(base))
    return f"{parts.scheme}://{parts.netloc}"


def absolute_url(href: str, base: str) -> str:
    """``canonicalize_url(href, base=base)``, with a fast path for plain paths."""
    href = href.strip()
    origin = _origin(base)
    path = href[len(origin) :] if href.startswith(origin + "/") else href
    if _PLAIN_PATH.match(path) and "/./" not in path + "/" and "/../" not in path + "/":
        return origin + path
    return canonicalize_url(href, base=base)

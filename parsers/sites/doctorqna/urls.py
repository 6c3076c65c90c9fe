"""doctorqna.com's hosts and article URLs: ``<base>/en/article/<id>``."""

from __future__ import annotations

import re

from parsers.urls import canonicalize_url

HOSTS: frozenset[str] = frozenset({"doctorqna.com", "www.doctorqna.com"})
DEFAULT_BASE_URL = "https://doctorqna.com"
ARTICLE_PATH = "/en/article/{id}"
#: ``/article/<digits>`` at the end of a canonical URL (no query): the one URL shape that is a
#: Q&A page (doctorqna.com/en/article/200123), whatever the language segment before it.
_ARTICLE_URL = re.compile(r"^https?://[^/]+/(?:[^?#]*/)?article/(\d+)$")


def external_id(url: str) -> str | None:
    """The article id if canonical ``url`` is an article page, else ``None``."""
    match = _ARTICLE_URL.match(url)
    return match.group(1) if match else None


def article_url(base_url: str, article_id: int | str) -> str:
    """The URL of article ``article_id`` on the site (or a stand-in) at ``base_url``."""
    return canonicalize_url(base_url.rstrip("/") + ARTICLE_PATH.format(id=article_id))

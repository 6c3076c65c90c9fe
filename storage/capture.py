"""What the archive needs to know about one fetch, independent of whether it parsed.

The crawler fills this in after writing the response to WARC; the re-parser rebuilds it from
an existing capture row. Keeping it a plain dataclass keeps Scrapy out of ``storage``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from parsers.errors import NotAnArticle, PageNotFound, ParseError

#: Parse errors that say "this page is not a Q&A article", which a crawl meets on every site.
NOT_ARTICLE_ERRORS: tuple[type[ParseError], ...] = (NotAnArticle, PageNotFound)


@dataclass(frozen=True, slots=True, kw_only=True)
class Capture:
    """One HTTP exchange as archived.

    ``parse_outcome`` is ``"ok"`` (a record was extracted), ``"not_article"`` (a FAQ topic,
    listing or "not found" page: expected, not a failure; ``error_code`` says which),
    ``"error"`` (``error_code`` says why, from ``parsers.errors``), ``"revisit"`` (payload
    identical to the previous capture, nothing re-parsed) or ``"not_parsed"`` (redirects,
    robots.txt, sitemaps, HTTP errors). ``failed_parse`` picks between the two failures.
    ``warc_file`` is relative to the data directory so archives can move.
    """

    url: str
    fetched_at: datetime
    http_status: int
    site: str
    payload_digest: str | None = None
    warc_file: str | None = None
    warc_offset: int | None = None
    warc_length: int | None = None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    parse_outcome: str = "ok"
    error_code: str | None = None
    error_message: str | None = None
    parser_version: str | None = None
    crawl_run_id: int | None = None


def failed_parse(capture: Capture, error: ParseError, parser_version: str) -> Capture:
    """``capture`` as recorded when parsing raised ``error``: ``not_article`` for the pages
    that are not articles, ``error`` for real failures. The crawler and ``reparse`` both
    use this, so a page is named the same by the crawl report, ``reparse`` and ``show``."""
    return replace(
        capture,
        parse_outcome="not_article" if isinstance(error, NOT_ARTICLE_ERRORS) else "error",
        error_code=error.code,
        error_message=str(error)[:500],
        parser_version=parser_version,
    )

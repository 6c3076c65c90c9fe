"""What the archive needs to know about one fetch, independent of whether it parsed.

The crawler fills this in after writing the response to WARC; the re-parser rebuilds it from
an existing capture row. Keeping it a plain dataclass keeps Scrapy out of ``storage``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Capture:
    """One HTTP exchange as archived.

    ``parse_outcome`` is ``"ok"`` (a record was extracted), ``"error"`` (``error_code`` says
    why, from ``parsers.errors``), ``"revisit"`` (payload identical to the previous capture,
    nothing re-parsed) or ``"not_parsed"`` (redirects, robots.txt, sitemaps, HTTP errors).
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

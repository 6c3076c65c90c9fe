"""Conditional GETs on incremental crawls: a page that did not change costs a 304, not a body.

Looks up the archive's last capture once per request and keeps it in ``meta.PREVIOUS`` so the
WARC middleware can write a revisit record against it without a second query.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crawler import meta
from crawler.extensions.session import crawl_session
from parsers.urls import canonicalize_url

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

    from crawler.session import CrawlSession


class ConditionalRequestMiddleware:
    def __init__(self, session: CrawlSession) -> None:
        self.session = session

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequestMiddleware:
        return cls(crawl_session(crawler))

    def process_request(self, request: Request) -> None:
        if not request.meta.get(meta.CONDITIONAL):
            return None
        if meta.PREVIOUS not in request.meta:
            request.meta[meta.PREVIOUS] = self.session.last_capture(canonicalize_url(request.url))
        previous = request.meta[meta.PREVIOUS]
        if (
            previous is None
            or previous.http_status not in (200, 304)
            or not previous.payload_digest
        ):
            return None
        if previous.etag:
            request.headers.setdefault("If-None-Match", previous.etag)
        if previous.last_modified:
            request.headers.setdefault("If-Modified-Since", previous.last_modified)
        return None

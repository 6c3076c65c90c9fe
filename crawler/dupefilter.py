"""Duplicate filter on canonical URLs, pre-loaded from the archive on resume/incremental runs.

Keying on ``canonicalize_url`` (not Scrapy's fingerprint) means a tracking parameter or a
trailing slash never causes a second fetch. The spider's session says which URLs must count as
already seen before the crawl starts: those captured by the run being resumed, and those not
yet due on an incremental crawl. Requests with ``dont_filter`` (retries, robots.txt, sitemaps)
bypass it, as in Scrapy.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy.dupefilters import BaseDupeFilter

from crawler.seen import SeenUrls
from parsers.urls import canonicalize_url

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class CanonicalDupeFilter(BaseDupeFilter):
    def __init__(self, crawler: Crawler | None = None) -> None:
        self.crawler = crawler
        self.seen = SeenUrls()
        self.filtered = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CanonicalDupeFilter:
        return cls(crawler)

    def open(self) -> None:
        spider = self.crawler.spider if self.crawler else None
        preload = getattr(spider, "already_seen", None)
        if preload is None:
            return
        count = sum(1 for url in preload() if self.seen.add(url))
        if count:
            logger.info("duplicate filter: %d URLs count as done before the crawl starts", count)

    def request_seen(self, request: Request) -> bool:
        url = canonicalize_url(request.url)
        if self.seen.add(url):
            return False
        # A redirect chain that comes back to where it started (a login bounce, a cookie
        # check) must be followed to its end, or the page is never fetched at all. Loops are
        # bounded by REDIRECT_MAX_TIMES.
        if url in {canonicalize_url(u) for u in request.meta.get("redirect_urls", ())}:
            return False
        self.filtered += 1
        return True

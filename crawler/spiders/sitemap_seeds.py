"""Seeding from robots.txt's sitemaps, for sites that publish them (``--sitemap``).

Sitemaps are read one at a time, streamed, and the URLs they list wait in a spool file until
the scheduler has room (``crawler.frontier``), so memory does not grow with the site; in a
shared (``--redis``) crawl they go straight to the shared queue instead. robots.txt and
sitemaps are captures like pages: one that cannot be read gets an ``error_code`` and counts
in the report.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.sitemap import sitemap_urls_from_robots

from crawler import meta
from crawler.frontier import UrlSpool, pause
from crawler.sitemaps import SITEMAP_INDEX, SitemapError, iter_sitemap
from crawler.spiders.base import WAKEUP_SECONDS, SiteSpider
from parsers.urls import canonicalize_url

logger = logging.getLogger(__name__)

#: A robots.txt answered 4xx means "no rules, no sitemaps" (RFC 9309), not a failure.
ROBOTS_MISSING_STATUSES = list(range(400, 500))
#: Sitemap entries handled between two yields to the reactor, so reading a 50,000-URL
#: sitemap never holds up downloads for long.
SITEMAP_CHUNK = 2000


class SitemapSeeding(SiteSpider):
    """A site's spider that can seed from robots.txt -> sitemap index -> sitemaps."""

    has_sitemap: ClassVar[bool] = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sitemap_spool: UrlSpool | None = None
        self._page_spool: UrlSpool | None = None

    def on_opened(self, spider: scrapy.Spider) -> None:
        super().on_opened(spider)
        if self.plan.sitemap and self.local_frontier:
            self._sitemap_spool = UrlSpool(self.session.data_dir / "tmp")
            self._page_spool = UrlSpool(self.session.data_dir / "tmp")

    def on_closed(self, spider: scrapy.Spider, reason: str) -> None:
        for spool in (self._sitemap_spool, self._page_spool):
            if spool is not None:
                spool.close()
        super().on_closed(spider, reason)

    def seed_files(self) -> Iterator[scrapy.Request]:
        if self.plan.sitemap:
            yield self.seed_file_request(
                f"{self.base_url}/robots.txt",
                self.parse_robots,
                "robots",
                handle_httpstatus_list=ROBOTS_MISSING_STATUSES,
            )

    def seed_file_failed(self, kind: str) -> Iterator[scrapy.Request]:
        if kind == "robots":  # still try the conventional sitemap location
            yield from self._add_sitemap(f"{self.base_url}/sitemap.xml")

    async def later_seeds(self) -> AsyncIterator[scrapy.Request]:
        """Sitemaps one at a time, as soon as the previous one is read; their URLs as the
        scheduler has room. Ends once both spools are empty and no sitemap is in flight."""
        sitemaps, pages = self._sitemap_spool, self._page_spool
        if sitemaps is None or pages is None:
            return
        idle_since: float | None = None
        while True:
            if self._seed_files_in_flight == 0 and len(sitemaps):
                url = sitemaps.pop()
                if url is not None:
                    self._seed_files_in_flight += 1
                    yield self.sitemap_request(url)
                    continue
            if len(pages) and self._room():
                url = pages.pop()
                if url is not None:
                    yield self.page_request(url)
                    continue
            if not len(pages) and not len(sitemaps) and self._seed_files_in_flight == 0:
                return
            await maybe_deferred_to_future(self._wakeup.wait(WAKEUP_SECONDS))
            # A seed-file request dropped without a callback (a spider middleware filtered
            # it) would be waited for forever: an engine idle for a whole second settles it.
            if self._engine_busy():
                idle_since = None
                continue
            now = time.monotonic()
            idle_since = idle_since or now
            if now - idle_since >= 2 * WAKEUP_SECONDS and self._seed_files_in_flight:
                logger.warning("a robots.txt/sitemap request vanished without an answer")
                self._seed_files_in_flight = 0

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        try:
            self._complete_seed_file(response.request)
            sitemaps: list[str] = []
            if response.status < 400:
                sitemaps = list(sitemap_urls_from_robots(response.body, base_url=response.url))
            if not sitemaps:
                sitemaps = [f"{self.base_url}/sitemap.xml"]
            for url in sitemaps:
                yield from self._add_sitemap(url)
        finally:
            self._seed_file_done()

    def _add_sitemap(self, url: str) -> Iterator[scrapy.Request]:
        """Queue a sitemap: in the local spool, or straight to a shared queue."""
        location = self._seed_location(url)
        if location is None:
            return
        if self._sitemap_spool is not None:
            self._sitemap_spool.push(location)
            self._wakeup.notify()
        else:
            yield self.sitemap_request(location)

    def _seed_location(self, url: str) -> str | None:
        """The canonical URL of a sitemap entry, or None (counted) if it cannot be crawled."""
        counts = self.session.counts
        try:
            location = canonicalize_url(url, base=self.base_url)
        except ValueError:
            counts.inc("sitemap_skipped/invalid")
            return None
        parts = urlsplit(location)
        if parts.scheme not in ("http", "https"):
            counts.inc("sitemap_skipped/not_http")
            return None
        if parts.hostname not in self.allowed_domains:
            counts.inc("sitemap_skipped/offsite")
            return None
        if len(location) > self.settings.getint("URLLENGTH_LIMIT", 2000):
            counts.inc("sitemap_skipped/too_long")
            return None
        return location

    def sitemap_request(self, url: str) -> scrapy.Request:
        return scrapy.Request(
            canonicalize_url(url),
            callback=self.parse_sitemap,
            errback=self.on_error,
            dont_filter=True,
            priority=10,  # before the pages already queued: they are what keeps URLs coming
            meta={
                meta.SEED_FILE: "sitemap",
                "download_maxsize": self.settings.getint("SITEMAP_MAX_BYTES"),
            },
        )

    async def parse_sitemap(self, response: Response) -> AsyncIterator[scrapy.Request]:
        """Stream the entries into the spools (or, in a shared crawl, the shared queue)."""
        counts = self.session.counts
        entries = iter_sitemap(response.body, self.settings.getint("SITEMAP_MAX_BYTES"))
        error: SitemapError | None = None
        try:
            read = 0
            while True:
                try:
                    kind, location = next(entries)
                except StopIteration:
                    break
                except SitemapError as problem:
                    error = problem
                    break
                read += 1
                if kind == SITEMAP_INDEX:
                    for request in self._add_sitemap(location):
                        yield request
                    continue
                counts.inc("sitemap_urls")
                url = self._seed_location(location)
                if url is None:
                    continue
                if self._page_spool is not None:
                    self._page_spool.push(url)
                else:
                    yield self.page_request(url)
                if read % SITEMAP_CHUNK == 0:
                    self._wakeup.notify()
                    await pause()  # let downloads and other callbacks run
            if error is not None:
                logger.error("sitemap %s: %s", response.url, error)
                counts.seed_failed(response.url, error.code)
            self._complete_seed_file(response.request, error)
        finally:
            self._seed_file_done()

"""The doctorqna.com spider: seeds, link following, incremental discovery.

Seeds come from an id range, the sitemap (robots.txt -> sitemap index -> sitemaps), explicit
URLs, and on incremental runs the archive (pages now due, plus ids above the highest known).
Every URL is canonicalised before it is requested so the duplicate filter sees one spelling per
page. The callback parses the page because following Similar Q&A / Related FAQ links needs the
parsed record; the item pipeline then batches the ingest.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots
from selectolax.lexbor import LexborHTMLParser
from twisted.python.failure import Failure

from crawler import meta
from crawler.fetch_errors import exception_code
from crawler.items import PageItem
from crawler.session import CrawlSession
from parsers import parse, parser_version
from parsers.errors import ParseError
from parsers.record import QARecord
from parsers.urls import canonicalize_url
from storage.capture import Capture, failed_parse

DEFAULT_BASE_URL = "https://doctorqna.com"
ARTICLE_PATH = "/en/article/{id}"
_ARTICLE_ID = re.compile(r"/article/(\d+)$")
#: Statuses the callback wants to see rather than the errback: revisits, gone pages, probes.
HANDLED_STATUSES = [304, 404, 410]


def parse_id_range(text: str) -> range:
    """``"203000-203999"`` (inclusive) or a single ``"203000"`` as a range of ids."""
    start, sep, end = text.strip().partition("-")
    try:
        first = int(start)
        last = int(end) if sep else first
    except ValueError:
        raise ValueError(f"--ids must look like 203000-203999, got {text!r}") from None
    if first < 0 or last < first:
        raise ValueError(f"--ids range {text!r} is empty or negative")
    return range(first, last + 1)


def article_id(url: str) -> int | None:
    match = _ARTICLE_ID.search(urlsplit(url).path)
    return int(match.group(1)) if match else None


def _flag(value: Any) -> bool:
    """Spider arguments arrive as strings from ``scrapy crawl -a``."""
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


class DoctorQnaSpider(scrapy.Spider):
    name = "doctorqna"
    site = "doctorqna"
    session: CrawlSession

    def __init__(
        self,
        *,
        ids: str | None = None,
        sitemap: bool | str = False,
        urls: Iterable[str] | str | None = None,
        follow_depth: int | str = 0,
        incremental: bool | str = False,
        resume: bool | str = False,
        base_url: str | None = None,
        refresh_days: float | str = 30,
        unanswered_days: float | str = 2,
        discover_misses: int | str = 20,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.base_url = canonicalize_url(base_url or DEFAULT_BASE_URL).rstrip("/")
        self.allowed_domains = [urlsplit(self.base_url).hostname or ""]
        self.ids = parse_id_range(ids) if ids else None
        self.use_sitemap = _flag(sitemap)
        if isinstance(urls, str):
            urls = [u for u in urls.split(",") if u.strip()]
        self.seed_urls = [canonicalize_url(u, base=self.base_url) for u in urls or ()]
        self.follow_depth = int(follow_depth)
        self.incremental = _flag(incremental)
        self.resume = _flag(resume)
        self.refresh_after = timedelta(days=float(refresh_days))
        self.unanswered_after = timedelta(days=float(unanswered_days))
        self.discover_misses = int(discover_misses)
        if not (self.ids or self.use_sitemap or self.seed_urls or self.incremental):
            self.use_sitemap = True  # nothing named: the sitemap lists every page
        self.started_at = datetime.now(UTC)
        self._highest_id: int | None = None
        self._next_probe = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> DoctorQnaSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.session = CrawlSession.open(
            crawler.settings, site=spider.site, arguments=spider.arguments(), resume=spider.resume
        )
        crawler.signals.connect(spider._opened, signal=signals.spider_opened)
        crawler.signals.connect(spider._closed, signal=signals.spider_closed)
        return spider

    def arguments(self) -> dict[str, Any]:
        """What the run row records, so a report says how the crawl was seeded."""
        return {
            "base_url": self.base_url,
            "ids": f"{self.ids.start}-{self.ids.stop - 1}" if self.ids else None,
            "sitemap": self.use_sitemap,
            "urls": self.seed_urls,
            "follow_depth": self.follow_depth,
            "incremental": self.incremental,
        }

    def _opened(self, spider: scrapy.Spider) -> None:
        self.session.start()

    async def _closed(self, spider: scrapy.Spider, reason: str) -> None:
        await maybe_deferred_to_future(self.session.close(reason))

    # -- what counts as done before the crawl starts (read by the duplicate filter) ---------

    def already_seen(self) -> Iterator[str]:
        """URLs this run must not fetch: done in the run being resumed, or not yet due."""
        archive = self.session.archive
        if self.session.resumed:
            retryable = {0, *(int(c) for c in self.settings.getlist("RETRY_HTTP_CODES"))}
            for url in archive.captured_urls(self.session.run_id):
                last = archive.last_capture(url)
                # A transient failure cut short by the kill is retried, not taken as done.
                if last is None or last.http_status not in retryable:
                    yield url
        if self.incremental:
            yield from archive.not_due_urls(
                self.site,
                now=self.started_at,
                refresh_after=self.refresh_after,
                unanswered_after=self.unanswered_after,
            )

    # -- seeds --------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        for request in self._seeds():
            yield request

    def _seeds(self) -> Iterator[scrapy.Request]:
        for url in self.seed_urls:
            yield self.page_request(url)
        if self.use_sitemap:
            yield scrapy.Request(
                f"{self.base_url}/robots.txt",
                callback=self.parse_robots,
                errback=self.on_error,
                dont_filter=True,
            )
        if self.incremental:
            archive = self.session.archive
            for url in archive.due_urls(
                self.site,
                now=self.started_at,
                refresh_after=self.refresh_after,
                unanswered_after=self.unanswered_after,
            ):
                yield self.page_request(url)
            highest = archive.max_external_id(self.site)
            if highest is not None:
                self._highest_id = highest
                self._next_probe = highest + 1
                yield from self._probes()
        if self.ids:
            for number in self.ids:
                yield self.page_request(self.article_url(number))

    def article_url(self, number: int) -> str:
        return canonicalize_url(self.base_url + ARTICLE_PATH.format(id=number))

    def page_request(self, url: str, hop: int = 0, *, probe: bool = False) -> scrapy.Request:
        return scrapy.Request(
            canonicalize_url(url),
            callback=self.parse_page,
            errback=self.on_error,
            meta={
                meta.PARSE: True,
                meta.HOP: hop,
                meta.CONDITIONAL: self.incremental,
                meta.PROBE: probe,
                "handle_httpstatus_list": HANDLED_STATUSES,
            },
        )

    def _probes(self) -> Iterator[scrapy.Request]:
        """Keep ``discover_misses`` ids probed beyond the highest id known to exist."""
        if self._highest_id is None:
            return
        while self._next_probe <= self._highest_id + self.discover_misses:
            yield self.page_request(self.article_url(self._next_probe), probe=True)
            self._next_probe += 1

    # -- sitemap ------------------------------------------------------------------------------

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        sitemaps = list(sitemap_urls_from_robots(response.body, base_url=response.url))
        if not sitemaps:
            sitemaps = [f"{self.base_url}/sitemap.xml"]
        for url in sitemaps:
            yield self.sitemap_request(url)

    def sitemap_request(self, url: str) -> scrapy.Request:
        return scrapy.Request(
            canonicalize_url(url),
            callback=self.parse_sitemap,
            errback=self.on_error,
            dont_filter=True,
        )

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        body = response.body
        if body[:2] == b"\x1f\x8b":  # a .xml.gz file, not a Content-Encoding
            body = gunzip(body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
        sitemap = Sitemap(body)
        for entry in sitemap:
            location = entry.get("loc")
            if not location:
                continue
            if sitemap.type == "sitemapindex":
                yield self.sitemap_request(location)
            elif sitemap.type == "urlset":
                yield self.page_request(location)

    # -- pages --------------------------------------------------------------------------------

    def parse_page(self, response: Response) -> Iterator[Any]:
        capture: Capture | None = response.meta.get(meta.CAPTURE)
        number = article_id(response.url)
        if capture is not None:
            record, capture = self._parse(response, capture)
            yield PageItem(record=record, capture=capture)
            if response.meta.get(meta.HOP, 0) < self.follow_depth:
                yield from self._follow(response, record)
        exists = 200 <= response.status < 300 or response.status == 304
        if exists and number is not None and self._highest_id is not None and self.incremental:
            self._highest_id = max(self._highest_id, number)
            yield from self._probes()

    def _parse(self, response: Response, capture: Capture) -> tuple[QARecord | None, Capture]:
        headers = {
            name.decode("latin-1"): values[-1].decode("latin-1")
            for name, values in response.headers.items()
            if values
        }
        try:
            record = parse(response.body, response.url, headers, site=self.site)
        except ParseError as error:
            failed = failed_parse(capture, error, parser_version(self.site))
            if failed.parse_outcome == "not_article":
                self.session.tally.not_articles += 1  # FAQ, listing, not found: expected
            else:
                self.session.tally.failures[error.code] += 1
            return None, failed
        return record, replace(capture, parse_outcome="ok", parser_version=record.parser_version)

    def _follow(self, response: Response, record: QARecord | None) -> Iterator[scrapy.Request]:
        hop = response.meta.get(meta.HOP, 0) + 1
        if record is not None:
            links = [s.url for s in record.similar] + [f.url for f in record.related_faq]
        else:
            links = self._article_links(response)
        for link in links:
            if link:
                yield self.page_request(canonicalize_url(link, base=response.url), hop)

    @staticmethod
    def _article_links(response: Response) -> list[str]:
        """Article links on a page that is not an article itself (a FAQ topic page)."""
        try:
            tree = LexborHTMLParser(response.body)
        except (ValueError, TypeError):
            return []
        hrefs = (node.attributes.get("href") for node in tree.css("a[href]"))
        return [href for href in hrefs if href and _ARTICLE_ID.search(urlsplit(href).path)]

    def on_error(self, failure: Failure) -> None:
        """A request that ended without a usable response after every retry."""
        error = failure.value
        if isinstance(error, HttpError) and error.response.status in HANDLED_STATUSES:
            return
        self.session.tally.failures[exception_code(error)] += 1

"""The doctorqna.com spider: seeds, link following, incremental discovery.

Seeds come from an id range, the sitemap (robots.txt -> sitemap index -> sitemaps), explicit
URLs, and on incremental runs the archive (pages now due, plus ids above the highest known).
Every URL is canonicalised before it is requested so the duplicate filter sees one spelling per
page. The callback parses the page because following Similar Q&A / Related FAQ links needs the
parsed record; the item pipeline then batches the ingest.

Seeds are handed to the scheduler only while it holds fewer than ``FRONTIER_MAX_PENDING``
requests (``crawler.frontier``): sitemaps are read one at a time, streamed, and the URLs they
list wait in a spool file, so memory does not grow with the site. robots.txt and sitemaps are
captures like pages: one that cannot be read gets an ``error_code`` and counts in the report.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.sitemap import sitemap_urls_from_robots
from selectolax.lexbor import LexborHTMLParser
from twisted.python.failure import Failure

from crawler import meta
from crawler.extensions.session import crawl_session
from crawler.fetch_errors import exception_code
from crawler.frontier import UrlSpool, Wakeup, pause
from crawler.items import PageItem
from crawler.session import CrawlSession
from crawler.sitemaps import SITEMAP_INDEX, SitemapError, iter_sitemap
from parsers import parser_version
from parsers.errors import ParseError
from parsers.record import QARecord
from parsers.urls import canonicalize_url
from storage.capture import Capture, failed_parse

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://doctorqna.com"
ARTICLE_PATH = "/en/article/{id}"
_ARTICLE_ID = re.compile(r"/article/(\d+)$")
#: Statuses the callback wants to see rather than the errback: revisits, gone pages, probes.
HANDLED_STATUSES = [304, 404, 410]
#: A robots.txt answered 4xx means "no rules, no sitemaps" (RFC 9309), not a failure.
ROBOTS_MISSING_STATUSES = list(range(400, 500))
#: Sitemap entries handled between two yields to the reactor, so reading a 50,000-URL
#: sitemap never holds up downloads for long.
SITEMAP_CHUNK = 2000
#: Seconds between checks while the spider waits for room or for a sitemap.
WAKEUP_SECONDS = 0.5


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


def _done(status: int, retryable: set[int]) -> bool:
    """Whether a URL whose last capture has ``status`` needs no fetch on resume.

    A transient failure cut short by the kill is retried. So is a redirect: its target may
    never have been captured, and only fetching the redirect again leads back to it (the
    duplicate filter drops the target if it was captured).
    """
    return status not in retryable and not 300 <= status < 400


def _flag(value: Any) -> bool:
    """Spider arguments arrive as strings from ``scrapy crawl -a``."""
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


class DoctorQnaSpider(scrapy.Spider):
    name = "doctorqna"
    site = "doctorqna"
    #: The site's origin; ``--base-url`` replaces it (the demo site).
    default_base_url = DEFAULT_BASE_URL

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
        self.base_url = canonicalize_url(base_url or self.default_base_url).rstrip("/")
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
            self.seed_by_default()
        self.started_at = datetime.now(UTC)
        self._highest_id: int | None = None
        self._next_probe = 0
        self._wakeup = Wakeup()
        #: robots.txt and sitemap requests handed out whose callback/errback has not run.
        self._seed_files_in_flight = 0
        self._sitemap_spool: UrlSpool | None = None
        self._page_spool: UrlSpool | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> DoctorQnaSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._opened, signal=signals.spider_opened)
        crawler.signals.connect(spider._closed, signal=signals.spider_closed)
        for signal in (signals.request_reached_downloader, signals.request_left_downloader):
            crawler.signals.connect(spider._wakeup.notify, signal=signal)
        crawler.signals.connect(spider._dropped, signal=signals.request_dropped)
        return spider

    def seed_by_default(self) -> None:
        """Nothing named: the sitemap lists every page."""
        self.use_sitemap = True

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

    @property
    def session(self) -> CrawlSession:
        """The crawl's archive session (``crawler.extensions.session``), which Scrapy builds
        after the spider: looked up when first needed, once the crawl is opening."""
        return crawl_session(self.crawler)

    def _opened(self, spider: scrapy.Spider) -> None:
        if self.spools_sitemaps:
            self._sitemap_spool = UrlSpool(self.session.data_dir / "tmp")
            self._page_spool = UrlSpool(self.session.data_dir / "tmp")

    def _closed(self, spider: scrapy.Spider, reason: str) -> None:
        for spool in (self._sitemap_spool, self._page_spool):
            if spool is not None:
                spool.close()

    def _dropped(self, request: Request, **_: Any) -> None:
        """A request the scheduler refused (duplicate) never reaches a callback."""
        if request.meta.get(meta.SEED_FILE):
            self._seed_file_done()
        self._wakeup.notify()

    # -- the bounded frontier -------------------------------------------------------------

    @property
    def spools_sitemaps(self) -> bool:
        """Sitemap URLs wait in a local spool, except in a shared (Redis) crawl, where the
        queue is on the Redis server and must hold them for every worker."""
        return not self.settings.get("HEALTHQA_DISTRIBUTED_MODE")

    def _room(self) -> bool:
        """Whether the scheduler may take another seed (``FRONTIER_MAX_PENDING``)."""
        cap = self.settings.getint("FRONTIER_MAX_PENDING", 1000)
        if cap <= 0 or not self.spools_sitemaps:
            return True
        engine = self.crawler.engine
        return engine is None or len(engine.scheduler) < cap  # type: ignore[arg-type]

    def _engine_busy(self) -> bool:
        """Anything downloading, waiting in the scheduler or in a callback."""
        engine = self.crawler.engine
        if engine is None or engine.scheduler is None:
            return False
        return (
            bool(engine.downloader.active)
            or not engine.scraper.slot.is_idle()  # type: ignore[union-attr]
            or engine.scheduler.has_pending_requests()
        )

    async def _when_room(self) -> None:
        while not self._room():
            await maybe_deferred_to_future(self._wakeup.wait(WAKEUP_SECONDS))

    def _seed_file_done(self) -> None:
        self._seed_files_in_flight = max(0, self._seed_files_in_flight - 1)
        self._wakeup.notify()

    # -- what counts as done before the crawl starts (read by the duplicate filter) ---------

    def already_seen(self) -> Iterator[str]:
        """URLs this run must not fetch: done in the run being resumed, or not yet due."""
        archive = self.session.archive
        if self.session.resumed:
            retryable = {0, *(int(c) for c in self.settings.getlist("RETRY_HTTP_CODES"))}
            for url, status in archive.last_statuses(self.session.run_id):
                if _done(status, retryable):
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
            await self._when_room()
            yield request
        if self.use_sitemap and self.spools_sitemaps:
            async for request in self._sitemap_seeds():
                yield request

    async def _sitemap_seeds(self) -> AsyncIterator[scrapy.Request]:
        """Sitemaps one at a time, as soon as the previous one is read; their URLs as the
        scheduler has room. Ends once both spools are empty and no sitemap is in flight."""
        sitemaps, pages = self._sitemap_spool, self._page_spool
        assert sitemaps is not None and pages is not None
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

    def _seeds(self) -> Iterator[scrapy.Request]:
        for url in self.seed_urls:
            yield self.page_request(url)
        if self.use_sitemap:
            self._seed_files_in_flight += 1
            yield scrapy.Request(
                f"{self.base_url}/robots.txt",
                callback=self.parse_robots,
                errback=self.on_error,
                dont_filter=True,
                meta={
                    meta.SEED_FILE: "robots",
                    "handle_httpstatus_list": ROBOTS_MISSING_STATUSES,
                },
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

    def article_number(self, url: str) -> int | None:
        """The id of the article at ``url``, or ``None`` if it is no article page."""
        return article_id(url)

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

    def _complete_seed_file(
        self, request: Request | None, error: SitemapError | None = None
    ) -> None:
        """Queue the capture the WARC middleware left for a robots.txt/sitemap response."""
        capture: Capture | None = request.meta.pop(meta.CAPTURE, None) if request else None
        if capture is None:
            return
        if error is not None:
            capture = replace(capture, error_code=error.code, error_message=str(error)[:500])
        self.session.submit(None, capture)

    # -- pages --------------------------------------------------------------------------------

    async def parse_page(self, response: Response) -> AsyncIterator[Any]:
        capture: Capture | None = response.meta.pop(meta.CAPTURE, None)
        number = self.article_number(response.url)
        self._count_page_outcome(response.request)
        if 200 <= response.status < 300 or response.status == 304:
            self.session.counts.inc("pages_received")
        if capture is not None:
            record, capture = await self._parse(response, capture)
            yield PageItem(record=record, capture=capture)
            if response.meta.get(meta.HOP, 0) < self.follow_depth:
                for request in self._follow(response, record):
                    yield request
        exists = 200 <= response.status < 300 or response.status == 304
        if exists and number is not None and self._highest_id is not None and self.incremental:
            self._highest_id = max(self._highest_id, number)
            for request in self._probes():
                yield request

    async def _parse(self, response: Response, capture: Capture) -> tuple[QARecord | None, Capture]:
        """Parse in a worker process under the page budget (``crawler.parsing``)."""
        headers = {
            name.decode("latin-1"): values[-1].decode("latin-1")
            for name, values in response.headers.items()
            if values
        }
        try:
            record = await maybe_deferred_to_future(
                self.session.parser.parse(response.body, response.url, headers, site=self.site)
            )
        except ParseError as error:
            return None, failed_parse(capture, error, parser_version(self.site))
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

    def _article_links(self, response: Response) -> list[str]:
        """Article links on a page that is not an article itself (a FAQ topic page)."""
        try:
            tree = LexborHTMLParser(response.body)
        except (ValueError, TypeError):
            return []
        links = []
        for node in tree.css("a[href]"):
            try:
                url = canonicalize_url(node.attributes.get("href") or "", base=response.url)
            except ValueError:  # a port that is not a number
                continue
            if self.article_number(url) is not None:
                links.append(url)
        return links

    def _count_page_outcome(self, request: Request | None) -> None:
        if request is None or not request.meta.get(meta.PARSE):
            return
        if not request.meta.get(meta.PROBE):
            self.session.counts.inc("page_requests")

    def on_error(self, failure: Failure) -> None:
        """A request that ended without a usable response after every retry."""
        error = failure.value
        request: Request | None = getattr(failure, "request", None)
        seed_file = request.meta.get(meta.SEED_FILE) if request is not None else None
        try:
            if isinstance(error, HttpError) and error.response.status in HANDLED_STATUSES:
                return
            code = exception_code(error)
            if request is not None:
                self._count_page_outcome(request)
                self._complete_after_failure(request, code, error)
            if seed_file is not None and code != "robots_disallowed":
                self.session.counts.seed_failed(request.url if request else "?", code)
                if seed_file == "robots":
                    # Still try the conventional sitemap location.
                    for sitemap in self._add_sitemap(f"{self.base_url}/sitemap.xml"):
                        self.crawler.engine.crawl(sitemap)  # type: ignore[union-attr]
            else:
                self.session.counts.inc(f"failures/{code}")
        finally:
            if seed_file is not None:
                self._seed_file_done()

    def _complete_after_failure(self, request: Request, code: str, error: BaseException) -> None:
        """A response archived in WARC whose handling then failed (a gzip bomb, a corrupt
        Content-Encoding) still gets its capture row, with the reason."""
        capture: Capture | None = request.meta.pop(meta.CAPTURE, None)
        if capture is None:
            return
        self.session.submit(
            None,
            replace(
                capture,
                parse_outcome="not_parsed",
                error_code=code,
                error_message=(str(error) or type(error).__name__)[:500],
            ),
        )

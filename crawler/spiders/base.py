"""What every site's spider needs; a site adds a small subclass for its seeding.

The base takes the crawl plan (``crawler.plan``), canonicalises every URL before it is
requested (so the duplicate filter sees one spelling per page), keeps seeds out of the
scheduler until it has room (``FRONTIER_MAX_PENDING``, ``crawler.frontier``), seeds from the
plan's URLs, id range and, on incremental runs, the archive (pages now due, plus ids probed
above the highest known), hands each page to the parse pool, follows Similar Q&A / Related FAQ
links, and accounts for every failure. A site says how its ids become URLs
(``article_url``/``article_number``), what it seeds when the plan names nothing
(``default_seeds``), and any seed files of its own (``seed_files``: robots.txt and sitemaps,
a listing page).

A shared (``--redis``) crawl is composed in, not subclassed: the worker's handle on the shared
queue is an extension's (``crawler.distributed.extension.shared_crawl``, ``None`` on a local
crawl), and a worker started without seeds only consumes the queue instead of falling back to
the site's default seeds.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.defer import maybe_deferred_to_future
from selectolax.lexbor import LexborHTMLParser
from twisted.python.failure import Failure

from crawler import meta
from crawler.distributed.extension import shared_crawl
from crawler.distributed.options import Mode
from crawler.extensions.session import crawl_session
from crawler.fetch_errors import exception_code
from crawler.frontier import Wakeup
from crawler.items import PageItem
from crawler.plan import CrawlPlan, plan_fields
from parsers import parser_version, sites
from parsers.errors import ParseError
from parsers.record import QARecord
from parsers.site import Site
from parsers.urls import canonicalize_url
from storage.capture import Capture, failed_parse

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from crawler.session import CrawlSession

logger = logging.getLogger(__name__)

#: Statuses the callback wants to see rather than the errback: revisits, gone pages, probes.
HANDLED_STATUSES = [304, 404, 410]
#: Seconds between checks while the spider waits for room or for a seed file.
WAKEUP_SECONDS = 0.5


def _done(status: int, retryable: set[int]) -> bool:
    """Whether a URL whose last capture has ``status`` needs no fetch on resume.

    A transient failure cut short by the kill is retried. So is a redirect: its target may
    never have been captured, and only fetching the redirect again leads back to it (the
    duplicate filter drops the target if it was captured).
    """
    return status not in retryable and not 300 <= status < 400


class SiteSpider(scrapy.Spider):
    site: ClassVar[str]
    #: The site's origin; ``--base-url`` replaces it (the demo site).
    default_base_url: ClassVar[str]
    #: Whether ``--sitemap`` applies (the site publishes sitemaps).
    has_sitemap: ClassVar[bool] = False
    #: Whether ``--latest N`` applies (a page of the site names its newest question).
    has_latest: ClassVar[bool] = False

    def __init__(self, plan: CrawlPlan | None = None, **arguments: str) -> None:
        """``plan`` from ``healthqa crawl``; ``arguments`` from ``scrapy crawl -a name=value``."""
        super().__init__()
        self.plan = plan if plan is not None else self.from_arguments(arguments)
        self.base_url = self.plan.base_url
        self.allowed_domains = [urlsplit(self.base_url).hostname or ""]
        self.started_at = datetime.now(UTC)
        self._highest_id: int | None = None
        self._next_probe = 0
        self._wakeup = Wakeup()
        #: Seed files (robots.txt, sitemaps, listings) handed out whose callback has not run.
        self._seed_files_in_flight = 0

    @classmethod
    def from_arguments(cls, arguments: Mapping[str, str]) -> CrawlPlan:
        """The plan of ``scrapy crawl SITE -a name=value ...``; ``ValueError`` says which
        argument is wrong (``crawler.commands.crawl`` prints it as one line)."""
        return cls.make_plan(**plan_fields(arguments))

    @classmethod
    def make_plan(cls, **fields: Any) -> CrawlPlan:
        """The site's plan: its own origin unless one is given, its default seeds when the
        plan names none."""
        base_url = fields.pop("base_url", None) or cls.default_base_url
        if not cls.has_sitemap:
            fields["sitemap"] = False
        plan = CrawlPlan(site=cls.site, base_url=base_url, **fields)
        return plan if plan.names_seeds else cls.default_seeds(plan)

    @classmethod
    def default_seeds(cls, plan: CrawlPlan) -> CrawlPlan:
        """What the site crawls when the plan names no seed."""
        raise NotImplementedError

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SiteSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.on_opened, signal=signals.spider_opened)
        crawler.signals.connect(spider.on_closed, signal=signals.spider_closed)
        for signal in (signals.request_reached_downloader, signals.request_left_downloader):
            crawler.signals.connect(spider._wakeup.notify, signal=signal)
        crawler.signals.connect(spider._dropped, signal=signals.request_dropped)
        return spider

    @property
    def session(self) -> CrawlSession:
        """The crawl's archive session (``crawler.extensions.session``), which Scrapy builds
        after the spider: looked up when first needed, once the crawl is opening."""
        return crawl_session(self.crawler)

    def on_opened(self, spider: scrapy.Spider) -> None:
        """The crawl is open (a site's seeding may set up its spools here)."""

    def on_closed(self, spider: scrapy.Spider, reason: str) -> None:
        """The crawl is over (a site's seeding releases what ``on_opened`` took)."""

    def _dropped(self, request: Request, **_: Any) -> None:
        """A request the scheduler refused (duplicate) never reaches a callback."""
        if request.meta.get(meta.SEED_FILE):
            self._seed_file_done()
        self._wakeup.notify()

    # -- the bounded frontier -------------------------------------------------------------

    @property
    def local_frontier(self) -> bool:
        """Whether the scheduler is this process's; a shared crawl's queue is on the Redis
        server and holds every seed for every worker."""
        return shared_crawl(self.crawler) is None

    def _room(self) -> bool:
        """Whether the scheduler may take another seed (``FRONTIER_MAX_PENDING``)."""
        cap = self.settings.getint("FRONTIER_MAX_PENDING", 1000)
        if cap <= 0 or not self.local_frontier:
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
        if self.plan.incremental:
            yield from archive.not_due_urls(
                self.site,
                now=self.started_at,
                refresh_after=self.plan.refresh_after,
                unanswered_after=self.plan.unanswered_after,
            )

    # -- seeds --------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        coordination = shared_crawl(self.crawler)
        options = coordination.options if coordination is not None else None
        if options is not None and options.mode is Mode.WORK and not options.has_seeds:
            return  # seeding is a separate step: this worker only consumes the queue
        for request in self._seeds():
            await self._when_room()
            yield request
        async for request in self.later_seeds():
            yield request

    def _seeds(self) -> Iterator[scrapy.Request]:
        for url in self.plan.urls:
            yield self.page_request(url)
        yield from self.seed_files()
        if self.plan.incremental:
            archive = self.session.archive
            for url in archive.due_urls(
                self.site,
                now=self.started_at,
                refresh_after=self.plan.refresh_after,
                unanswered_after=self.plan.unanswered_after,
            ):
                yield self.page_request(url)
            highest = archive.max_external_id(self.site)
            if highest is not None:
                self._highest_id = highest
                self._next_probe = highest + 1
                yield from self._probes()
        if self.plan.ids:
            for number in self.plan.ids:
                yield self.page_request(self.article_url(number))

    def seed_files(self) -> Iterator[scrapy.Request]:
        """Requests for the site's seed files (robots.txt, a listing page), if the plan asks."""
        return iter(())

    async def later_seeds(self) -> AsyncIterator[scrapy.Request]:
        """Seeds that only exist once the seed files are read (spooled sitemap entries)."""
        return
        yield

    def seed_file_request(self, url: str, callback: Any, kind: str, **extra: Any) -> Request:
        """A seed file's request, counted in flight until its callback or errback runs."""
        self._seed_files_in_flight += 1
        return scrapy.Request(
            canonicalize_url(url),
            callback=callback,
            errback=self.on_error,
            dont_filter=True,
            meta={meta.SEED_FILE: kind, **extra},
        )

    def seed_file_failed(self, kind: str) -> Iterator[scrapy.Request]:
        """Requests to try when the seed file of ``kind`` could not be read."""
        return iter(())

    @cached_property
    def site_plugin(self) -> Site:
        """What the site's package says of it (``parsers.sites``): its URL shapes."""
        found = sites.by_name(self.site)
        if found is None:
            raise ValueError(f"no site {self.site!r} in parsers.sites")
        return found

    def article_url(self, number: int) -> str:
        """The URL of question ``number`` on the crawl's origin, in the site's URL shape."""
        if self.site_plugin.url_for is None:
            raise NotImplementedError(f"{self.site} has no URL for an id")
        return self.site_plugin.url_for(self.base_url, number)

    def article_number(self, url: str) -> int | None:
        """The id of the article at ``url``, or ``None`` if it is no article page."""
        found = self.site_plugin.external_id(canonicalize_url(url))
        return int(found) if found is not None and found.isascii() and found.isdigit() else None

    def page_request(self, url: str, hop: int = 0, *, probe: bool = False) -> scrapy.Request:
        return scrapy.Request(
            canonicalize_url(url),
            callback=self.parse_page,
            errback=self.on_error,
            meta={
                meta.PARSE: True,
                meta.HOP: hop,
                meta.CONDITIONAL: self.plan.incremental,
                meta.PROBE: probe,
                "handle_httpstatus_list": HANDLED_STATUSES,
            },
        )

    def _probes(self) -> Iterator[scrapy.Request]:
        """Keep ``discover_misses`` ids probed beyond the highest id known to exist."""
        if self._highest_id is None:
            return
        while self._next_probe <= self._highest_id + self.plan.discover_misses:
            yield self.page_request(self.article_url(self._next_probe), probe=True)
            self._next_probe += 1

    def _complete_seed_file(self, request: Request | None, error: Any = None) -> None:
        """Queue the capture the WARC middleware left for a seed file's response; ``error``
        (with a ``code``) says why it could not be read."""
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
            if response.meta.get(meta.HOP, 0) < self.plan.follow_depth:
                for request in self._follow(response, record):
                    yield request
        exists = 200 <= response.status < 300 or response.status == 304
        if exists and number is not None and self._highest_id is not None and self.plan.incremental:
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

    # -- failures -----------------------------------------------------------------------------

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
                for retry in self.seed_file_failed(seed_file):
                    self.crawler.engine.crawl(retry)  # type: ignore[union-attr]
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

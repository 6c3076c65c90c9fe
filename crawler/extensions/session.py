"""The archive session's owner: a Scrapy extension, so every component reaches it one way.

The session (run row, WARC writer, ingest queue, parse pool) is crawl state, not spider state:
it is opened when the extension is built (before the engine exists, so a ``--resume`` with
nothing to resume fails the crawl before anything is fetched, and the duplicate filter can
preload from the archive when the scheduler opens), its ingest timer starts on
``spider_opened``, and ``spider_closed`` flushes and closes it (Scrapy waits for the returned
Deferred, so everything is committed before the stats are dumped and the report printed).

A crawl can also end without ``spider_closed``: when a component built after this extension
fails (a middleware rejecting a setting) or the scheduler cannot be built, Scrapy drops the
crawl without opening or closing the spider, and without ever running the reactor. The
session's child processes (ingest worker, parse pool) and its WARC file must not outlive it,
so ``engine_stopped`` closes it too, and whoever starts a crawl (``crawler.run``, the
``scrapy crawl`` command) closes it once the crawl is over (``close_when_done``). Closing is
idempotent; any reason but a finished crawl leaves the run unfinished, for ``--resume``.

Middlewares, the pipeline, the distributed coordinator and the spider get it with
``crawl_session(crawler)`` in their own ``from_crawler`` (or lazily, for the spider, which
Scrapy builds before any extension); nothing looks it up on the spider.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from scrapy import signals
from twisted.internet.defer import succeed

from crawler.session import CrawlSession

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from twisted.internet.defer import Deferred
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)


class ArchiveSession:
    """Scrapy extension owning the crawl's ``CrawlSession`` from open to close."""

    def __init__(self, session: CrawlSession) -> None:
        self.session = session

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveSession:
        spider: Any = crawler.spider
        assert crawler.stats is not None  # built before any extension
        session = CrawlSession.open(
            crawler.settings,
            crawler.stats,
            site=spider.plan.site,
            arguments=spider.plan.row(),
            resume=spider.plan.resume,
        )
        extension = cls(session)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        self.session.start()

    def spider_closed(self, spider: Spider, reason: str) -> Deferred[dict[str, Any]]:
        return self.session.close(reason)

    def engine_stopped(self) -> Deferred[dict[str, Any] | None]:
        """The engine is done; closes the session if ``spider_closed`` did not (no-op if it did)."""
        return self.close("shutdown")

    def close(self, reason: str) -> Deferred[dict[str, Any] | None]:
        """Close the session if nothing has; a failure is logged here, where it cannot be
        lost in a signal handler or a crawl's errback."""
        return self.session.close(reason).addErrback(_log_close_failure)


def close_when_done(crawl: Deferred[Any] | asyncio.Future[Any], crawler: Crawler) -> None:
    """Close ``crawler``'s session, if it is still open, once ``crawl`` (what
    ``CrawlerProcess.crawl`` returned: a Deferred, or an asyncio task) is over.

    A no-op after ``spider_closed``; after a failed start it reaps the child processes. The
    crawl's own result (its failure, for Scrapy to report) passes on untouched.
    """
    if isinstance(crawl, asyncio.Future):
        crawl.add_done_callback(lambda _: _close_if_open(crawler))
        return
    crawl.addBoth(lambda result: _close_if_open(crawler).addBoth(lambda _: result))


def _close_if_open(crawler: Crawler) -> Deferred[Any]:
    try:
        extension = crawler.get_extension(ArchiveSession)
    except RuntimeError:  # the crawl failed before its extensions were built: no session
        extension = None
    if extension is None:
        return succeed(None)
    return extension.close("shutdown")


def _log_close_failure(failure: Failure) -> None:
    logger.error("closing the archive session failed: %s", failure.getErrorMessage())


def crawl_session(crawler: Crawler) -> CrawlSession:
    """The crawl's archive session; for components built ``from_crawler`` (after extensions)."""
    extension = crawler.get_extension(ArchiveSession)
    if extension is None:
        raise RuntimeError(
            "crawler.extensions.session.ArchiveSession is not enabled in EXTENSIONS; "
            "the crawler's components need it"
        )
    return extension.session

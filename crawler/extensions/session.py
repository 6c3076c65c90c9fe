"""The archive session's owner: a Scrapy extension, so every component reaches it one way.

The session (run row, WARC writer, ingest queue, parse pool) is crawl state, not spider state:
it is opened when the extension is built (before the engine exists, so a ``--resume`` with
nothing to resume fails the crawl before anything is fetched, and the duplicate filter can
preload from the archive when the scheduler opens), its ingest timer starts on
``spider_opened``, and ``spider_closed`` flushes and closes it (Scrapy waits for the returned
Deferred, so everything is committed before the stats are dumped and the report printed).

Middlewares, the pipeline, the distributed coordinator and the spider get it with
``crawl_session(crawler)`` in their own ``from_crawler`` (or lazily, for the spider, which
Scrapy builds before any extension); nothing looks it up on the spider.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy import signals

from crawler.session import CrawlSession

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from twisted.internet.defer import Deferred


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
        return extension

    def spider_opened(self, spider: Spider) -> None:
        self.session.start()

    def spider_closed(self, spider: Spider, reason: str) -> Deferred[dict[str, Any]]:
        return self.session.close(reason)


def crawl_session(crawler: Crawler) -> CrawlSession:
    """The crawl's archive session; for components built ``from_crawler`` (after extensions)."""
    extension = crawler.get_extension(ArchiveSession)
    if extension is None:
        raise RuntimeError(
            "crawler.extensions.session.ArchiveSession is not enabled in EXTENSIONS; "
            "the crawler's components need it"
        )
    return extension.session

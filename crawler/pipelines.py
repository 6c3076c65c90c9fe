"""Item pipeline: queue each page for the session's batched, off-reactor ingest.

``process_item`` waits while the database lags too far behind; that is Scrapy's own
backpressure (the scraper slot fills, the engine stops scheduling downloads), unlike pausing
the engine, which does not resume start requests reliably.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.utils.defer import maybe_deferred_to_future

from crawler.extensions.session import crawl_session
from crawler.items import PageItem

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from crawler.session import CrawlSession


class IngestPipeline:
    def __init__(self, session: CrawlSession) -> None:
        self.session = session

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IngestPipeline:
        return cls(crawl_session(crawler))

    async def process_item(self, item: object) -> object:
        if isinstance(item, PageItem):
            self.session.submit(item.record, item.capture)
            await maybe_deferred_to_future(self.session.capacity())
        return item

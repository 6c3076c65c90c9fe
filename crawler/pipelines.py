"""Item pipeline: queue each page for the session's batched, off-reactor ingest.

``process_item`` waits while the database lags too far behind; that is Scrapy's own
backpressure (the scraper slot fills, the engine stops scheduling downloads), unlike pausing
the engine, which does not resume start requests reliably.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.utils.defer import maybe_deferred_to_future

from crawler.items import PageItem

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class IngestPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IngestPipeline:
        return cls(crawler)

    async def process_item(self, item: object) -> object:
        session = getattr(self.crawler.spider, "session", None)
        if session is not None and isinstance(item, PageItem):
            session.submit(item.record, item.capture)
            await maybe_deferred_to_future(session.capacity())
        return item

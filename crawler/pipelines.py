"""Item pipeline: queue each page for the session's batched, off-reactor ingest."""

from __future__ import annotations

from typing import TYPE_CHECKING

from crawler.items import PageItem

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class IngestPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IngestPipeline:
        return cls(crawler)

    def process_item(self, item: object) -> object:
        session = getattr(self.crawler.spider, "session", None)
        if session is not None and isinstance(item, PageItem):
            session.submit(item.record, item.capture)
        return item

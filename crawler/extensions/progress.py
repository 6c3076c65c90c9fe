"""A progress line every few seconds: pages/s, queue size, errors (replaces LogStats).

A long polite crawl is silent for minutes otherwise; the queue size says how much is left and
the error count says whether to look at the log.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from scrapy import signals
from twisted.internet import task

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class ProgressLine:
    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self._loop: task.LoopingCall | None = None
        self._last_count = 0
        self._last_time = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressLine:
        extension = cls(crawler, crawler.settings.getfloat("PROGRESS_INTERVAL", 5.0))
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        self._loop = task.LoopingCall(self.log)
        self._loop.start(self.interval, now=False)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()

    def line(self) -> str:
        stats = self.crawler.stats
        assert stats is not None
        fetched = stats.get_value("response_received_count", 0)
        now = time.monotonic()
        rate = (fetched - self._last_count) / max(now - self._last_time, 1e-9)
        self._last_count, self._last_time = fetched, now
        queued = stats.get_value("scheduler/enqueued", 0) - stats.get_value("scheduler/dequeued", 0)
        errors = stats.get_value("downloader/exception_count", 0) + stats.get_value(
            "log_count/ERROR", 0
        )
        items = stats.get_value("item_scraped_count", 0)
        return (
            f"progress: {fetched} responses ({rate:.1f}/s), {items} pages parsed, "
            f"{queued} queued, {errors} errors"
        )

    def log(self) -> None:
        logger.info(self.line())

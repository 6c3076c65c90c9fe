"""Scrapy's HTTP/1.1 download handler, without Twisted's hidden retry.

Twisted's ``HTTPConnectionPool`` re-sends an idempotent request once, silently, when a
kept-alive connection it reused fails before the response starts (``retryAutomatically``).
That attempt never reaches Scrapy's middlewares: a TCP reset left no capture in the archive,
was not counted against ``RETRY_TIMES`` and ignored the backoff. With the pool's retry off
every attempt surfaces, so ``BackoffRetryMiddleware`` decides and the WARC middleware records.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class NoSilentRetryHTTPDownloadHandler(HTTP11DownloadHandler):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._pool.retryAutomatically = False

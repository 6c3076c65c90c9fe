"""Stop a crawl whose site never answers, instead of retrying every seed for minutes.

Against a closed port, a mistyped host or a dead network every request fails the same way,
and with retries and backoff a 10-page crawl took 37 s (a 100,000-page one would take days)
to report what the first few attempts already said. Once ``UNREACHABLE_AFTER_ATTEMPTS``
attempts in a row have failed at the network level and the site has not sent a single HTTP
response in this process, the spider is closed with reason ``site_unreachable``; the CLI turns
that into ``EXIT_NOTHING_FETCHED``. A site that answered once is never declared unreachable:
later failures are faults to retry and record, not a dead site.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.defer import deferred_from_coro
from twisted.python.failure import Failure

from crawler.fetch_errors import SiteUnreachable, exception_code
from crawler.report import NETWORK_CODES

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

#: The close reason a run stopped by this middleware ends with.
SITE_UNREACHABLE = "site_unreachable"


class UnreachableSiteMiddleware:
    def __init__(self, crawler: Crawler, attempts: int) -> None:
        self.crawler = crawler
        self.attempts = attempts
        self.answered = False
        self.failures: list[str] = []
        self.closing = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> UnreachableSiteMiddleware:
        attempts = crawler.settings.getint("UNREACHABLE_AFTER_ATTEMPTS", 8)
        if attempts <= 0:
            raise NotConfigured
        return cls(crawler, attempts)

    def process_request(self, request: Request) -> None:
        if self.closing:  # the spider is closing: fail what is left at once, not one a second
            raise SiteUnreachable("not fetched: the site was found unreachable")
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        self.answered = True
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        if self.answered or self.closing or isinstance(exception, IgnoreRequest):
            return None
        code = exception_code(exception)
        if code not in NETWORK_CODES:
            return None
        self.failures.append(code)
        if len(self.failures) >= self.attempts:
            self.closing = True
            logger.error(
                "no HTTP response after %d attempts (%s): the site is unreachable, stopping",
                len(self.failures),
                ", ".join(sorted(set(self.failures))),
            )
            engine = self.crawler.engine
            assert engine is not None
            deferred_from_coro(engine.close_spider_async(reason=SITE_UNREACHABLE))
            self._fail_queued()
        return None

    def _fail_queued(self) -> None:
        """Fail the requests already waiting in the downloader's per-site queues.

        They passed ``process_request`` before the verdict and would otherwise go out one
        download delay apart while the spider closes (14 s for 16 requests under
        AutoThrottle). Scrapy has no public call for this; the queues are ``Slot.queue``.
        """
        engine = self.crawler.engine
        slots = getattr(getattr(engine, "downloader", None), "slots", {})
        for slot in list(slots.values()):
            queue = getattr(slot, "queue", None)
            while queue:
                _request, waiting = queue.popleft()
                waiting.errback(Failure(SiteUnreachable("not fetched: the site is unreachable")))

"""Retries that wait: Retry-After when the server sends it, exponential backoff otherwise.

Scrapy's RetryMiddleware re-queues at once, which hammers a server that just said "slow down".
The wait is a reactor timer awaited inside the middleware, never ``time.sleep``, so every other
download carries on meanwhile. A Retry-After longer than ``RETRY_AFTER_MAX`` is not waited out:
the attempt is given up (and recorded) rather than holding a download slot for minutes.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.response import response_status_message
from twisted.internet import reactor, task

from crawler.extensions.session import crawl_session

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or HTTP-date); None if absent
    or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def backoff_seconds(attempt: int, base: float, cap: float) -> float:
    """``base * 2**(attempt-1)`` capped at ``cap``: 1, 2, 4, 8... for base 1."""
    return min(cap, base * 2 ** max(0, attempt - 1))


async def sleep(seconds: float) -> None:
    if seconds > 0:
        await maybe_deferred_to_future(task.deferLater(reactor, seconds, lambda: None))


class BackoffRetryMiddleware(RetryMiddleware):
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        middleware = super().from_crawler(crawler)
        settings = crawler.settings
        middleware.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        middleware.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)
        middleware.retry_after_max = settings.getfloat("RETRY_AFTER_MAX", 300.0)
        middleware.session = crawl_session(crawler)
        return middleware

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        header = response.headers.get("Retry-After")
        asked = retry_after_seconds(header.decode("latin-1") if header else None)
        if asked is not None and asked > self.retry_after_max:
            logger.warning(
                "Not retrying %s: Retry-After %.0fs exceeds RETRY_AFTER_MAX %.0fs",
                request,
                asked,
                self.retry_after_max,
            )
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        await sleep(asked if asked is not None else self._backoff(retry))
        return retry

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception
    ) -> Request | Response | None:
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get(
            "dont_retry", False
        ):
            return None
        retry = self._retry(request, exception)
        if retry is not None:
            await sleep(self._backoff(retry))
        return retry

    def _retry(self, request: Request, reason: str | Exception | type[Exception]) -> Request | None:
        retry = super()._retry(request, reason)
        if retry is not None:
            self.session.counts.inc("retried")
        return retry

    def _backoff(self, retry: Request) -> float:
        return backoff_seconds(
            retry.meta.get("retry_times", 1), self.backoff_base, self.backoff_max
        )

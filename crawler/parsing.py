"""Parsing off the reactor: the crawl's ``ParsePool``, awaited from a small thread pool.

The spider needs each page's record (to follow its links), but parsing on the reactor thread
let one hostile page stall every download for 100 s. Pages go to ``parsers.budget.ParsePool``
worker processes instead, under the per-page budget (``PARSE_TIMEOUT``, ``PARSE_MAX_BYTES``,
``PARSE_MAX_TAGS``); the call that waits for a worker runs in a thread pool of the same size,
so the reactor only ever waits on a Deferred. The pool starts on first use, so runs that parse
nothing (seeding a shared crawl) spawn no workers.

Anything that wants a page parsed asks ``CrawlParser.parse``: today the spider's callback;
the same object can parse pages whose links are not followed without the spider at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from twisted.internet import threads
from twisted.internet.defer import Deferred
from twisted.python.threadpool import ThreadPool

from parsers.budget import DEFAULT_FUNCTION, ParseBudget, ParsePool
from parsers.record import QARecord

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


class CrawlParser:
    def __init__(self, workers: int, budget: ParseBudget, function: str = DEFAULT_FUNCTION) -> None:
        self.workers = workers
        self.budget = budget
        self.function = function
        self._pool: ParsePool | None = None
        self._threads: ThreadPool | None = None

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> CrawlParser:
        default = ParseBudget()
        budget = ParseBudget(
            seconds=settings.getfloat("PARSE_TIMEOUT", default.seconds),
            max_bytes=settings.getint("PARSE_MAX_BYTES", default.max_bytes),
            max_tags=settings.getint("PARSE_MAX_TAGS", default.max_tags),
        )
        return cls(
            max(1, settings.getint("PARSE_WORKERS", 2)),
            budget,
            settings.get("PARSE_FUNCTION") or DEFAULT_FUNCTION,
        )

    def parse(
        self, body: bytes, url: str, headers: Mapping[str, str], *, site: str
    ) -> Deferred[QARecord]:
        """The record, or a ``ParseError`` failure; the reactor never blocks on it."""
        from twisted.internet import reactor

        if self._pool is None:
            self._pool = ParsePool(self.workers, self.budget, self.function)
            self._threads = ThreadPool(0, self.workers, name="healthqa-parse")
            self._threads.start()
        assert self._threads is not None
        return threads.deferToThreadPool(
            reactor,  # type: ignore[arg-type]
            self._threads,
            self._pool.parse,
            body,
            url,
            headers,
            site=site,
        )

    def close(self) -> None:
        if self._threads is not None:
            self._threads.stop()
            self._threads = None
        if self._pool is not None:
            self._pool.close()
            self._pool = None

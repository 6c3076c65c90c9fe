"""Keeps a worker alive while the shared crawl can still give it work, then reconciles.

Every worker beats into ``<site>:workers`` (Redis server time, so machine clocks do not
matter), saying whether it is idle. An idle worker leaves once the queue has stayed empty for
``idle_seconds`` and no live worker is busy (a busy one may still queue links). The worker
that leaves last runs reconcile first: a worker whose heartbeat went stale was killed, and
whatever it had taken is queued again, so the survivors finish the archive. A worker reports
itself idle only after its own ingest has committed, so reconcile never mistakes a page
waiting in a batch for a lost one.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from twisted.internet import task

from crawler.distributed.extension import shared_crawl
from crawler.distributed.options import Mode
from crawler.distributed.reconcile import reconcile
from crawler.extensions.session import crawl_session

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from crawler.distributed.context import Coordination
    from crawler.session import CrawlSession
    from crawler.spiders.base import SiteSpider

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 2.0


def server_time(coordination: Coordination) -> float:
    seconds, micros = coordination.server.time()
    return seconds + micros / 1_000_000


def busy_workers(coordination: Coordination, *, exclude: str | None = None) -> list[str]:
    """Ids of live workers that are not idle; stale entries (dead workers) are dropped."""
    now = server_time(coordination)
    busy = []
    for raw_id, raw in coordination.server.hgetall(coordination.keys.workers).items():
        worker_id = raw_id.decode()
        if worker_id == exclude:
            continue
        beat = json.loads(raw)
        silent = now - beat["beat"]
        if silent > coordination.options.stale_seconds:
            logger.warning(
                "worker %s presumed dead (no heartbeat for %.0f s); its requests will be "
                "reconciled",
                worker_id,
                silent,
            )
            coordination.server.hdel(coordination.keys.workers, worker_id)
        elif beat["idle_since"] is None:
            busy.append(worker_id)
    return busy


class WorkerCoordinator:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._loop: task.LoopingCall | None = None
        self._idle_since: float | None = None
        self._flushing = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WorkerCoordinator:
        if crawler.settings.get("HEALTHQA_DISTRIBUTED_MODE") != Mode.WORK:
            raise NotConfigured  # seeding and plain crawls: nothing to coordinate
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.response_received, signal=signals.response_received)
        return extension

    @property
    def session(self) -> CrawlSession:
        """The archive session; an extension too, so only reachable once all are built."""
        return crawl_session(self.crawler)

    @property
    def coordination(self) -> Coordination:
        coordination = shared_crawl(self.crawler)
        assert coordination is not None, "enabled only on a worker of a shared crawl"
        return coordination

    def spider_opened(self, spider: SiteSpider) -> None:
        self.coordination.server.sadd(self.coordination.keys.runs, self.session.run_id)
        self._loop = task.LoopingCall(self.beat)
        self._loop.start(HEARTBEAT_SECONDS, now=True)

    def beat(self) -> None:
        state = {
            "beat": server_time(self.coordination),
            "idle_since": self._idle_since,
            "run_id": self.session.run_id,
        }
        self.coordination.server.hset(
            self.coordination.keys.workers, self.coordination.options.worker_id, json.dumps(state)
        )

    def response_received(self, **_: Any) -> None:
        self._idle_since = None

    def spider_idle(self, spider: SiteSpider) -> None:
        """Raise ``DontCloseSpider`` until it is time to leave; returning lets Scrapy close."""
        options = self.coordination.options
        if self._flushing:
            raise DontCloseSpider
        if self._idle_since is None:
            self._flushing = True
            self.session.flush().addBoth(self._flushed)
            raise DontCloseSpider
        if server_time(self.coordination) - self._idle_since < options.idle_seconds:
            raise DontCloseSpider
        if busy_workers(self.coordination, exclude=options.worker_id):
            raise DontCloseSpider
        result = reconcile(
            self.coordination.server,
            self.coordination.keys,
            self.session.archive,
            spider,
            max_rounds=options.max_reconcile_rounds,
            holder=options.worker_id,
        )
        if result is None:
            raise DontCloseSpider  # another worker is reconciling; it may queue work for us
        if result.requeued:
            self._idle_since = None
            raise DontCloseSpider

    def _flushed(self, result: object) -> object:
        self._flushing = False
        self._idle_since = server_time(self.coordination)
        self.beat()
        return result

    def spider_closed(self, spider: SiteSpider) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        self.coordination.server.hdel(
            self.coordination.keys.workers, self.coordination.options.worker_id
        )

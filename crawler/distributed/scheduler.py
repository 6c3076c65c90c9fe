"""The scrapy-redis scheduler, remembering every page request it ever queued.

The ``seeded`` set is what reconcile compares with the archive: a request a killed worker had
popped is gone from the queue, but its URL stays here until some worker captures it.
``SeedingScheduler`` is the ``--seed-only`` variant: it queues and never hands anything out,
so the seeding command's engine goes idle (and exits) as soon as its seeds are pushed.
"""

from __future__ import annotations

import logging
import warnings
from typing import TYPE_CHECKING

from scrapy.exceptions import ScrapyDeprecationWarning
from scrapy_redis.scheduler import Scheduler

from crawler import meta
from crawler.distributed.extension import shared_crawl
from parsers.urls import canonicalize_url

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

# scrapy-redis 0.9 still passes ``spider=`` to the stats collector and calls ``Spider.log``;
# every worker would print those deprecation warnings on every run for nothing we can fix.
warnings.filterwarnings("ignore", category=ScrapyDeprecationWarning, module="scrapy_redis")


class SharedScheduler(Scheduler):
    #: The ``seeded`` set's key, from the shared crawl (``crawler.distributed.extension``).
    seeded_key: str

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedScheduler:
        scheduler = super().from_crawler(crawler)
        coordination = shared_crawl(crawler)
        assert coordination is not None, "enabled only on a shared crawl"
        scheduler.seeded_key = coordination.keys.seeded
        return scheduler

    def enqueue_request(self, request: Request) -> bool:
        if not super().enqueue_request(request):
            return False
        if request.meta.get(meta.PARSE):
            self.server.sadd(self.seeded_key, canonicalize_url(request.url))
        return True


class SeedingScheduler(SharedScheduler):
    def open(self, spider: Spider) -> None:
        super().open(spider)
        # Pages not yet due (incremental) count as seen for the whole crawl, for every worker.
        preloaded = self.df.preload(spider.already_seen())
        if preloaded:
            logger.info("duplicate filter: %d URLs are not due and will not be queued", preloaded)

    def next_request(self) -> Request | None:
        return None

    def has_pending_requests(self) -> bool:
        return False

"""Turn a site's spider into a worker of a shared crawl without touching the spider itself.

A worker started without seeds must not fall back to the spider's default (the sitemap):
seeding is a separate step, and every worker re-reading the sitemap would multiply it. The
run row records the crawl id and worker id, so ``crawl_runs`` says which runs made up one
distributed crawl.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import cached_property
from typing import Any

from crawler.distributed.context import Coordination
from crawler.distributed.options import Mode
from crawler.spiders.doctorqna import DoctorQnaSpider


class DistributedSpiderMixin(DoctorQnaSpider):
    @cached_property
    def coordination(self) -> Coordination:
        return Coordination.from_settings(self.settings, self.site)

    def arguments(self) -> dict[str, Any]:
        options = self.coordination.options
        return {
            **super().arguments(),
            "distributed": {
                "crawl_id": self.coordination.crawl_id,
                "worker_id": options.worker_id,
                "mode": str(options.mode),
                "redis_keys": self.coordination.keys.base,
            },
        }

    async def start(self) -> AsyncIterator[Any]:
        options = self.coordination.options
        if options.mode is Mode.WORK and not options.has_seeds:
            return
        async for request in super().start():
            yield request


def distributed_spider(spider_class: type[DoctorQnaSpider]) -> type[DoctorQnaSpider]:
    """``spider_class`` as a shared-crawl worker (same name, callbacks and parsing)."""
    return type(f"Distributed{spider_class.__name__}", (DistributedSpiderMixin, spider_class), {})

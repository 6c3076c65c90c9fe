"""The shared crawl's owner: a Scrapy extension holding this worker's ``Coordination``.

The Redis connection, keys and crawl id are crawl state, like the archive session: built once
from the settings (as scrapy-redis builds its server), before the archive session opens, so an
unreachable Redis fails the crawl before a run row or a child process exists. The scheduler,
the worker coordinator and the spider get it with ``shared_crawl(crawler)`` in their own
``from_crawler`` (or lazily); nothing reaches it through the spider. On ``spider_opened`` it
adds which shared crawl this run belonged to to the run row: the archive session opens after
every extension is built, so the row cannot be written with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.distributed.context import Coordination
from crawler.extensions.session import crawl_session

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler


class SharedCrawl:
    """Scrapy extension owning a ``--redis`` crawl's ``Coordination``; off on a local crawl."""

    def __init__(self, crawler: Crawler, coordination: Coordination) -> None:
        self.crawler = crawler
        self.coordination = coordination

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedCrawl:
        if not crawler.settings.get("HEALTHQA_DISTRIBUTED_MODE"):
            raise NotConfigured  # a local crawl: nothing shared
        site: str = crawler.spidercls.site  # type: ignore[attr-defined]
        extension = cls(crawler, Coordination.from_settings(crawler.settings, site))
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        session = crawl_session(self.crawler)
        if session.resumed:
            return  # the row keeps what the run was started with
        options = self.coordination.options
        distributed = {
            "crawl_id": self.coordination.crawl_id,
            "worker_id": options.worker_id,
            "mode": str(options.mode),
            "redis_keys": self.coordination.keys.base,
        }
        session.archive.add_run_arguments(session.run_id, {"distributed": distributed})


def shared_crawl(crawler: Crawler) -> Coordination | None:
    """This worker's handle on the shared crawl; ``None`` on a local crawl.

    For components built after the extensions (the scheduler) or used once the crawl runs.
    """
    extension = crawler.get_extension(SharedCrawl)
    return extension.coordination if extension is not None else None

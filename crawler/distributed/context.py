"""One worker's handle on the shared crawl: options, Redis connection, keys and crawl id."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import redis

from crawler.distributed.keys import RedisKeys, begin_crawl
from crawler.distributed.options import DistributedOptions, Mode

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


@dataclass(frozen=True)
class Coordination:
    options: DistributedOptions
    server: redis.Redis
    keys: RedisKeys
    crawl_id: str

    @classmethod
    def open(cls, options: DistributedOptions, site: str) -> Coordination:
        server = options.connect()
        keys = options.keys(site)
        crawl_id = begin_crawl(server, keys, may_start_new=options.mode is Mode.SEED)
        return cls(options=options, server=server, keys=keys, crawl_id=crawl_id)

    @classmethod
    def from_settings(cls, settings: BaseSettings, site: str) -> Coordination:
        return cls.open(DistributedOptions.from_settings(settings), site)

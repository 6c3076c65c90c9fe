"""The Redis keys of one site's distributed crawl, and the crawl's life cycle.

All keys share ``<prefix>:<site>:`` so several sites (or test runs) use one Redis without
meeting. A *crawl* spans from the first seeding to the reconcile that finds nothing missing;
its id tags every worker's crawl run in the archive. Seeding after a complete crawl starts a
new one with an empty duplicate filter, so a daily incremental seed is not filtered out by
yesterday's fingerprints.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import redis


@dataclass(frozen=True)
class RedisKeys:
    prefix: str
    site: str

    @property
    def base(self) -> str:
        return f"{self.prefix}:{self.site}"

    @property
    def requests(self) -> str:
        """scrapy-redis priority queue (sorted set) of serialised requests."""
        return f"{self.base}:requests"

    @property
    def dupefilter(self) -> str:
        return f"{self.base}:dupefilter"

    @property
    def seeded(self) -> str:
        """Canonical URL of every page request ever queued in this crawl."""
        return f"{self.base}:seeded"

    @property
    def runs(self) -> str:
        """Archive ``crawl_runs`` ids of this crawl's workers: whose captures count."""
        return f"{self.base}:runs"

    @property
    def workers(self) -> str:
        """Hash worker id -> heartbeat (JSON): who is alive, who is busy."""
        return f"{self.base}:workers"

    @property
    def state(self) -> str:
        """Hash: ``crawl_id``, ``complete``, ``reconcile_rounds``."""
        return f"{self.base}:state"

    @property
    def reconcile_lock(self) -> str:
        return f"{self.base}:reconcile-lock"

    def all(self) -> list[str]:
        return [
            self.requests,
            self.dupefilter,
            self.seeded,
            self.runs,
            self.workers,
            self.state,
            self.reconcile_lock,
        ]


def begin_crawl(server: redis.Redis, keys: RedisKeys, *, may_start_new: bool) -> str:
    """The id of the crawl in progress, starting one if there is none.

    Only seeding (``may_start_new``) replaces a complete crawl; a worker that arrives after
    completion joins it, finds the queue empty and leaves.
    """
    if may_start_new and server.hget(keys.state, "complete") == b"1":
        server.delete(*keys.all())
    new_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    server.hsetnx(keys.state, "crawl_id", new_id)
    return server.hget(keys.state, "crawl_id").decode()


def queued(server: redis.Redis, keys: RedisKeys) -> int:
    return int(server.zcard(keys.requests))

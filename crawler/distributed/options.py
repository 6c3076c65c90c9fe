"""What a distributed run needs to know, and the Scrapy settings that switch it on.

One object carries the Redis address, the key prefix, this worker's id and the mode, so the
CLI, the settings, the lock name and the reconcile step cannot disagree about them.
"""

from __future__ import annotations

import os
import re
import socket
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

import redis

from crawler.distributed.keys import RedisKeys

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings, Settings

#: Characters a worker id may use: it becomes part of WARC file names (``-`` separates fields).
_WORKER_ID = re.compile(r"^[A-Za-z0-9_.]{1,64}$")
_PREFIX = re.compile(r"^[A-Za-z0-9_.:]{1,64}$")


class Mode(StrEnum):
    #: Consume the shared queue (and push whatever seeds the command named).
    WORK = "work"
    #: Push the seeds into the shared queue and exit without fetching anything.
    SEED = "seed"


def default_worker_id() -> str:
    """``<host>_<pid>``: unique per process across machines, and legal in a WARC file name."""
    host = re.sub(r"[^A-Za-z0-9_.]", "_", socket.gethostname()) or "host"
    return f"{host}_{os.getpid()}"


def check_worker_id(worker_id: str) -> str:
    if not _WORKER_ID.match(worker_id):
        raise ValueError(
            f"worker id {worker_id!r} must be 1-64 letters, digits, '_' or '.' "
            f"(it becomes part of WARC file names)"
        )
    return worker_id


def check_prefix(prefix: str) -> str:
    if not _PREFIX.match(prefix):
        raise ValueError(f"Redis key prefix {prefix!r} must be 1-64 letters, digits, '_', '.', ':'")
    return prefix


@dataclass(frozen=True)
class DistributedOptions:
    redis_url: str
    worker_id: str
    prefix: str = "healthqa"
    mode: Mode = Mode.WORK
    #: Whether this command named seeds itself; a worker without them only consumes the queue.
    has_seeds: bool = False
    #: A worker leaves once the shared queue has been empty this long (and no one is busy).
    idle_seconds: float = 30.0
    #: A worker whose heartbeat is older than this is taken for dead (killed, machine lost).
    stale_seconds: float = 30.0
    #: Reconcile gives up re-queuing after this many rounds (pages that never produce a capture).
    max_reconcile_rounds: int = 3

    def keys(self, site: str) -> RedisKeys:
        return RedisKeys(prefix=self.prefix, site=site)

    def connect(self) -> redis.Redis:
        return redis.Redis.from_url(self.redis_url, decode_responses=False)

    def lock_name(self, site: str) -> str:
        """Workers of a crawl run side by side; two runs of one worker (or seeder) must not."""
        role = "seed" if self.mode is Mode.SEED else self.worker_id
        return f"crawl-{site}-{self.prefix}-{role}"

    def apply(self, settings: Settings, site: str) -> None:
        """Switch ``settings`` to the shared scheduler, duplicate filter and coordinator."""
        keys = self.keys(site)
        scheduler = "SeedingScheduler" if self.mode is Mode.SEED else "SharedScheduler"
        extensions = dict(settings.getdict("EXTENSIONS"))
        # Before the archive session (100): an unreachable Redis fails the crawl first.
        extensions["crawler.distributed.extension.SharedCrawl"] = 90
        extensions["crawler.distributed.coordinator.WorkerCoordinator"] = 600
        settings.setdict(
            {
                "SCHEDULER": f"crawler.distributed.scheduler.{scheduler}",
                "SCHEDULER_PERSIST": True,
                "SCHEDULER_QUEUE_KEY": keys.requests,
                # Reconcile pushes into the same queue class (crawler.distributed.reconcile).
                "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
                "SCHEDULER_DUPEFILTER_KEY": keys.dupefilter,
                # Never a blocking pop: it would stall the reactor (and every download in
                # flight) for the whole timeout. Idle handling lives in the coordinator.
                "SCHEDULER_IDLE_BEFORE_CLOSE": 0,
                "DUPEFILTER_CLASS": "crawler.distributed.dupefilter.CanonicalRedisDupeFilter",
                "REDIS_URL": self.redis_url,
                "EXTENSIONS": extensions,
                "HEALTHQA_WORKER_ID": self.worker_id,
                "HEALTHQA_REDIS_PREFIX": self.prefix,
                "HEALTHQA_DISTRIBUTED_MODE": str(self.mode),
                "HEALTHQA_DISTRIBUTED_HAS_SEEDS": self.has_seeds,
                "HEALTHQA_IDLE_SECONDS": self.idle_seconds,
                "HEALTHQA_STALE_SECONDS": self.stale_seconds,
                "HEALTHQA_MAX_RECONCILE_ROUNDS": self.max_reconcile_rounds,
            },
            priority="cmdline",
        )

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> DistributedOptions:
        return cls(
            redis_url=settings.get("REDIS_URL"),
            worker_id=settings.get("HEALTHQA_WORKER_ID"),
            prefix=settings.get("HEALTHQA_REDIS_PREFIX"),
            mode=Mode(settings.get("HEALTHQA_DISTRIBUTED_MODE")),
            has_seeds=settings.getbool("HEALTHQA_DISTRIBUTED_HAS_SEEDS"),
            idle_seconds=settings.getfloat("HEALTHQA_IDLE_SECONDS"),
            stale_seconds=settings.getfloat("HEALTHQA_STALE_SECONDS"),
            max_reconcile_rounds=settings.getint("HEALTHQA_MAX_RECONCILE_ROUNDS"),
        )

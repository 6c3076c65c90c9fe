"""Find pages a crawl queued but never captured, and queue them again.

A worker that is killed loses the requests it had popped (and the captures it had not yet
ingested); nothing in the queue remembers them. The ``seeded`` set does, and the archive knows
what this crawl's runs captured, so the difference is exactly what was lost. Any capture
counts, failures included: a page that always fails is reported by the crawl, not re-queued
forever. Rounds are capped all the same, for pages that never produce a capture at all (a URL
robots.txt forbids, say).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from scrapy_redis import picklecompat
from scrapy_redis.queue import PriorityQueue

from crawler.seen import SeenUrls
from parsers.urls import canonicalize_url

if TYPE_CHECKING:
    import redis

    from crawler.distributed.keys import RedisKeys
    from crawler.spiders.base import SiteSpider
    from storage import Archive

logger = logging.getLogger(__name__)

#: Longest a reconcile may hold its lock before another may start (its process was killed).
LOCK_SECONDS = 600


@dataclass(frozen=True)
class ReconcileResult:
    missing: list[str]
    requeued: int
    round: int

    @property
    def gave_up(self) -> bool:
        return bool(self.missing) and not self.requeued


def missing_urls(server: redis.Redis, keys: RedisKeys, archive: Archive) -> list[str]:
    """Page URLs this crawl queued that are neither captured nor still queued, in URL order."""
    accounted = SeenUrls()
    for run_id in server.smembers(keys.runs):
        for url in archive.captured_urls(int(run_id)):
            accounted.add(url)
    # Still waiting in the queue is not lost: queuing it again would fetch it twice.
    for raw, _score in server.zscan_iter(keys.requests, count=5000):
        accounted.add(canonicalize_url(picklecompat.loads(raw)["url"]))
    seeded = (raw.decode() for raw in server.sscan_iter(keys.seeded, count=5000))
    return sorted(url for url in seeded if url not in accounted)


def reconcile(
    server: redis.Redis,
    keys: RedisKeys,
    archive: Archive,
    spider: SiteSpider,
    *,
    max_rounds: int,
    holder: str,
) -> ReconcileResult | None:
    """Re-queue (past the duplicate filter) what is missing; mark the crawl complete if nothing is.

    Call it only when no worker is busy: a page in flight on a live worker looks missing too.
    ``None`` when another reconcile (of ``holder``, a worker or the CLI) is running: two at once
    would queue the same pages twice.
    """
    if not server.set(keys.reconcile_lock, holder, nx=True, ex=LOCK_SECONDS):
        return None
    try:
        return _reconcile(server, keys, archive, spider, max_rounds=max_rounds)
    finally:
        server.delete(keys.reconcile_lock)


def _reconcile(
    server: redis.Redis,
    keys: RedisKeys,
    archive: Archive,
    spider: SiteSpider,
    *,
    max_rounds: int,
) -> ReconcileResult:
    missing = missing_urls(server, keys, archive)
    if not missing:
        if not server.zcard(keys.requests):
            server.hset(keys.state, "complete", "1")
        return ReconcileResult(missing=[], requeued=0, round=0)
    round_number = int(server.hincrby(keys.state, "reconcile_rounds", 1))
    if round_number > max_rounds:
        logger.error(
            "reconcile: %d queued pages still have no capture after %d rounds; giving up "
            "(first: %s). Check robots.txt and the crawl log for them.",
            len(missing),
            max_rounds,
            ", ".join(missing[:5]),
        )
        server.hset(keys.state, "complete", "1")
        return ReconcileResult(missing=missing, requeued=0, round=round_number)
    queue = PriorityQueue(server, spider, keys.requests)
    for url in missing:
        queue.push(spider.page_request(url).replace(dont_filter=True))
    logger.warning(
        "reconcile round %d: re-queued %d pages that were queued but never captured",
        round_number,
        len(missing),
    )
    return ReconcileResult(missing=missing, requeued=len(missing), round=round_number)

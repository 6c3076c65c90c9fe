"""The pieces of a shared crawl on a real Redis: fingerprints, crawl life cycle, flag checks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from click.testing import CliRunner
from scrapy import Request

from crawler.cli import cli
from crawler.distributed.dupefilter import CanonicalRedisDupeFilter
from crawler.distributed.keys import RedisKeys, begin_crawl
from crawler.distributed.reconcile import reconcile
from crawler.spiders.doctorqna import DoctorQnaSpider
from storage import Archive

pytestmark = pytest.mark.redis


@pytest.fixture
def server(redis_server_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_server_url)
    yield client
    client.close()


def test_spellings_of_one_page_share_a_fingerprint(server: redis.Redis, redis_prefix: str) -> None:
    dupefilter = CanonicalRedisDupeFilter(server, key=f"{redis_prefix}:doctorqna:dupefilter")
    assert not dupefilter.request_seen(Request("http://Example.com/en/article/5?utm_source=x"))
    assert dupefilter.request_seen(Request("http://example.com/en/article/5/"))
    assert dupefilter.request_seen(Request("http://example.com/en/article/5#answers"))
    assert not dupefilter.request_seen(Request("http://example.com/en/article/6"))
    # A redirect that comes back to where it started is followed, not dropped.
    bounced = Request(
        "http://example.com/en/article/5",
        meta={"redirect_urls": ["http://example.com/en/article/5", "http://example.com/login"]},
    )
    assert not dupefilter.request_seen(bounced)
    # Preloaded pages (not yet due) count as seen for every worker.
    assert dupefilter.preload(f"http://example.com/en/article/{n}" for n in range(7, 12)) == 5
    assert dupefilter.request_seen(Request("http://example.com/en/article/9"))


def test_seeding_after_a_complete_crawl_starts_a_new_one(
    server: redis.Redis, redis_prefix: str
) -> None:
    keys = RedisKeys(prefix=redis_prefix, site="doctorqna")
    first = begin_crawl(server, keys, may_start_new=True)
    server.sadd(keys.dupefilter, "fingerprint")
    # Workers and further seeding join the crawl in progress.
    assert begin_crawl(server, keys, may_start_new=False) == first
    assert begin_crawl(server, keys, may_start_new=True) == first
    assert server.scard(keys.dupefilter) == 1
    server.hset(keys.state, "complete", "1")
    # A worker arriving late joins the finished crawl (and finds nothing to do) ...
    assert begin_crawl(server, keys, may_start_new=False) == first
    # ... while the next seeding starts afresh, with yesterday's fingerprints gone.
    second = begin_crawl(server, keys, may_start_new=True)
    assert second != first
    assert server.scard(keys.dupefilter) == 0
    assert server.hget(keys.state, "complete") is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seed-only", "--ids", "1-2"], "--seed-only needs --redis"),
        (["--reconcile"], "--reconcile needs --redis"),
        (["--redis", "redis://127.0.0.1:6379/15", "--resume"], "--resume does not apply"),
        (["--redis", "redis://127.0.0.1:6379/15", "--seed-only"], "--seed-only needs seeds"),
        (
            ["--redis", "redis://127.0.0.1:6379/15", "--seed-only", "--reconcile", "--ids", "1"],
            "separate steps",
        ),
        (["--redis", "redis://127.0.0.1:6379/15", "--worker-id", "m1-a"], "WARC file names"),
        (["--redis", "redis://127.0.0.1:6379/15", "--redis-prefix", "a b"], "key prefix"),
    ],
)
def test_bad_distributed_flags_exit_2_with_the_reason(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["crawl", "doctorqna", *args])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())


def test_only_one_reconcile_runs_at_a_time(
    server: redis.Redis, redis_prefix: str, tmp_path: Path
) -> None:
    keys = RedisKeys(prefix=redis_prefix, site="doctorqna")
    spider = DoctorQnaSpider(base_url="http://example.com")
    server.sadd(keys.seeded, "http://example.com/en/article/5")
    with Archive.open(None, data_dir=tmp_path) as archive:
        server.set(keys.reconcile_lock, "other-worker")
        assert reconcile(server, keys, archive, spider, max_rounds=3, holder="me") is None
        assert server.zcard(keys.requests) == 0
        server.delete(keys.reconcile_lock)
        result = reconcile(server, keys, archive, spider, max_rounds=3, holder="me")
    assert result is not None and result.missing == ["http://example.com/en/article/5"]
    assert server.zcard(keys.requests) == 1
    assert server.get(keys.reconcile_lock) is None

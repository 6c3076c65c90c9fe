"""A worker SIGKILLed mid-crawl loses nothing: the survivor reconciles and finishes the archive."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import pytest
import redis
from crawl_helpers import read_all_warc, rows, run_crawl
from distributed_workers import finish, seed, shared_args, start_worker

from crawler.distributed.keys import RedisKeys
from crawler.distributed.reconcile import missing_urls
from demo_site.config import DemoSiteConfig
from demo_site.server import serve_demo_site
from storage import Archive

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]


def _warc_bytes(data_dir: Path) -> int:
    return sum(f.stat().st_size for f in (data_dir / "warc").glob("*.warc.gz"))


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_survivor_and_reconcile_complete_the_archive(
    tmp_path: Path, redis_server_url: str, redis_prefix: str, db_url: str
) -> None:
    shared = shared_args(redis_server_url, redis_prefix, db_url)
    # Small batches and few connections: the victim has pages in flight and in its ingest
    # batch when it dies, the exact state reconcile must repair.
    slow = ["--set", "CONCURRENT_REQUESTS_PER_DOMAIN=4", "--set", "INGEST_BATCH_SIZE=10"]
    with serve_demo_site(DemoSiteConfig(pages=250, seed=32, fault_rate=0.0)) as server:
        site = server.site
        first, last = site.id_range()
        seed(server.base_url, tmp_path / "seeder", *shared, "--ids", f"{first}-{last}")
        victim = start_worker(server.base_url, tmp_path / "victim", "victim", *shared, *slow)
        survivor = start_worker(server.base_url, tmp_path / "survivor", "survivor", *shared, *slow)
        deadline = time.monotonic() + 120
        while server.log.snapshot().total < 80 or _warc_bytes(tmp_path / "victim") == 0:
            assert victim.poll() is None, f"victim ended before the kill: {victim.communicate()}"
            assert time.monotonic() < deadline, "the crawl made no progress"
            time.sleep(0.05)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=30)
        _, survivor_log = finish(survivor)
        served = server.log.snapshot().requests

    assert victim.returncode == -signal.SIGKILL
    assert "victim presumed dead" in survivor_log
    assert "re-queued" in survivor_log
    # Every page reached the archive once, whoever fetched it.
    article_paths = [site.path_for(i) for i in site.article_ids()]
    assert [path for path in article_paths if served[path] < 1] == []
    keys = RedisKeys(prefix=redis_prefix, site="doctorqna")
    server_db = redis.Redis.from_url(redis_server_url)
    with Archive.open(db_url) as archive:
        assert missing_urls(server_db, keys, archive) == []
        ok = rows(
            archive,
            "SELECT url, COUNT(*) FROM captures WHERE parse_outcome = 'ok' GROUP BY url",
        )
        assert len(ok) == len(article_paths) and {n for _, n in ok} == {1}
        assert rows(archive, "SELECT url FROM pages GROUP BY url HAVING COUNT(*) > 1") == []
        for article_id in site.article_ids()[::20]:
            assert archive.record(site.url_for(article_id)) == site.record(article_id)
        runs = rows(archive, "SELECT outcome FROM crawl_runs ORDER BY id")
    # Seeder and survivor finished; the victim's run stays unfinished, as a killed run should.
    assert sorted(runs, key=str) == sorted([("finished",), ("finished",), (None,)], key=str)
    # The victim's last WARC file was cut by the kill and still reads with plain warcio.
    assert any(r[0] == "response" for r in read_all_warc(tmp_path / "victim"))
    assert server_db.hget(keys.state, "complete") == b"1"


def _heartbeat_age(server_db: redis.Redis, keys: RedisKeys, worker_id: str) -> float:
    seconds, micros = server_db.time()
    beat = json.loads(server_db.hget(keys.workers, worker_id))["beat"]
    return seconds + micros / 1_000_000 - beat


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_reconcile_command_requeues_what_a_lone_dead_worker_took(
    tmp_path: Path, redis_server_url: str, redis_prefix: str, db_url: str
) -> None:
    shared = shared_args(redis_server_url, redis_prefix, db_url)
    keys = RedisKeys(prefix=redis_prefix, site="doctorqna")
    server_db = redis.Redis.from_url(redis_server_url)
    slow = ["--set", "CONCURRENT_REQUESTS_PER_DOMAIN=4", "--set", "INGEST_BATCH_SIZE=10"]
    with serve_demo_site(DemoSiteConfig(pages=120, seed=35, fault_rate=0.0)) as server:
        site = server.site
        first, last = site.id_range()
        seed(server.base_url, tmp_path / "seeder", *shared, "--ids", f"{first}-{last}")
        lone = start_worker(server.base_url, tmp_path / "lone", "lone", *shared, *slow)
        deadline = time.monotonic() + 120
        while server.log.snapshot().total < 40 or _warc_bytes(tmp_path / "lone") == 0:
            assert lone.poll() is None, f"worker ended before the kill: {lone.communicate()}"
            assert time.monotonic() < deadline, "the crawl made no progress"
            time.sleep(0.05)
        lone.send_signal(signal.SIGKILL)
        lone.wait(timeout=30)
        while _heartbeat_age(server_db, keys, "lone") <= 5:
            time.sleep(0.2)
        reconcile = [*shared, "--reconcile", "--stale-seconds", "5"]
        requeued = run_crawl(server.base_url, tmp_path / "seeder", *reconcile)
        assert "Re-queued" in requeued.stdout
        assert server_db.zcard(keys.requests) > 0
        finish(start_worker(server.base_url, tmp_path / "rescuer", "rescuer", *shared))

    with Archive.open(db_url) as archive:
        assert missing_urls(server_db, keys, archive) == []
        ok = rows(
            archive,
            "SELECT url, COUNT(*) FROM captures WHERE parse_outcome = 'ok' GROUP BY url",
        )
    assert len(ok) == len(site.article_ids()) and {n for _, n in ok} == {1}

"""Two worker processes share one Redis frontier: every page is fetched and stored once."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis
from crawl_helpers import read_all_warc, rows
from distributed_workers import finish, seed, shared_args, start_worker

from crawler.distributed.keys import RedisKeys
from crawler.distributed.reconcile import missing_urls
from demo_site.config import DemoSiteConfig
from demo_site.server import serve_demo_site
from storage import Archive

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_workers_capture_every_page_exactly_once(
    tmp_path: Path, redis_server_url: str, redis_prefix: str, db_url: str
) -> None:
    shared = shared_args(redis_server_url, redis_prefix, db_url)
    with serve_demo_site(DemoSiteConfig(pages=1000, seed=31, fault_rate=0.0)) as server:
        site = server.site
        first, last = site.id_range()
        seeded = seed(server.base_url, tmp_path / "seeder", *shared, "--ids", f"{first}-{last}")
        assert "requests queued" in " ".join(seeded.split())
        # Workers follow Similar Q&A links into pages the other worker may hold: only the
        # shared duplicate filter keeps those from being fetched twice.
        workers = [
            start_worker(server.base_url, tmp_path / name, name, *shared, "--follow-depth", "1")
            for name in ("alpha", "beta")
        ]
        for worker in workers:
            finish(worker)
        fetched = server.log.snapshot().requests

    article_paths = [site.path_for(i) for i in site.article_ids()]
    assert [path for path in article_paths if fetched[path] != 1] == []

    with Archive.open(db_url) as archive:
        ok = rows(
            archive,
            "SELECT url, COUNT(*) FROM captures WHERE parse_outcome = 'ok' GROUP BY url",
        )
        assert len(ok) == len(article_paths) and {n for _, n in ok} == {1}
        assert rows(archive, "SELECT COUNT(*) FROM questions")[0][0] == len(article_paths)
        for article_id in site.article_ids()[::50]:
            assert archive.record(site.url_for(article_id)) == site.record(article_id)
        runs = rows(
            archive,
            "SELECT r.id, r.outcome, COUNT(c.id) FROM crawl_runs r "
            "LEFT JOIN captures c ON c.crawl_run_id = r.id GROUP BY r.id, r.outcome ORDER BY r.id",
        )
        arguments = [
            row[0] for row in rows(archive, "SELECT arguments FROM crawl_runs ORDER BY id")
        ]
    # The seeding run fetched nothing; each worker's run finished with its own share.
    assert [outcome for _, outcome, _ in runs] == ["finished"] * 3
    assert runs[0][2] == 0 and runs[1][2] > 0 and runs[2][2] > 0
    # Each run row says which shared crawl it belonged to, as what and as whom.
    keys = RedisKeys(prefix=redis_prefix, site="doctorqna")
    server_db = redis.Redis.from_url(redis_server_url)
    crawl_id = server_db.hget(keys.state, "crawl_id").decode()
    shared = [(a["distributed"]["crawl_id"], a["distributed"]["mode"]) for a in arguments]
    assert shared == [(crawl_id, "seed"), (crawl_id, "work"), (crawl_id, "work")]
    assert sorted(a["distributed"]["worker_id"] for a in arguments[1:]) == ["alpha", "beta"]
    assert {a["distributed"]["redis_keys"] for a in arguments} == {keys.base}
    assert arguments[0]["ids"] is not None

    # Each worker wrote its own WARC files, named after it, readable with plain warcio.
    for name in ("alpha", "beta"):
        files = list((tmp_path / name / "warc").glob("*.warc.gz"))
        assert files and all(f.name.endswith(f"-{name}.warc.gz") for f in files)
        responses = [r for r in read_all_warc(tmp_path / name) if r[0] == "response"]
        assert responses
    # Every page ever queued (ids in the range, followed links) has a capture: complete.
    assert server_db.scard(keys.seeded) >= len(article_paths)
    with Archive.open(db_url) as archive:
        assert missing_urls(server_db, keys, archive) == []
    assert server_db.zcard(keys.requests) == 0
    assert server_db.hget(keys.state, "complete") == b"1"

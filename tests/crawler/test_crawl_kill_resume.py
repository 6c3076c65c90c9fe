"""SIGKILL a running crawl, resume it, and check that nothing is lost or stored twice."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from crawl_helpers import (
    crawl_command,
    open_archive,
    read_all_warc,
    rows,
    run_crawl,
    stored_stats,
)

from demo_site.config import DemoSiteConfig
from demo_site.server import serve_demo_site

pytestmark = pytest.mark.slow


def _kill_after(process: subprocess.Popen[str], served: callable, at_least: int) -> None:
    deadline = time.monotonic() + 120
    while served() < at_least:
        assert process.poll() is None, f"crawl ended before the kill: {process.stderr.read()}"
        assert time.monotonic() < deadline, "crawl made no progress"
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


def test_sigkill_then_resume_stores_every_page_once(tmp_path: Path) -> None:
    with serve_demo_site(DemoSiteConfig(pages=300, seed=21, fault_rate=0.05)) as server:
        site = server.site
        first, last = site.id_range()
        slow = ["--set", "CONCURRENT_REQUESTS_PER_DOMAIN=4", "--set", "INGEST_BATCH_SIZE=10"]
        args = ["--ids", f"{first}-{last}", "--follow-depth", "1", *slow]
        process = subprocess.Popen(
            crawl_command(server.base_url, tmp_path, *args),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        _kill_after(process, lambda: server.log.snapshot().total, 150)
        assert process.returncode == -signal.SIGKILL

        archive = open_archive(tmp_path)
        runs = rows(archive, "SELECT id, ended_at FROM crawl_runs")
        assert len(runs) == 1 and runs[0][1] is None, "the killed run must stay unfinished"
        before = rows(archive, "SELECT COUNT(*) FROM captures")[0][0]
        assert 0 < before < 300
        # The last committed batch stored the counters of exactly what the database holds.
        assert stored_stats(tmp_path)["fetched"] == before

        run_crawl(server.base_url, tmp_path, "--resume", *args)

        runs = rows(archive, "SELECT id, ended_at, outcome FROM crawl_runs")
        assert len(runs) == 1 and runs[0][1] is not None and runs[0][2] == "finished"
        # The finished run's stats cover both segments, not just the last.
        stats = stored_stats(tmp_path)
        assert stats["fetched"] == rows(archive, "SELECT COUNT(*) FROM captures")[0][0]
        ok = rows(archive, "SELECT COUNT(*) FROM captures WHERE parse_outcome = 'ok'")[0][0]
        assert stats["parsed"] == ok
        for article_id in site.eventually_served_ids():
            assert archive.record(site.url_for(article_id)) == site.record(article_id)
        duplicates = rows(
            archive,
            "SELECT url, COUNT(*) FROM captures WHERE parse_outcome = 'ok' "
            "GROUP BY url HAVING COUNT(*) > 1",
        )
        assert duplicates == []
        assert rows(archive, "SELECT url FROM pages GROUP BY url HAVING COUNT(*) > 1") == []
        # Every WARC file, including the one the kill cut off, reads with plain warcio.
        records = read_all_warc(tmp_path)
        assert sum(1 for r in records if r[0] == "response") >= len(site.eventually_served_ids())

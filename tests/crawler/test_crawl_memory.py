"""The whole crawl's process tree stays under 300 MB whatever the sitemap (issue 11, item 3).

A sitemap index of 20 children x 50,000 URLs (one million, generated on the fly by the hostile
site, half of them as ``.xml.gz``) behind a 4.9 MB robots.txt. The crawl runs until its stored
stats say every sitemap URL was read, then is stopped; the peak is the sum of every process's
own ``VmHWM`` (crawl, ingest worker, parse workers), sampled all along. Not timed: it asserts
memory and completeness, however long the machine takes.
"""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest
from crawl_helpers import crawl_command, stored_stats
from hostile_site import (
    HostileSite,
    any_article,
    generated_urlset,
    robots_txt,
    sitemap_index,
)

from bench.process_tree import TreeMemory
from demo_site.config import DemoSiteConfig

pytestmark = pytest.mark.slow

CHILDREN = 20
PER_CHILD = 50_000
GOAL_MB = 300
#: Past this the crawl is clearly unbounded (the old frontier reached 1 GB): stop early.
GIVE_UP_MB = 700


def _urls(base: str, child: int) -> list[str]:
    first = 1_000_000 + child * PER_CHILD
    return [f"{base}/en/article/{n}" for n in range(first, first + PER_CHILD)]


def _sitemap_urls_read(data_dir: Path) -> int:
    try:
        return int(stored_stats(data_dir).get("sitemap_urls", 0))
    except Exception:  # no run row or no checkpoint yet
        return 0


def test_million_url_sitemap_and_5mb_robots_stay_under_300_mb(tmp_path: Path) -> None:
    with HostileSite(DemoSiteConfig(pages=3, seed=1)) as site:
        base = site.base_url
        site.route_prefix("/en/article/", any_article(site))
        children = []
        for child in range(CHILDREN):
            gzipped = child % 2 == 0
            path = f"/sitemaps/{child}.xml" + (".gz" if gzipped else "")
            site.route(
                path, generated_urlset(lambda child=child: _urls(base, child), gzipped=gzipped)
            )
            children.append(base + path)
        site.route("/sitemap-index.xml", sitemap_index(children))
        site.route(
            "/robots.txt",
            robots_txt([f"Sitemap: {base}/sitemap-index.xml"], padding_bytes=4_900_000),
        )
        log = (tmp_path / "crawl.log").open("w")
        process = subprocess.Popen(
            crawl_command(base, tmp_path / "data", "--sitemap", "--log-level", "INFO"),
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        memory = TreeMemory(process.pid).start()
        all_served_at: float | None = None
        try:
            while _sitemap_urls_read(tmp_path / "data") < CHILDREN * PER_CHILD:
                assert process.poll() is None, (tmp_path / "crawl.log").read_text()[-3000:]
                if memory.peak_mb > GIVE_UP_MB:
                    break
                if all_served_at is None and all(site.log.count(c[len(base) :]) for c in children):
                    all_served_at = time.monotonic()
                if all_served_at is not None and time.monotonic() - all_served_at > 120:
                    break  # every sitemap was served two minutes ago: the counts will fail
                time.sleep(1)
            pages_then = site.log.total("/en/article/")
            while site.log.total("/en/article/") < pages_then + 500 and process.poll() is None:
                time.sleep(0.2)  # the spool keeps feeding pages after the last sitemap
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(120)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            memory.stop()
            log.close()
    print(f"peak of the crawl's process tree: {memory.describe()}")
    assert memory.peak_mb < GOAL_MB, memory.describe()
    stats = stored_stats(tmp_path / "data")
    assert stats["sitemap_urls"] == CHILDREN * PER_CHILD
    assert stats["seed_failures"] == []
    assert "reading only its first" in (tmp_path / "crawl.log").read_text()  # robots.txt cut
    for child in children:
        assert site.log.count(child.removeprefix(base)) == 1

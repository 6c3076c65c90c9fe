"""Pure pieces of the bounded frontier and the crawl's verdicts: spool, sitemap stream,
robots.txt cut, parse pool and exit-code decisions. Fast; no crawl, no server."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from hostile_site import nested_html, urlset_chunks
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from crawler.frontier import UrlSpool
from crawler.middlewares.robots_limit import truncate_lines
from crawler.report import (
    EXIT_NOT_STORED,
    EXIT_NOTHING_FETCHED,
    EXIT_SEEDS_UNREADABLE,
    outcome_verdict,
)
from crawler.sitemaps import SITEMAP_INDEX, URLSET, SitemapError, iter_sitemap
from crawler.stats import CrawlCounts
from parsers.budget import ParseBudget, ParsePool, ParseTimeout, TooComplex

HOOKS = Path(__file__).with_name("parse_hooks.py")


def test_url_spool_is_fifo_on_disk_across_chunks(tmp_path: Path) -> None:
    spool = UrlSpool(tmp_path)
    urls = [f"https://doctorqna.com/en/article/{n}" for n in range(20_000)]
    urls.insert(5000, "https://doctorqna.com/" + "x" * 100_000)  # one line over a read chunk
    for url in urls[:12_000]:
        spool.push(url)
    popped = [spool.pop() for _ in range(7_000)]
    for url in urls[12_000:]:
        spool.push(url)
    while (url := spool.pop()) is not None:
        popped.append(url)
    assert popped == urls and len(spool) == 0
    assert list(tmp_path.iterdir()) == [], "the spool file is unlinked: a kill leaves nothing"
    spool.close()


def test_sitemap_stream_reads_entries_and_names_each_failure() -> None:
    urls = [f"http://x/en/article/{n}" for n in range(5000)]
    body = b"".join(urlset_chunks(urls))
    assert list(iter_sitemap(body)) == [(URLSET, url) for url in urls]
    assert list(iter_sitemap(gzip.compress(body))) == [(URLSET, url) for url in urls]
    index = (
        b'<sitemapindex xmlns="x"><sitemap><loc> http://x/s1.xml </loc></sitemap></sitemapindex>'
    )
    assert list(iter_sitemap(index)) == [(SITEMAP_INDEX, "http://x/s1.xml")]
    cases = {
        "sitemap_too_large": (gzip.compress(body), 10_000),
        "sitemap_malformed": (body[: len(body) // 2], 0),
        "sitemap_not_a_sitemap": (b"<html><body>moved</body></html>", 0),
        "sitemap_bad_gzip": (b"\x1f\x8b\x08\x00broken", 0),
    }
    for code, (data, limit) in cases.items():
        read = []
        with pytest.raises(SitemapError) as caught:
            read.extend(iter_sitemap(data, limit))
        assert caught.value.code == code
        if code == "sitemap_malformed":
            assert len(read) > 1000, "entries before the tear are still read"


def test_sitemap_entities_are_never_expanded() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b"<urlset><url><loc>&b;</loc></url><url><loc>http://x/1</loc></url></urlset>"
    )
    assert list(iter_sitemap(bomb)) == [(URLSET, "http://x/1")]


def test_robots_txt_is_cut_at_a_line_break() -> None:
    body = b"User-agent: *\nDisallow: /a\nDisallow: /bbbbbbbb\n"
    assert truncate_lines(body, 1000) == body
    assert truncate_lines(body, 30) == b"User-agent: *\nDisallow: /a\n"
    assert truncate_lines(b"x" * 50, 10) == b""


def test_parse_pool_budget_kills_and_replaces_a_worker() -> None:
    page = nested_html(10, "p").replace(b"<title>", b"<!-- healthqa-test: spin --><title>")
    budget = ParseBudget(seconds=1, max_tags=1000)
    with ParsePool(1, budget, function=f"{HOOKS}:parse") as pool:
        with pytest.raises(ParseTimeout):
            pool.parse(page, "http://x/en/article/1", {}, site="doctorqna")
        assert pool.timeouts == 1
        with pytest.raises(TooComplex):
            pool.parse(b"<b>" * 2000, "http://x/en/article/1", {}, site="doctorqna")
        with pytest.raises(TooComplex):
            ParseBudget(max_bytes=10).check_size(b"x" * 11, "u")
        # The replacement worker answers (a page that is not an article: a normal error).
        with pytest.raises(Exception, match="not_an_article"):
            pool.parse(nested_html(3), "http://x/en/faq/1", {}, site="doctorqna")


def test_parse_budget_from_the_environment() -> None:
    budget = ParseBudget.from_env({"HEALTHQA_PARSE_TIMEOUT": "2.5", "HEALTHQA_PARSE_MAX_TAGS": "9"})
    assert budget == ParseBudget(seconds=2.5, max_tags=9)


def _stats(**values: object) -> dict:
    return {**_counts().to_run_stats(), "close_reason": "finished", **values}


def _counts() -> CrawlCounts:
    return CrawlCounts(MemoryStatsCollector(get_crawler()))


def test_verdicts() -> None:
    fine = _stats(responses=10, page_requests=5, pages_received=5)
    assert outcome_verdict(fine) is None
    unreachable = outcome_verdict(_stats(network_failures={"connection_refused": 8}))
    assert unreachable is not None and unreachable.exit_code == EXIT_NOTHING_FETCHED
    assert "connection_refused 8" in unreachable.message
    all_404 = outcome_verdict(_stats(responses=6, page_requests=6))
    assert all_404 is not None and all_404.exit_code == EXIT_NOTHING_FETCHED
    # An incremental run with nothing due whose probes all 404 asked for no page: success.
    assert outcome_verdict(_stats(responses=20, page_requests=0), incremental=True) is None
    assert outcome_verdict(_stats(responses=20, page_requests=0)) is not None
    partial = outcome_verdict({**fine, "seed_failures": ["http://x/s.xml: sitemap_malformed"]})
    assert partial is not None and partial.exit_code == EXIT_SEEDS_UNREADABLE
    lost = outcome_verdict({**fine, "failed_by_reason": {"ingest_error": 50}})
    assert lost is not None and lost.exit_code == EXIT_NOT_STORED and "--resume" in lost.message


def test_tally_survives_a_checkpoint_round_trip() -> None:
    counts = _counts()
    for name, count in (("fetched", 7), ("retried", 2), ("parsed", 3), ("responses", 9)):
        counts.inc(name, count)
    counts.inc("pages_received", 3)
    counts.inc("failures/timeout")
    counts.inc("missing/answers", 2)
    counts.inc("network_failures/dns", 4)
    counts.inc("ingest/new", 3)
    counts.seed_failed("http://x/s.xml", "sitemap_malformed")
    stats = counts.to_run_stats()
    assert stats["failed_by_reason"] == {"sitemap_malformed": 1, "timeout": 1}
    assert stats["new"] == 3 and stats["coverage"]["answers"] == pytest.approx(1 / 3)
    resumed = _counts()
    resumed.restore(stats)
    assert resumed.to_run_stats() == stats
    # The counts are Scrapy stats, so `scrapy crawl` dumps them with its own.
    assert resumed.stats.get_value("healthqa/network_failures/dns") == 4


def test_crawl_processes_use_a_small_sqlite_page_cache(tmp_path: Path) -> None:
    from crawler.ingest_worker import limit_sqlite_cache
    from storage import Archive
    from storage.engine import SQLITE_CACHE_KIB

    with Archive.open(None, data_dir=tmp_path) as archive:
        with archive.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -SQLITE_CACHE_KIB
        limit_sqlite_cache(archive.engine, 2048)
        with archive.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -2048

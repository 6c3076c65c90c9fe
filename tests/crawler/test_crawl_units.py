"""Small pure pieces of the crawler: the seen-URL set, Retry-After, backoff, coverage verdicts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from crawler.middlewares.retry import backoff_seconds, retry_after_seconds
from crawler.plan import CrawlPlan, parse_id_range, plan_fields
from crawler.report import CoverageThresholds
from crawler.run import SPIDERS
from crawler.seen import SeenUrls
from crawler.settings import DOWNLOADER_MIDDLEWARES
from crawler.spiders.doctorqna import DoctorQnaSpider
from crawler.spiders.ehospital import EHospitalSpider
from crawler.stats import CrawlCounts
from parsers import sites
from parsers.record import EXPECTED_FIELDS, QARecord
from storage.capture import Capture


def test_seen_urls_article_ids_and_others() -> None:
    seen = SeenUrls()
    assert seen.add("https://doctorqna.com/en/article/203000")
    assert not seen.add("https://doctorqna.com/en/article/203000")
    assert "https://doctorqna.com/en/article/203000" in seen
    assert "https://doctorqna.com/en/article/203001" not in seen
    # Same id under another prefix (host, language) is another page.
    assert seen.add("https://doctorqna.com/zh/article/203000")
    assert seen.add("http://127.0.0.1:8080/en/article/203000")
    assert seen.add("https://doctorqna.com/en/faq/headache")
    assert not seen.add("https://doctorqna.com/en/faq/headache")
    assert "https://doctorqna.com/en/faq/other" not in seen


def test_seen_urls_stay_compact_for_a_million_ids() -> None:
    seen = SeenUrls()
    for number in range(200_000, 1_200_000):
        seen.add(f"https://doctorqna.com/en/article/{number}")
    assert "https://doctorqna.com/en/article/1199999" in seen
    # One bit per id up to the highest id, plus growth slack: well under 1 MB.
    assert seen.memory_bytes() < 1_000_000


def test_retry_after_forms() -> None:
    now = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Wed, 25 Nov 2026 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("Wed, 25 Nov 2026 11:00:00 GMT", now) == 0.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_backoff_doubles_up_to_the_cap() -> None:
    assert [backoff_seconds(n, 1.0, 5.0) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 5.0]


def test_id_ranges() -> None:
    assert parse_id_range("203000-203002") == range(203000, 203003)
    assert parse_id_range("5") == range(5, 6)
    with pytest.raises(ValueError, match="203000-203999"):
        parse_id_range("abc")
    with pytest.raises(ValueError, match="empty"):
        parse_id_range("10-5")


def _record(missing: tuple[str, ...]) -> QARecord:
    return QARecord(
        url="u", canonical_url="u", site="doctorqna", parser_version="t", missing=missing
    )


def _capture(n: int) -> Capture:
    return Capture(
        url=f"https://doctorqna.com/en/article/{n}",
        fetched_at=datetime(2024, 1, 1, tzinfo=UTC),
        http_status=200,
        site="doctorqna",
    )


def test_coverage_verdicts() -> None:
    tally = CrawlCounts(MemoryStatsCollector(get_crawler()))
    for n in range(20):
        tally.count_capture(_record(("answers",) if n < 8 else ()), _capture(n))
    for n in range(20):
        tally.count_capture(_record(("question_body", "asked_on") if n < 5 else ()), _capture(n))
    stats = tally.to_run_stats()
    assert stats["coverage"]["answers"] == pytest.approx(0.8)
    assert stats["coverage"]["question_body"] == pytest.approx(35 / 40)
    thresholds = CoverageThresholds.parse([], min_pages=10)
    problems = thresholds.violations(stats)
    assert [p.split(":")[0] for p in problems] == ["question_body", "asked_on"]
    relaxed = CoverageThresholds.parse(["question_body=0.8", "asked_on=0.8"], min_pages=10)
    assert relaxed.violations(stats) == []
    # Too few pages to judge.
    assert CoverageThresholds.parse([], min_pages=100).violations(stats) == []
    assert set(stats["coverage"]) == set(EXPECTED_FIELDS)
    with pytest.raises(ValueError, match="FIELD=SHARE"):
        CoverageThresholds.parse(["nonsense"], min_pages=1)


def test_warc_capture_sees_responses_before_decompression_redirect_and_retry() -> None:
    from scrapy.settings.default_settings import DOWNLOADER_MIDDLEWARES_BASE as base

    capture = DOWNLOADER_MIDDLEWARES["crawler.middlewares.warc_capture.WarcCaptureMiddleware"]
    # process_response runs from high to low priority numbers.
    for name in ("HttpCompressionMiddleware", "RedirectMiddleware", "HttpCacheMiddleware"):
        built_in = next(v for k, v in base.items() if k.endswith(name))
        assert capture > built_in, name
    retry = DOWNLOADER_MIDDLEWARES["crawler.middlewares.retry.BackoffRetryMiddleware"]
    assert capture > retry
    assert DOWNLOADER_MIDDLEWARES["scrapy.downloadermiddlewares.retry.RetryMiddleware"] is None


def test_one_frozen_plan_from_click_or_from_scrapy_arguments() -> None:
    """``healthqa crawl`` and ``scrapy crawl -a`` build the same plan, completed by the site."""
    from_click = DoctorQnaSpider.make_plan(
        base_url="http://127.0.0.1:8470/", ids=range(5, 8), urls=("/en/article/9",)
    )
    from_scrapy = DoctorQnaSpider(
        base_url="http://127.0.0.1:8470/", ids="5-7", urls="/en/article/9"
    ).plan
    assert from_click == from_scrapy
    assert from_click.urls == ("http://127.0.0.1:8470/en/article/9",)
    assert from_click.row() == {
        "base_url": "http://127.0.0.1:8470",
        "ids": "5-7",
        "sitemap": False,
        "urls": ["http://127.0.0.1:8470/en/article/9"],
        "follow_depth": 0,
        "incremental": False,
    }
    with pytest.raises(AttributeError):
        from_click.ids = None  # type: ignore[misc]
    # Naming no seed: each site's own default; a site without sitemaps never reads one.
    assert DoctorQnaSpider.make_plan().sitemap is True
    assert DoctorQnaSpider.make_plan().base_url == "https://doctorqna.com"
    assert EHospitalSpider.make_plan().latest == 100
    assert EHospitalSpider.make_plan(sitemap=True, ids=range(1, 2)).sitemap is False
    assert plan_fields({"incremental": "yes", "follow_depth": "2"}) == {
        "incremental": True,
        "follow_depth": 2,
    }
    with pytest.raises(ValueError, match="unknown spider argument"):
        plan_fields({"idz": "1-5"})
    assert isinstance(from_click, CrawlPlan)


def test_every_site_has_a_spider_of_its_name_that_takes_its_urls_from_the_site() -> None:
    assert sorted(SPIDERS) == sorted(sites.names())
    for name, spider_class in SPIDERS.items():
        assert spider_class.site == name
        spider = spider_class(spider_class.make_plan(base_url="http://127.0.0.1:8470", ids="5-7"))
        url = spider.article_url(203000)
        assert url.startswith("http://127.0.0.1:8470/")
        assert spider.article_number(url) == 203000
        assert spider.article_number("http://127.0.0.1:8470/") is None

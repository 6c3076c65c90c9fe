"""Fetch attempts a hostile server provokes are all in the archive (issue 11, item 5).

Each crawl runs against ``hostile_site.HostileSite`` on 127.0.0.1; the archive is checked
with SQL and the WARC files with plain warcio.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from crawl_helpers import open_archive, read_all_warc, rows, run_crawl, stored_stats
from hostile_site import (
    HostileSite,
    Reply,
    corrupt_gzip,
    gzip_bomb,
    redirect,
    reset,
    static,
    with_canonical,
)

from demo_site.config import DemoSiteConfig

pytestmark = pytest.mark.slow


def test_gzip_bomb_and_corrupt_gzip_get_a_capture_and_a_page(tmp_path: Path) -> None:
    with HostileSite(DemoSiteConfig(pages=6, seed=4)) as site:
        bomb, corrupt = site.article_path(1), site.article_path(2)
        site.route(bomb, gzip_bomb(64 * 1024 * 1024))
        site.route(corrupt, corrupt_gzip())
        ids = site.site.article_ids()
        run_crawl(site.base_url, tmp_path, "--ids", f"{ids[0]}-{ids[-1]}")
    archive = open_archive(tmp_path)
    for path, code in ((bomb, "decompression_limit"), (corrupt, "bad_content_encoding")):
        url = site.base_url + path
        captures = rows(
            archive,
            "SELECT c.http_status, c.parse_outcome, c.error_code, c.warc_file, p.url "
            "FROM captures c JOIN pages p ON p.id = c.page_id WHERE c.url = :url",
            url=url,
        )
        assert captures == [(200, "not_parsed", code, captures[0][3], url)], captures
        assert captures[0][3] is not None, "the response record is in WARC"
    uris = {headers["uri"] for kind, headers, _ in read_all_warc(tmp_path) if kind == "response"}
    assert {site.base_url + bomb, site.base_url + corrupt} <= uris
    failures = stored_stats(tmp_path)["failed_by_reason"]
    assert "ignored" not in failures
    assert failures["decompression_limit"] == 1 and failures["bad_content_encoding"] == 1


def test_connection_resets_are_retried_by_scrapy_only_and_each_leaves_a_capture(
    tmp_path: Path,
) -> None:
    """Twisted's pool silently re-sent a request whose kept-alive connection was reset:
    a hidden attempt with no capture, outside RETRY_TIMES and the backoff."""
    with HostileSite(DemoSiteConfig(pages=6, seed=4)) as site:
        victim = site.article_path(3)
        site.route(victim, reset())
        ids = site.site.article_ids()
        run_crawl(
            site.base_url,
            tmp_path,
            "--ids",
            f"{ids[0]}-{ids[-1]}",
            "--set",
            "CONCURRENT_REQUESTS_PER_DOMAIN=1",
            "--set",
            "RETRY_TIMES=2",
            "--set",
            "RETRY_BACKOFF_BASE=0.3",
            "--set",
            "RETRY_BACKOFF_MAX=5",
        )
        attempts = site.log.times(victim)
    assert len(attempts) == 3, f"RETRY_TIMES=2 means 3 attempts, the server saw {len(attempts)}"
    # Backoff 0.3 s then 0.6 s between attempts (a lower bound: load only adds to it).
    assert attempts[1] - attempts[0] >= 0.3 and attempts[2] - attempts[1] >= 0.6
    captures = rows(
        open_archive(tmp_path),
        "SELECT http_status, error_code FROM captures WHERE url = :url",
        url=site.base_url + victim,
    )
    assert captures == [(0, "connection_failed")] * 3


def test_foreign_canonical_links_are_recorded_not_followed_or_merged(tmp_path: Path) -> None:
    with HostileSite(DemoSiteConfig(pages=8, seed=4)) as site:
        ids = site.site.article_ids()
        first, second, never = ids[0], ids[1], ids[-1]  # ``never`` is outside the crawl
        other_article = site.site.url_for(never)
        off_site = f"https://elsewhere.example/en/article/{never}"
        site.route(
            site.site.path_for(first),
            with_canonical(site, site.site.path_for(first), other_article),
        )
        site.route(
            site.site.path_for(second),
            with_canonical(site, site.site.path_for(second), off_site),
        )
        run_crawl(site.base_url, tmp_path, "--ids", f"{first}-{second}")
        assert site.log.count(site.site.path_for(never)) == 0, "a canonical is not followed"
    archive = open_archive(tmp_path)
    pages = dict(rows(archive, "SELECT url, external_id FROM pages"))
    assert site.site.url_for(never) not in pages
    for article_id, declared in ((first, other_article), (second, off_site)):
        url = site.site.url_for(article_id)
        assert pages[url] == str(article_id)
        assert rows(
            archive, "SELECT declared_canonical FROM captures WHERE url = :url", url=url
        ) == [(declared,)]
        record = archive.record(url)
        assert record is not None
        assert record.question_title == site.site.record(article_id).question_title


def test_values_too_long_for_the_archive_cost_only_their_own_page(tmp_path: Path) -> None:
    """A 5,000-character doctor name, a 10 KB ETag, a redirect to a 3,000-character URL:
    before, the first made the archive refuse the whole ingest batch (50 pages lost)."""
    with HostileSite(DemoSiteConfig(pages=12, seed=4)) as site:
        ids = site.site.article_ids()
        long_name = next(i for i in ids if site.site.record(i).answers)
        huge_etag, far = [i for i in ids[1:] if i != long_name][:2]
        record = site.site.record(long_name)
        body = site.site.page(site.site.path_for(long_name)).body
        doctor = record.answers[0].doctor_name.encode()
        site.route(
            site.site.path_for(long_name),
            static(200, body.replace(doctor, b"Zhang " * 900)),
        )
        site.route(
            site.site.path_for(huge_etag),
            lambda visit: Reply(
                200,
                {"Content-Type": "text/html; charset=utf-8", "ETag": '"' + "e" * 10_000 + '"'},
                site.site.page(site.site.path_for(huge_etag)).body,
            ),
        )
        site.route(site.site.path_for(far), redirect("/en/article/" + "9" * 3000))
        run_crawl(site.base_url, tmp_path, "--ids", f"{ids[0]}-{ids[-1]}")
    archive = open_archive(tmp_path)
    for article_id in ids:
        if article_id not in (long_name, far):
            assert archive.record(site.site.url_for(article_id)) == site.site.record(article_id)
    refused = rows(
        archive,
        "SELECT parse_outcome, error_code, error_message FROM captures WHERE url = :url",
        url=site.site.url_for(long_name),
    )
    assert [row[:2] for row in refused] == [("error", "record_refused")]
    assert "doctor name" in refused[0][2]
    assert rows(
        archive, "SELECT etag FROM captures WHERE url = :u", u=site.site.url_for(huge_etag)
    ) == [(None,)]
    assert rows(
        archive, "SELECT http_status FROM captures WHERE url = :u", u=site.site.url_for(far)
    ) == [(302,)]
    assert stored_stats(tmp_path)["failed_by_reason"]["url_too_long"] == 1

"""``healthqa crawl ehospital`` against the offline 台灣e院, on SQLite and PostgreSQL.

The acceptance of the second site: every question of an id range is archived once with the
fields the site's ground truth says, through Big5 in all its declarations, the server's
magic-quote backslashes, missing and empty question pages and transient faults; one request
at a time unless politeness is switched off; ``--latest`` seeds from Index1.php; a growing
view count makes no revision.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from crawl_helpers import rows, run_crawl
from scrapy.crawler import CrawlerProcess

from crawler.run import SPIDERS, CrawlOptions, build_settings
from demo_site.config import DemoSiteConfig
from demo_site.ehospital import EHospitalSite
from demo_site.server import serve_demo_site
from storage import Archive

pytestmark = pytest.mark.slow

FAULTS = ("500", "503", "reset", "truncate")


def _site(pages: int, seed: int, fault_rate: float = 0.0) -> EHospitalSite:
    return EHospitalSite(
        DemoSiteConfig(pages=pages, seed=seed, fault_rate=fault_rate, faults=FAULTS)
    )


def test_every_question_of_a_range_is_archived_once_with_its_fields(
    db_url: str, tmp_path: Path
) -> None:
    site = _site(pages=60, seed=5, fault_rate=0.15)
    with serve_demo_site(site) as server:
        first, last = site.id_range()
        run_crawl(
            server.base_url,
            tmp_path / "data",
            "--db",
            db_url,
            "--ids",
            f"{first}-{last + 2}",  # two ids past the newest: 不存在 pages
            site="ehospital",
        )
        assert site.faulted(), "the plan must fault some questions"
    with Archive.open(db_url) as archive:
        for q_no in site.question_ids():
            assert archive.record(site.url_for(q_no)) == site.record(q_no), q_no
        pages = rows(
            archive,
            "SELECT p.external_id, count(r.id) FROM pages p JOIN sites s ON s.id = p.site_id "
            "LEFT JOIN revisions r ON r.page_id = p.id WHERE s.name = 'ehospital' "
            "AND p.external_id IS NOT NULL GROUP BY p.id, p.external_id",
        )
        assert sorted(int(q) for q, _ in pages) == list(site.question_ids())
        assert {n for _, n in pages} == {1}
        missing = set(range(first, last + 3)) - set(site.question_ids())
        judged = rows(
            archive,
            "SELECT url, parse_outcome, error_code FROM captures WHERE url LIKE '%ShowDetail%' "
            "AND parse_outcome <> 'ok' AND http_status = 200",
        )
        assert {int(url.rsplit("=", 1)[1]) for url, _, _ in judged} == missing
        assert {(outcome, code) for _, outcome, code in judged} == {
            ("not_article", "page_not_found")
        }


@pytest.mark.parametrize(
    ("site", "polite", "expected"),
    [("ehospital", True, 1), ("doctorqna", True, 2), ("ehospital", False, 32)],
)
def test_a_government_server_gets_one_request_at_a_time(
    site: str, polite: bool, expected: int
) -> None:
    """The concurrency Scrapy's downloader is given (a server's count of requests in flight
    races with its own threads, so the setting is what is checked)."""
    options = CrawlOptions(plan=SPIDERS[site].make_plan(), polite=polite)
    process = CrawlerProcess(build_settings(options))
    crawler = process.create_crawler(SPIDERS[site])
    assert crawler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == expected


def test_latest_counts_down_from_the_question_index1_links(tmp_path: Path) -> None:
    site = _site(pages=30, seed=6)
    with serve_demo_site(site) as server:
        run_crawl(server.base_url, tmp_path / "data", "--latest", "12", site="ehospital")
        log = server.log.snapshot()
    newest = site.id_range()[1]
    expected = [q for q in site.question_ids() if q > newest - 12]
    with Archive.open(None, data_dir=tmp_path / "data") as archive:
        archived = rows(archive, "SELECT external_id FROM pages WHERE external_id IS NOT NULL")
        assert sorted(int(q) for (q,) in archived) == expected
        for q_no in expected:
            assert archive.record(site.url_for(q_no)) == site.record(q_no)
    assert log.requests["/doctor/Index1.php"] == 1
    assert sum(n for path, n in log.requests.items() if "ShowDetail" in path) == 12


def test_a_growing_view_count_makes_no_revision_but_a_new_reply_does(tmp_path: Path) -> None:
    site = _site(pages=40, seed=7)
    data = tmp_path / "data"
    with serve_demo_site(site) as server:
        first, last = site.id_range()
        ids = f"{first}-{last}"
        run_crawl(server.base_url, data, "--ids", ids, site="ehospital")
        before = {q: site.record(q) for q in site.question_ids()}
        server.set_epoch(2)
        run_crawl(server.base_url, data, "--ids", ids, site="ehospital")
    answered = {q for q, r in before.items() if r and not r.answers and site.record(q).answers}
    assert answered, "epoch 2 must answer some questions"
    with Archive.open(None, data_dir=data) as archive:
        revisions = dict(
            rows(
                archive,
                "SELECT p.external_id, count(*) FROM revisions r "
                "JOIN pages p ON p.id = r.page_id GROUP BY p.external_id",
            )
        )
        for q_no, record in before.items():
            assert revisions[str(q_no)] == (2 if q_no in answered else 1), q_no
            now = site.record(q_no)
            assert now is not None and record is not None
            assert now.view_count != record.view_count
            latest = rows(
                archive,
                "SELECT view_count FROM captures WHERE url = :url ORDER BY fetched_at DESC",
                url=site.url_for(q_no),
            )
            assert [v for (v,) in latest] == [now.view_count, record.view_count]

"""``--resume`` loses nothing: redirected pages, and the run's stats (issue 11, items 1 and 10).

A killed run is reproduced exactly rather than by timing a SIGKILL: the first run ends with
some pages not captured (robots.txt forbids them), then its row is marked unfinished, which is
the state a kill leaves behind; the resumed run must complete it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from crawl_helpers import open_archive, rows, run_crawl, stored_stats
from hostile_site import HostileSite, Reply, Visit, redirect, with_canonical

from demo_site.config import DemoSiteConfig

pytestmark = pytest.mark.slow


def _unfinish_last_run(data_dir: Path) -> None:
    """What a SIGKILL right after the last ingest batch leaves: the run row without
    ``ended_at`` or outcome, its stats as that batch's checkpoint stored them."""
    with open_archive(data_dir).engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE crawl_runs SET ended_at = NULL, outcome = NULL "
            "WHERE id = (SELECT MAX(id) FROM crawl_runs)"
        )


def test_resume_refetches_pages_whose_last_capture_was_a_redirect(tmp_path: Path) -> None:
    with HostileSite(DemoSiteConfig(pages=8, seed=6)) as site:
        ids = site.site.article_ids()
        moved = {}
        for article_id in ids:
            old, new = site.site.path_for(article_id), f"/en/moved/article/{article_id}"
            site.route(old, redirect(new, status=301))
            site.route(new, with_canonical(site, old, site.base_url + new))
            moved[article_id] = site.base_url + new
        robots_blocked = [True]

        def robots(visit: Visit) -> Reply:
            rules = "Disallow: /en/moved/\n" if robots_blocked[0] else ""
            return Reply(200, {"Content-Type": "text/plain"}, f"User-agent: *\n{rules}".encode())

        site.route("/robots.txt", robots)
        args = ("--ids", f"{ids[0]}-{ids[-1]}")
        # First segment: every article answered 301, no target was fetched.
        run_crawl(site.base_url, tmp_path, *args, expect=4)
        _unfinish_last_run(tmp_path)
        robots_blocked[0] = False
        run_crawl(site.base_url, tmp_path, "--resume", *args)
        archive = open_archive(tmp_path)
        for article_id, url in moved.items():
            record = archive.record(url)
            assert record is not None, f"article {article_id} was lost on resume"
            assert record.question_title == site.site.record(article_id).question_title
        # Nothing stored twice: one parsed capture per target.
        parsed = rows(
            archive, "SELECT url, COUNT(*) FROM captures WHERE parse_outcome='ok' GROUP BY url"
        )
        assert sorted(count for _, count in parsed) == [1] * len(moved)


def test_resumed_run_stats_cover_the_whole_run(tmp_path: Path) -> None:
    with HostileSite(DemoSiteConfig(pages=10, seed=8)) as site:
        ids = site.site.article_ids()
        half = ids[len(ids) // 2]

        def robots(visit: Visit) -> Reply:
            # First segment: the upper half is off limits; then everything is allowed.
            rules = "".join(f"Disallow: /en/article/{i}\n" for i in ids if i >= half)
            body = f"User-agent: *\n{rules if visit.attempt == 1 else ''}"
            return Reply(200, {"Content-Type": "text/plain"}, body.encode())

        site.route("/robots.txt", robots)
        args = ("--ids", f"{ids[0]}-{ids[-1]}")
        run_crawl(site.base_url, tmp_path, *args)
        _unfinish_last_run(tmp_path)
        run_crawl(site.base_url, tmp_path, "--resume", *args)
    archive = open_archive(tmp_path)
    stats = stored_stats(tmp_path)
    captures = rows(archive, "SELECT parse_outcome, COUNT(*) FROM captures GROUP BY 1")
    by_outcome = dict(captures)
    assert stats["fetched"] == sum(by_outcome.values())
    assert stats["parsed"] == by_outcome["ok"] == len(ids)
    assert stats["new"] == len(ids)

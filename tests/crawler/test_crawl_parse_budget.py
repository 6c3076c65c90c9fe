"""Parsing runs off the reactor under a per-page budget (issue 11, item 2).

A slow page must never stall other downloads, a page over the time budget becomes a
``parse_timeout`` capture (its worker killed, the next pages parsed by a fresh one), a page
over the size budget a ``too_complex`` one; both can be re-parsed later. The slow pages are
either real (100,000 nested tags) or made slow by ``parse_hooks.py``, so the tests keep
working once the parser itself is linear-time.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from crawl_helpers import CLI, open_archive, rows, run_crawl, stored_stats
from hostile_site import HostileSite, Reply, Visit, deep_nesting, nested_html
from parse_hooks import SPIN, wait_marker

from demo_site.config import DemoSiteConfig

pytestmark = pytest.mark.slow

HOOKS = Path(__file__).with_name("parse_hooks.py")


def _captures(data_dir: Path) -> dict[str, tuple[str, str | None]]:
    found = rows(
        open_archive(data_dir),
        "SELECT url, parse_outcome, error_code FROM captures WHERE http_status = 200",
    )
    return {url: (outcome, code) for url, outcome, code in found}


def test_a_page_slow_to_parse_never_stalls_other_downloads(tmp_path: Path) -> None:
    """The slow page's parse can only finish once every other page was downloaded: with
    parsing on the reactor thread that never happens (the crawl would sit still for the
    whole parse, 100 s for this page with the parser of issue 11)."""
    flag, saved = tmp_path / "others-served", tmp_path / "normal-page.html"
    with HostileSite(DemoSiteConfig(pages=40, seed=9)) as site:
        ids = site.site.article_ids()
        slow_id, others = ids[0], ids[1:]
        saved.write_bytes(site.site.page(site.site.path_for(slow_id)).body)
        slow_body = wait_marker(flag, saved) + nested_html(100_000)
        site.route(site.site.path_for(slow_id), lambda visit: Reply(200, {}, slow_body))
        remaining = {site.site.path_for(i) for i in others}

        def serve_other(visit: Visit) -> Reply:
            remaining.discard(visit.path)
            if not remaining:
                flag.touch()
            return Reply(fallthrough=True)

        for article_id in others:
            site.route(site.site.path_for(article_id), serve_other)
        run_crawl(
            site.base_url,
            tmp_path / "data",
            "--ids",
            f"{ids[0]}-{ids[-1]}",
            "--set",
            f"PARSE_FUNCTION={HOOKS}:parse",
            "--set",
            "PARSE_TIMEOUT=100",
            "--set",
            "CONCURRENT_REQUESTS_PER_DOMAIN=4",
        )
    captures = _captures(tmp_path / "data")
    assert captures[site.site.url_for(slow_id)] == ("ok", None)
    for article_id in others:
        assert captures[site.site.url_for(article_id)] == ("ok", None), article_id


def test_over_the_time_budget_is_a_parse_timeout_capture(tmp_path: Path) -> None:
    with HostileSite(DemoSiteConfig(pages=12, seed=9)) as site:
        ids = site.site.article_ids()
        spinning = [ids[0], ids[5]]  # two in a row would each kill a worker; both recover
        for article_id in spinning:
            body = SPIN + site.site.page(site.site.path_for(article_id)).body
            site.route(site.site.path_for(article_id), lambda visit, b=body: Reply(200, {}, b))
        run_crawl(
            site.base_url,
            tmp_path,
            "--ids",
            f"{ids[0]}-{ids[-1]}",
            "--set",
            f"PARSE_FUNCTION={HOOKS}:parse",
            "--set",
            "PARSE_TIMEOUT=1.5",
            "--set",
            "PARSE_WORKERS=1",
        )
    captures = _captures(tmp_path)
    for article_id in ids:
        expected = ("error", "parse_timeout") if article_id in spinning else ("ok", None)
        assert captures[site.site.url_for(article_id)] == expected, article_id
    assert stored_stats(tmp_path)["failed_by_reason"]["parse_timeout"] == 2


def test_over_the_size_budget_is_a_too_complex_capture(tmp_path: Path) -> None:
    with HostileSite(DemoSiteConfig(pages=4, seed=9)) as site:
        ids = site.site.article_ids()
        site.route(site.site.path_for(ids[1]), deep_nesting(20_000, "blockquote"))
        run_crawl(
            site.base_url,
            tmp_path,
            "--ids",
            f"{ids[0]}-{ids[-1]}",
            "--set",
            "PARSE_MAX_TAGS=10000",
        )
    captures = _captures(tmp_path)
    assert captures[site.site.url_for(ids[1])] == ("error", "too_complex")
    assert captures[site.site.url_for(ids[0])] == ("ok", None)


def test_a_real_100k_deep_page_costs_at_most_the_budget(tmp_path: Path) -> None:
    """No hook: the real parser on 100,000 nested <b>. Slow parsers end in ``parse_timeout``
    after 3 s; a fast one parses it. Either way every other page is archived."""
    with HostileSite(DemoSiteConfig(pages=10, seed=9)) as site:
        ids = site.site.article_ids()
        deep = site.site.path_for(ids[2])
        site.route(deep, deep_nesting(100_000, "b"))
        run_crawl(
            site.base_url, tmp_path, "--ids", f"{ids[0]}-{ids[-1]}", "--set", "PARSE_TIMEOUT=3"
        )
    captures = _captures(tmp_path)
    outcome, code = captures[site.base_url + deep]
    assert outcome == "ok" or code in ("parse_timeout", "not_an_article", "extraction_failed")
    for article_id in ids:
        if site.site.path_for(article_id) != deep:
            assert captures[site.site.url_for(article_id)] == ("ok", None)


def test_reparse_has_the_same_budget_and_retries_timeouts(tmp_path: Path) -> None:
    with HostileSite(DemoSiteConfig(pages=4, seed=9)) as site:
        ids = site.site.article_ids()
        slow = site.site.path_for(ids[1])
        body = SPIN + site.site.page(slow).body
        site.route(slow, lambda visit: Reply(200, {}, body))
        run_crawl(
            site.base_url,
            tmp_path,
            "--ids",
            f"{ids[0]}-{ids[-1]}",
            "--set",
            f"PARSE_FUNCTION={HOOKS}:parse",
            "--set",
            "PARSE_TIMEOUT=1",
        )
    url = site.base_url + slow
    assert _captures(tmp_path)[url] == ("error", "parse_timeout")
    reparse = [*CLI, "reparse", "--data-dir", str(tmp_path)]
    # Still spinning: reparse's budget stops it too, and the capture keeps its reason.
    env = {
        **os.environ,
        "HEALTHQA_PARSE_FUNCTION": f"{HOOKS}:parse",
        "HEALTHQA_PARSE_TIMEOUT": "1",
    }
    result = subprocess.run(reparse, capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert _captures(tmp_path)[url] == ("error", "parse_timeout")
    # A parser that copes (the real one ignores the marker): the page is recovered.
    result = subprocess.run(reparse, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert _captures(tmp_path)[url] == ("ok", None)
    assert open_archive(tmp_path).record(url) == site.site.record(ids[1])

"""End-to-end crawls of the demo site over loopback into real SQLite and real WARC files."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from crawl_helpers import CLI, decoded, open_archive, read_all_warc, rows, run_crawl, sha1_digest
from warcio.archiveiterator import ArchiveIterator

from demo_site.config import DemoSiteConfig
from demo_site.server import DemoServer, serve_demo_site

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def clean_site() -> Iterator[DemoServer]:
    with serve_demo_site(DemoSiteConfig(pages=300, seed=11)) as server:
        yield server


@pytest.fixture(scope="module")
def clean_crawl(clean_site: DemoServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One crawl by id range (gaps included) plus a URL robots.txt forbids."""
    data_dir = tmp_path_factory.mktemp("clean")
    first, last = clean_site.site.id_range()
    run_crawl(
        clean_site.base_url,
        data_dir,
        "--ids",
        f"{first}-{last}",
        "--url",
        f"{clean_site.base_url}/en/private/secret-report",
        "--set",
        "WARC_MAX_BYTES=300000",
    )
    return data_dir


def test_database_equals_ground_truth(clean_site: DemoServer, clean_crawl: Path) -> None:
    archive = open_archive(clean_crawl)
    site = clean_site.site
    ids = site.article_ids()
    assert len(ids) == 300
    for article_id in ids:
        assert archive.record(site.url_for(article_id)) == site.record(article_id), article_id
    first, last = site.id_range()
    gaps = sorted(set(range(first, last + 1)) - set(ids))
    assert gaps, "the demo site should have 404 gaps in its id range"
    for article_id in gaps:
        assert archive.record(site.url_for(article_id)) is None
    # Each page is one row; each article fetched exactly once.
    counts = rows(archive, "SELECT url, COUNT(*) FROM pages GROUP BY url HAVING COUNT(*) > 1")
    assert counts == []
    fetched = clean_site.log.snapshot().requests
    assert all(fetched[site.path_for(i)] == 1 for i in ids)


def test_robots_disallow_is_respected(clean_site: DemoServer, clean_crawl: Path) -> None:
    requested = clean_site.log.snapshot().requests
    assert requested["/robots.txt"] >= 1
    assert [path for path in requested if path.startswith("/en/private/")] == []
    run = rows(open_archive(clean_crawl), "SELECT stats FROM crawl_runs ORDER BY id DESC")[0]
    stats = run[0] if isinstance(run[0], dict) else json.loads(run[0])
    assert stats["failed_by_reason"].get("robots_disallowed") == 1


def test_warc_records_hold_raw_bytes_with_matching_digests(
    clean_site: DemoServer, clean_crawl: Path
) -> None:
    records = read_all_warc(clean_crawl)
    files = list((clean_crawl / "warc").glob("*.warc.gz"))
    assert len(files) > 1, "WARC_MAX_BYTES=300000 should have rotated the files"
    responses = [r for r in records if r[0] == "response"]
    requests = [r for r in records if r[0] == "request"]
    assert len(requests) == len(responses)
    compressed = 0
    site = clean_site.site
    for _, headers, body in responses:
        assert headers["digest"] == sha1_digest(body)
        path = str(headers["uri"]).removeprefix(clean_site.base_url)
        if headers["encoding"] == "gzip":
            compressed += 1
            assert body[:2] == b"\x1f\x8b"
            served = site.page(path, {"accept-encoding": "gzip"})
            assert decoded(body, "gzip") == decoded(served.body, "gzip")
    assert compressed >= 300

    # Every capture row points at its own response record.
    archive = open_archive(clean_crawl)
    captures = rows(
        archive,
        "SELECT url, warc_file, warc_offset, warc_length, payload_digest FROM captures "
        "WHERE http_status = 200",
    )
    assert len(captures) >= 300
    for url, warc_file, offset, length, digest in captures[:50]:
        with open(clean_crawl / warc_file, "rb") as stream:
            stream.seek(offset)
            raw = stream.read(length)
            stream.seek(offset)
            record = next(iter(ArchiveIterator(stream)))
            assert record.rec_headers.get_header("WARC-Target-URI") == url
            assert record.rec_headers.get_header("WARC-Payload-Digest") == digest
        assert raw[:2] == b"\x1f\x8b" and len(raw) == length


def test_faults_lose_nothing_the_site_eventually_served(tmp_path: Path) -> None:
    with serve_demo_site(DemoSiteConfig(pages=300, seed=5, fault_rate=0.1)) as server:
        site = server.site
        kinds = {fault.kind for fault in site.faulted().values()}
        assert len(kinds) >= 5, kinds
        run_crawl(server.base_url, tmp_path, "--sitemap")
        archive = open_archive(tmp_path)
        for article_id in site.eventually_served_ids():
            assert archive.record(site.url_for(article_id)) == site.record(article_id), (
                article_id,
                site.fault_for(site.path_for(article_id)),
            )
        for article_id in site.never_servable_ids():
            codes = rows(
                archive,
                "SELECT error_code FROM captures WHERE url = :url",
                url=site.url_for(article_id),
            )
            assert ("oversize",) in codes
        # Every response the server sent, errors and redirects included, is in WARC.
        statuses = {r[1]["status"] for r in read_all_warc(tmp_path) if r[0] == "response"}
        assert {"200", "503"} <= statuses or {"200", "500"} <= statuses


def test_incremental_recrawl_fetches_only_what_is_due(tmp_path: Path) -> None:
    with serve_demo_site(DemoSiteConfig(pages=120, seed=3, new_ids_per_epoch=15)) as server:
        site = server.site
        run_crawl(server.base_url, tmp_path, "--sitemap")
        old_ids = set(site.article_ids())
        server.set_epoch(2)
        server.log.reset()
        run_crawl(server.base_url, tmp_path, "--incremental", "--discover-misses", "5")
        requested = server.log.snapshot().requests
        # Nothing captured moments ago is due: no old article was fetched again.
        assert [i for i in old_ids if requested[site.path_for(i)]] == []
        archive = open_archive(tmp_path)
        new_ids = set(site.article_ids()) - old_ids
        assert len(new_ids) == 15
        for article_id in new_ids:
            assert archive.record(site.url_for(article_id)) == site.record(article_id)
        highest = max(site.article_ids())
        probes = [p for p in requested if p.startswith("/en/article/")]
        assert max(int(p.rsplit("/", 1)[1]) for p in probes) == highest + 5

        # With a zero refresh window everything is due: conditional GETs, 304 for unchanged.
        server.log.reset()
        run_crawl(
            server.base_url,
            tmp_path,
            "--incremental",
            "--refresh-days",
            "0",
            "--unanswered-days",
            "0",
            "--discover-misses",
            "2",
        )
        snapshot = server.log.snapshot()
        changes = site.changes(2)
        # Pages changed by epoch 2 were not due in the second crawl, so only they differ now.
        unchanged = set(site.article_ids()) - changes.changed
        assert set(snapshot.not_modified) == {site.path_for(i) for i in unchanged}
        assert all(snapshot.conditional_requests[site.path_for(i)] == 1 for i in site.article_ids())
        revisits = rows(
            archive,
            "SELECT COUNT(*) FROM captures WHERE http_status = 304 AND parse_outcome = 'revisit'",
        )[0][0]
        assert revisits == len(unchanged)
        for article_id in site.article_ids():
            assert archive.record(site.url_for(article_id)) == site.record(article_id)
        for article_id in changes.removed:
            state = rows(
                archive, "SELECT state FROM pages WHERE url = :u", u=site.url_for(article_id)
            )
            assert state == [("gone",)]


def test_recrawl_of_unchanged_pages_writes_revisit_records(
    clean_site: DemoServer, clean_crawl: Path
) -> None:
    """Runs last on the shared crawl: a plain (unconditional) re-crawl of ten pages."""
    first = clean_site.site.article_ids()[0]
    ten = clean_site.site.article_ids()[:10]
    run_crawl(clean_site.base_url, clean_crawl, "--ids", f"{first}-{ten[-1]}")
    archive = open_archive(clean_crawl)
    revisits = rows(
        archive,
        "SELECT url, payload_digest FROM captures WHERE parse_outcome = 'revisit' "
        "AND http_status = 200",
    )
    assert sorted(url for url, _ in revisits) == sorted(clean_site.site.url_for(i) for i in ten)
    warc_revisits = [r for r in read_all_warc(clean_crawl) if r[0] == "revisit"]
    assert {r[1]["uri"] for r in warc_revisits} == {url for url, _ in revisits}
    assert {r[1]["digest"] for r in warc_revisits} == {digest for _, digest in revisits}
    for article_id in ten:
        assert archive.record(clean_site.site.url_for(article_id)) == clean_site.site.record(
            article_id
        )


def test_low_field_coverage_exits_with_code_3(clean_site: DemoServer, tmp_path: Path) -> None:
    first = clean_site.site.article_ids()[0]
    result = run_crawl(
        clean_site.base_url,
        tmp_path,
        "--ids",
        f"{first}-{first + 29}",
        "--min-coverage",
        "answers=0.999",
        "--min-coverage-pages",
        "5",
        expect=3,
    )
    assert "answers" in result.stdout and "below the 100% threshold" in result.stdout


def test_demo_command_crawls_and_searches(tmp_path: Path) -> None:
    result = subprocess.run(
        [*CLI, "demo", "--pages", "40", "--data-dir", str(tmp_path / "data")],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Crawl report" in result.stdout and "Sample search" in result.stdout
    archive = open_archive(tmp_path / "data")
    assert rows(archive, "SELECT COUNT(*) FROM pages WHERE content_hash IS NOT NULL")[0][0] == 40
    assert list((tmp_path / "data" / "warc").glob("*.warc.gz"))


def test_slow_database_slows_the_crawl_instead_of_losing_pages(
    clean_site: DemoServer, tmp_path: Path
) -> None:
    """Tiny batches and one allowed pending batch: the pipeline waits, nothing is dropped."""
    ids = clean_site.site.article_ids()[:60]
    run_crawl(
        clean_site.base_url,
        tmp_path,
        "--ids",
        f"{ids[0]}-{ids[-1]}",
        "--set",
        "INGEST_BATCH_SIZE=2",
        "--set",
        "INGEST_MAX_PENDING_BATCHES=1",
    )
    archive = open_archive(tmp_path)
    for article_id in ids:
        assert archive.record(clean_site.site.url_for(article_id)) == clean_site.site.record(
            article_id
        )


def test_resume_without_an_unfinished_run_says_what_to_do(tmp_path: Path) -> None:
    result = run_crawl("http://127.0.0.1:9", tmp_path, "--resume", "--ids", "1-2", expect=1)
    assert "no unfinished doctorqna crawl run" in result.stdout
    assert "without --resume" in result.stdout

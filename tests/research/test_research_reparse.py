"""``reparse``: exactly the records a parser change affects change, each with one new revision."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from research_data import FETCHED_AT, QUESTIONS, Built, json_parse, make_record
from research_warc import append_response
from sqlalchemy import func, select

import parsers
from crawler.app.reparse import reparse
from crawler.cli.research import reparse as reparse_command
from crawler.cli.research import show as show_command
from crawler.report import NOT_ARTICLE_LABEL
from parsers import parser_version
from parsers.record import QARecord
from storage import Capture
from storage.models import CaptureRow, Revision

BROKEN_URL = "https://doctorqna.com/en/article/300001"
LISTING = "https://doctorqna.com/en/faq"


@pytest.fixture
def built(fresh: Built) -> Built:
    """Every test here rewrites the archive, so each gets its own."""
    return fresh


def revisions_per_url(built: Built) -> dict[str, int]:
    with built.archive.engine.connect() as conn:
        return dict(
            conn.execute(
                select(CaptureRow.url, func.count())
                .select_from(Revision)
                .join(CaptureRow, CaptureRow.id == Revision.first_capture_id)
                .group_by(CaptureRow.url)
            ).all()
        )


def capture_outcomes(built: Built) -> dict[str, str]:
    with built.archive.engine.connect() as conn:
        return dict(conn.execute(select(CaptureRow.url, CaptureRow.parse_outcome)).all())


def retitling_parser(
    body: bytes, url: str, headers: Mapping[str, str] | None = None, *, site: str | None = None
) -> QARecord:
    """Simulated parser change: Cardiology pages get a new title and a new parser version."""
    record = json_parse(body, url, headers, site=site)
    changed = record.page_title.endswith("Cardiology")
    return dataclasses.replace(
        record,
        question_title=f"{record.question_title} (fixed)" if changed else record.question_title,
        parser_version="test-2",
    )


def test_unchanged_parser_changes_nothing(built: Built) -> None:
    before = revisions_per_url(built)
    report = reparse(built.archive, data_dir=built.data_dir, parse=json_parse)
    assert report.captures == QUESTIONS + 1  # every page's latest capture + the failed one
    assert (report.changed, report.unchanged, report.recovered) == (0, QUESTIONS, 0)
    assert report.failures == {"extraction_failed": 1}
    assert not report.field_changes and not report.unreadable
    assert revisions_per_url(built) == before


def test_exactly_the_affected_records_change_once(built: Built) -> None:
    before = revisions_per_url(built)
    affected = {r.url for r in built.records if r.page_title.endswith("Cardiology")}
    report = reparse(built.archive, data_dir=built.data_dir, parse=retitling_parser)
    assert report.changed == len(affected) > 0
    assert report.field_changes == {"question_title": len(affected)}
    after = revisions_per_url(built)
    assert {url for url in after if after[url] != before.get(url)} == affected
    assert all(after[url] == before[url] + 1 for url in affected)
    for record in built.records:
        current = built.archive.record(record.url)
        assert current.question_title.endswith("(fixed)") == (record.url in affected)
    again = reparse(built.archive, data_dir=built.data_dir, parse=retitling_parser)
    assert (again.changed, again.unchanged) == (0, QUESTIONS)
    assert revisions_per_url(built) == after


def test_a_capture_that_failed_before_becomes_ok(built: Built) -> None:
    rescued = dataclasses.replace(make_record(99), url=BROKEN_URL, canonical_url=BROKEN_URL)

    def fixed_parser(body: bytes, url: str, headers=None, *, site=None) -> QARecord:
        return rescued if url == BROKEN_URL else json_parse(body, url, headers, site=site)

    assert capture_outcomes(built)[BROKEN_URL] == "error"
    report = reparse(built.archive, data_dir=built.data_dir, parse=fixed_parser)
    assert report.recovered == 1 and not report.failures
    assert capture_outcomes(built)[BROKEN_URL] == "ok"
    assert built.archive.record(BROKEN_URL).question_title == rescued.question_title


def test_reads_gzip_bodies_and_passes_decoded_headers(built: Built) -> None:
    seen: list[tuple[bytes, dict[str, str]]] = []

    def spy(body: bytes, url: str, headers=None, *, site=None) -> QARecord:
        seen.append((body[:1], dict(headers or {})))
        return json_parse(body, url, headers, site=site)

    reparse(built.archive, data_dir=built.data_dir, parse=spy)
    record_bodies = [(b, h) for b, h in seen if b == b"{"]
    assert len(record_bodies) == QUESTIONS  # gzip undone before parsing
    assert all("Content-Encoding" not in h for _, h in record_bodies)
    assert all(site_headers["Content-Type"].startswith("text/html") for _, site_headers in seen)


def test_since_version_and_site_select_captures(built: Built) -> None:
    none = reparse(built.archive, data_dir=built.data_dir, parse=json_parse, since_version="2")
    assert none.captures == 0
    other = reparse(built.archive, data_dir=built.data_dir, parse=json_parse, site="elsewhere")
    assert other.captures == 0
    some = reparse(built.archive, data_dir=built.data_dir, parse=json_parse, since_version="1")
    assert some.captures == QUESTIONS + 1


def test_only_the_latest_capture_of_a_page_is_reparsed(built: Built) -> None:
    record = built.records[0]
    newer = dataclasses.replace(record, question_body="A newer capture's body.")
    warc = built.data_dir / "warc" / "test-00002.warc.gz"
    offset, length = append_response(warc, record.url, newer.to_json().encode())
    capture = Capture(
        url=record.url,
        fetched_at=FETCHED_AT + timedelta(days=1),
        http_status=200,
        site="doctorqna",
        warc_file="warc/test-00002.warc.gz",
        warc_offset=offset,
        warc_length=length,
        parser_version="test-1",
    )
    built.archive.ingest(newer, capture)
    report = reparse(built.archive, data_dir=built.data_dir, parse=json_parse)
    assert report.captures == QUESTIONS + 1
    assert report.changed == 0
    assert built.archive.record(record.url).question_body == "A newer capture's body."


def test_unreadable_warc_is_reported_not_fatal(built: Built, tmp_path: Path) -> None:
    (built.data_dir / "warc" / "test-00001.warc.gz").rename(tmp_path / "moved.warc.gz")
    report = reparse(built.archive, data_dir=built.data_dir, parse=json_parse)
    assert len(report.unreadable) == QUESTIONS + 1
    assert "test-00001.warc.gz" in report.unreadable[0]
    assert report.changed == 0


def test_cli_prints_the_summary(built: Built) -> None:
    result = CliRunner().invoke(
        reparse_command, ["--db", built.db_url, "--data-dir", str(built.data_dir)]
    )
    # The archived payloads are JSON, which the real HTML parser rejects: all fail, none lost.
    assert result.exit_code == 0, result.output
    assert "captures re-parsed" in result.output
    assert "parsed before, fail now" in result.output
    assert all(json.loads(r.to_json()) for r in built.records)
    assert all(built.archive.record(r.url) == r for r in built.records)


def test_an_older_failed_capture_that_now_parses_becomes_history(built: Built) -> None:
    record = built.records[0]
    older = dataclasses.replace(record, question_body="What the page said before.")
    warc = built.data_dir / "warc" / "test-00003.warc.gz"
    offset, length = append_response(warc, record.url, older.to_json().encode())
    failed = Capture(
        url=record.url,
        fetched_at=FETCHED_AT - timedelta(days=30),
        http_status=200,
        site="doctorqna",
        warc_file="warc/test-00003.warc.gz",
        warc_offset=offset,
        warc_length=length,
        parse_outcome="error",
        error_code="extraction_failed",
        parser_version="test-1",
    )
    built.archive.ingest(None, failed)
    before = revisions_per_url(built)

    report = reparse(built.archive, data_dir=built.data_dir, parse=json_parse)

    assert report.recovered == 1
    assert not report.field_changes  # the current content did not change
    assert built.archive.record(record.url) == record
    assert revisions_per_url(built)[record.url] == before[record.url] + 1


FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "doctorqna"


def _not_article_capture(built: Built, case: str, url: str, version: str, days: int) -> Capture:
    """A FAQ/listing/not-found page as a crawl records it, its body in a WARC file."""
    warc = built.data_dir / "warc" / f"test-{case}.warc.gz"
    body = (FIXTURES / case / "page.html").read_bytes()
    offset, length = append_response(warc, url, body)
    return Capture(
        url=url,
        fetched_at=FETCHED_AT - timedelta(days=days),
        http_status=200,
        site="doctorqna",
        warc_file=f"warc/{warc.name}",
        warc_offset=offset,
        warc_length=length,
        parse_outcome="not_article",
        error_code="not_an_article" if case == "listing_page" else "page_not_found",
        parser_version=version,
    )


def html_or_json(body: bytes, url: str, headers=None, *, site=None) -> QARecord:
    """The real parser for the HTML pages, the stand-in for the archive's JSON payloads."""
    parse = json_parse if body.startswith(b"{") else parsers.parse
    return parse(body, url, headers, site=site)


def test_non_article_pages_are_skipped_once_the_current_parser_judged_them(built: Built) -> None:
    """Issue 10: FAQ and listing captures were "failed: not_an_article" and re-parsed on
    every run. Now they are ``not_article``, and the current parser version judges each once."""
    current = parser_version("doctorqna")
    judged = _not_article_capture(built, "listing_page", f"{LISTING}/1", current, 1)
    older = _not_article_capture(built, "not_found_page", f"{LISTING}/2", "doctorqna/1", 2)
    built.archive.ingest_many([(None, judged), (None, older)])

    report = reparse(built.archive, data_dir=built.data_dir, parse=html_or_json)
    assert report.skipped == 1  # the listing the current parser already judged
    # The older parser's capture, and the archive's broken page (an error before), which the
    # real parser judges not an article.
    assert report.not_articles == {"page_not_found": 1, "not_an_article": 1}
    assert "not_an_article" not in report.failures and "page_not_found" not in report.failures
    outcomes = capture_outcomes(built)
    assert outcomes[f"{LISTING}/1"] == outcomes[f"{LISTING}/2"] == "not_article"
    with built.archive.engine.connect() as conn:
        versions = dict(conn.execute(select(CaptureRow.url, CaptureRow.parser_version)).all())
    assert versions[f"{LISTING}/2"] == current  # judged now: the next run skips it too

    again = reparse(built.archive, data_dir=built.data_dir, parse=html_or_json)
    assert again.skipped == 3 and not again.not_articles

    everything = reparse(
        built.archive, data_dir=built.data_dir, parse=html_or_json, everything=True
    )
    assert everything.skipped == 0
    assert everything.not_articles == {"not_an_article": 2, "page_not_found": 1}


def test_cli_names_non_articles_as_the_crawl_report_does(built: Built) -> None:
    listing = _not_article_capture(
        built, "listing_page", f"{LISTING}/1", parser_version("doctorqna"), 1
    )
    built.archive.ingest(None, listing)
    where = ["--db", built.db_url, "--data-dir", str(built.data_dir)]
    result = CliRunner().invoke(reparse_command, [*where, "--all"])
    assert result.exit_code == 0, result.output
    lines = {" ".join(line.split()) for line in result.output.splitlines()}
    # The real parser judges every page here (JSON payloads, the broken page, the listing)
    # not an article: named as the crawl report names them, never "failed".
    assert f"│ {NOT_ARTICLE_LABEL} │ {QUESTIONS + 2} │" in lines
    assert not any("failed: not_an_article" in line for line in lines)
    skipped = CliRunner().invoke(reparse_command, where)
    assert f"│ skipped: not_article, same parser (--all re-parses) │ {QUESTIONS + 2} │" in {
        " ".join(line.split()) for line in skipped.output.splitlines()
    }
    # A page whose latest capture the real parser judged not an article (its payload is JSON)
    shown = CliRunner().invoke(show_command, [*where, built.records[0].url])
    assert shown.exit_code == 0, shown.output
    assert "not_article" in shown.output and "not_an_article" in shown.output


def test_jobs_parse_at_once_and_the_writer_keeps_capture_order(built: Built) -> None:
    """With several jobs, pages are parsed concurrently (finishing out of order), yet they
    are ingested in capture order and the archive ends up as with one job."""
    lock = threading.Lock()
    running, most = 0, 0
    parsed_order: list[str] = []

    def slow_retitling(body: bytes, url: str, headers=None, *, site=None) -> QARecord:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.002 * (hash(url) % 5))  # scramble the order jobs finish in
        with lock:
            running -= 1
            parsed_order.append(url)
        return retitling_parser(body, url, headers, site=site)

    ingested: list[str] = []
    ingest_many = built.archive.ingest_many

    def spy(items, **kwargs):  # the writer's view: what reaches the archive, in order
        ingested.extend(capture.url for _, capture in items)
        return ingest_many(items, **kwargs)

    built.archive.ingest_many = spy  # type: ignore[method-assign]
    report = reparse(built.archive, data_dir=built.data_dir, parse=slow_retitling, jobs=4, batch=7)
    with built.archive.engine.connect() as conn:
        capture_order = [
            url
            for (url,) in conn.execute(select(CaptureRow.url).order_by(CaptureRow.id))
            if url in set(ingested)
        ]
    assert most > 1, "jobs ran one at a time"
    assert ingested == capture_order[: len(ingested)] and len(ingested) == QUESTIONS + 1
    affected = {r.url for r in built.records if r.page_title.endswith("Cardiology")}
    assert report.changed == len(affected) > 0
    assert report.field_changes == {"question_title": len(affected)}
    for record in built.records:
        current = built.archive.record(record.url)
        assert current.question_title.endswith("(fixed)") == (record.url in affected)


def test_cli_jobs_runs_real_parse_workers(built: Built) -> None:
    result = CliRunner().invoke(
        reparse_command, ["--jobs", "2", "--db", built.db_url, "--data-dir", str(built.data_dir)]
    )
    # As with one job (test_cli_prints_the_summary): all fail, none lost.
    assert result.exit_code == 0, result.output
    assert "parsed before, fail now" in result.output
    assert all(built.archive.record(r.url) == r for r in built.records)
    bad = CliRunner().invoke(reparse_command, ["--jobs", "0", "--db", built.db_url])
    assert bad.exit_code == 2 and "--jobs" in bad.output

"""Crawl runs and the crawler's scheduling questions (resume, conditional fetch, due pages)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from storage_factory import SITE, T0, article_url, make_capture, make_record

from storage import Archive, pages, runs
from storage.models import CrawlRun


def test_run_lifecycle(archive: Archive) -> None:
    assert archive.unfinished_run(SITE) is None
    first = archive.start_run(site=SITE, arguments={"start": 200000, "count": 10})
    second = archive.start_run(site=SITE, arguments={"resume": True})
    assert archive.unfinished_run(SITE) == second
    archive.finish_run(second, stats={"pages": 3}, outcome="finished")
    assert archive.unfinished_run(SITE) == first
    assert archive.unfinished_run("othersite") is None
    with archive.engine.connect() as conn:
        run = conn.execute(select(CrawlRun).where(CrawlRun.id == second)).one()
    assert run.stats == {"pages": 3} and run.outcome == "finished" and run.ended_at is not None
    with pytest.raises(KeyError, match="no crawl run with id 999"):
        archive.finish_run(999, stats={}, outcome="finished")


def test_captured_urls_stream_per_run(archive: Archive) -> None:
    run = archive.start_run(site=SITE, arguments={})
    other = archive.start_run(site=SITE, arguments={})
    urls = [article_url(n) for n in range(25)]
    archive.ingest_many(
        [(None, make_capture(u, parse_outcome="not_parsed", crawl_run_id=run)) for u in urls]
        + [(None, make_capture(urls[0], minutes=1, parse_outcome="revisit", crawl_run_id=run))]
        + [(None, make_capture(article_url(5000), parse_outcome="error", crawl_run_id=other))]
    )
    assert list(archive.captured_urls(run)) == sorted(urls)
    assert list(runs.captured_urls(archive.engine, run, batch=4)) == sorted(urls)  # 7 pages
    assert list(archive.captured_urls(other)) == [article_url(5000)]


def test_last_capture_gives_validators_and_answered(archive: Archive) -> None:
    record = make_record(1)
    archive.ingest(record, make_capture(record.url, etag='"v1"'))
    archive.ingest(
        None,
        make_capture(
            record.url,
            minutes=30,
            etag='"v2"',
            last_modified="Mon, 01 Jan 2024 12:30:00 GMT",
            parse_outcome="revisit",
        ),
    )
    summary = archive.last_capture(record.url + "?utm_source=x")  # any spelling of the page
    assert summary is not None
    assert summary.fetched_at == T0 + timedelta(minutes=30)
    assert (summary.etag, summary.last_modified) == ('"v2"', "Mon, 01 Jan 2024 12:30:00 GMT")
    assert summary.answered is True and summary.http_status == 200
    unanswered = replace(make_record(2), answers=())
    archive.ingest(unanswered, make_capture(unanswered.url))
    assert archive.last_capture(unanswered.url).answered is False  # type: ignore[union-attr]
    assert archive.last_capture(article_url(3)) is None


def test_due_and_not_due_urls_partition_the_site(archive: Archive) -> None:
    answered_old, answered_new = make_record(1), make_record(2)
    unanswered_mid = replace(make_record(3), answers=())
    gone = make_record(4)
    archive.ingest_many(
        [
            (answered_old, make_capture(answered_old.url)),
            (answered_new, make_capture(answered_new.url, minutes=60 * 24 * 9)),
            (unanswered_mid, make_capture(unanswered_mid.url, minutes=60 * 24 * 5)),
            (gone, make_capture(gone.url)),
            (None, make_capture(gone.url, minutes=1, http_status=404, parse_outcome="not_parsed")),
        ]
    )
    now = T0 + timedelta(days=10)
    kwargs = {"now": now, "refresh_after": timedelta(days=7), "unanswered_after": timedelta(days=2)}
    due = list(archive.due_urls(SITE, **kwargs))  # type: ignore[arg-type]
    not_due = list(archive.not_due_urls(SITE, **kwargs))  # type: ignore[arg-type]
    assert sorted(due) == sorted([answered_old.url, unanswered_mid.url])
    assert sorted(not_due) == sorted([answered_new.url, gone.url])
    paged = pages.due_urls(archive.engine, SITE, batch=1, **kwargs)  # type: ignore[arg-type]
    assert list(paged) == due
    naive_now = now.astimezone(UTC).replace(tzinfo=None)  # naive datetimes are taken as UTC
    assert sorted(archive.due_urls(SITE, **{**kwargs, "now": naive_now})) == sorted(due)  # type: ignore[arg-type]
    assert list(archive.due_urls("othersite", **kwargs)) == []  # type: ignore[arg-type]


def test_max_external_id_is_numeric(archive: Archive) -> None:
    assert archive.max_external_id(SITE) is None
    records = [make_record(n) for n in (5, 95)]  # 200005 and 200095
    archive.ingest_many([(r, make_capture(r.url)) for r in records])
    odd = replace(make_record(7), external_id="abc")
    archive.ingest(odd, make_capture(odd.url))
    assert archive.max_external_id(SITE) == 200_095
    assert archive.max_external_id("othersite") is None


def test_aware_and_naive_fetch_times_mean_the_same_instant(archive: Archive) -> None:
    record = make_record(1)
    aware = datetime(2024, 5, 1, 23, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    archive.ingest(record, make_capture(record.url, fetched_at=aware))
    again = archive.ingest(record, make_capture(record.url, fetched_at=datetime(2024, 5, 1, 14)))
    assert (
        again.capture_id
        == archive.ingest(record, make_capture(record.url, fetched_at=aware)).capture_id
    )
    assert archive.last_capture(record.url).fetched_at == datetime(2024, 5, 1, 14, tzinfo=UTC)  # type: ignore[union-attr]

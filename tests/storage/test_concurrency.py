"""Two writer processes on one archive: nothing lost, nothing doubled, no errors."""

from __future__ import annotations

import multiprocessing

import pytest
from storage_factory import make_record, row_counts
from storage_workers import RECORDS, ingest_everything

from storage import Archive


@pytest.mark.slow
def test_two_writer_processes(db_url: str) -> None:
    with Archive.open(db_url):  # migrate once so the children race on data, not DDL
        pass
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    results = context.Queue()
    workers = [
        context.Process(target=ingest_everything, args=(db_url, k, start, results)) for k in (0, 1)
    ]
    for process in workers:
        process.start()
    start.set()
    outcomes = [results.get(timeout=120) for _ in workers]
    for process in workers:
        process.join(timeout=30)
    assert [error for _, _, error in outcomes] == [None, None]
    total: dict[str, int] = {}
    for _, statuses, _ in outcomes:
        for status, count in statuses.items():
            total[status] = total.get(status, 0) + count
    # Each page is new exactly once; everything else either process did is a re-capture.
    assert total == {"new": RECORDS, "unchanged": 3 * RECORDS}
    with Archive.open(db_url) as archive:
        counts = row_counts(archive)
        assert counts["pages"] == counts["questions"] == counts["revisions"] == RECORDS
        assert counts["captures"] == 3 * RECORDS
        assert counts["search_index"] == RECORDS
        assert counts["answers"] == sum(len(make_record(n).answers) for n in range(RECORDS))
        assert counts["doctors"] == 4 and counts["sites"] == 1
        assert archive.record(make_record(7).url) == make_record(7)

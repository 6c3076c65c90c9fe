"""Code run in child processes by the concurrency tests (importable under ``spawn``)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from storage_factory import make_capture, make_record

from storage import Archive

RECORDS = 60
BATCH = 10


def ingest_everything(db_url: str, worker: int, start: Any, results: Any) -> None:
    """Ingest every record (shared captures) plus one own re-capture each, in batches.

    Worker 1 goes in reverse order so the two writers collide on the same pages.
    """
    numbers = list(range(RECORDS))
    if worker == 1:
        numbers.reverse()
    statuses: Counter[str] = Counter()
    try:
        with Archive.open(db_url) as archive:
            start.wait(timeout=60)
            for offset in range(0, RECORDS, BATCH):
                batch = []
                for n in numbers[offset : offset + BATCH]:
                    record = make_record(n)
                    batch.append((record, make_capture(record.url)))
                    batch.append((record, make_capture(record.url, minutes=10 + worker)))
                statuses.update(r.status for r in archive.ingest_many(batch))
        results.put((worker, dict(statuses), None))
    except Exception as error:  # reported to the parent, which fails the test with it
        results.put((worker, dict(statuses), repr(error)))

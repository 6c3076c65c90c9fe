"""Every fixture's expected record goes into the archive, twice, without changing it."""

from __future__ import annotations

from pathlib import Path

import pytest
from storage_factory import make_capture, row_counts

from parsers.record import QARecord
from storage import Archive

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
EXPECTED = sorted(FIXTURES.glob("**/expected.json"))


@pytest.mark.skipif(not EXPECTED, reason="no fixtures/**/expected.json yet")
def test_fixture_records_ingest_idempotently(archive: Archive) -> None:
    records = [QARecord.from_json(path.read_text(encoding="utf-8")) for path in EXPECTED]
    # Several markups of one page share a URL: give each its own fetch time.
    pairs = [
        (record, make_capture(record.url, minutes=i, site=record.site))
        for i, record in enumerate(records)
    ]
    archive.ingest_many(pairs)
    once = row_counts(archive)
    archive.ingest_many(pairs)
    assert row_counts(archive) == once
    for pair_ in pairs:  # and one by one, as the crawler does
        archive.ingest(*pair_)
    assert row_counts(archive) == once
    assert once["captures"] == len(records)
    distinct = {r.canonical_url for r in records}
    assert once["pages"] == len(distinct)
    for url in distinct:
        latest = [r for r in records if r.canonical_url == url][-1]
        assert archive.record(url) == latest

"""Re-parse with the real parser: fixture pages archived gzip-compressed, once failed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from research_warc import append_response

from crawler.app.reparse import reparse
from parsers.record import QARecord
from storage import Archive, Capture

FIXTURES = Path(__file__).parents[2] / "fixtures" / "doctorqna"
CASES = ("seed_div", "seed_tables", "two_replies", "unanswered", "big5", "cjk_text")


@pytest.mark.parametrize("gzip_body", [True, False], ids=["gzip", "identity"])
def test_failed_captures_of_fixture_pages_parse_to_their_expected_records(
    db_url: str, tmp_path: Path, gzip_body: bool
) -> None:
    data_dir = tmp_path / "data"
    warc = data_dir / "warc" / "fixtures.warc.gz"
    warc.parent.mkdir(parents=True)
    expected: dict[str, QARecord] = {}
    with Archive.open(db_url, data_dir=data_dir) as archive:
        items: list[tuple[QARecord | None, Capture]] = []
        for n, case in enumerate(CASES):
            meta = json.loads((FIXTURES / case / "meta.json").read_text())
            record = QARecord.from_json((FIXTURES / case / "expected.json").read_text())
            expected[meta["url"]] = record
            offset, length = append_response(
                warc,
                meta["url"],
                (FIXTURES / case / "page.html").read_bytes(),
                headers=list(meta["headers"].items()),
                gzip_body=gzip_body,
            )
            capture = Capture(
                url=meta["url"],
                fetched_at=datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=n),
                http_status=200,
                site="doctorqna",
                warc_file="warc/fixtures.warc.gz",
                warc_offset=offset,
                warc_length=length,
                parse_outcome="error",
                error_code="extraction_failed",
                parser_version="doctorqna/0",
            )
            items.append((None, capture))
        archive.ingest_many(items)

        report = reparse(archive, data_dir=data_dir)

        assert report.recovered == len(CASES), report
        assert not report.failures and not report.unreadable
        for url, record in expected.items():
            assert archive.record(url) == record
        # Now every capture is ok, so only each page's latest is re-parsed (the seed cases
        # are one page in several markups: one URL).
        again = reparse(archive, data_dir=data_dir)
        assert (again.changed, again.unchanged) == (0, len(expected))

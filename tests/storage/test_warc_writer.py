"""The WARC store's writer: raw bodies, digests, revisits, rotation, and a torn tail reported."""

from __future__ import annotations

import gzip
import hashlib
from base64 import b32encode
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from storage.warc import (
    SERVER_NOT_MODIFIED_PROFILE,
    HttpRequestData,
    HttpResponseData,
    RotatingWarcWriter,
    WarcReadError,
    scan,
)

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _exchange(n: int, body: bytes) -> tuple[HttpRequestData, HttpResponseData]:
    url = f"http://127.0.0.1:8000/en/article/{n}"
    request = HttpRequestData("GET", url, [("User-Agent", "test-agent")])
    response = HttpResponseData(
        url,
        200,
        [("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked"), ("ETag", f'"{n}"')],
        body,
    )
    return request, response


def test_response_record_keeps_compressed_bytes_and_digest(tmp_path: Path) -> None:
    writer = RotatingWarcWriter(tmp_path, worker_id="t1")
    body = gzip.compress(b"<html><body>answer</body></html>" * 10)
    location = writer.write_response(*_exchange(1, body), NOW)
    writer.close()

    expected = "sha1:" + b32encode(hashlib.sha1(body).digest()).decode()
    assert location.payload_digest == expected
    with open(tmp_path / location.file, "rb") as stream:
        stream.seek(location.offset)
        record = next(iter(ArchiveIterator(stream)))
        assert record.rec_type == "response"
        assert record.rec_headers.get_header("WARC-Payload-Digest") == expected
        assert record.http_headers.get_header("Content-Encoding") == "gzip"
        # The client undid the chunking, so the header must not claim it still applies.
        assert record.http_headers.get_header("Transfer-Encoding") is None
        assert record.raw_stream.read() == body


def test_every_response_has_its_request_record(tmp_path: Path) -> None:
    writer = RotatingWarcWriter(tmp_path, worker_id="t1")
    writer.write_response(*_exchange(2, b"plain"), NOW)
    writer.close()
    records = [
        (r.record_type, r.record.rec_headers) for r in scan(tmp_path / writer.files_written[0])
    ]
    assert [t for t, _ in records] == ["warcinfo", "response", "request"]
    response_id = records[1][1].get_header("WARC-Record-ID")
    assert records[2][1].get_header("WARC-Concurrent-To") == response_id


def test_revisit_records_point_at_the_original(tmp_path: Path) -> None:
    writer = RotatingWarcWriter(tmp_path, worker_id="t1")
    first = writer.write_response(*_exchange(3, b"same body"), NOW)
    request, response = _exchange(3, b"")
    not_modified = HttpResponseData(response.url, 304, [("ETag", '"3"')], b"")
    location = writer.write_revisit(
        request,
        not_modified,
        NOW,
        payload_digest=first.payload_digest or "",
        refers_to_uri=response.url,
        refers_to_date=NOW,
        not_modified=True,
    )
    writer.close()
    with open(tmp_path / location.file, "rb") as stream:
        stream.seek(location.offset)
        record = next(iter(ArchiveIterator(stream)))
    assert record.rec_type == "revisit"
    assert record.rec_headers.get_header("WARC-Profile") == SERVER_NOT_MODIFIED_PROFILE
    assert record.rec_headers.get_header("WARC-Payload-Digest") == first.payload_digest
    assert record.rec_headers.get_header("WARC-Refers-To-Target-URI") == response.url


def test_rotation_names_and_sizes(tmp_path: Path) -> None:
    writer = RotatingWarcWriter(tmp_path, worker_id="w7", max_bytes=1500)
    locations = [writer.write_response(*_exchange(n, b"x" * 400), NOW) for n in range(8)]
    writer.close()
    assert len(writer.files_written) > 1
    for name in writer.files_written:
        assert name.startswith("warc/healthqa-") and name.endswith("-w7.warc.gz")
    serials = [name.split("-")[2] for name in writer.files_written]
    assert serials == sorted(serials) and len(set(serials)) == len(serials)
    # Every location reads back as the right response.
    for n, location in enumerate(locations):
        with open(tmp_path / location.file, "rb") as stream:
            stream.seek(location.offset)
            record = next(iter(ArchiveIterator(stream)))
            assert record.rec_headers.get_header("WARC-Target-URI").endswith(f"/{n}")


def test_torn_tail_reads_up_to_last_whole_record(tmp_path: Path) -> None:
    writer = RotatingWarcWriter(tmp_path, worker_id="t1")
    locations = [writer.write_response(*_exchange(n, b"y" * 300), NOW) for n in range(3)]
    writer.close()
    path = tmp_path / writer.files_written[0]
    data = path.read_bytes()
    # Cut ten bytes into the last request record, as a crash mid-write would.
    cut = locations[-1].offset + locations[-1].length
    path.write_bytes(data[: cut + 10])
    types = []
    with pytest.raises(WarcReadError, match=f"torn after offset {cut}"):
        types.extend(r.record_type for r in scan(path))
    assert types == ["warcinfo", "response", "request", "response", "request", "response"]


def test_new_writer_never_reuses_an_existing_file(tmp_path: Path) -> None:
    first = RotatingWarcWriter(tmp_path, worker_id="t1")
    first.write_response(*_exchange(1, b"a"), NOW)
    first.close()
    before = (tmp_path / first.files_written[0]).read_bytes()
    second = RotatingWarcWriter(tmp_path, worker_id="t1")
    second.write_response(*_exchange(2, b"b"), NOW)
    second.close()
    assert second.files_written[0] != first.files_written[0]
    assert (tmp_path / first.files_written[0]).read_bytes() == before


def test_bad_configuration_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="WARC_MAX_BYTES"):
        RotatingWarcWriter(tmp_path, max_bytes=0)
    with pytest.raises(ValueError, match="worker id"):
        RotatingWarcWriter(tmp_path, worker_id="a-b")

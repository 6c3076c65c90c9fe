"""Gzip WARC files the archive writes every exchange to, rotated by size.

Why it is built this way:

* each record is serialised into memory first and written to the file with ONE ``write`` and a
  flush, so a process killed at any moment leaves only whole gzip members behind; a file cut
  short by a machine crash reads cleanly up to its last complete record
  (``storage.warc.reader.scan`` reports the tear after them);
* files are opened with ``"xb"`` and never reopened, so a new run never appends to a file a
  crashed run may have torn;
* file names carry a UTC timestamp, a per-process serial and a worker id, so several workers
  can share one data directory without colliding;
* the location returned for an exchange (file relative to the data directory, offset, length)
  is what the archive stores, so a record can be read back with a single seek.
"""

from __future__ import annotations

import io
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

#: Sub-directory of the data directory that holds the WARC files.
WARC_SUBDIR = "warc"
DEFAULT_MAX_BYTES = 1_000_000_000
SERVER_NOT_MODIFIED_PROFILE = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"

#: Hop-by-hop framing the HTTP client already undid: keeping it would make readers de-chunk a
#: body that is no longer chunked. The original value is kept under a renamed header.
_UNDONE_FRAMING = ("transfer-encoding",)


@dataclass(frozen=True, slots=True)
class WarcLocation:
    """Where one record landed; ``file`` is relative to the data directory."""

    file: str
    offset: int
    length: int
    payload_digest: str | None


@dataclass(frozen=True, slots=True)
class HttpRequestData:
    """The request as sent, in plain types so this module needs no Scrapy."""

    method: str
    url: str
    headers: list[tuple[str, str]]
    body: bytes = b""


@dataclass(frozen=True, slots=True)
class HttpResponseData:
    """The response as it came off the wire (content-encoding not undone)."""

    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    protocol: str = "HTTP/1.1"


def warc_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class RotatingWarcWriter:
    """Appends exchanges to ``<data_dir>/warc/*.warc.gz``, starting a new file past ``max_bytes``.

    Not thread-safe: the crawler calls it from the reactor thread only.
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        worker_id: str = "w0",
        max_bytes: int = DEFAULT_MAX_BYTES,
        fsync: bool = False,
        prefix: str = "healthqa",
        software: str = "healthqa-archive",
    ) -> None:
        if max_bytes <= 0:
            raise ValueError(f"WARC_MAX_BYTES must be positive, got {max_bytes}")
        if not worker_id or any(c in worker_id for c in "/\\- "):
            raise ValueError(
                f"worker id must be non-empty without '/', '-' or spaces: {worker_id!r}"
            )
        self.data_dir = Path(data_dir)
        self.directory = self.data_dir / WARC_SUBDIR
        self.worker_id = worker_id
        self.max_bytes = max_bytes
        self.fsync = fsync
        self.prefix = prefix
        self.software = software
        self._serial = 0
        self._file: BinaryIO | None = None
        self._path: Path | None = None
        self._size = 0
        self.files_written: list[str] = []

    # -- public API ---------------------------------------------------------------------------

    def write_response(
        self, request: HttpRequestData, response: HttpResponseData, fetched_at: datetime
    ) -> WarcLocation:
        """Archive a full response (any status) and its request; returns the response's place."""
        builder = WARCWriter(None, gzip=True, warc_version="1.1")
        record = builder.create_warc_record(
            response.url,
            "response",
            payload=io.BytesIO(response.body),
            length=len(response.body),
            http_headers=_status_and_headers(response),
            warc_headers_dict={"WARC-Date": warc_date(fetched_at)},
        )
        return self._write_exchange(builder, record, request, fetched_at)

    def write_revisit(
        self,
        request: HttpRequestData,
        response: HttpResponseData,
        fetched_at: datetime,
        *,
        payload_digest: str,
        refers_to_uri: str,
        refers_to_date: datetime,
        not_modified: bool = False,
    ) -> WarcLocation:
        """Archive a response whose payload the archive already holds: headers only.

        ``not_modified`` marks a 304 answer to a conditional request (server-not-modified
        profile); otherwise the payload digest matched the previous capture.
        """
        builder = WARCWriter(None, gzip=True, warc_version="1.1")
        record = builder.create_revisit_record(
            response.url,
            payload_digest,
            refers_to_uri,
            warc_date(refers_to_date),
            http_headers=_status_and_headers(response),
            warc_headers_dict={"WARC-Date": warc_date(fetched_at)},
        )
        if not_modified:
            record.rec_headers.replace_header("WARC-Profile", SERVER_NOT_MODIFIED_PROFILE)
        return self._write_exchange(builder, record, request, fetched_at)

    def copy_record_bytes(self, data: bytes) -> WarcLocation:
        """Append one record read from another file (``healthqa import --copy``) as it was.

        ``data`` holds exactly one record (gzip member or plain, WARC or ARC). warcio
        re-serialises it as one gzip member, as ``warcio recompress`` does: headers, digests
        and payload are kept, and an ARC record becomes its WARC equivalent.
        """
        record = next(iter(ArchiveIterator(io.BytesIO(data), arc2warc=True)))
        serialised = _serialise(WARCWriter(None, gzip=True), record)
        self._rotate_if_needed()
        assert self._path is not None
        return WarcLocation(
            file=self._path.relative_to(self.data_dir).as_posix(),
            offset=self._append(serialised),
            length=len(serialised),
            payload_digest=record.rec_headers.get_header("WARC-Payload-Digest"),
        )

    def close(self) -> None:
        if self._file is not None:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            self._file = None

    # -- internals ----------------------------------------------------------------------------

    def _write_exchange(
        self,
        builder: WARCWriter,
        record: ArcWarcRecord,
        request: HttpRequestData,
        fetched_at: datetime,
    ) -> WarcLocation:
        response_bytes = _serialise(builder, record)
        request_record = builder.create_warc_record(
            request.url,
            "request",
            payload=io.BytesIO(request.body),
            length=len(request.body),
            http_headers=_request_status_and_headers(request),
            warc_headers_dict={
                "WARC-Date": warc_date(fetched_at),
                "WARC-Concurrent-To": record.rec_headers.get_header("WARC-Record-ID"),
            },
        )
        request_bytes = _serialise(builder, request_record)
        self._rotate_if_needed()
        assert self._path is not None
        offset = self._append(response_bytes)
        self._append(request_bytes)
        return WarcLocation(
            file=self._path.relative_to(self.data_dir).as_posix(),
            offset=offset,
            length=len(response_bytes),
            payload_digest=record.rec_headers.get_header("WARC-Payload-Digest"),
        )

    def _append(self, data: bytes) -> int:
        assert self._file is not None
        offset = self._size
        self._file.write(data)
        self._file.flush()
        if self.fsync:
            os.fsync(self._file.fileno())
        self._size += len(data)
        return offset

    def _rotate_if_needed(self) -> None:
        if self._file is not None and self._size < self.max_bytes:
            return
        self.close()
        self.directory.mkdir(parents=True, exist_ok=True)
        while True:
            self._serial += 1
            stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
            name = f"{self.prefix}-{stamp}-{self._serial:05d}-{self.worker_id}.warc.gz"
            path = self.directory / name
            try:
                self._file = open(path, "xb")  # noqa: SIM115 - lives until rotation/close
            except FileExistsError:
                continue
            break
        self._path = path
        self._size = 0
        self.files_written.append(path.relative_to(self.data_dir).as_posix())
        self._append(self._warcinfo(name))

    def _warcinfo(self, filename: str) -> bytes:
        builder = WARCWriter(None, gzip=True, warc_version="1.1")
        record = builder.create_warcinfo_record(
            filename,
            {
                "software": self.software,
                "hostname": socket.gethostname(),
                "worker": self.worker_id,
                "format": "WARC File Format 1.1",
            },
        )
        return _serialise(builder, record)


def _serialise(builder: WARCWriter, record: ArcWarcRecord) -> bytes:
    buffer = io.BytesIO()
    builder.out = buffer
    builder.write_record(record)
    return buffer.getvalue()


def _status_and_headers(response: HttpResponseData) -> StatusAndHeaders:
    headers: list[tuple[str, str]] = []
    for name, value in response.headers:
        if name.lower() in _UNDONE_FRAMING:
            headers.append((f"X-Crawler-Orig-{name}", value))
        else:
            headers.append((name, value))
    return StatusAndHeaders(
        f"{response.status} {_reason(response.status)}".strip(),
        headers,
        protocol=response.protocol,
    )


def _request_status_and_headers(request: HttpRequestData) -> StatusAndHeaders:
    parts = urlsplit(request.url)
    target = parts.path or "/"
    if parts.query:
        target = f"{target}?{parts.query}"
    headers = list(request.headers)
    if not any(name.lower() == "host" for name, _ in headers):
        headers.insert(0, ("Host", parts.netloc))
    return StatusAndHeaders(f"{request.method} {target} HTTP/1.1", headers, is_http_request=True)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""

"""Read WARC records back: one by its pointer, or every record of a file, own or foreign.

A capture row stores ``(warc_file, offset, length)`` of its record, so one response is read
without scanning the file: seek, read exactly that many bytes, and let warcio parse them.
Reading only ``length`` bytes also means a torn record after ours is never touched.
``warc_file`` is relative to the data directory for the archive's own files and absolute for
an imported file left where it was, so ``data_dir / warc_file`` finds both.

``scan`` walks a whole file (``.warc``, ``.warc.gz``, ``.arc``, ``.arc.gz``) for ``healthqa
import``. warcio stops quietly at a torn end: it hands out a record cut short as if whole, or
nothing for a last gzip member cut in two. ``scan`` checks each record's body against its
``Content-Length`` and the end of the last record against the file's size, and raises
``WarcReadError`` naming the tear after yielding every whole record before it.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeadersParserException

from storage.warc.payload import http_body

#: What warcio and the codecs raise on bytes that are not (or no longer) a WARC record; warcio
#: fails with AttributeError/TypeError/IndexError on a header block cut before its URI.
_DAMAGE = (
    ArchiveLoadFailed,
    StatusAndHeadersParserException,
    ValueError,
    EOFError,
    zlib.error,
    AttributeError,
    TypeError,
    IndexError,
)
#: Bytes a clean file may carry after its last record (the record separator, a newline).
_SLACK = 8


class WarcReadError(Exception):
    """The bytes do not hold the readable record(s) expected; the message says where."""


@dataclass(frozen=True, slots=True)
class ArchivedResponse:
    """One response as archived, plus the body the parser would have been given.

    ``raw_body`` is the payload as stored (transfer and content encodings not undone);
    ``body`` has them undone; ``headers`` are what the pipeline saw after decoding, so
    ``parsers.parse(body, url, headers)`` matches a crawl.
    """

    url: str
    record_type: str
    status: int | None
    headers: dict[str, str]
    raw_body: bytes
    body: bytes


@dataclass(frozen=True, slots=True)
class ScannedRecord:
    """One record of a scanned file, with where it lies and its payload as stored."""

    offset: int
    length: int
    record: ArcWarcRecord  # headers only: its stream has been read into ``raw_body``
    raw_body: bytes

    @property
    def record_type(self) -> str:
        return str(self.record.rec_type)

    def header(self, name: str) -> str | None:
        value = self.record.rec_headers.get_header(name)
        return str(value) if value is not None else None

    @property
    def status(self) -> int | None:
        return _status(self.record)

    def http_headers(self) -> list[tuple[str, str]]:
        return list(self.record.http_headers.headers) if self.record.http_headers else []


def record_path(data_dir: str | Path, warc_file: str) -> Path:
    """Where a capture's ``warc_file`` lies (absolute for imported files left in place)."""
    return Path(data_dir) / warc_file


def read_response(
    data_dir: str | Path, warc_file: str, offset: int, length: int | None
) -> ArchivedResponse:
    """Read the record at ``offset`` in ``<data_dir>/<warc_file>``.

    ``length`` None reads until the record ends (older rows may lack it).
    """
    path = record_path(data_dir, warc_file)
    where = f"{path} at offset {offset}"
    try:
        with path.open("rb") as fh:
            fh.seek(offset)
            chunk = fh.read(length) if length is not None else fh.read()
    except OSError as exc:
        raise WarcReadError(f"cannot read WARC record {where}: {exc}") from exc
    if not chunk:
        raise WarcReadError(f"no WARC record {where}: the file ends before it")
    try:
        record = next(iter(ArchiveIterator(io.BytesIO(chunk), arc2warc=True)), None)
        if record is None:
            raise WarcReadError(f"no WARC record {where}")
        raw = record.raw_stream.read()
        if getattr(record.raw_stream, "limit", 0):
            raise WarcReadError(f"torn WARC record {where}: its body is cut short")
        headers = dict(record.http_headers.headers) if record.http_headers else {}
        body, headers = http_body(raw, headers)
    except _DAMAGE as exc:
        raise WarcReadError(f"damaged WARC record {where}: {exc}") from exc
    url = record.rec_headers.get_header("WARC-Target-URI") or ""
    return ArchivedResponse(url, record.rec_type, _status(record), headers, raw, body)


def scan(path: Path) -> Iterator[ScannedRecord]:
    """Every whole record of ``path`` in file order, then ``WarcReadError`` for a bad rest.

    The error names the file and the offset where reading stopped (a torn record, a damaged
    header, bytes that are not WARC at all), so an import can report it in one line and keep
    everything before it.
    """
    try:
        size = path.stat().st_size
        stream = path.open("rb")
    except OSError as exc:
        raise WarcReadError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    with stream:
        yield from scan_stream(stream, str(path), size)


def scan_stream(stream: BinaryIO, name: str, size: int) -> Iterator[ScannedRecord]:
    """``scan`` over an open stream of ``size`` bytes (a file, or a record fetched by a
    range request); ``name`` is what errors call it."""
    end = 0
    yielded = False
    iterator = ArchiveIterator(stream, arc2warc=True)
    try:
        for record in iterator:
            raw = record.raw_stream.read()  # before asking where it lies, which skips it
            problem = _damage(record)
            if problem and not yielded:
                raise WarcReadError(f"{name}: not a WARC or ARC file ({problem})")
            if problem:
                raise WarcReadError(
                    f"{name}: {problem} after offset {end}; the records before it were read"
                )
            yielded = True
            offset = iterator.get_record_offset()
            length = iterator.get_record_length()
            end = offset + length
            yield ScannedRecord(offset, length, record, raw)
    except _DAMAGE as exc:
        reason = (
            "its header block is incomplete"
            if isinstance(exc, AttributeError | TypeError | IndexError)
            else _one_line(exc)
        )
        if not yielded:
            raise WarcReadError(f"{name}: not a WARC or ARC file ({reason})") from exc
        raise WarcReadError(
            f"{name}: torn or damaged record after offset {end} ({reason}); "
            "the records before it were read"
        ) from exc
    stream.seek(end)
    rest = stream.read(_SLACK + 1)
    if size - end > _SLACK or rest.strip():
        what = "not a WARC or ARC file" if end == 0 else f"torn after offset {end}"
        raise WarcReadError(
            f"{name}: {what}: {size - end} bytes could not be read as a record"
            + ("; the records before it were read" if end else "")
        )


def _damage(record: ArcWarcRecord) -> str | None:
    """What is wrong with a record warcio read without complaint, if anything."""
    if getattr(record.raw_stream, "limit", 0):
        return "torn record (its body is cut short)"
    declared = record.rec_headers.get_header("Content-Length")
    if record.format.startswith("warc") and not (declared or "").strip().isdigit():
        return f"torn or malformed record header (Content-Length {declared!r})"
    return None


def _status(record: ArcWarcRecord) -> int | None:
    if record.http_headers is None:
        return None
    code = record.http_headers.get_statuscode()
    return int(code) if code and code.isdigit() else None


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return (text[:200] + "...") if len(text) > 200 else text or type(error).__name__

"""Import WARC records other tools wrote (wget, Heritrix, Browsertrix, Common Crawl).

Each record goes the way a crawled response goes: its body is decoded as the crawl's client
decodes it (``storage.warc``), parsed in the budgeted parse pool, and ingested through
``Archive.ingest_many`` with a run checkpoint, so parse outcomes, revisions and links are the
crawl's. What is taken, and how:

* ``response`` records of a known site (the host decides, or ``site`` forces one parser for
  every HTML response, as ``crawl --base-url`` does for a local copy). A 200 HTML response is
  parsed; any other status is kept as a capture with that status and never as a record;
  a 200 that is not HTML (style sheets, robots.txt) is skipped.
* ``revisit`` records are resolved to the earlier payload by digest, within the import or
  in the archive: the same URL's payload makes a ``revisit`` capture, another URL's payload
  is parsed again for this URL. Unresolvable revisits are skipped and counted.
* ``request``, ``metadata``, ``resource``, ``warcinfo`` records (wget writes the last three)
  are skipped and counted by type.

A capture is known by its URL and WARC-Date (the archive's natural key), so importing the
same records again adds nothing. Two records of one URL with the same date in one file (a
wget retry within the second its 503 came) get that date plus one microsecond per earlier
one, in file order, so both are kept and a second import finds the same keys.

Where a capture points: at the source file and offset (absolute path), or, with ``copy``
(always for records fetched over HTTP), at a copy in the archive's own WARC store.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, Protocol

import parsers
from parsers.errors import ParseError
from parsers.record import QARecord
from parsers.urls import canonicalize_url
from storage import Archive, Capture
from storage.capture import failed_parse
from storage.ingest import STATUSES
from storage.runs import RunCheckpoint
from storage.warc import (
    RotatingWarcWriter,
    ScannedRecord,
    WarcReadError,
    http_body,
    read_response,
    scan,
)

#: WARC-Profile of a revisit whose server answered 304 Not Modified.
NOT_MODIFIED = "server-not-modified"
#: Column widths of the capture validators (longer values are dropped, as the crawl does).
_MAX_VALIDATOR = {"etag": 500, "last-modified": 100}
_MAX_CONTENT_TYPE = 200
_HTML_TYPES = ("html", "xhtml")


class ParseFunction(Protocol):
    def __call__(
        self, body: bytes, url: str, headers: Mapping[str, str] | None = None, *, site: str | None
    ) -> QARecord: ...


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """One record to import: its parsed headers and payload, and where its bytes are.

    ``warc_file`` is the absolute path of a local source file (``None`` for a record fetched
    over HTTP, which is always copied); ``raw`` returns the record's own bytes for a copy;
    ``where`` names the source in reports.
    """

    scanned: ScannedRecord
    warc_file: str | None
    raw: Callable[[], bytes]
    where: str


@dataclass
class ImportReport:
    """What an import did; ``to_stats`` is what the run row stores."""

    files: int = 0
    records_read: int = 0
    imported: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)  # ingest statuses
    http_statuses: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)  # parse error codes
    problems: list[str] = field(default_factory=list)  # one line per unreadable source

    def to_stats(self) -> dict[str, Any]:
        return {
            "command": "import",
            "files": self.files,
            "records_read": self.records_read,
            "imported": self.imported,
            "skipped": dict(self.skipped),
            "http_statuses": dict(self.http_statuses),
            "failures": dict(self.failures),
            "problems": list(self.problems),
            **{status: self.outcomes[status] for status in STATUSES},
        }


@dataclass(frozen=True, slots=True)
class _Candidate:
    source: SourceRecord
    site: str
    url: str  # canonical
    fetched_at: datetime
    status: int


@dataclass(frozen=True, slots=True)
class _Payload:
    """Where a payload with a given digest was archived, to resolve revisits against."""

    url: str
    warc_file: str | None
    offset: int | None
    length: int | None


class Importer:
    """Feeds records to the archive in batches, one crawl run per site it touches."""

    def __init__(
        self,
        archive: Archive,
        *,
        data_dir: Path,
        parse: ParseFunction,
        arguments: dict[str, Any],
        site: str | None = None,
        copy: bool = False,
        batch: int = 200,
        progress: Callable[[ImportReport], None] | None = None,
    ) -> None:
        self.archive = archive
        self.data_dir = data_dir
        self.parse = parse
        self.arguments = arguments
        self.site = site
        self.copy = copy
        self.batch = batch
        self.progress = progress
        self.report = ImportReport()
        self.runs: dict[str, int] = {}
        self._writer: RotatingWarcWriter | None = None
        self._pending: list[_Candidate] = []
        self._keys: set[tuple[str, datetime]] = set()
        self._payloads: dict[str, _Payload] = {}
        self._same_date: Counter[tuple[str, str]] = Counter()

    # -- feeding ------------------------------------------------------------------------

    def add_source(self, records: Iterable[SourceRecord]) -> None:
        """Import every record of one source; a read error is reported, never raised."""
        self.report.files += 1
        self._same_date.clear()
        try:
            for record in records:
                self.add(record)
        except WarcReadError as error:
            self.report.problems.append(str(error))
        self.flush()

    def add(self, source: SourceRecord) -> None:
        self.report.records_read += 1
        candidate = self._candidate(source)
        if candidate is None:
            return
        self._pending.append(candidate)
        if len(self._pending) >= self.batch:
            self.flush()

    def _candidate(self, source: SourceRecord) -> _Candidate | None:
        record = source.scanned
        kind = record.record_type
        if kind not in ("response", "revisit"):
            return self._skip(f"{kind}_record")
        url = record.header("WARC-Target-URI") or ""
        if not url.lower().startswith(("http://", "https://")):
            return self._skip("not_http")
        site = self.site or parsers.site_for(url)
        if site is None:
            return self._skip("unknown_site")
        status = record.status
        if status is None:
            return self._skip("no_http_status")
        date = record.header("WARC-Date") or ""
        fetched_at = _parse_date(date)
        if fetched_at is None:
            return self._skip("bad_warc_date")
        if kind == "response" and status == 200 and not _looks_html(record):
            return self._skip("not_html")
        try:
            canonical = canonicalize_url(url)
        except ValueError:
            return self._skip("bad_url")
        earlier = self._same_date[(canonical, date)]
        self._same_date[(canonical, date)] += 1
        fetched_at += timedelta(microseconds=earlier)
        key = (canonical, fetched_at)
        if key in self._keys:
            return self._skip("duplicate")
        self._keys.add(key)
        return _Candidate(source, site, canonical, fetched_at, status)

    def _skip(self, reason: str) -> None:
        self.report.skipped[reason] += 1
        return None

    def known(self, keys: list[tuple[str, datetime]]) -> set[tuple[str, datetime]]:
        """Which of these capture keys the archive already holds."""
        return set(self.archive.capture_ids(keys)) if keys else set()

    def skip_unread(self, reason: str) -> None:
        """Count a record skipped before it was fetched (named by an index)."""
        self.report.records_read += 1
        self._skip(reason)

    # -- ingest -------------------------------------------------------------------------

    def flush(self) -> None:
        """Ingest the pending records not already in the archive, one transaction per site."""
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        known = self.archive.capture_ids([(c.url, c.fetched_at) for c in pending])
        by_site: dict[str, list[tuple[QARecord | None, Capture]]] = {}
        for candidate in pending:
            if (candidate.url, candidate.fetched_at) in known:
                self._skip("already_imported")
                continue
            pair = self._pair(candidate)
            if pair is not None:
                by_site.setdefault(candidate.site, []).append(pair)
        for site, pairs in by_site.items():
            run_id = self._run(site)
            pairs = [(record, replace(c, crawl_run_id=run_id)) for record, c in pairs]
            for _, capture in pairs:
                self._count(capture)
            checkpoint = RunCheckpoint(run_id, self.report.to_stats())
            results = self.archive.ingest_many(pairs, checkpoint=checkpoint)
            self.report.imported += len(results)
            self.report.outcomes.update(result.status for result in results)
        if self.progress:
            self.progress(self.report)

    def _pair(self, candidate: _Candidate) -> tuple[QARecord | None, Capture] | None:
        record = candidate.source.scanned
        capture = self._capture(candidate)
        if record.record_type == "revisit":
            return self._revisit(candidate, capture)
        if candidate.status != 200:
            return None, replace(capture, parse_outcome="not_parsed")
        assert capture.payload_digest is not None  # the record's, or computed in _capture
        self._payloads.setdefault(
            capture.payload_digest,
            _Payload(capture.url, capture.warc_file, capture.warc_offset, capture.warc_length),
        )
        try:
            body, headers = http_body(record.raw_body, dict(record.http_headers()))
        except ValueError as error:
            return None, replace(
                capture,
                parse_outcome="error",
                error_code="bad_content_encoding",
                error_message=str(error)[:500],
            )
        return self._parsed(candidate.site, body, headers, capture)

    def _parsed(
        self, site: str, body: bytes, headers: Mapping[str, str], capture: Capture
    ) -> tuple[QARecord | None, Capture]:
        try:
            parsed = self.parse(body, capture.url, headers, site=site)
        except ParseError as error:
            return None, failed_parse(capture, error, parsers.parser_version(site))
        return parsed, replace(capture, parse_outcome="ok", parser_version=parsed.parser_version)

    def _revisit(
        self, candidate: _Candidate, capture: Capture
    ) -> tuple[QARecord | None, Capture] | None:
        record = candidate.source.scanned
        profile = record.header("WARC-Profile") or ""
        refers_to = record.header("WARC-Refers-To-Target-URI")
        original_url = canonicalize_url(refers_to) if refers_to else candidate.url
        if NOT_MODIFIED in profile and original_url == candidate.url:
            return None, replace(capture, parse_outcome="revisit")
        digest = record.header("WARC-Payload-Digest")
        original = self._original(digest) if digest else None
        if original is None:
            return self._skip("revisit_unresolved")
        if original.url == candidate.url:
            return None, replace(capture, parse_outcome="revisit", payload_digest=digest)
        if original.warc_file is None or original.offset is None:
            return self._skip("revisit_unresolved")
        try:
            response = read_response(
                self.data_dir, original.warc_file, original.offset, original.length
            )
        except WarcReadError:
            return self._skip("revisit_unresolved")
        pointed = replace(
            capture,
            payload_digest=digest,
            warc_file=original.warc_file,
            warc_offset=original.offset,
            warc_length=original.length,
        )
        return self._parsed(candidate.site, response.body, response.headers, pointed)

    def _original(self, digest: str) -> _Payload | None:
        found = self._payloads.get(digest)
        if found is not None:
            return found
        summary = self.archive.capture_with_payload(digest)
        if summary is None:
            return None
        return _Payload(summary.url, summary.warc_file, summary.warc_offset, summary.warc_length)

    def _capture(self, candidate: _Candidate) -> Capture:
        record = candidate.source.scanned
        headers = {name.lower(): value for name, value in record.http_headers()}
        location = self._place(candidate.source)
        content_type = headers.get("content-type", "")[:_MAX_CONTENT_TYPE] or None
        return Capture(
            url=candidate.url,
            fetched_at=candidate.fetched_at,
            http_status=candidate.status,
            site=candidate.site,
            payload_digest=record.header("WARC-Payload-Digest") or _digest(record.raw_body),
            warc_file=location[0],
            warc_offset=location[1],
            warc_length=location[2],
            content_type=content_type,
            etag=_validator(headers, "etag"),
            last_modified=_validator(headers, "last-modified"),
        )

    def _place(self, source: SourceRecord) -> tuple[str, int, int]:
        """Where the capture will point: the source file, or a copy in the archive's store."""
        if source.warc_file is not None and not self.copy:
            return source.warc_file, source.scanned.offset, source.scanned.length
        if self._writer is None:
            self._writer = RotatingWarcWriter(self.data_dir, worker_id="import", prefix="import")
        location = self._writer.copy_record_bytes(source.raw())
        return location.file, location.offset, location.length

    def _count(self, capture: Capture) -> None:
        self.report.http_statuses[str(capture.http_status)] += 1
        if capture.parse_outcome == "error" and capture.error_code:
            self.report.failures[capture.error_code] += 1

    def _run(self, site: str) -> int:
        if site not in self.runs:
            self.runs[site] = self.archive.start_run(site=site, arguments=self.arguments)
        return self.runs[site]

    # -- end ----------------------------------------------------------------------------

    def finish(self) -> ImportReport:
        """Ingest what is left, close the copy file and end every run with the report."""
        self.flush()
        if self._writer is not None:
            self._writer.close()
        if not self.runs and self.site is not None:
            self._run(self.site)  # an import that added nothing is still on record
        stats = self.report.to_stats()
        outcome = "finished" if not self.report.problems else "unreadable_input"
        for run_id in self.runs.values():
            self.archive.finish_run(run_id, stats=stats, outcome=outcome)
        return self.report


def _parse_date(value: str) -> datetime | None:
    """A WARC-Date (``2024-01-02T03:04:05Z``, with or without fractions) as aware UTC."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _looks_html(record: ScannedRecord) -> bool:
    """HTML by its Content-Type, or by its first bytes when the type says otherwise
    (servers label pages ``text/plain`` or ``application/octet-stream``; the crawl parses
    them all the same)."""
    content_type = next(
        (v.lower() for k, v in record.http_headers() if k.lower() == "content-type"), ""
    )
    if any(kind in content_type for kind in _HTML_TYPES):
        return True
    try:
        body, _ = http_body(record.raw_body[:65536], dict(record.http_headers()))
    except ValueError:
        return False
    head = body[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head


def _digest(body: bytes) -> str:
    """The WARC-Payload-Digest warcio writes (SHA-1, base32), for records that lack one."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def _validator(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    return value if value is None or len(value) <= _MAX_VALIDATOR[name] else None


def file_records(path: Path) -> Iterator[SourceRecord]:
    """The records of a local WARC or ARC file; a tear or damage raises ``WarcReadError``
    after the whole records before it."""
    absolute = path.resolve()

    def raw(offset: int, length: int) -> bytes:
        with absolute.open("rb") as stream:
            stream.seek(offset)
            return stream.read(length)

    for scanned in scan(path):
        yield SourceRecord(
            scanned,
            str(absolute),
            partial(raw, scanned.offset, scanned.length),
            f"{path} at offset {scanned.offset}",
        )

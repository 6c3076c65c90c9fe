"""Records named by a CDXJ index, fetched one by one with HTTP range requests.

The Common Crawl URL index (and ``cdxj-indexer``, and pywb) answer a query with CDXJ lines:
``urlkey timestamp {"url", "filename", "offset", "length", "status", ...}``. Each names one
gzip member of a WARC file at ``<warc-prefix>/<filename>``; a ``Range: bytes=offset-end``
request brings exactly that record, never the file. Politeness: at most ``concurrency``
requests at once, a failed request (connection error, 429, 5xx) retried with exponential
backoff. Records the archive already holds (same URL and timestamp) are skipped before any
request, so an interrupted import resumes where it stopped.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from crawler.app.warc_import import SourceRecord
from crawler.identity import USER_AGENT
from parsers.urls import canonicalize_url
from storage.warc import WarcReadError, scan_stream

#: Where Common Crawl serves its WARC files over HTTPS.
COMMON_CRAWL_PREFIX = "https://data.commoncrawl.org"
#: Index lines looked up in the archive (and then fetched) together.
_WINDOW = 64


@dataclass(frozen=True, slots=True)
class CdxEntry:
    line: int
    url: str
    timestamp: str
    filename: str
    offset: int
    length: int

    def key(self) -> tuple[str, datetime] | None:
        """The capture key the record will have, when the timestamp is a full one."""
        try:
            moment = datetime.strptime(self.timestamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
        except ValueError:
            return None
        return canonicalize_url(self.url), moment


def read_index(path: Path, problems: list[str]) -> Iterator[CdxEntry]:
    """The index's entries; a line that is not CDXJ with a record pointer is one problem."""
    try:
        lines = path.open(encoding="utf-8", errors="replace")
    except OSError as error:
        problems.append(f"{path}: cannot read: {error.strerror or error}")
        return
    with lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                _urlkey, timestamp, blob = line.strip().split(" ", 2)
                fields: dict[str, Any] = json.loads(blob)
                yield CdxEntry(
                    number,
                    str(fields["url"]),
                    timestamp,
                    str(fields["filename"]),
                    int(fields["offset"]),
                    int(fields["length"]),
                )
            except (ValueError, KeyError, TypeError) as error:
                problems.append(
                    f"{path} line {number}: not a CDXJ line with url, filename, offset and "
                    f"length ({type(error).__name__}: {error})"
                )


class RangeFetcher:
    """Fetches one record's bytes with a range request, retrying what may pass."""

    def __init__(self, prefix: str, *, retries: int = 3, backoff: float = 0.5) -> None:
        self.prefix = prefix.rstrip("/")
        self.retries = retries
        self.backoff = backoff
        self.client = httpx.Client(
            headers={"User-Agent": USER_AGENT}, timeout=60, follow_redirects=True
        )

    def url(self, entry: CdxEntry) -> str:
        return f"{self.prefix}/{entry.filename.lstrip('/')}"

    def fetch(self, entry: CdxEntry) -> bytes | str:
        """The record's bytes, or a one-line problem."""
        url = self.url(entry)
        wanted = f"bytes={entry.offset}-{entry.offset + entry.length - 1}"
        last = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                response = self.client.get(url, headers={"Range": wanted})
            except httpx.HTTPError as error:
                last = f"{type(error).__name__}: {error}"
                continue
            if response.status_code == 206 and len(response.content) == entry.length:
                return response.content
            if response.status_code == 206:
                return f"{url} {wanted}: {len(response.content)} bytes, not {entry.length}"
            last = f"HTTP {response.status_code}"
            if response.status_code == 200:
                return f"{url}: the server ignored the Range header (a whole-file answer)"
            if response.status_code != 429 and response.status_code < 500:
                break
        return f"{url} {wanted}: {last}"

    def close(self) -> None:
        self.client.close()


def cdx_records(
    entries: Iterable[CdxEntry],
    fetcher: RangeFetcher,
    *,
    known: Callable[[list[tuple[str, datetime]]], set[tuple[str, datetime]]],
    skip: Callable[[str], None],
    problems: list[str],
    concurrency: int = 4,
) -> Iterator[SourceRecord]:
    """The records the index names that the archive lacks, in index order."""
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for window in _windows(entries, _WINDOW):
            keys = {entry.line: entry.key() for entry in window}
            have = known([key for key in keys.values() if key is not None])
            wanted = []
            for entry in window:
                if keys[entry.line] in have:
                    skip("already_imported")
                else:
                    wanted.append(entry)
            for entry, fetched in zip(wanted, pool.map(fetcher.fetch, wanted), strict=True):
                if isinstance(fetched, str):
                    problems.append(f"index line {entry.line}: {fetched}")
                    continue
                yield from _records(entry, fetched, fetcher.url(entry), problems)


def _records(entry: CdxEntry, data: bytes, url: str, problems: list[str]) -> Iterator[SourceRecord]:
    where = f"{url} at offset {entry.offset}"
    try:
        for scanned in scan_stream(io.BytesIO(data), where, len(data)):
            yield SourceRecord(scanned, None, lambda: data, where)
            return  # one record per index line
    except WarcReadError as error:
        problems.append(f"index line {entry.line}: {error}")


def _windows(entries: Iterable[CdxEntry], size: int) -> Iterator[list[CdxEntry]]:
    window: list[CdxEntry] = []
    for entry in entries:
        window.append(entry)
        if len(window) >= size:
            yield window
            window = []
    if window:
        yield window

"""Read one archived HTTP response back from its WARC file, given a capture row's pointer.

A capture row stores ``(warc_file, offset, length)`` of its gzip-compressed WARC record, so a
single response can be read without scanning the file: seek, read exactly that member, and
let warcio parse it. Reading only ``length`` bytes also means a torn record after ours can
never be touched.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from storage.research.content_encoding import decode_body


class WarcReadError(Exception):
    """The pointer does not lead to a readable response record; the message says where."""


@dataclass(frozen=True, slots=True)
class ArchivedResponse:
    """One response as archived, plus the body the parser would have been given.

    ``raw_body`` is the payload as it came off the wire; ``body`` has Content-Encoding undone;
    ``headers`` are what the pipeline saw after decoding (Content-Encoding dropped or reduced
    to the encodings left undecoded), so ``parsers.parse(body, url, headers)`` matches a crawl.
    """

    url: str
    record_type: str
    status: int | None
    headers: dict[str, str]
    raw_body: bytes
    body: bytes


def read_response(
    data_dir: str | Path, warc_file: str, offset: int, length: int | None
) -> ArchivedResponse:
    """Read the record at ``offset`` in ``<data_dir>/<warc_file>``.

    ``length`` None reads until the record ends (older rows may lack it).
    """
    path = Path(data_dir) / warc_file
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
        record = next(iter(ArchiveIterator(io.BytesIO(chunk))), None)
        if record is None:
            raise WarcReadError(f"no WARC record {where}")
        url = record.rec_headers.get_header("WARC-Target-URI") or ""
        status: int | None = None
        headers: dict[str, str] = {}
        if record.http_headers is not None:
            code = record.http_headers.get_statuscode()
            status = int(code) if code and code.isdigit() else None
            headers = dict(record.http_headers.headers)
        raw = record.raw_stream.read()
    except (ArchiveLoadFailed, ValueError, EOFError, OSError) as exc:
        raise WarcReadError(f"damaged WARC record {where}: {exc}") from exc
    encoding_key = next((k for k in headers if k.lower() == "content-encoding"), None)
    try:
        body, left = decode_body(raw, headers.get(encoding_key) if encoding_key else None)
    except ValueError as exc:
        raise WarcReadError(f"{exc} ({where})") from exc
    if encoding_key:
        del headers[encoding_key]
        if left:
            headers["Content-Encoding"] = ", ".join(left)
    return ArchivedResponse(url, record.rec_type, status, headers, raw, body)

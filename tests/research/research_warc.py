"""Write real gzip WARC response records the way the crawler does, returning their pointers."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter


def append_response(
    path: Path,
    url: str,
    body: bytes,
    *,
    status: str = "200 OK",
    headers: list[tuple[str, str]] | None = None,
    gzip_body: bool = False,
) -> tuple[int, int]:
    """Append one response record to ``path``; return its (offset, length) in the file."""
    http_headers = list(headers or [("Content-Type", "text/html; charset=utf-8")])
    if gzip_body:
        body = gzip.compress(body, mtime=0)
        http_headers.append(("Content-Encoding", "gzip"))
    with path.open("ab") as fh:
        offset = fh.tell()
        writer = WARCWriter(fh, gzip=True)
        record = writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            http_headers=StatusAndHeaders(status, http_headers, protocol="HTTP/1.1"),
        )
        writer.write_record(record)
        return offset, fh.tell() - offset

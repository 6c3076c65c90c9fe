"""The archive's WARC store: the one place WARC files are written and read.

``writer`` appends the crawl's exchanges (and records copied by ``healthqa import --copy``)
to rotating gzip files; ``reader`` reads one record by its pointer for ``show``, ``reparse``
and ``fixture add --capture``, and scans whole files, the archive's own or other tools', for
``healthqa import``; ``payload`` undoes transfer and content encodings as the crawl's client
did, so every reader hands the parser the bytes a live crawl parsed.
"""

from storage.warc.payload import decode_body, http_body
from storage.warc.reader import (
    ArchivedResponse,
    ScannedRecord,
    WarcReadError,
    read_response,
    record_path,
    scan,
    scan_stream,
)
from storage.warc.writer import (
    SERVER_NOT_MODIFIED_PROFILE,
    WARC_SUBDIR,
    HttpRequestData,
    HttpResponseData,
    RotatingWarcWriter,
    WarcLocation,
    warc_date,
)

__all__ = [
    "SERVER_NOT_MODIFIED_PROFILE",
    "WARC_SUBDIR",
    "ArchivedResponse",
    "HttpRequestData",
    "HttpResponseData",
    "RotatingWarcWriter",
    "ScannedRecord",
    "WarcLocation",
    "WarcReadError",
    "decode_body",
    "http_body",
    "read_response",
    "record_path",
    "scan",
    "scan_stream",
    "warc_date",
]

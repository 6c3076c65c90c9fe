"""Stable codes for fetches that produced no HTTP response, and for given-up HTTP errors.

A capture with status 0 carries one of these, so a crawl report can count failures by reason
and a later run can find exactly the URLs that failed for, say, timeouts.
"""

from __future__ import annotations

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError

from crawler.middlewares.compression import CorruptContentEncoding, DecompressionLimit

_BY_CLASS: tuple[tuple[type[BaseException], str], ...] = (
    (DownloadTimeoutError, "timeout"),
    (CannotResolveHostError, "dns"),
    (DownloadConnectionRefusedError, "connection_refused"),
    (ResponseDataLossError, "data_loss"),
    (DownloadFailedError, "connection_failed"),
)


def exception_code(error: BaseException) -> str:
    """The stable code for a download exception (``oversize``, ``timeout``, ``dns``...)."""
    if isinstance(error, HttpError):
        return f"http_{error.response.status}"
    if isinstance(error, DecompressionLimit):
        return "decompression_limit"
    if isinstance(error, CorruptContentEncoding):
        return "bad_content_encoding"
    if type(error).__name__ == "SiteUnreachable":  # crawler.middlewares.unreachable
        return "site_unreachable"
    if isinstance(error, IgnoreRequest):
        return "robots_disallowed" if "robots.txt" in str(error) else "ignored"
    if isinstance(error, DownloadCancelledError):
        # Scrapy cancels a download exactly when it passes DOWNLOAD_MAXSIZE.
        return "oversize" if "max size" in str(error) else "cancelled"
    for cls, code in _BY_CLASS:
        if isinstance(error, cls):
            return code
    name = type(error).__name__
    lowered = name.lower()
    if "timeout" in lowered:
        return "timeout"
    if "dataloss" in lowered or "partial" in lowered:
        return "data_loss"
    if "connection" in lowered or "reset" in lowered or "responsefailed" in lowered:
        return "connection_failed"
    return "error_" + lowered

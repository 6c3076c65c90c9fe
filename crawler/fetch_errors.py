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


class DecompressionLimit(IgnoreRequest):
    """The body inflated past the size limit while undoing its Content-Encoding (a bomb)."""


class CorruptContentEncoding(IgnoreRequest):
    """The body is not valid data for the Content-Encoding it announces."""


class SiteUnreachable(IgnoreRequest):
    """Not fetched: the site was found unreachable (``UnreachableSiteMiddleware``)."""


class UrlTooLong(IgnoreRequest):
    """A URL longer than the archive stores (a redirect's Location, typically)."""


#: The crawler's own refusals, checked before ``IgnoreRequest`` in general.
_OWN: tuple[tuple[type[IgnoreRequest], str], ...] = (
    (DecompressionLimit, "decompression_limit"),
    (CorruptContentEncoding, "bad_content_encoding"),
    (SiteUnreachable, "site_unreachable"),
    (UrlTooLong, "url_too_long"),
)

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
    for own, code in _OWN:
        if isinstance(error, own):
            return code
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

"""Archive every exchange as it came off the wire, and turn it into a ``Capture``.

Runs at priority 950, above every built-in downloader middleware, so its ``process_response``
sees the body before HttpCompressionMiddleware (590) decompresses it and sees redirects and
5xx answers before RedirectMiddleware (600) and RetryMiddleware (550) consume them. Storing the
decompressed body under the original ``Content-Encoding`` header is the classic way to write
WARCs nobody can replay (turicas/crau#16).

Captures of 2xx responses the spider will read (requests marked ``meta.PARSE`` or
``meta.SEED_FILE``) are left in ``request.meta`` for the spider to complete with the parse
outcome, or with the reason it could not read them (a gzip bomb, malformed sitemap XML); every
other capture (redirects, errors, revisits, exceptions) is queued for ingest here, so nothing
the crawl saw is missing from the database.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import IgnoreRequest

from crawler import meta
from crawler.extensions.session import crawl_session
from crawler.fetch_errors import UrlTooLong, exception_code
from crawler.report import NETWORK_CODES
from crawler.session import CrawlSession
from parsers.urls import canonicalize_url
from storage.capture import Capture
from storage.warc import HttpRequestData, HttpResponseData

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Headers, Response

_UNKNOWN = object()


def payload_digest(body: bytes) -> str:
    """The WARC-Payload-Digest warcio writes for ``body`` (SHA-1, base32)."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def header_pairs(headers: Headers) -> list[tuple[str, str]]:
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in headers.items()
        for value in values
    ]


def header_value(headers: Headers, name: str) -> str | None:
    value = headers.get(name)
    return value.decode("latin-1") if value is not None else None


#: What the archive's capture columns hold. A longer validator is dropped (a cut ETag would
#: make the next conditional request lie); a longer content type is cut. The WARC record
#: keeps every header whole either way.
MAX_VALIDATOR = {"ETag": 500, "Last-Modified": 100}
MAX_CONTENT_TYPE = 200
MAX_URL = 2000


def validator(headers: Headers, name: str) -> str | None:
    value = header_value(headers, name)
    return value if value is None or len(value) <= MAX_VALIDATOR[name] else None


class WarcCaptureMiddleware:
    def __init__(self, session: CrawlSession) -> None:
        self.session = session

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCaptureMiddleware:
        return cls(crawl_session(crawler))

    def process_response(self, request: Request, response: Response) -> Response:
        request.meta.pop(meta.CAPTURE, None)
        session = self.session
        fetched_at = datetime.now(UTC)
        url = canonicalize_url(response.url)
        status = response.status
        parse = bool(request.meta.get(meta.PARSE)) and 200 <= status < 300
        seed_file = bool(request.meta.get(meta.SEED_FILE)) and 200 <= status < 300
        previous = self._previous(session, request, url, status)
        digest = payload_digest(response.body)
        exchange = (
            HttpRequestData(
                request.method, request.url, header_pairs(request.headers), request.body
            ),
            HttpResponseData(
                response.url,
                status,
                header_pairs(response.headers),
                response.body,
                response.protocol or "HTTP/1.1",
            ),
            fetched_at,
        )
        etag = validator(response.headers, "ETag")
        last_modified = validator(response.headers, "Last-Modified")
        if (
            previous is not None
            and previous.http_status in (200, 304)
            and previous.payload_digest
            and (status == 304 or (parse and previous.payload_digest == digest))
        ):
            location = session.warc.write_revisit(
                *exchange,
                payload_digest=previous.payload_digest,
                refers_to_uri=url,
                refers_to_date=previous.fetched_at,
                not_modified=status == 304,
            )
            digest, outcome, parse = previous.payload_digest, "revisit", False
            etag = etag or previous.etag
            last_modified = last_modified or previous.last_modified
        else:
            location = session.warc.write_response(*exchange)
            outcome = "ok" if parse else "not_parsed"
        capture = Capture(
            url=url,
            fetched_at=fetched_at,
            http_status=status,
            site=session.site,
            payload_digest=digest,
            warc_file=location.file,
            warc_offset=location.offset,
            warc_length=location.length,
            content_type=(header_value(response.headers, "Content-Type") or "")[:MAX_CONTENT_TYPE]
            or None,
            etag=etag,
            last_modified=last_modified,
            parse_outcome=outcome,
        )
        session.counts.inc("responses")
        if parse or seed_file:
            request.meta[meta.CAPTURE] = capture
        else:
            session.submit(None, capture)
        return response

    def process_request(self, request: Request) -> None:
        """Refuse to fetch what the archive could not store (its URL column holds 2,000
        characters): spider requests are cut by ``URLLENGTH_LIMIT``, but a redirect's
        ``Location`` is not."""
        if len(request.url) > MAX_URL and len(canonicalize_url(request.url)) > MAX_URL:
            raise UrlTooLong(f"URL of {len(request.url)} characters, over {MAX_URL}")
        return None

    def process_exception(self, request: Request, exception: Exception) -> None:
        """Record a fetch that produced no response (timeout, reset, oversize...)."""
        session = self.session
        if isinstance(exception, IgnoreRequest):
            return None  # robots.txt / offsite refusals never reached the network
        code = exception_code(exception)
        if code in NETWORK_CODES:
            session.counts.inc(f"network_failures/{code}")
        else:  # the server answered, e.g. with a body over DOWNLOAD_MAXSIZE
            session.counts.inc("responses")
        session.submit(
            None,
            Capture(
                url=canonicalize_url(request.url),
                fetched_at=datetime.now(UTC),
                http_status=0,
                site=session.site,
                parse_outcome="not_parsed",
                error_code=code,
                error_message=str(exception)[:500] or type(exception).__name__,
            ),
        )
        return None

    def _previous(self, session: CrawlSession, request: Request, url: str, status: int) -> Any:
        """The archive's last capture of ``url``, when a revisit is possible at all."""
        previous = request.meta.get(meta.PREVIOUS, _UNKNOWN)
        if previous is not _UNKNOWN:
            return previous
        if status != 304 and not (request.meta.get(meta.PARSE) and 200 <= status < 300):
            return None
        return session.last_capture(url)

"""Content-Encoding that cannot be undone is a recorded outcome, not a silent drop.

Scrapy's ``HttpCompressionMiddleware`` raises a bare ``IgnoreRequest`` when a body inflates
past ``DOWNLOAD_MAXSIZE`` (a gzip bomb) and lets ``OSError``/``zlib.error`` escape for a corrupt
stream. Either way the response is already in WARC (the capture middleware saw it first) but
the page would get no capture row. This subclass raises typed ``IgnoreRequest`` subclasses
instead, so the spider's errback can complete the capture the WARC middleware left in
``request.meta`` with ``error_code`` ``decompression_limit`` or ``bad_content_encoding``.
"""

from __future__ import annotations

import struct
import zlib
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import IgnoreRequest

from crawler.fetch_errors import CorruptContentEncoding, DecompressionLimit

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.http import Response


#: What the decoders raise on corrupt input (gzip: OSError/EOFError/struct.error; deflate:
#: zlib.error; brotli and zstd: their own errors, subclasses of Exception we cannot import
#: portably, recognised by module name below).
_CORRUPT = (OSError, EOFError, struct.error, zlib.error, ValueError)


class SafeHttpCompressionMiddleware(HttpCompressionMiddleware):
    def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        try:
            return super().process_response(request, response)
        except (DecompressionLimit, CorruptContentEncoding):
            raise
        except IgnoreRequest as error:
            raise DecompressionLimit(str(error)) from error
        except _CORRUPT as error:
            raise CorruptContentEncoding(_describe(response, error)) from error
        except Exception as error:
            if type(error).__module__.split(".")[0] in {"brotli", "brotlicffi", "zstd"}:
                raise CorruptContentEncoding(_describe(response, error)) from error
            raise


def _describe(response: Response, error: BaseException) -> str:
    encoding = b",".join(response.headers.getlist("Content-Encoding")).decode("latin-1")
    return f"cannot undo Content-Encoding {encoding!r}: {type(error).__name__}: {error}"

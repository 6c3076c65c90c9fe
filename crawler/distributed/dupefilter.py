"""scrapy-redis duplicate filter keyed on our canonical URL, shared by every worker.

scrapy-redis fingerprints ``w3lib.canonicalize_url``, which keeps tracking parameters and
trailing-slash variants apart; ``parsers.urls.canonicalize_url`` is what the archive stores,
so fingerprinting it means a page is fetched once however it was linked, as in the local
``CanonicalDupeFilter``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from itertools import islice
from typing import TYPE_CHECKING

from scrapy_redis.dupefilter import RFPDupeFilter

from parsers.urls import canonicalize_url

if TYPE_CHECKING:
    from scrapy import Request

_PRELOAD_CHUNK = 5000


def url_fingerprint(url: str) -> str:
    return hashlib.sha1(url.encode("utf-8")).hexdigest()


class CanonicalRedisDupeFilter(RFPDupeFilter):
    def request_fingerprint(self, request: Request) -> str:
        return url_fingerprint(canonicalize_url(request.url))

    def request_seen(self, request: Request) -> bool:
        if not super().request_seen(request):
            return False
        # A redirect chain back to where it started must be followed to its end (see
        # crawler.dupefilter); REDIRECT_MAX_TIMES bounds loops.
        url = canonicalize_url(request.url)
        return url not in {canonicalize_url(u) for u in request.meta.get("redirect_urls", ())}

    def preload(self, urls: Iterable[str]) -> int:
        """Count canonical ``urls`` as seen (pages not yet due on an incremental crawl)."""
        added = 0
        iterator = iter(urls)
        while chunk := list(islice(iterator, _PRELOAD_CHUNK)):
            added += self.server.sadd(self.key, *(url_fingerprint(u) for u in chunk))
        return added

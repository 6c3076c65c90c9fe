"""A set of canonical URLs that stays small on a million-page crawl.

Scrapy's default filter keeps a 20-byte fingerprint object per request in a Python set, about
100 bytes each once set overhead is counted, and it only grows (scrapy/scrapy#5307). Nearly
every URL this crawler sees is a question page that ends in its integer id (the site's URL
shape, from its package: ``parsers.sites``), so those are kept as one bit per id in a bitmap
per prefix; anything else (FAQ pages, sitemaps) as an 8-byte digest.
"""

from __future__ import annotations

import hashlib

from parsers import sites

#: Ids beyond this go to the digest set rather than growing a bitmap past 16 MB.
MAX_BITMAP_ID = 128_000_000


def _numbered(url: str) -> tuple[str, int] | None:
    """``url`` as (prefix, id) when it is a question page that ends in its id, else ``None``."""
    found = sites.question_id(url)
    if found is None or not (found.isascii() and found.isdigit()) or not url.endswith(found):
        return None
    number = int(found)
    return (url[: -len(found)], number) if number <= MAX_BITMAP_ID else None


class SeenUrls:
    def __init__(self) -> None:
        self._bitmaps: dict[str, bytearray] = {}
        self._digests: set[bytes] = set()

    def add(self, url: str) -> bool:
        """Mark ``url`` (already canonical) as seen; True if it was not seen before."""
        numbered = _numbered(url)
        if numbered is not None:
            prefix, number = numbered
            bitmap = self._bitmaps.setdefault(prefix, bytearray())
            index, bit = divmod(number, 8)
            if index >= len(bitmap):
                bitmap.extend(bytes(index - len(bitmap) + 1 + len(bitmap) // 2))
            if bitmap[index] & (1 << bit):
                return False
            bitmap[index] |= 1 << bit
            return True
        digest = hashlib.blake2b(url.encode("utf-8"), digest_size=8).digest()
        if digest in self._digests:
            return False
        self._digests.add(digest)
        return True

    def __contains__(self, url: str) -> bool:
        numbered = _numbered(url)
        if numbered is not None:
            prefix, number = numbered
            bitmap = self._bitmaps.get(prefix)
            index, bit = divmod(number, 8)
            return bitmap is not None and index < len(bitmap) and bool(bitmap[index] & (1 << bit))
        return hashlib.blake2b(url.encode("utf-8"), digest_size=8).digest() in self._digests

    def memory_bytes(self) -> int:
        """Rough footprint, for the benchmark: bitmap bytes plus ~70 bytes per digest."""
        return sum(len(b) for b in self._bitmaps.values()) + 70 * len(self._digests)

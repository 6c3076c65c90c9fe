"""Parse functions for crawl tests, run by the crawl's parse workers via ``PARSE_FUNCTION``.

They make a page as slow as a test needs, whatever the real parser's speed: markers in the
page body say what to do, every other page goes to ``parsers.parse`` unchanged.

* ``<!-- healthqa-test: spin -->``: loop forever (only the parse budget can stop it);
* ``<!-- healthqa-test: wait-for FLAG then-parse FILE -->``: wait until the file FLAG exists,
  then parse the page saved in FILE instead (a parse that cannot finish before some event).
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from pathlib import Path

import parsers
from parsers.errors import ExtractionFailed
from parsers.record import QARecord

SPIN = b"<!-- healthqa-test: spin -->"
_WAIT = re.compile(rb"<!-- healthqa-test: wait-for (\S+) then-parse (\S+) -->")
WAIT_LIMIT_SECONDS = 120.0


def wait_marker(flag: Path, page: Path) -> bytes:
    return f"<!-- healthqa-test: wait-for {flag} then-parse {page} -->".encode()


def parse(
    body: bytes, url: str, headers: Mapping[str, str] | None = None, *, site: str | None = None
) -> QARecord:
    head = body[:4096]
    if SPIN in head:
        while True:
            pass
    wait = _WAIT.search(head)
    if wait is not None:
        flag, page = Path(wait[1].decode()), Path(wait[2].decode())
        deadline = time.monotonic() + WAIT_LIMIT_SECONDS
        while not flag.exists():
            if time.monotonic() > deadline:
                raise ExtractionFailed("the event this page waits for never came", url=url)
            time.sleep(0.02)
        body = page.read_bytes()
    return parsers.parse(body, url, headers, site=site)

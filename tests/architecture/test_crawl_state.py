"""The crawl's state lives in Scrapy's own places, not on the spider.

The archive session (``crawler.extensions.session``) and a shared crawl's Redis handle
(``crawler.distributed.extension``) are extensions that components receive from the crawler; a
lookup on the spider (``spider.session``, ``spider.coordination``...) would bring back the hidden
dependency on whichever spider happens to be running (and a silent ``None`` when it is another
one). The spider's own arguments (``spider.plan``, ``spider.site``) are not crawl state.
"""

from __future__ import annotations

import re
from pathlib import Path

CRAWLER = Path(__file__).resolve().parents[2] / "crawler"
#: What a crawl holds (the session and its parts, the shared crawl's handle) rather than
#: what the spider was asked to do.
CRAWL_STATE = (
    "session",
    "coordination",
    "archive",
    "warc",
    "parser",
    "counts",
    "run_id",
    "known",
    "server",
    "keys",
    "crawl_id",
)
_NAMES = "|".join(CRAWL_STATE)
#: ``spider.session``, ``crawler.spider.coordination``, ``getattr(spider, "session", ...)``.
LOOKUP = re.compile(rf"spider\.(?:{_NAMES})\b|getattr\([^)]*spider[^)]*[\"'](?:{_NAMES})[\"']")


def test_no_component_looks_the_crawl_state_up_on_the_spider() -> None:
    offenders = [
        f"{path.relative_to(CRAWLER.parent)}:{number}: {line.strip()}"
        for path in sorted(CRAWLER.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if LOOKUP.search(line)
    ]
    assert offenders == []


def test_the_lookup_pattern_catches_the_old_spellings() -> None:
    for spelling in (
        'getattr(self.crawler.spider, "session", None)',
        "spider.session.run_id",
        "self.crawler.spider.session",
        "self.seeded_key: str = spider.coordination.keys.seeded",
        "coordination = self.spider.coordination",
        'getattr(spider, "coordination", None)',
        "spider.archive.last_capture(url)",
    ):
        assert LOOKUP.search(spelling), spelling
    for allowed in (
        "crawl_session(self.crawler)",
        "shared_crawl(crawler)",
        "spider.plan.row()",
        "spider.page_request(url)",
        "spider.sessions_seen",
    ):
        assert not LOOKUP.search(allowed), allowed

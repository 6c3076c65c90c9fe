"""The crawl's state lives in Scrapy's own places, not on the spider.

The archive session is an extension (``crawler.extensions.session``) that components receive in
their ``from_crawler``; a ``spider.session`` lookup would bring back the hidden dependency on
whichever spider happens to be running (and a silent ``None`` when it is another one).
"""

from __future__ import annotations

import re
from pathlib import Path

CRAWLER = Path(__file__).resolve().parents[2] / "crawler"
#: ``spider.session``, ``crawler.spider.session``, ``getattr(spider, "session", ...)``.
LOOKUP = re.compile(r"spider\.session\b|getattr\([^)]*spider[^)]*[\"']session[\"']")


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
    ):
        assert LOOKUP.search(spelling), spelling
    assert not LOOKUP.search("crawl_session(self.crawler)")

"""The 台灣e院 spider: question ids counted down from the latest, one request at a time.

Questions are ``ShowDetail.php?q_no=<n>`` with integer ids and no sitemap; the home page
``Index1.php`` links the newest question. ``--latest N`` reads that id and fetches the N
questions below it; ``--ids A-B`` a range; ``--incremental`` what is due plus new ids above the
highest archived one (``crawler.spiders.base``). Naming no seed means the 100 newest. The site
is a government server: one request at a time unless politeness is switched off for a local
test.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any, ClassVar

import scrapy
from scrapy.http import Response
from selectolax.lexbor import LexborHTMLParser

from crawler.plan import CrawlPlan
from crawler.spiders.base import SiteSpider
from parsers.sites.ehospital import SITE as EHOSPITAL
from parsers.sites.ehospital.urls import INDEX_PATH
from parsers.urls import canonicalize_url

#: Questions a crawl naming no seed fetches, counting down from the newest.
DEFAULT_LATEST = 100


def latest_question(body: bytes, url: str) -> int | None:
    """The newest question id ``Index1.php`` links (``#newQA a``; failing that, the highest
    ``q_no`` any link on the page names)."""
    try:
        tree = LexborHTMLParser(body)
    except (ValueError, TypeError):
        return None
    nodes = tree.css("#newQA a[href]") or tree.css("a[href]")
    ids = []
    for node in nodes:
        try:
            q_no = EHOSPITAL.external_id(canonicalize_url(node.attributes["href"] or "", url))
        except ValueError:
            continue
        if q_no is not None:
            ids.append(int(q_no))
    return max(ids, default=None)


class EHospitalSpider(SiteSpider):
    name = "ehospital"
    site = EHOSPITAL.name
    default_base_url = EHOSPITAL.default_base_url
    has_latest = True
    # Spider priority: the crawl's --no-politeness (command-line priority) still overrides it.
    custom_settings: ClassVar[dict[str, Any]] = {"CONCURRENT_REQUESTS_PER_DOMAIN": 1}

    @classmethod
    def default_seeds(cls, plan: CrawlPlan) -> CrawlPlan:
        return replace(plan, latest=DEFAULT_LATEST)

    def seed_files(self) -> Iterator[scrapy.Request]:
        if self.plan.latest:
            yield self.seed_file_request(self.base_url + INDEX_PATH, self.parse_index, "index")

    def parse_index(self, response: Response) -> Iterator[scrapy.Request]:
        """Seed the ``latest`` questions counting down from the one the home page links."""
        try:
            self._complete_seed_file(response.request)
            newest = latest_question(response.body, response.url)
            if newest is None:
                self.logger.error("%s links no question: nothing to seed", response.url)
                self.session.counts.seed_failed(response.url, "no_latest_question")
                return
            latest = self.plan.latest or 0
            for number in range(newest, max(newest - latest, 0), -1):
                yield self.page_request(self.article_url(number))
        finally:
            self._seed_file_done()

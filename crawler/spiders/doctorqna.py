"""The doctorqna.com spider: seeds by id range, sitemaps and ``--url``.

Everything a site needs (the plan, canonical URLs, the bounded frontier, incremental and
resumed runs, parsing, failure accounting) is ``crawler.spiders.base``'s; sitemap seeding is
``crawler.spiders.sitemap_seeds``'s. This class says how doctorqna's article ids become URLs
and that a crawl naming no seed reads the sitemaps, which list every page.
"""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import urlsplit

from crawler.plan import CrawlPlan
from crawler.spiders.sitemap_seeds import SitemapSeeding
from parsers.urls import canonicalize_url

DEFAULT_BASE_URL = "https://doctorqna.com"
ARTICLE_PATH = "/en/article/{id}"
_ARTICLE_ID = re.compile(r"/article/(\d+)$")


def article_id(url: str) -> int | None:
    match = _ARTICLE_ID.search(urlsplit(url).path)
    return int(match.group(1)) if match else None


class DoctorQnaSpider(SitemapSeeding):
    name = "doctorqna"
    site = "doctorqna"
    default_base_url = DEFAULT_BASE_URL

    @classmethod
    def default_seeds(cls, plan: CrawlPlan) -> CrawlPlan:
        """Nothing named: the sitemap lists every page."""
        return replace(plan, sitemap=True)

    def article_url(self, number: int) -> str:
        return canonicalize_url(self.base_url + ARTICLE_PATH.format(id=number))

    def article_number(self, url: str) -> int | None:
        return article_id(url)

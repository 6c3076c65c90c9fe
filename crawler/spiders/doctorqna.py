"""The doctorqna.com spider: seeds by id range, sitemaps and ``--url``.

Everything a site needs (the plan, canonical URLs, the bounded frontier, incremental and
resumed runs, parsing, failure accounting) is ``crawler.spiders.base``'s; sitemap seeding is
``crawler.spiders.sitemap_seeds``'s. This class takes doctorqna's article URLs from its site
package (``parsers.sites.doctorqna``) and says that a crawl naming no seed reads the sitemaps,
which list every page.
"""

from __future__ import annotations

from dataclasses import replace

from crawler.plan import CrawlPlan
from crawler.spiders.sitemap_seeds import SitemapSeeding
from parsers.sites.doctorqna import SITE as DOCTORQNA
from parsers.urls import canonicalize_url


class DoctorQnaSpider(SitemapSeeding):
    name = "doctorqna"
    site = DOCTORQNA.name
    default_base_url = DOCTORQNA.default_base_url

    @classmethod
    def default_seeds(cls, plan: CrawlPlan) -> CrawlPlan:
        """Nothing named: the sitemap lists every page."""
        return replace(plan, sitemap=True)

    def article_url(self, number: int) -> str:
        return DOCTORQNA.url_for(self.base_url, number)

    def article_number(self, url: str) -> int | None:
        found = DOCTORQNA.external_id(canonicalize_url(url))
        return int(found) if found is not None else None

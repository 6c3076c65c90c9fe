"""The doctorqna.com spider: seeds by id range, sitemaps and ``--url``.

Everything a site needs (the plan, canonical URLs, the bounded frontier, incremental and
resumed runs, parsing, failure accounting) is ``crawler.spiders.base``'s; sitemap seeding is
``crawler.spiders.sitemap_seeds``'s. Article URLs come from the site's package
(``parsers.sites.doctorqna``, through the base); this class says that a crawl naming no seed
reads the sitemaps, which list every page.
"""

from __future__ import annotations

from dataclasses import replace

from crawler.plan import CrawlPlan
from crawler.spiders.sitemap_seeds import SitemapSeeding
from parsers.sites.doctorqna import SITE as DOCTORQNA


class DoctorQnaSpider(SitemapSeeding):
    name = "doctorqna"
    site = DOCTORQNA.name
    default_base_url = DOCTORQNA.default_base_url

    @classmethod
    def default_seeds(cls, plan: CrawlPlan) -> CrawlPlan:
        """Nothing named: the sitemap lists every page."""
        return replace(plan, sitemap=True)

"""The 台灣e院 spider: question ids counted down from the latest, one request at a time.

Questions are ``ShowDetail.php?q_no=<n>`` with integer ids and no sitemap; the home page
``Index1.php`` links the newest question. ``--latest N`` reads that id and fetches the N
questions below it; ``--ids A-B`` a range; ``--incremental`` what is due plus new ids above the
highest archived one. Everything else (archive, WARC, conditional requests, resume, reports)
is the doctorqna spider's. The site is a government server: one request at a time unless
politeness is switched off for a local test.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import scrapy
from scrapy.http import Response
from selectolax.lexbor import LexborHTMLParser

from crawler import meta
from crawler.spiders.doctorqna import DoctorQnaSpider
from parsers.sites.ehospital import parse as ehospital
from parsers.urls import canonicalize_url


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
            q_no = ehospital.external_id(canonicalize_url(node.attributes["href"] or "", url))
        except ValueError:
            continue
        if q_no is not None:
            ids.append(int(q_no))
    return max(ids, default=None)


class EHospitalSpider(DoctorQnaSpider):
    name = "ehospital"
    site = ehospital.SITE
    default_base_url = ehospital.DEFAULT_BASE_URL
    # Spider priority: the crawl's --no-politeness (command-line priority) still overrides it.
    custom_settings: ClassVar[dict[str, Any]] = {"CONCURRENT_REQUESTS_PER_DOMAIN": 1}

    def __init__(self, *, latest: int | str | None = None, **kwargs: Any) -> None:
        self.latest = int(latest) if latest not in (None, "") else None
        super().__init__(**kwargs)
        self.use_sitemap = False  # the site has none

    def seed_by_default(self) -> None:
        """No ids and no --incremental: the 100 newest questions unless --latest says."""
        self.latest = self.latest or 100

    def arguments(self) -> dict[str, Any]:
        return {**super().arguments(), "latest": self.latest}

    def article_url(self, number: int) -> str:
        return ehospital.question_url(self.base_url, number)

    def article_number(self, url: str) -> int | None:
        q_no = ehospital.external_id(url)
        return int(q_no) if q_no is not None else None

    def _seeds(self) -> Iterator[scrapy.Request]:
        if self.latest:
            self._seed_files_in_flight += 1
            yield scrapy.Request(
                canonicalize_url(self.base_url + ehospital.INDEX_PATH),
                callback=self.parse_index,
                errback=self.on_error,
                dont_filter=True,
                meta={meta.SEED_FILE: "index"},
            )
        yield from super()._seeds()

    def parse_index(self, response: Response) -> Iterator[scrapy.Request]:
        """Seed the ``latest`` questions counting down from the one the home page links."""
        try:
            self._complete_seed_file(response.request)
            newest = latest_question(response.body, response.url)
            if newest is None:
                self.logger.error("%s links no question: nothing to seed", response.url)
                self.session.counts.seed_failed(response.url, "no_latest_question")
                return
            assert self.latest is not None
            for number in range(newest, max(newest - self.latest, 0), -1):
                yield self.page_request(self.article_url(number))
        finally:
            self._seed_file_done()

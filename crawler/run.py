"""Run one crawl in this process (Scrapy's CrawlerProcess) and return its report.

Shared by ``healthqa crawl`` and ``healthqa demo`` so both build settings the same way. A
process can run only one crawl: the Twisted reactor cannot be restarted. Ingest and parsing run
in child interpreters of their own (``parsers.child``), which import only their own modules.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader
from twisted.python.failure import Failure

from crawler import settings as crawl_settings
from crawler.distributed.options import DistributedOptions
from crawler.extensions.session import close_when_done, crawl_session
from crawler.plan import CrawlPlan
from crawler.spiders.base import SiteSpider


def _site_spiders() -> dict[str, type[SiteSpider]]:
    """Every spider of ``SPIDER_MODULES``, found by Scrapy's own spider loader as ``scrapy
    crawl`` finds them, so no list of sites is kept here (``parsers.sites`` is that list)."""
    loader = SpiderLoader.from_settings(Settings({"SPIDER_MODULES": crawl_settings.SPIDER_MODULES}))
    return {name: loader.load(name) for name in sorted(loader.list())}


#: Sites the crawler knows, by the name ``healthqa crawl`` takes.
SPIDERS: dict[str, type[SiteSpider]] = _site_spiders()


class CrawlFailed(Exception):
    """The crawl could not start or ended without a report; the message says why."""


@dataclass(frozen=True)
class CrawlOptions:
    """How one crawl runs in this process; what it crawls is its ``plan``."""

    plan: CrawlPlan
    db_url: str | None = None
    data_dir: Path = Path("data")
    base_url: str | None = None
    polite: bool = True
    log_level: str = "INFO"
    overrides: dict[str, Any] = field(default_factory=dict)
    #: Set for a worker (or seeder) of a shared crawl (``--redis``).
    distributed: DistributedOptions | None = None

    @property
    def lock_name(self) -> str:
        """The run lock: one per site, or per worker of a shared crawl."""
        if self.distributed is not None:
            return self.distributed.lock_name(self.plan.site)
        return f"crawl-{self.plan.site}"


def project_settings() -> Settings:
    """The project's settings (``crawler.settings``) before a run's overrides."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    return settings


def build_settings(options: CrawlOptions) -> Settings:
    settings = project_settings()
    if not options.polite:
        settings.setdict(settings.getdict("NO_POLITENESS"), priority="cmdline")
    settings.setdict(
        {
            "HEALTHQA_DB_URL": options.db_url,
            "HEALTHQA_DATA_DIR": str(options.data_dir),
            "LOG_LEVEL": options.log_level,
        },
        priority="cmdline",
    )
    if options.distributed is not None:
        options.distributed.apply(settings, options.plan.site)
    settings.setdict(options.overrides, priority="cmdline")
    return settings


class _NoNetworkTracebacks(logging.Filter):
    """Scrapy's robots.txt middleware logs a failed robots.txt download with its traceback.

    For a network failure (refused, DNS, timeout) the one-line message says everything and the
    failure is counted in the report; the traceback only buries it. Kept at DEBUG level.
    """

    def __init__(self, log_level: str) -> None:
        super().__init__()
        self.keep = log_level.upper() == "DEBUG"

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and not self.keep:
            from scrapy import exceptions as scrapy_errors

            network = (
                scrapy_errors.CannotResolveHostError,
                scrapy_errors.DownloadConnectionRefusedError,
                scrapy_errors.DownloadFailedError,
                scrapy_errors.DownloadTimeoutError,
                scrapy_errors.ResponseDataLossError,
            )
            if isinstance(record.exc_info[1], network):
                record.exc_info = None
                record.exc_text = None
        return True


def run_crawl(options: CrawlOptions) -> dict[str, Any]:
    """Crawl until done; the stats the run stored (and the CLI prints)."""
    try:
        spider_class = SPIDERS[options.plan.site]
    except KeyError:
        raise CrawlFailed(
            f"unknown site {options.plan.site!r}; known sites: {', '.join(sorted(SPIDERS))}"
        ) from None
    logging.getLogger("scrapy.downloadermiddlewares.robotstxt").addFilter(
        _NoNetworkTracebacks(options.log_level)
    )
    process = CrawlerProcess(build_settings(options))
    crawler = process.create_crawler(spider_class)
    errors: list[Failure] = []
    crawl = process.crawl(crawler, plan=options.plan)
    close_when_done(crawl, crawler)
    crawl.addErrback(errors.append)
    process.start()
    if errors:
        raise CrawlFailed(str(errors[0].value))
    stats = crawl_session(crawler).stats
    if stats is None:
        raise CrawlFailed("the crawl stopped before it could write its report; see the log")
    stats["close_reason"] = crawler.stats.get_value("finish_reason") if crawler.stats else None
    return stats

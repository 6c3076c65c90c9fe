"""``scrapy crawl`` for this project: bad ``-a`` arguments are one line and exit 2.

Scrapy's own command builds the spider inside the crawl, so a spider argument it cannot read
ends in a traceback and exit 1. This one builds the crawl plan from the ``-a`` strings first
(``crawler.plan.plan_fields``, the site's ``make_plan``), says what is wrong in one line (what,
why, what to do) with ``healthqa crawl``'s bad-usage status, and hands the spider the plan it
built, so the arguments are read once. It also closes the archive session of a crawl that
fails to start (``close_when_done``), as ``healthqa crawl`` does.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from scrapy.commands.crawl import Command as ScrapyCrawl

from crawler.extensions.session import close_when_done
from crawler.spiders.base import SiteSpider

if TYPE_CHECKING:
    import argparse

#: ``scrapy crawl`` with arguments it cannot read (as ``healthqa crawl``'s bad usage).
EXIT_USAGE = 2


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            super().run(args, opts)  # Scrapy's own usage errors
            return
        assert self.crawler_process
        crawler = self._create_crawler(args[0])
        spider_class = crawler.spidercls
        if issubclass(spider_class, SiteSpider) and "plan" not in opts.spargs:
            try:
                opts.spargs = {"plan": spider_class.from_arguments(opts.spargs)}
            except ValueError as error:
                print(
                    f"scrapy crawl {args[0]}: {error}; fix the -a argument "
                    f"(docs/crawler.md lists every -a name=value)",
                    file=sys.stderr,
                )
                self.exitcode = EXIT_USAGE
                return
        close_when_done(self.crawler_process.crawl(crawler, **opts.spargs), crawler)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1

"""The ``--seed-only`` summary and ``--reconcile`` of ``healthqa crawl --redis ...``.

Kept apart from ``crawler.cli.crawl`` so the crawl command only parses flags and dispatches.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crawler.distributed.context import Coordination
from crawler.distributed.coordinator import busy_workers
from crawler.distributed.keys import queued
from crawler.distributed.reconcile import reconcile
from storage import Archive
from storage.runlock import EXIT_LOCKED

if TYPE_CHECKING:
    from rich.console import Console

    from crawler.run import CrawlOptions
    from crawler.spiders.base import SiteSpider


def report_seeding(options: CrawlOptions, console: Console) -> None:
    assert options.distributed is not None
    coordination = Coordination.open(options.distributed, options.plan.site)
    server, keys = coordination.server, coordination.keys
    console.print(
        f"Crawl {coordination.crawl_id}: {queued(server, keys)} requests queued in "
        f"{keys.requests}, {server.scard(keys.seeded)} pages seeded so far. "
        f"Start workers with the same --redis and --redis-prefix."
    )


def reconcile_now(options: CrawlOptions, spider_class: type[SiteSpider], console: Console) -> int:
    """Re-queue what the crawl queued but never captured; the process exit code."""
    assert options.distributed is not None
    coordination = Coordination.open(options.distributed, options.plan.site)
    busy = busy_workers(coordination)
    if busy:
        console.print(
            f"[yellow]workers still busy: {', '.join(sorted(busy))}. Their in-flight pages "
            f"would look missing; the last worker reconciles by itself when the queue drains. "
            f"Retry once they have stopped.[/yellow]"
        )
        return EXIT_LOCKED
    spider = spider_class(plan=options.plan)
    with Archive.open(options.db_url, data_dir=options.data_dir) as archive:
        result = reconcile(
            coordination.server,
            coordination.keys,
            archive,
            spider,
            max_rounds=options.distributed.max_reconcile_rounds,
            holder=f"cli:{options.distributed.worker_id}",
        )
    if result is None:
        console.print("[yellow]Another reconcile is running; retry once it is done.[/yellow]")
        return EXIT_LOCKED
    if result.requeued:
        console.print(
            f"Re-queued {result.requeued} pages that were queued but never captured "
            f"(round {result.round}); start a worker to fetch them."
        )
    elif result.gave_up:
        console.print(
            f"[red]{len(result.missing)} pages still have no capture after "
            f"{options.distributed.max_reconcile_rounds} rounds; gave up.[/red]"
        )
        return 1
    else:
        console.print(f"Crawl {coordination.crawl_id}: every queued page has a capture.")
    return 0

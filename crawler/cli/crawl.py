"""``healthqa crawl`` (``healthqa demo`` lives in ``crawler.cli.demo`` and reuses it).

Exit codes: 0 done; 1 the crawl could not run (message says why); 2 bad options (checked
before anything starts); ``EXIT_COVERAGE`` (3) core-field coverage below threshold or too many
parsed pages with parser warnings, i.e. the site's layout probably changed;
``EXIT_NOTHING_FETCHED`` (4) the site did not answer or no page came back;
``EXIT_SEEDS_UNREADABLE`` (5) robots.txt or a sitemap could not be read; ``EXIT_LOCKED`` (75)
another crawl of the same site holds the archive's run lock.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from crawler.cli.console import Console
from crawler.distributed.commands import reconcile_now, report_seeding
from crawler.distributed.options import (
    DistributedOptions,
    Mode,
    check_prefix,
    check_worker_id,
    default_worker_id,
)
from crawler.plan import parse_id_range
from crawler.report import (
    DEFAULT_MAX_WARNING_SHARE,
    EXIT_COVERAGE,
    CoverageThresholds,
    outcome_verdict,
    render_report,
)
from crawler.run import SPIDERS, CrawlFailed, CrawlOptions, project_settings, run_crawl
from crawler.session import ENDED_REASONS
from storage.engine import default_url
from storage.runlock import EXIT_LOCKED, RunLock, RunLocked


def _parse_overrides(pairs: tuple[str, ...]) -> dict[str, Any]:
    """``--set NAME=VALUE`` pairs; a value must fit the type of the setting it replaces."""
    defaults = project_settings()
    overrides: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{pair!r} must be NAME=VALUE", param_hint="--set")
        current = defaults.get(name)
        try:
            if isinstance(current, bool):
                defaults.set("_CHECK", value)
                defaults.getbool("_CHECK")
            elif isinstance(current, int):
                int(value)
            elif isinstance(current, float):
                float(value)
        except ValueError:
            kind = type(current).__name__
            raise click.BadParameter(
                f"{name} takes a {kind} (it is {current!r} now), not {value!r}",
                param_hint="--set",
            ) from None
        overrides[name] = value
    return overrides


def _check_http_url(value: str, option: str, *, relative_ok: bool = False) -> str:
    """Refuse, before anything starts, a URL the crawl could never fetch."""
    try:
        parts = urlsplit(value.strip())
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError as error:
        raise click.BadParameter(
            f"{value!r} is not a valid URL ({error})", param_hint=option
        ) from None
    if relative_ok and not parts.scheme and not parts.netloc and parts.path:
        return value
    if parts.scheme not in ("http", "https") or not parts.hostname:
        example = "a path on --base-url or " if relative_ok else ""
        raise click.BadParameter(
            f"{value!r} is not an http(s) URL; give e.g. {example}https://example.org",
            param_hint=option,
        )
    if len(value) > 2000:
        raise click.BadParameter(f"URL longer than 2000 characters: {value[:60]}...")
    return value


def crawl_and_report(
    options: CrawlOptions, thresholds: CoverageThresholds, console: Console
) -> dict[str, Any]:
    """Run the crawl under the archive's run lock, print the report, exit on failure."""
    db_url = options.db_url or default_url(options.data_dir)
    try:
        with RunLock(db_url, options.lock_name) as lock:
            if lock.stale_holder is not None:
                console.print(
                    f"[yellow]Took over the run lock left by a run that died "
                    f"({lock.stale_holder.describe()}).[/yellow]"
                )
            stats = run_crawl(options)
    except RunLocked as error:
        console.print(f"[yellow]{error}[/yellow]", soft_wrap=True)
        sys.exit(EXIT_LOCKED)
    except CrawlFailed as error:
        console.print(f"[red]crawl failed:[/red] {error}", soft_wrap=True)
        sys.exit(1)
    seeding = options.distributed is not None and options.distributed.mode is Mode.SEED
    if not seeding:  # a seeding run fetches nothing: its report would be all zeros
        render_report(stats, console)
    if stats.get("close_reason") not in ENDED_REASONS:
        console.print(
            f"[yellow]The crawl stopped early ({stats.get('close_reason')}); the run stays "
            f"unfinished: continue it with --resume.[/yellow]"
        )
    if options.distributed is None and stats.get("close_reason") in ENDED_REASONS:
        verdict = outcome_verdict(stats, incremental=options.plan.incremental)
        if verdict is not None:
            console.print(f"[red]crawl failed:[/red] {verdict.message}", soft_wrap=True)
            sys.exit(verdict.exit_code)
    problems = thresholds.violations(stats)
    if problems:
        console.print(
            "[red]Field coverage below threshold or too many parser warnings "
            "(has the page layout changed?):[/red]"
        )
        for problem in problems:
            console.print(f"  {problem}")
        sys.exit(EXIT_COVERAGE)
    return stats


@click.command("crawl")
@click.argument("site", type=click.Choice(sorted(SPIDERS)))
@click.option("--ids", help="Inclusive id range to fetch, e.g. 203000-203999.")
@click.option(
    "--latest",
    type=click.IntRange(min=1),
    metavar="N",
    help="ehospital: the N newest questions, counting down from the one Index1.php links.",
)
@click.option("--sitemap", is_flag=True, help="Seed from robots.txt's sitemaps.")
@click.option("--url", "urls", multiple=True, help="Seed URL (repeatable).")
@click.option(
    "--follow-depth",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Follow Similar Q&A / Related FAQ links this many hops from the seeds.",
)
@click.option(
    "--incremental",
    is_flag=True,
    help="Fetch only pages that are due (and new ids above the highest known).",
)
@click.option("--refresh-days", type=float, default=30, show_default=True)
@click.option(
    "--unanswered-days",
    type=float,
    default=2,
    show_default=True,
    help="Recheck unanswered questions this often.",
)
@click.option(
    "--discover-misses",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="Stop probing new ids after this many consecutive misses.",
)
@click.option("--resume", is_flag=True, help="Continue the site's unfinished (killed) run.")
@click.option(
    "--db",
    "db_url",
    envvar="HEALTHQA_DB",
    help="SQLAlchemy URL (default: SQLite in the data dir). Env: HEALTHQA_DB.",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data"),
    show_default=True,
)
@click.option("--base-url", help="Crawl this origin instead (e.g. the demo site).")
@click.option("--no-politeness", is_flag=True, help="No delays/throttling: local tests only.")
@click.option(
    "--min-coverage",
    multiple=True,
    metavar="FIELD=SHARE",
    help="Override a coverage threshold, e.g. answers=0.3 (repeatable).",
)
@click.option("--min-coverage-pages", type=int, default=10, show_default=True)
@click.option(
    "--max-warning-share",
    type=click.FloatRange(0, 1),
    default=DEFAULT_MAX_WARNING_SHARE,
    show_default=True,
    metavar="SHARE",
    help="Exit 3 when more than this share of parsed pages carry parser warnings.",
)
@click.option("--set", "settings", multiple=True, metavar="NAME=VALUE", help="Scrapy setting.")
@click.option("--log-level", default="INFO", show_default=True)
@click.option(
    "--redis",
    "redis_url",
    metavar="redis://HOST:PORT/DB",
    help="Share one frontier in Redis with other workers (distributed crawl).",
)
@click.option(
    "--redis-prefix",
    default="healthqa",
    show_default=True,
    help="Key prefix in Redis; workers of one crawl use the same.",
)
@click.option("--worker-id", help="Name in this worker's WARC files (default: HOST_PID).")
@click.option("--seed-only", is_flag=True, help="With --redis: queue the seeds and exit.")
@click.option(
    "--reconcile",
    is_flag=True,
    help="With --redis: re-queue pages queued but never captured (after a worker died).",
)
@click.option(
    "--idle-seconds",
    type=click.FloatRange(min=0),
    default=30,
    show_default=True,
    help="With --redis: leave once the shared queue has been empty this long.",
)
@click.option(
    "--stale-seconds",
    type=click.FloatRange(min=1),
    default=30,
    show_default=True,
    help="With --redis: a worker silent this long is taken for dead and reconciled.",
)
def crawl_command(
    site: str,
    ids: str | None,
    latest: int | None,
    sitemap: bool,
    urls: tuple[str, ...],
    follow_depth: int,
    incremental: bool,
    refresh_days: float,
    unanswered_days: float,
    discover_misses: int,
    resume: bool,
    db_url: str | None,
    data_dir: Path,
    base_url: str | None,
    no_politeness: bool,
    min_coverage: tuple[str, ...],
    min_coverage_pages: int,
    max_warning_share: float,
    settings: tuple[str, ...],
    log_level: str,
    redis_url: str | None,
    redis_prefix: str,
    worker_id: str | None,
    seed_only: bool,
    reconcile: bool,
    idle_seconds: float,
    stale_seconds: float,
) -> None:
    """Crawl SITE into the archive (SQLite + WARC in --data-dir, or --db)."""
    try:
        thresholds = CoverageThresholds.parse(min_coverage, min_coverage_pages, max_warning_share)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--min-coverage") from None
    try:
        id_range = parse_id_range(ids) if ids else None
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--ids") from None
    if latest is not None and not SPIDERS[site].has_latest:
        raise click.BadParameter(
            f"{site} has no page naming its newest question; use --ids or --sitemap",
            param_hint="--latest",
        )
    if sitemap and not SPIDERS[site].has_sitemap:
        raise click.BadParameter(
            f"{site} publishes no sitemap; use --ids, --latest or --incremental",
            param_hint="--sitemap",
        )
    if base_url is not None:
        _check_http_url(base_url, "--base-url")
    for url in urls:
        _check_http_url(url, "--url", relative_ok=True)
    plan = SPIDERS[site].make_plan(
        base_url=base_url,
        ids=id_range,
        latest=latest,
        sitemap=sitemap,
        urls=urls,
        follow_depth=follow_depth,
        incremental=incremental,
        resume=resume,
        refresh_days=refresh_days,
        unanswered_days=unanswered_days,
        discover_misses=discover_misses,
    )
    options = CrawlOptions(
        plan=plan,
        db_url=db_url,
        data_dir=data_dir,
        polite=not no_politeness,
        log_level=log_level,
        overrides=_parse_overrides(settings),
        distributed=_distributed_options(
            redis_url,
            redis_prefix,
            worker_id,
            seed_only=seed_only,
            reconcile=reconcile,
            resume=resume,
            incremental=incremental,
            has_seeds=bool(ids or latest or sitemap or urls),
            idle_seconds=idle_seconds,
            stale_seconds=stale_seconds,
        ),
    )
    console = Console()
    if reconcile:
        sys.exit(reconcile_now(options, SPIDERS[site], console))
    crawl_and_report(options, thresholds, console)
    if seed_only:
        report_seeding(options, console)


def _distributed_options(
    redis_url: str | None,
    prefix: str,
    worker_id: str | None,
    *,
    seed_only: bool,
    reconcile: bool,
    resume: bool,
    incremental: bool,
    has_seeds: bool,
    idle_seconds: float,
    stale_seconds: float,
) -> DistributedOptions | None:
    if redis_url is None:
        for flag, given in (("--seed-only", seed_only), ("--reconcile", reconcile)):
            if given:
                raise click.UsageError(f"{flag} needs --redis (it acts on the shared queue)")
        return None
    if seed_only and reconcile:
        raise click.UsageError("--seed-only and --reconcile are separate steps; give one")
    if resume:
        raise click.UsageError(
            "--resume does not apply with --redis: the queue persists in Redis, so start "
            "workers again and they continue it"
        )
    if seed_only and not (has_seeds or incremental):
        raise click.UsageError("--seed-only needs seeds: --ids, --sitemap, --url or --incremental")
    try:
        return DistributedOptions(
            redis_url=redis_url,
            worker_id=check_worker_id(worker_id) if worker_id else default_worker_id(),
            prefix=check_prefix(prefix),
            mode=Mode.SEED if seed_only else Mode.WORK,
            has_seeds=has_seeds,
            idle_seconds=idle_seconds,
            stale_seconds=stale_seconds,
        )
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


commands: list[click.Command] = [crawl_command]

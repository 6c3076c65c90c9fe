"""``healthqa demo``: the quick start. Serve the offline demo site, crawl it into the data
directory, report, show a sample search and what to run next.

A demo page's URL holds the site's port, so the port is part of what the archive stores.
The demo therefore always serves on the port its archive already uses (8470 for a new one):
a second run re-visits the same pages (revisits, "nothing changed") instead of archiving a
copy of every page under new URLs. When that port is busy a new archive takes a free one;
an existing archive refuses, because any other port would duplicate it.
"""

from __future__ import annotations

import io
import sys
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import click
from rich.text import Text
from sqlalchemy import func, select

from crawler.cli.console import Console
from crawler.cli.crawl import crawl_and_report
from crawler.cli.demo_site import MAX_DEMO_PAGES
from crawler.report import CoverageThresholds
from crawler.run import SPIDERS, CrawlOptions
from demo_site.config import DemoSiteConfig
from demo_site.server import DemoServer, serve_demo_site
from storage import Archive, ArchiveNotFound, SearchHit
from storage.engine import default_url
from storage.models import CrawlRun, Page
from storage.timeutil import from_db

DEFAULT_PORT = 8470
HOST = "127.0.0.1"


def _sample_term(text: str | None) -> str:
    """A word from a page the demo served, so the sample search is sure to find something."""
    words = sorted((w.strip(".,?!:;()") for w in (text or "").split()), key=len, reverse=True)
    return words[0] if words else "pain"


def archived_demo(data_dir: Path) -> tuple[int | None, datetime | None]:
    """The port of the demo pages already archived in ``data_dir`` and when its last crawl
    finished; ``(None, None)`` for a new archive. Creates nothing."""
    try:
        archive = Archive.open_existing(None, data_dir=data_dir)
    except ArchiveNotFound:
        return None, None
    with archive, archive.engine.connect() as conn:
        url = conn.scalar(select(Page.url).where(Page.url.like(f"http://{HOST}:%")).limit(1))
        ended = conn.scalar(select(func.max(CrawlRun.ended_at)))
    port = urlsplit(url).port if url else None
    return port, from_db(ended)


def _serve(config: DemoSiteConfig, port: int | None, archived: int | None) -> DemoServer:
    wanted = port if port is not None else archived or DEFAULT_PORT
    try:
        return serve_demo_site(config, host=HOST, port=wanted)
    except OSError as error:
        if archived is not None or port is not None:
            raise click.ClickException(
                f"port {wanted} is busy ({error.strerror}); "
                + (
                    f"the archive's demo pages live on port {archived}, and any other port "
                    f"would archive every page again under new URLs: stop what uses port "
                    f"{wanted} (another `healthqa demo`?) or pass another --data-dir"
                    if archived is not None
                    else "pass another --port"
                )
            ) from None
    console = Console(stderr=True)
    console.print(f"[yellow]Port {wanted} is busy; this new archive uses a free port.[/yellow]")
    return serve_demo_site(config, host=HOST, port=0)


@click.command("demo")
@click.option("--pages", type=click.IntRange(1, MAX_DEMO_PAGES), default=200, show_default=True)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data"),
    show_default=True,
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=None,
    help=f"Demo site port (default: the port the archive's demo pages use, else {DEFAULT_PORT}).",
)
def demo_command(pages: int, data_dir: Path, port: int | None) -> None:
    """Serve the offline demo site, crawl it into DATA_DIR, search it, say what next.

    Running it again re-visits the same pages on the same port and says what changed.
    """
    console = Console()
    archived_port, last_run = archived_demo(data_dir)
    if port is not None and archived_port is not None and port != archived_port:
        console.print(
            f"[yellow]The archive's demo pages live on port {archived_port}; port {port} "
            f"archives them again under new URLs.[/yellow]"
        )
    with _serve(DemoSiteConfig(pages=pages), port, archived_port) as server:
        console.print(f"Demo site with {pages} pages at {server.base_url}")
        options = CrawlOptions(
            plan=SPIDERS["doctorqna"].make_plan(sitemap=True, base_url=server.base_url),
            data_dir=data_dir,
            polite=False,
            log_level="WARNING",
        )
        _crawl(options, console, last_run)
        record = server.site.record(server.site.article_ids()[0])
        term = _sample_term(record.question_title if record else None)
    with Archive.open_existing(None, data_dir=data_dir) as archive:
        hits = archive.search(term, limit=5)
        total = archive.count_matches(term)
    _print_sample(console, term, hits, total)
    _print_next_steps(console, data_dir, term, hits)


def _crawl(options: CrawlOptions, console: Console, last_run: datetime | None) -> None:
    """Crawl with the usual report, or one line when a re-run found nothing new."""
    buffer = io.StringIO()
    quiet = Console(
        file=buffer,
        width=console.width,
        force_terminal=console.is_terminal,
        color_system=console.color_system,
    )
    try:
        stats = crawl_and_report(options, CoverageThresholds(), quiet)
    except BaseException:
        sys.stdout.write(buffer.getvalue())
        raise
    unchanged = last_run is not None and not any(
        stats.get(name, 0) for name in ("new", "changed", "gone", "failed")
    )
    if unchanged:
        seen = stats.get("revisit", 0) + stats.get("unchanged", 0)
        console.print(
            f"Nothing changed since the last crawl ({last_run:%Y-%m-%d %H:%M} UTC): "
            f"{seen} pages fetched again, every one as archived."
        )
    else:
        sys.stdout.write(buffer.getvalue())


def _print_sample(console: Console, term: str, hits: list[SearchHit], total: int) -> None:
    """Page id, title and full URL on lines of their own, so nothing is cut at 80 columns."""
    console.print(Text(f"Sample search for {term!r}: showing {len(hits)} of {total} hit(s)"))
    for hit in hits:
        line = Text(f"  page {hit.page_id:<5} ", style="bold")
        line.append(hit.question_title or "(no title)")
        console.print(line)
        console.print(Text(f"             {hit.url}", style="dim"), soft_wrap=True)


def _print_next_steps(console: Console, data_dir: Path, term: str, hits: list[SearchHit]) -> None:
    page = hits[0].page_id if hits else 1
    where = "" if data_dir == Path("data") else f" --data-dir {data_dir}"
    database = default_url(data_dir).removeprefix("sqlite:///")
    console.print(f"\nArchive: {database}; WARC files under {data_dir / 'warc'}")
    console.print("Next steps (first `source .venv/bin/activate`, or prefix `.venv/bin/`):")
    for command, what in (
        (f"healthqa show {page}{where}", "one page: question, replies, captures, revisions"),
        (f"healthqa search {term}{where} --limit 50", "full-text search with filters"),
        (f"healthqa values department{where}", "the departments, doctors or sites to filter"),
        (f"healthqa export --format csv --out demo.csv{where}", "a dataset with a manifest"),
        (
            f"datasette {database} --metadata datasette/metadata.json",
            "browse it in a web browser",
        ),
    ):
        console.print(Text(f"  {command}", style="bold"), soft_wrap=True)
        console.print(Text(f"      {what}", style="dim"))


commands: list[click.Command] = [demo_command]

"""``healthqa import``: WARC files of other tools into the archive, as crawl captures.

Exit codes, as for ``crawl``: 0 done; 1 the import could not run (archive or database);
2 bad options; ``EXIT_NOTHING_FETCHED`` (4) no record of a known site was found in the input;
``EXIT_SEEDS_UNREADABLE`` (5) a file could not be read to its end (torn, malformed, not
WARC), everything before the damage imported; ``EXIT_LOCKED`` (75) a crawl or import of the
same site holds the archive's run lock.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

import parsers
from crawler.app.cdx_fetch import COMMON_CRAWL_PREFIX, RangeFetcher, cdx_records, read_index
from crawler.app.warc_import import Importer, ImportReport, file_records
from crawler.cli.console import Console
from crawler.cli.errors import CommandFailed
from crawler.cli.research_options import archive_options
from crawler.report import EXIT_NOTHING_FETCHED, EXIT_SEEDS_UNREADABLE
from parsers.budget import pool_from_env
from storage import Archive
from storage.engine import default_url
from storage.ingest import STATUSES
from storage.runlock import EXIT_LOCKED, RunLock, RunLocked
from storage.warc.index import write_index


def site_names() -> list[str]:
    """The sites whose hosts the parsers know (what ``--site`` accepts)."""
    return sorted(parsers.sites.names())


@click.command("import")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--cdx",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A CDXJ index (as the Common Crawl URL index returns it): fetch each record it "
    "names with an HTTP range request and import it (always copied into the store).",
)
@click.option(
    "--warc-prefix",
    default=COMMON_CRAWL_PREFIX,
    show_default=True,
    help="With --cdx: the URL the index's WARC filenames are relative to.",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 16),
    default=4,
    show_default=True,
    help="With --cdx: range requests at once.",
)
@click.option(
    "--retries",
    type=click.IntRange(0, 10),
    default=3,
    show_default=True,
    help="With --cdx: retries of a failed request (connection error, 429, 5xx), with "
    "exponential backoff.",
)
@click.option(
    "--site",
    type=click.Choice(site_names()),
    help="Parse every HTML response with this site's parser, whatever its host "
    "(a local copy, as crawl --base-url). Default: records of known hosts only.",
)
@click.option(
    "--copy",
    is_flag=True,
    help="Copy each imported record into the archive's WARC store, so the archive no "
    "longer needs the source files.",
)
@archive_options
def import_command(
    paths: tuple[Path, ...],
    cdx: Path | None,
    warc_prefix: str,
    concurrency: int,
    retries: int,
    site: str | None,
    copy: bool,
    db_url: str | None,
    data_dir: str,
) -> None:
    """Import WARC/ARC files written by other tools (wget, Heritrix, Browsertrix...), or
    the records a CDXJ index names (Common Crawl), fetched by HTTP range requests.

    Every response of a known site becomes a capture, parsed and ingested as a crawl does
    it; a record already in the archive (same URL and WARC-Date) is skipped, so importing
    a file twice adds nothing. A damaged file is reported in one line and the records
    before the damage are kept.
    """
    if bool(paths) == bool(cdx):
        raise click.UsageError("give WARC files to import, or --cdx INDEX (not both)")
    arguments = {
        "command": "import",
        "paths": [str(path) for path in paths],
        "cdx": str(cdx) if cdx else None,
        "warc_prefix": warc_prefix if cdx else None,
        "site": site,
        "copy": copy or bool(cdx),
    }

    def feed(importer: Importer) -> None:
        if cdx is None:
            for path in paths:
                importer.add_source(file_records(path))
            return
        fetcher = RangeFetcher(warc_prefix, retries=retries)
        try:
            problems = importer.report.problems
            importer.add_source(
                cdx_records(
                    read_index(cdx, problems),
                    fetcher,
                    known=importer.known,
                    skip=importer.skip_unread,
                    problems=problems,
                    concurrency=concurrency,
                )
            )
        finally:
            fetcher.close()

    console = Console(stderr=True)
    report = _locked_import(
        db_url or default_url(data_dir),
        site,
        console,
        feed,
        data_dir=Path(data_dir),
        copy=copy,
        arguments=arguments,
    )
    render_import(Console(), report)
    sys.exit(import_exit_code(report))


def _locked_import(
    db_url: str,
    site: str | None,
    console: Console,
    feed: Callable[[Importer], None],
    *,
    data_dir: Path,
    copy: bool,
    arguments: dict[str, Any],
) -> ImportReport:
    """Run ``feed(importer)`` under the run locks of every site it may write."""
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        with ExitStack() as stack:
            for name in [site] if site else site_names():
                stack.enter_context(RunLock(db_url, f"crawl-{name}"))
            archive = stack.enter_context(Archive.open(db_url, data_dir=data_dir))
            pool = stack.enter_context(pool_from_env())
            progress = stack.enter_context(
                Progress(
                    SpinnerColumn(),
                    TextColumn("{task.description}"),
                    TimeElapsedColumn(),
                    console=console,
                    transient=True,
                )
            )
            task = progress.add_task("importing", total=None)
            importer = Importer(
                archive,
                data_dir=data_dir,
                parse=pool.parse,
                site=site,
                copy=copy,
                arguments=arguments,
                progress=lambda r: progress.update(
                    task,
                    description=f"read {r.records_read} records, imported {r.imported}",
                ),
            )
            feed(importer)
            return importer.finish()
    except RunLocked as error:
        console.print(f"[yellow]{escape(str(error))}[/yellow]", soft_wrap=True)
        sys.exit(EXIT_LOCKED)


def import_exit_code(report: ImportReport) -> int:
    if report.problems:
        return EXIT_SEEDS_UNREADABLE
    if report.imported == 0 and report.skipped["already_imported"] == 0:
        return EXIT_NOTHING_FETCHED
    return 0


def render_import(console: Console, report: ImportReport) -> None:
    """The import report: what was read, imported and skipped, then one line per problem."""
    table = Table(title="Import report", show_header=True)
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("files", str(report.files))
    table.add_row("records read", str(report.records_read))
    table.add_row("imported (captures)", str(report.imported))
    for status in STATUSES:
        if report.outcomes[status]:
            table.add_row(f"  {status}", str(report.outcomes[status]))
    for code, count in sorted(report.http_statuses.items()):
        table.add_row(f"  HTTP {code}", str(count))
    for code, count in sorted(report.failures.items()):
        table.add_row(f"  parse failure: {code}", str(count))
    for reason, count in sorted(report.skipped.items()):
        table.add_row(f"skipped: {reason}", str(count))
    console.print(table)
    for problem in report.problems:
        console.print(f"[red]unreadable:[/red] {escape(problem)}", soft_wrap=True)
    if report.imported == 0 and not report.problems and not report.skipped["already_imported"]:
        console.print(
            "[yellow]No response of a known site was found; give --site NAME to parse a "
            "local copy's pages with that site's parser.[/yellow]"
        )


@click.command("cdx")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=Path("data"),
    show_default=True,
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the index (default: <data-dir>/index.cdxj).",
)
def cdx_command(data_dir: Path, out: Path | None) -> None:
    """Write a sorted CDXJ index of the archive's own WARC files (cdxj-indexer).

    pywb and other replay tools find captures through it without scanning; filenames are
    relative to --data-dir, so `healthqa import --cdx` of another archive can use it with
    --warc-prefix pointing at where that data directory is served.
    """
    target = out or data_dir / "index.cdxj"
    try:
        lines = write_index(data_dir, target)
    except FileNotFoundError as error:
        raise CommandFailed(f"{error}: nothing to index (crawl or import --copy first)") from None
    Console().print(f"wrote {lines} index lines to {escape(str(target))}")


commands: list[click.Command] = [import_command, cdx_command]

"""``healthqa import``: WARC files of other tools into the archive, as crawl captures.

Exit codes, as for ``crawl``: 0 done; 1 the import could not run (archive or database);
2 bad options; ``EXIT_NOTHING_FETCHED`` (4) no record of a known site was found in the input;
``EXIT_SEEDS_UNREADABLE`` (5) a file could not be read to its end (torn, malformed, not
WARC), everything before the damage imported; ``EXIT_LOCKED`` (75) a crawl or import of the
same site holds the archive's run lock.
"""

from __future__ import annotations

import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

import parsers
from crawler.app.warc_import import Importer, ImportReport, file_records
from crawler.cli.console import Console
from crawler.report import EXIT_NOTHING_FETCHED, EXIT_SEEDS_UNREADABLE
from parsers.budget import pool_from_env
from storage import Archive
from storage.engine import default_url
from storage.ingest import STATUSES
from storage.runlock import EXIT_LOCKED, RunLock, RunLocked


def site_names() -> list[str]:
    """The sites whose hosts the parsers know (what ``--site`` accepts)."""
    return sorted(set(parsers.SITE_HOSTS.values()))


@click.command("import")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
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
def import_command(
    paths: tuple[Path, ...], site: str | None, copy: bool, db_url: str | None, data_dir: Path
) -> None:
    """Import WARC/ARC files written by other tools (wget, Heritrix, Browsertrix...).

    Every response of a known site becomes a capture, parsed and ingested as a crawl does
    it; a record already in the archive (same URL and WARC-Date) is skipped, so importing
    a file twice adds nothing. A damaged file is reported in one line and the records
    before the damage are kept.
    """
    if not paths:
        raise click.UsageError("give one or more WARC files to import")
    arguments = {
        "command": "import",
        "paths": [str(path) for path in paths],
        "site": site,
        "copy": copy,
    }
    console = Console(stderr=True)
    report = _locked_import(
        db_url or default_url(data_dir),
        site,
        console,
        lambda importer: [importer.add_file(path, file_records(path)) for path in paths],
        data_dir=data_dir,
        copy=copy,
        arguments=arguments,
    )
    render_import(Console(), report)
    sys.exit(import_exit_code(report))


def _locked_import(
    db_url: str,
    site: str | None,
    console: Console,
    feed: Any,
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
        console.print(f"[yellow]{escape(str(error))}[/yellow]")
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
        console.print(f"[red]unreadable:[/red] {escape(problem)}")
    if report.imported == 0 and not report.problems and not report.skipped["already_imported"]:
        console.print(
            "[yellow]No response of a known site was found; give --site NAME to parse a "
            "local copy's pages with that site's parser.[/yellow]"
        )


commands: list[click.Command] = [import_command]

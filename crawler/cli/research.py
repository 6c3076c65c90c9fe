"""Researcher commands: ``search``, ``show``, ``export``, ``reparse``, ``stats``.

Thin click wrappers: each parses options, opens the archive, calls one function in
``storage.research`` (or ``Archive.search``) and renders the result with rich or as JSON.
"""

from __future__ import annotations

import errno
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

import click
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

import parsers
import storage.search as full_text
from crawler.app.reparse import reparse as run_reparse
from crawler.cli.console import Console
from crawler.cli.errors import EXIT_USAGE, CommandFailed, quiet_broken_pipe
from crawler.cli.research_options import (
    QueryCommand,
    archive_options,
    filter_options,
    search_filters,
)
from crawler.cli.research_render import (
    render_detail,
    render_reparse,
    render_stats,
    snippet_text,
)
from storage import Archive, SearchFilters, SearchHit
from storage.research.show import page_detail
from storage.research.stats import collect_stats
from storage.values import KINDS, unknown_values, value_counts

#: Exit status for a query the user must fix (click's own usage errors use it too).
EXIT_BAD_QUERY = EXIT_USAGE


@contextmanager
def _open(db_url: str | None, data_dir: str) -> Iterator[Archive]:
    """The archive for a read-only command: refused (exit 1, nothing created) if missing."""
    archive = Archive.open_existing(db_url, data_dir=data_dir)
    try:
        yield archive
    finally:
        archive.close()


def _json_default(value: Any) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _dumps(value: Any, indent: int | None = None) -> str:
    return json.dumps(value, ensure_ascii=False, indent=indent, default=_json_default)


def _hit_text(hit: SearchHit) -> Text:
    """Title, snippet with matches (marked ``[term]`` by the search) in bold, and the URL."""
    text = Text(hit.question_title or "(no title)", style="bold")
    text.append("\n")
    text.append(snippet_text(hit.snippet))
    text.append("\n" + hit.url, style="dim")
    return text


@click.command(cls=QueryCommand)
@click.argument("query", nargs=-1, required=True)
@filter_options
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per hit, per line.")
@archive_options
def search(
    query: tuple[str, ...],
    limit: int,
    as_json: bool,
    db_url: str | None,
    data_dir: str,
    **opts: Any,
) -> None:
    """Full-text search over question titles, bodies, replies and explanations.

    QUERY is web-search style: words (all must occur), "quoted phrases", OR between
    alternatives, -word to exclude (also first: `healthqa search -child ulcer`). Best
    matches first; a query with nothing searchable left exits with status 2, and so does a
    --site/--department/--doctor the archive does not hold (the close ones are listed).
    """
    text = " ".join(query)
    filters = search_filters(opts)
    with _open(db_url, data_dir) as archive:
        _refuse_unknown_values(archive, filters)
        hits = archive.search(text, filters, limit=limit)
        total = archive.count_matches(text, filters) if len(hits) == limit else len(hits)
    shown = f"showing {len(hits)} of {total} hit(s) for {text!r}"
    if len(hits) < total:
        shown += f" (--limit {min(total, 1000)} for more)"
    if total > full_text.RANK_CANDIDATES:
        # Bounded ranking must never pass for a ranking of every match (docs/researchers.md).
        shown += f"; best-ranked among the {full_text.RANK_CANDIDATES:,} newest matches"
    if as_json:
        for hit in hits:
            click.echo(_dumps(asdict(hit)))
        click.echo(shown, err=True)
        return
    table = Table(title=shown, show_lines=True)
    for name in ("#", "page", "asked", "department", "doctor", "question / snippet"):
        table.add_column(name, overflow="fold")
    for n, hit in enumerate(hits, 1):
        table.add_row(
            str(n),
            str(hit.page_id),
            str(hit.asked_on or ""),
            escape(hit.department or ""),
            escape(hit.doctor_name or ""),
            _hit_text(hit),
        )
    Console().print(table)


def _refuse_unknown_values(archive: Archive, filters: SearchFilters) -> None:
    """A filter value no question has would select nothing: say so, with the near misses."""
    with archive.engine.connect() as conn:
        unknown = unknown_values(conn, filters)
    if unknown:
        raise CommandFailed("; ".join(u.message() for u in unknown), EXIT_BAD_QUERY)


@click.command()
@click.argument("page", metavar="ID|URL")
@click.option("--json", "as_json", is_flag=True, help="The whole page detail as JSON.")
@archive_options
def show(page: str, as_json: bool, db_url: str | None, data_dir: str) -> None:
    """One page in full: record, answers, explanation, links, captures and revisions."""
    with _open(db_url, data_dir) as archive:
        detail = page_detail(archive, page)
    if detail is None:
        raise click.ClickException(f"no archived page {page!r} (give a page id or its URL)")
    if as_json:
        click.echo(_dumps(detail.to_dict(), indent=2))
        return
    render_detail(Console(), detail)


@click.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "parquet"]), required=True)
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Output file (its manifest goes beside it), or - for standard output.",
)
@click.option(
    "--manifest",
    "manifest_out",
    type=click.Path(dir_okay=False),
    default=None,
    help="With --out -: also write the manifest to this file (default: none).",
)
@filter_options
@click.option(
    "--deidentify",
    is_flag=True,
    help="Replace asker names by pseudonymous ids and scrub e-mails, phones, id numbers, "
    "addresses, names after labels and birth dates from free text "
    "(key: $HEALTHQA_DEID_KEY or <data-dir>/deidentify.key).",
)
@click.option("--force", is_flag=True, help="Overwrite an existing output and manifest.")
@archive_options
def export(
    fmt: str,
    out: str,
    manifest_out: str | None,
    deidentify: bool,
    force: bool,
    db_url: str | None,
    data_dir: str,
    **opts: Any,
) -> None:
    """Write one row per question (answers and links nested) plus OUT.manifest.json.

    Exit status: 0 written; 1 the export could not be written (an existing OUT without
    --force, a read-only or full disk, no permission) or the key is unusable; 2 bad options
    (an empty OUT, a directory, a name too long, Parquet to a terminal, contradictory filters).
    """
    # pyarrow and matplotlib load lazily: every ``healthqa`` command imports this module.
    from storage.export import (
        ExportWriteError,
        OutputExistsError,
        OutputPathError,
        default_key_path,
        load_or_create_key,
    )
    from storage.research.export import export_questions

    to_stdout = out == "-"
    target = _export_target(out, fmt, manifest_out)
    with _open(db_url, data_dir) as archive:
        # Only once the archive is known to exist: the key may be created in --data-dir.
        filters = search_filters(opts)
        _refuse_unknown_values(archive, filters)
        try:
            key = load_or_create_key(default_key_path(Path(data_dir))) if deidentify else None
        except (OSError, ValueError) as exc:
            raise click.ClickException(f"cannot use the de-identification key: {exc}") from exc
        try:
            result = export_questions(
                archive.engine,
                fmt=fmt,
                out=target,
                manifest_out=Path(manifest_out) if manifest_out else None,
                filters=filters,
                deidentify_key=key,
                force=force,
            )
        except (OutputExistsError, ExportWriteError) as exc:
            if to_stdout and getattr(exc, "errno", None) == errno.EPIPE:
                quiet_broken_pipe()
            raise click.ClickException(str(exc)) from exc
        except OutputPathError as exc:
            raise CommandFailed(str(exc), EXIT_BAD_QUERY) from exc
    for line in result.stale.messages() if result.stale else ():
        click.echo(line, err=True)
    where = result.path or "standard output"
    click.echo(f"{result.rows} rows -> {where} (sha256 {result.sha256})", err=to_stdout)
    if result.manifest_path:
        click.echo(f"manifest -> {result.manifest_path}", err=to_stdout)


def _export_target(out: str, fmt: str, manifest_out: str | None) -> Path | BinaryIO:
    """``--out`` as a path, or standard output for ``-`` (refusing what cannot work)."""
    if not out.strip() or out.endswith(("/", os.sep)):
        raise click.UsageError(
            f"--out {out!r} names no file; give a file name such as questions.jsonl, "
            "or - for standard output"
        )
    if out != "-":
        if manifest_out is not None:
            raise click.UsageError(
                "--manifest is only for --out -; a file export's manifest is always written "
                "beside it as OUT.manifest.json"
            )
        return Path(out)
    if fmt == "parquet" and sys.stdout.isatty():
        raise click.UsageError(
            "refusing to write binary Parquet to a terminal; redirect standard output "
            "(--out - > file.parquet, or into a pipe) or give --out FILE"
        )
    return sys.stdout.buffer


def _check_version(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Any:
    if value is not None and not any(c.isdigit() for c in value):
        known = ", ".join(sorted(parsers.PARSER_VERSIONS.values()))
        raise click.BadParameter(f"{value!r} has no version number; parser versions: {known}")
    return value


@click.command()
@click.option("--site", default=None, help="Only captures of this site.")
@click.option(
    "--since-version",
    default=None,
    metavar="V",
    callback=_check_version,
    help="Only captures parsed by parser version V or later (versions compare by number).",
)
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Also re-parse non-article captures (FAQ, listing, not found) that the current "
    "parser version already judged.",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Pages parsed at once, each in its own worker process (default: the CPUs this "
    "process may use); one writer ingests them in order.",
)
@archive_options
def reparse(
    site: str | None,
    since_version: str | None,
    everything: bool,
    jobs: int | None,
    db_url: str | None,
    data_dir: str,
) -> None:
    """Re-extract archived captures from their WARC records with the current parser.

    No network access: each page's latest capture and every failed capture are read from
    the WARC files in --data-dir and ingested again; only changed content makes revisions.
    Non-article pages the current parser version already judged are skipped (see --all).
    """
    console = Console(stderr=True)
    with _open(db_url, data_dir) as archive:
        _refuse_unknown_values(archive, SearchFilters(site=site))
        if not Path(data_dir).is_dir():
            raise CommandFailed(
                f"no data directory {data_dir} (the WARC files to re-parse live there); "
                f"pass the --data-dir the archive was crawled into"
            )
    with (
        _open(db_url, data_dir) as archive,
        Progress(
            SpinnerColumn(),
            TextColumn("re-parsed {task.completed} captures"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as progress,
    ):
        task = progress.add_task("reparse", total=None)
        report = run_reparse(
            archive,
            data_dir=data_dir,
            site=site,
            since_version=since_version,
            everything=everything,
            jobs=jobs or len(os.sched_getaffinity(0)),
            progress=lambda done: progress.update(task, completed=done),
        )
    render_reparse(Console(), report)


#: The chart formats ``stats --plot`` writes, by file extension.
PLOT_FORMATS = (".png", ".svg", ".pdf")


def _check_plot_path(_ctx: click.Context, _param: click.Parameter, value: Path | None) -> Any:
    """Refuse an unwritable chart path before any work, not after the tables printed."""
    if value is None:
        return None
    if value.suffix.lower() not in PLOT_FORMATS:
        raise click.BadParameter(
            f"{str(value)!r} has no chart extension; end it in {', '.join(PLOT_FORMATS)}"
        )
    folder = value.parent
    if not folder.is_dir():
        raise click.BadParameter(f"folder {str(folder)!r} does not exist; create it first")
    if not os.access(folder, os.W_OK):
        raise click.BadParameter(f"folder {str(folder)!r} is not writable")
    return value


@click.command()
@click.option("--site", default=None, help="Only this site.")
@click.option("--top", default=10, show_default=True, type=click.IntRange(1, 10_000))
@click.option(
    "--plot",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    callback=_check_plot_path,
    help="Also draw the figures into this file (.png, .svg or .pdf).",
)
@archive_options
def stats(site: str | None, top: int, plot: Path | None, db_url: str | None, data_dir: str) -> None:
    """Questions per month and department, answer rate, reply delay, top doctors."""
    with _open(db_url, data_dir) as archive:
        _refuse_unknown_values(archive, SearchFilters(site=site))
        figures = collect_stats(archive.engine, site=site, top=top)
    render_stats(Console(), figures)
    if plot is not None:
        from crawler.app.plot import plot_stats

        click.echo(f"chart -> {plot_stats(figures, plot)}")


@click.command("values")
@click.argument("kind", type=click.Choice(KINDS))
@click.option("--site", default=None, help="Only values of this site.")
@click.option(
    "--top", default=None, type=click.IntRange(1, 100_000), help="Only the N most frequent."
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per value, per line.")
@archive_options
def values(
    kind: str,
    site: str | None,
    top: int | None,
    as_json: bool,
    db_url: str | None,
    data_dir: str,
) -> None:
    """The existing sites, departments or doctors, with how many questions each selects.

    The exact spellings the --site, --department and --doctor filters of search and export
    expect; the counts are the questions such a filter alone selects.
    """
    with _open(db_url, data_dir) as archive, archive.engine.connect() as conn:
        if site is not None:
            _refuse_unknown_values(archive, SearchFilters(site=site))
        pairs = value_counts(conn, kind, site=site)
    shown = pairs[:top] if top else pairs
    if as_json:
        for name, count in shown:
            click.echo(_dumps({kind: name, "questions": count}))
        return
    table = Table(title=f"{len(shown)} of {len(pairs)} {kind} value(s)")
    table.add_column(kind, overflow="fold")
    table.add_column("questions", justify="right")
    for name, count in shown:
        table.add_row(escape(name), f"{count:,}")
    Console().print(table)


commands: list[click.Command] = [search, show, export, reparse, stats, values]

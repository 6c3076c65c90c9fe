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
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from crawler.cli.research_options import archive_options, filter_options, search_filters
from crawler.cli.research_render import (
    render_detail,
    render_reparse,
    render_stats,
    snippet_text,
)
from storage import Archive, SearchHit, SearchQueryError
from storage.research.reparse import reparse as run_reparse
from storage.research.show import page_detail
from storage.research.stats import collect_stats

#: Exit status for a query the user must fix (click's own usage errors use it too).
EXIT_BAD_QUERY = 2


@contextmanager
def _open(db_url: str | None, data_dir: str) -> Iterator[Archive]:
    archive = Archive.open(db_url, data_dir=data_dir)
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


@click.command()
@click.argument("query")
@filter_options
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per hit, per line.")
@archive_options
def search(
    query: str, limit: int, as_json: bool, db_url: str | None, data_dir: str, **opts: Any
) -> None:
    """Full-text search over question titles, bodies, replies and explanations.

    QUERY is web-search style: words (all must occur), "quoted phrases", OR between
    alternatives, -word to exclude. Best matches first; a query with nothing searchable
    left exits with status 2.
    """
    with _open(db_url, data_dir) as archive:
        try:
            hits = archive.search(query, search_filters(opts), limit=limit)
        except SearchQueryError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(EXIT_BAD_QUERY)
    if as_json:
        for hit in hits:
            click.echo(_dumps(asdict(hit)))
        return
    table = Table(title=f"{len(hits)} hit(s) for {query!r}", show_lines=True)
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
    try:
        key = load_or_create_key(default_key_path(Path(data_dir))) if deidentify else None
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"cannot use the de-identification key: {exc}") from exc
    with _open(db_url, data_dir) as archive:
        try:
            result = export_questions(
                archive.engine,
                fmt=fmt,
                out=target,
                manifest_out=Path(manifest_out) if manifest_out else None,
                filters=search_filters(opts),
                deidentify_key=key,
                force=force,
            )
        except (OutputExistsError, ExportWriteError) as exc:
            if to_stdout and getattr(exc, "errno", None) == errno.EPIPE:
                _discard_stdout()
            raise click.ClickException(str(exc)) from exc
        except (OutputPathError, SearchQueryError) as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(EXIT_BAD_QUERY)
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


def _discard_stdout() -> None:
    """The reader of standard output has gone: point stdout at /dev/null so the interpreter's
    final flush does not fail a second time with a traceback."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


@click.command()
@click.option("--site", default=None, help="Only captures of this site.")
@click.option(
    "--since-version",
    default=None,
    metavar="V",
    help="Only captures parsed by parser version V or later (versions compare by number).",
)
@archive_options
def reparse(site: str | None, since_version: str | None, db_url: str | None, data_dir: str) -> None:
    """Re-extract archived captures from their WARC records with the current parser.

    No network access: each page's latest capture and every failed capture are read from
    the WARC files in --data-dir and ingested again; only changed content makes revisions.
    """
    console = Console(stderr=True)
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
            progress=lambda done: progress.update(task, completed=done),
        )
    render_reparse(Console(), report)


@click.command()
@click.option("--site", default=None, help="Only this site.")
@click.option("--top", default=10, show_default=True, type=click.IntRange(min=1))
@click.option(
    "--plot",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also draw the figures into this PNG file.",
)
@archive_options
def stats(site: str | None, top: int, plot: Path | None, db_url: str | None, data_dir: str) -> None:
    """Questions per month and department, answer rate, reply delay, top doctors."""
    with _open(db_url, data_dir) as archive:
        figures = collect_stats(archive.engine, site=site, top=top)
    render_stats(Console(), figures)
    if plot is not None:
        from storage.research.plot import plot_stats

        click.echo(f"chart -> {plot_stats(figures, plot)}")


commands: list[click.Command] = [search, show, export, reparse, stats]

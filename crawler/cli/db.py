"""``healthqa db``: create or migrate the archive database, and see what is in it."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table
from sqlalchemy.exc import OperationalError

from crawler.cli.research_options import archive_options
from storage import Archive
from storage.engine import default_url, make_engine
from storage.info import DatabaseInfo, describe


@click.group("db")
def db() -> None:
    """Archive database maintenance (SQLite in the data dir by default, or --db)."""


@db.command("upgrade")
@archive_options
def upgrade(db_url: str | None, data_dir: str) -> None:
    """Create the archive or migrate it to the newest schema (safe to repeat)."""
    url = db_url or default_url(data_dir)
    previous = _describe_url(url).revision
    with Archive.open(url) as archive:
        after = describe(archive.engine)
    if previous == after.revision:
        click.echo(f"{after.url}: schema already at revision {after.revision}")
    else:
        click.echo(f"{after.url}: schema migrated {previous or '(empty)'} -> {after.revision}")


@db.command("info")
@archive_options
def info(db_url: str | None, data_dir: str) -> None:
    """Show the schema revision and the row count of every table and view."""
    if db_url is None:
        path = Path(data_dir) / "archive.sqlite"
        if not path.exists():
            raise click.ClickException(
                f"no archive at {path}; create one with `healthqa db upgrade` or pass --db"
            )
        db_url = default_url(data_dir)
    details = _describe_url(db_url)
    console = Console()
    state = "current" if details.current else f"needs `healthqa db upgrade` to {details.head}"
    console.print(f"{details.url}\nschema revision {details.revision or '(none)'} ({state})")
    rows = Table("table", "rows", title="Tables")
    for name, count in details.tables.items():
        rows.add_row(name, f"{count:,}")
    for name, count in details.views.items():
        rows.add_row(f"{name} (view)", f"{count:,}")
    console.print(rows)


def _describe_url(url: str) -> DatabaseInfo:
    engine = make_engine(url)
    try:
        return describe(engine)
    except OperationalError as error:
        raise click.ClickException(f"cannot open the archive database: {error.orig}") from None
    finally:
        engine.dispose()


commands = [db]

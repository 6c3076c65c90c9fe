"""``healthqa db``: create or migrate the archive database, and see what is in it."""

from __future__ import annotations

import click
from rich.table import Table
from sqlalchemy.exc import OperationalError

from crawler.cli.console import Console
from crawler.cli.research_options import archive_options
from storage import Archive
from storage.engine import default_url, make_engine, require_schema
from storage.info import DatabaseInfo, describe


@click.group("db")
def db() -> None:
    """Archive database maintenance (SQLite in the data dir by default, or --db)."""


@db.command("upgrade")
@archive_options
def upgrade(db_url: str | None, data_dir: str) -> None:
    """Create the archive or migrate it to the newest schema (safe to repeat)."""
    url = db_url or default_url(data_dir)
    previous = _describe_url(url, create=True).revision
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
    details = _describe_url(db_url or default_url(data_dir), create=False)
    console = Console()
    state = "current" if details.current else f"needs `healthqa db upgrade` to {details.head}"
    console.print(f"{details.url}\nschema revision {details.revision or '(none)'} ({state})")
    rows = Table("table", "rows", title="Tables")
    for name, count in details.tables.items():
        rows.add_row(name, f"{count:,}")
    for name, count in details.views.items():
        rows.add_row(f"{name} (view)", f"{count:,}")
    console.print(rows)


def _describe_url(url: str, *, create: bool) -> DatabaseInfo:
    """What the database holds, without migrating it; ``create=False`` refuses a database
    that is not an archive (``ArchiveNotFound``), as every read-only command does."""
    engine = make_engine(url, create=create)
    try:
        if not create:
            require_schema(engine)
        return describe(engine)
    except OperationalError as error:
        raise click.ClickException(f"cannot open the archive database: {error.orig}") from None
    finally:
        engine.dispose()


commands = [db]

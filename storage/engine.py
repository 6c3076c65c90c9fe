"""Engines for the archive: the default database location, SQLite settings, migrations on open.

Every process that touches the archive goes through ``make_engine`` + ``upgrade`` so that
the SQLite pragmas that make two concurrent writer processes safe (WAL, a busy timeout,
``BEGIN IMMEDIATE`` for write transactions) and the schema version can never be forgotten.

Opening is where reading and writing differ: a writer (crawl, demo, ``db upgrade``) creates
the database and its directory; a reader (search, show, stats, export, reparse, ``db info``)
gets ``ArchiveNotFound`` for a missing file or a database without the schema, and creates
nothing, so a mistyped path is an error instead of a new empty archive answering "0 hits".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
DEFAULT_DB_NAME = "archive.sqlite"

#: How long a SQLite writer waits for another process's write transaction before failing.
SQLITE_BUSY_TIMEOUT_MS = 60_000

#: Page cache per connection (KiB): the FTS and index B-trees of a full archive outgrow the
#: 2 MB default, and every miss is a read during ingest.
SQLITE_CACHE_KIB = 65_536

#: Execution option that makes a SQLite transaction take the write lock at BEGIN, so that a
#: read-then-write transaction cannot be overtaken by another process between the two.
WRITE_LOCK = "healthqa_write_lock"

#: Arbitrary constant for pg_advisory_xact_lock: serialises concurrent first-time migrations.
_PG_MIGRATION_LOCK_KEY = 0x6865616C7468  # "health"


class ArchiveNotFound(Exception):
    """A reader was pointed at a database that is not an archive (missing, or no schema)."""

    def __init__(self, where: str, why: str) -> None:
        super().__init__(
            f"no archive at {where} ({why}); check --db/--data-dir (or $HEALTHQA_DB), "
            f"or create one with `healthqa demo`, `healthqa crawl` or `healthqa db upgrade`"
        )
        self.where = where


def default_url(data_dir: str | Path = "data") -> str:
    """The SQLite archive inside ``data_dir`` (nothing is created: ``make_engine`` does)."""
    return f"sqlite:///{Path(data_dir) / DEFAULT_DB_NAME}"


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL; ``None`` for other dialects and in-memory databases."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def make_engine(url: str | URL, *, create: bool = True) -> Engine:
    """Create an engine with the archive's connection settings for the URL's dialect.

    ``create=False`` is for readers: a missing SQLite file raises ``ArchiveNotFound`` and the
    connection is opened in ``mode=rw``, so not even a race can leave an empty file behind.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    path = sqlite_file(url)
    connect_args: dict[str, Any] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    if path is not None and create:
        path.parent.mkdir(parents=True, exist_ok=True)
    elif path is not None:
        if not path.is_file():
            raise ArchiveNotFound(str(path), "no such file")
        # SQLite's URI form; quote() keeps a '?' or '#' in a file name from ending the path.
        database = "file:" + quote(str(path.resolve()))
        url = URL.create("sqlite", database=database, query={"mode": "rw", "uri": "true"})
    engine = create_engine(url, connect_args=connect_args)
    # WAL is a persistent property of the file, set by whoever creates it; a reader leaves
    # the file alone, so opening a file that is not an archive does not write to it.
    event.listen(engine, "connect", _sqlite_on_connect if create else _sqlite_reader_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()
    _sqlite_reader_on_connect(dbapi_connection, record)


def _sqlite_reader_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control away from the sqlite3 module so that BEGIN is ours (below).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.close()


def _sqlite_on_begin(connection: Connection) -> None:
    immediate = connection.get_execution_options().get(WRITE_LOCK, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic configured in code, so migrations run from an installed package too."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def schema_is_current(connection: Connection) -> bool:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    return MigrationContext.configure(connection).get_current_revision() == head


def display_url(engine: Engine, *, hide_password: bool = True) -> str:
    """The URL a user gave, for messages: a reader's ``file:...?mode=rw`` form shown plain."""
    url = engine.url
    if engine.dialect.name == "sqlite" and (url.database or "").startswith("file:"):
        return f"sqlite:///{unquote(url.database.removeprefix('file:'))}"  # type: ignore[union-attr]
    return url.render_as_string(hide_password=hide_password)


def require_schema(engine: Engine) -> None:
    """Raise ``ArchiveNotFound`` unless the database holds a healthqa schema (any revision).

    An unreachable server or an unreadable file raises ``ArchiveNotFound`` too, with the
    driver's reason: for a reader both mean "there is no archive to read there".
    """
    where = display_url(engine)
    if engine.dialect.name == "sqlite" and where != "sqlite://":
        where = where.removeprefix("sqlite:///")
    try:
        with engine.connect() as connection:
            names = inspect(connection).get_table_names()
    except DBAPIError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise ArchiveNotFound(where, f"cannot open it: {reason}") from None
    if "alembic_version" not in names or "pages" not in names:
        raise ArchiveNotFound(where, "the database has no healthqa schema")


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration; a no-op (one query) when it already is.

    Runs in one write transaction under a lock so two processes opening a brand-new database
    at once do not both try to create it.
    """
    with engine.connect() as connection:
        connection.execution_options(**{WRITE_LOCK: True})
        with connection.begin():
            if engine.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK_KEY}
                )
            if schema_is_current(connection):
                return
            command.upgrade(alembic_config(connection), "head")

"""Engines for the archive: the default database location, SQLite settings, migrations on open.

Every process that touches the archive goes through ``make_engine`` + ``upgrade`` so that
the SQLite pragmas that make two concurrent writer processes safe (WAL, a busy timeout,
``BEGIN IMMEDIATE`` for write transactions) and the schema version can never be forgotten.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url

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


def default_url(data_dir: str | Path = "data") -> str:
    """The SQLite archive inside ``data_dir``, creating the directory."""
    directory = Path(data_dir)
    directory.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{directory / DEFAULT_DB_NAME}"


def make_engine(url: str) -> Engine:
    """Create an engine with the archive's connection settings for the URL's dialect."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control away from the sqlite3 module so that BEGIN is ours (below).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
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

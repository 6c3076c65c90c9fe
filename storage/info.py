"""What is in an archive database: schema revision and row counts, for ``healthqa db info``.

Reads without migrating, so looking at an old archive never changes it.
"""

from __future__ import annotations

from dataclasses import dataclass

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, func, inspect, select, table

from storage.engine import alembic_config, display_url


@dataclass(frozen=True, slots=True)
class DatabaseInfo:
    url: str
    revision: str | None
    head: str | None
    tables: dict[str, int]
    views: dict[str, int]

    @property
    def current(self) -> bool:
        return self.revision == self.head


def describe(engine: Engine) -> DatabaseInfo:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect() as conn:
        inspector = inspect(conn)
        revision = MigrationContext.configure(conn).get_current_revision()

        def count(name: str) -> int:
            return conn.execute(select(func.count()).select_from(table(name))).scalar_one()

        # FTS5 shadow tables are implementation detail; the FTS table itself is counted.
        names = [n for n in inspector.get_table_names() if not n.startswith("questions_fts_")]
        if conn.dialect.name == "sqlite" and revision is not None:
            names.append("questions_fts")
        tables = {name: count(name) for name in sorted(names)}
        views = {name: count(name) for name in sorted(inspector.get_view_names())}
    return DatabaseInfo(
        url=display_url(engine),
        revision=revision,
        head=head,
        tables=tables,
        views=views,
    )

"""The ``archive`` fixture, run once on SQLite and once on PostgreSQL.

Each PostgreSQL test gets its own schema (created here, dropped after) and connects with
``search_path`` set to it, so test runs and parallel sessions never see each other's rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from storage import Archive
from storage.models import Base


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'archive.sqlite'}"
        return
    base = request.getfixturevalue("postgres_server_url")
    schema = f"test_storage_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture
def archive(db_url: str) -> Iterator[Archive]:
    with Archive.open(db_url) as opened:
        yield opened


def row_counts(archive: Archive) -> dict[str, int]:
    """Rows per table, plus the search index, so idempotence checks see everything."""
    counts: dict[str, int] = {}
    with archive.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            counts[table.name] = conn.execute(select(func.count()).select_from(table)).scalar_one()
        if conn.dialect.name == "sqlite":
            index = "SELECT count(*) FROM questions_fts"
        else:
            index = "SELECT count(*) FROM questions WHERE search_vector IS NOT NULL"
        counts["search_index"] = conn.execute(text(index)).scalar_one()
    return counts

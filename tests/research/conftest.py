"""Fixtures: a fresh database per test on SQLite and PostgreSQL, and the known archive in it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from research_data import Built, build_archive
from sqlalchemy import create_engine, text

from storage import Archive


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh empty database: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'archive.sqlite'}"
        return
    base = request.getfixturevalue("postgres_server_url")
    schema = f"research_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{base}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def built(db_url: str, tmp_path: Path) -> Iterator[Built]:
    data_dir = tmp_path / "data"
    archive = Archive.open(db_url, data_dir=data_dir)
    try:
        records = build_archive(archive, data_dir)
        yield Built(archive, data_dir, records, db_url)
    finally:
        archive.close()

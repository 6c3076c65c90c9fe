"""Fixtures: a fresh database per test on SQLite and PostgreSQL, and the known archive in it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from research_data import Built, build_archive
from sqlalchemy import create_engine, text

from storage import Archive

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@contextmanager
def _database(kind: str, directory: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh empty database: a SQLite file, or a PostgreSQL schema of its own."""
    if kind == "sqlite":
        yield f"sqlite:///{directory / 'archive.sqlite'}"
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


@contextmanager
def _built(db_url: str, data_dir: Path) -> Iterator[Built]:
    archive = Archive.open(db_url, data_dir=data_dir)
    try:
        yield Built(archive, data_dir, build_archive(archive, data_dir), db_url)
    finally:
        archive.close()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with _database(request.param, tmp_path / "data", request) as url:
        yield url


@pytest.fixture
def fresh(db_url: str, tmp_path: Path) -> Iterator[Built]:
    """The known archive, private to one test: for tests that change it."""
    with _built(db_url, tmp_path / "data") as built:
        yield built


@pytest.fixture(scope="module", params=BACKENDS)
def built(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Built]:
    """The known archive shared by one module's tests, which must only read it."""
    data_dir = tmp_path_factory.mktemp("research") / "data"
    with _database(request.param, data_dir, request) as url, _built(url, data_dir) as shared:
        yield shared

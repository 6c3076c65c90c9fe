"""Shared test plumbing: where the real PostgreSQL and Redis servers are, and a fresh
archive database on each backend.

Tests that need a server use it for real. Off CI, an unreachable server skips those tests
with the reason; under ``CI=true`` it fails them, because CI must exercise every backend.
Each PostgreSQL database is a schema of its own (created here, dropped after) reached with
``search_path`` set to it, so test runs and parallel sessions never see each other's rows.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

POSTGRES_URL = os.environ.get(
    "HEALTHQA_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("HEALTHQA_TEST_REDIS", "redis://127.0.0.1:6379/15")


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def require_server(name: str, host: str, port: int) -> None:
    """Skip (or, under CI, fail) the calling test when the server is not listening."""
    if _reachable(host, port):
        return
    message = f"{name} is not reachable on {host}:{port}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message}, and CI=true requires it")
    pytest.skip(f"{message}; start it to run these tests")


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """Base URL of the PostgreSQL test database; per-test isolation is the caller's job."""
    require_server("PostgreSQL", "127.0.0.1", 5432)
    return POSTGRES_URL


@pytest.fixture(scope="session")
def redis_server_url() -> str:
    require_server("Redis", "127.0.0.1", 6379)
    return REDIS_URL


#: Every archive test runs once per backend; PostgreSQL runs are marked so they can be chosen.
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@contextmanager
def _database(kind: str, data_dir: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh empty database: ``data_dir``'s SQLite file, or a PostgreSQL schema."""
    if kind == "sqlite":
        yield f"sqlite:///{data_dir / 'archive.sqlite'}"
        return
    base = request.getfixturevalue("postgres_server_url")
    schema = f"test_{uuid.uuid4().hex[:12]}"
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


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database private to one test, in ``tmp_path / "data"`` on SQLite."""
    with _database(request.param, tmp_path / "data", request) as url:
        yield url


@pytest.fixture(scope="module", params=BACKENDS)
def module_db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """One database per test module and backend, for read-only tests over a shared corpus."""
    with _database(request.param, tmp_path_factory.mktemp("archive") / "data", request) as url:
        yield url

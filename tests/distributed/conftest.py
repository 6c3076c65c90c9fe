"""Real Redis (its test DB, a unique key prefix per test) and a private PostgreSQL schema."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

# The crawl helpers (``healthqa crawl`` in a subprocess, WARC/DB inspection) live with the
# crawler tests; one copy serves both directories.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "crawler"))


@pytest.fixture
def redis_prefix(redis_server_url: str) -> Iterator[str]:
    """A key prefix no other test uses; every key under it is deleted afterwards."""
    prefix = f"test_{uuid.uuid4().hex[:12]}"
    yield prefix
    server = redis.Redis.from_url(redis_server_url)
    keys = list(server.scan_iter(match=f"{prefix}:*"))
    if keys:
        server.delete(*keys)
    server.close()


@pytest.fixture
def postgres_schema_url(postgres_server_url: str) -> Iterator[str]:
    """A schema of its own (via search_path), dropped afterwards, as in tests/storage."""
    schema = f"test_dist_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        url = make_url(postgres_server_url).update_query_dict(
            {"options": f"-csearch_path={schema}"}
        )
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()

"""Real Redis: its test DB and a key prefix of the test's own.

PostgreSQL tests use the shared ``db_url`` fixture (tests/conftest.py: a private schema per
test), parametrized to ``postgresql`` only: workers on several machines need a server.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

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

"""Shared test plumbing: where the real PostgreSQL and Redis servers are.

Tests that need a server use it for real. Off CI, an unreachable server skips those tests
with the reason; under ``CI=true`` it fails them, because CI must exercise every backend.
"""

from __future__ import annotations

import os
import socket

import pytest

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

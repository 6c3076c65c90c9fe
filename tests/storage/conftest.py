"""The ``archive`` fixture, run once on SQLite and once on PostgreSQL (``db_url`` is in
``tests/conftest.py``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from storage import Archive


@pytest.fixture
def archive(db_url: str) -> Iterator[Archive]:
    with Archive.open(db_url) as opened:
        yield opened

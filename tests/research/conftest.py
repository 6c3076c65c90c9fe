"""Fixtures: the known archive in a fresh database (``db_url``/``module_db_url`` are in
``tests/conftest.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from research_data import Built, build_archive

from storage import Archive


@contextmanager
def _built(db_url: str, data_dir: Path) -> Iterator[Built]:
    archive = Archive.open(db_url, data_dir=data_dir)
    try:
        yield Built(archive, data_dir, build_archive(archive, data_dir), db_url)
    finally:
        archive.close()


@pytest.fixture
def fresh(db_url: str, tmp_path: Path) -> Iterator[Built]:
    """The known archive, private to one test: for tests that change it."""
    with _built(db_url, tmp_path / "data") as built:
        yield built


@pytest.fixture(scope="module")
def built(module_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """The known archive shared by one module's tests, which must only read it."""
    with _built(module_db_url, tmp_path_factory.mktemp("research") / "data") as shared:
        yield shared

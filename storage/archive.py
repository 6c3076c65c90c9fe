"""``Archive``: the one object the crawler, the re-parser, the CLI and tests hold.

A thin facade: it owns the engine and the per-process name cache and gives each call the
right transaction; the work lives in ``ingest``, ``search``, ``runs`` and ``pages``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from parsers.record import QARecord
from storage import pages, runs
from storage.capture import Capture
from storage.engine import (
    WRITE_LOCK,
    default_url,
    display_url,
    make_engine,
    require_schema,
    upgrade,
)
from storage.ingest import STATUSES, IngestResult, ingest_batch
from storage.names import NameCache
from storage.search import SearchFilters, SearchHit, count_matches, search

#: PostgreSQL deadlock and serialization failures: the batch is safe to run again.
_RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})
_ATTEMPTS = 5


class Archive:
    """An open archive database. Use ``Archive.open(...)``; close it (or use ``with``)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.url = display_url(engine, hide_password=False)
        self._names = NameCache()

    @classmethod
    def open(cls, db_url: str | None = None, *, data_dir: str | Path = "data") -> Archive:
        """Open for writing, creating the archive if need be (crawl, demo, ``db upgrade``).

        ``None`` means ``<data_dir>/archive.sqlite``. Migrates the schema when needed.
        """
        return cls._open(db_url or default_url(data_dir), create=True)

    @classmethod
    def open_existing(cls, db_url: str | None = None, *, data_dir: str | Path = "data") -> Archive:
        """Open an archive that must already exist (every read-only command).

        Raises ``ArchiveNotFound`` for a missing SQLite file or a database without the
        schema, having created nothing; an archive at an older revision is migrated.
        """
        return cls._open(db_url or default_url(data_dir), create=False)

    @classmethod
    def _open(cls, url: str, *, create: bool) -> Archive:
        engine = make_engine(url, create=create)
        try:
            if not create:
                require_schema(engine)
            upgrade(engine)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- writing ------------------------------------------------------------------------

    def ingest(self, record: QARecord | None, capture: Capture) -> IngestResult:
        return self.ingest_many([(record, capture)])[0]

    def ingest_many(
        self,
        items: Sequence[tuple[QARecord | None, Capture]],
        *,
        checkpoint: runs.RunCheckpoint | None = None,
    ) -> list[IngestResult]:
        """Ingest all items in one transaction (all or nothing); see ``storage.ingest``.

        ``checkpoint`` stores the crawl run's counters in the same transaction.
        """
        if not items:
            return []
        for attempt in range(1, _ATTEMPTS + 1):
            try:
                with self._write() as conn:
                    results = ingest_batch(conn, items, self._names)
                    if checkpoint is not None:
                        statuses = [result.status for result in results]
                        runs.checkpoint_run(conn, checkpoint, statuses, STATUSES)
                    return results
            except DBAPIError as error:
                self._names.clear()
                sqlstate = getattr(error.orig, "sqlstate", None)
                if sqlstate not in _RETRYABLE_SQLSTATES or attempt == _ATTEMPTS:
                    raise
            except BaseException:
                self._names.clear()
                raise
        raise AssertionError("unreachable")

    def start_run(self, *, site: str, arguments: dict[str, Any]) -> int:
        with self._write() as conn:
            return runs.start_run(conn, self._names, site=site, arguments=arguments)

    def add_run_arguments(self, run_id: int, extra: dict[str, Any]) -> None:
        with self._write() as conn:
            runs.add_run_arguments(conn, run_id, extra)

    def finish_run(self, run_id: int, *, stats: dict[str, Any], outcome: str) -> None:
        with self._write() as conn:
            runs.finish_run(conn, run_id, stats=stats, outcome=outcome)

    # -- reading ------------------------------------------------------------------------

    def run_stats(self, run_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            return runs.run_stats(conn, run_id)

    def unfinished_run(self, site: str) -> int | None:
        with self.engine.connect() as conn:
            return runs.unfinished_run(conn, site)

    def captured_urls(self, run_id: int) -> Iterator[str]:
        return runs.captured_urls(self.engine, run_id)

    def last_statuses(self, run_id: int) -> Iterator[tuple[str, int]]:
        return runs.last_statuses(self.engine, run_id)

    def capture_ids(self, keys: Sequence[tuple[str, datetime]]) -> dict[tuple[str, datetime], int]:
        """Capture ids by ``(url, fetched_at)``, for reports that name captures."""
        with self.engine.connect() as conn:
            return pages.capture_ids(conn, keys)

    def last_capture(self, url: str) -> pages.CaptureSummary | None:
        with self.engine.connect() as conn:
            return pages.last_capture(conn, url)

    def capture_with_payload(self, digest: str) -> pages.CaptureSummary | None:
        with self.engine.connect() as conn:
            return pages.capture_with_payload(conn, digest)

    def due_urls(
        self, site: str, *, now: datetime, refresh_after: timedelta, unanswered_after: timedelta
    ) -> Iterator[str]:
        return pages.due_urls(
            self.engine,
            site,
            now=now,
            refresh_after=refresh_after,
            unanswered_after=unanswered_after,
        )

    def not_due_urls(
        self, site: str, *, now: datetime, refresh_after: timedelta, unanswered_after: timedelta
    ) -> Iterator[str]:
        return pages.not_due_urls(
            self.engine,
            site,
            now=now,
            refresh_after=refresh_after,
            unanswered_after=unanswered_after,
        )

    def max_external_id(self, site: str) -> int | None:
        with self.engine.connect() as conn:
            return pages.max_external_id(conn, site)

    def search(
        self, query: str, filters: SearchFilters | None = None, *, limit: int = 20
    ) -> list[SearchHit]:
        with self.engine.connect() as conn:
            return search(conn, query, filters, limit=limit)

    def count_matches(self, query: str, filters: SearchFilters | None = None) -> int:
        """How many questions ``search`` would return without its limit."""
        with self.engine.connect() as conn:
            return count_matches(conn, query, filters)

    def record(self, page_id_or_url: int | str) -> QARecord | None:
        with self.engine.connect() as conn:
            return pages.load_record(conn, page_id_or_url)

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """A write transaction; on SQLite it takes the write lock at BEGIN."""
        with self.engine.connect() as conn:
            conn.execution_options(**{WRITE_LOCK: True})
            with conn.begin():
                yield conn

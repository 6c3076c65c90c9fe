"""Database ingest in a child process, so it runs on another core than the crawl.

Ingest costs about as much CPU per page as fetching it (SQLAlchemy Core statements for the
page, capture, revision and normalized rows). In a thread it would share the crawl process's
GIL and roughly halve throughput; in one spawned worker process it overlaps with fetching.
One worker keeps batches in order. If the crawl is SIGKILLed the worker finishes or abandons
its current batch (one transaction, so never half-written) and exits when its pipe closes.

The worker is a plain child interpreter on a socket pair (``parsers.child``), not a
``multiprocessing`` pool: that also started a resource-tracker process (13 MB) for nothing.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Sequence
from dataclasses import replace
from multiprocessing.connection import Connection
from pathlib import Path

from sqlalchemy import Engine, event

from parsers.child import start_child
from parsers.record import QARecord
from storage import Archive, Capture, IngestError
from storage.runs import RunCheckpoint

logger = logging.getLogger(__name__)

Batch = Sequence[tuple[QARecord | None, Capture]]


class IngestFailed(Exception):
    """The worker could not commit a batch; the message is the worker's error."""


def limit_sqlite_cache(engine: Engine, kib: int) -> None:
    """Give each SQLite connection of ``engine`` a page cache of ``kib`` KiB.

    The archive's default (64 MB per connection, for big re-parses and imports) would let
    the crawl's processes together pass their 300 MB memory goal as the archive grows: the
    ingest worker went from 61 to 113 MB in a 20,000-page soak. Nothing for PostgreSQL.
    """
    if engine.dialect.name != "sqlite" or kib <= 0:
        return

    def on_connect(dbapi_connection: object, _record: object) -> None:
        cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
        cursor.execute(f"PRAGMA cache_size=-{int(kib)}")
        cursor.close()

    event.listen(engine, "connect", on_connect)  # after the archive's own settings
    engine.dispose()  # connections opened before (the schema check) start again


def _serve(conn: Connection, db_url: str | None, data_dir: str, cache_kib: int = 0) -> None:
    archive = Archive.open(db_url, data_dir=Path(data_dir))
    limit_sqlite_cache(archive.engine, cache_kib)
    try:
        while True:
            try:
                job = conn.recv()
            except (EOFError, OSError):  # the crawl process is gone
                return
            if job is None:
                return
            batch, checkpoint = job
            try:
                statuses = ingest_safely(archive, batch, checkpoint)
            except Exception as error:  # reported to the crawl, which counts the batch failed
                conn.send(("error", f"{type(error).__name__}: {error}"))
            else:
                conn.send(("ok", statuses))
    finally:
        archive.close()


def ingest_safely(archive: Archive, batch: Batch, checkpoint: RunCheckpoint | None) -> list[str]:
    """Ingest a batch; one pair the archive refuses must not cost the other 49.

    ``IngestError`` means a pair is malformed, e.g. a hostile page whose "doctor name" is
    5,000 characters. The batch is then written pair by pair; a refused record is dropped and
    its capture stored with ``error_code="record_refused"`` (the reason in its message), so
    the fetch stays in the archive and the crawl report counts it.
    """
    try:
        return [r.status for r in archive.ingest_many(batch, checkpoint=checkpoint)]
    except IngestError:
        pass
    statuses = []
    last = len(batch) - 1
    for index, (record, capture) in enumerate(batch):
        mark = checkpoint if index == last else None
        try:
            statuses.append(archive.ingest_many([(record, capture)], checkpoint=mark)[0].status)
            continue
        except IngestError as error:
            logger.warning("record refused by the archive: %s", error)
            refused = replace(
                capture,
                parse_outcome="error",
                error_code="record_refused",
                error_message=str(error)[:500],
            )
        statuses.append(archive.ingest_many([(None, refused)], checkpoint=mark)[0].status)
    return statuses


class IngestWorker:
    def __init__(self, db_url: str | None, data_dir: Path, cache_kib: int = 0) -> None:
        self._arguments = (db_url, str(data_dir), cache_kib)
        self._start()
        self._lock = threading.Lock()

    def _start(self) -> None:
        # A new interpreter, not a fork: the crawl process has threads and a reactor.
        self._process, self._conn = start_child("crawler.ingest_worker:_serve", *self._arguments)

    def ingest(self, batch: Batch, checkpoint: RunCheckpoint | None = None) -> list[str]:
        """Blocks until the worker has committed ``batch`` (and ``checkpoint`` with it, in
        the same transaction); call it from a thread. Raises ``IngestFailed``."""
        with self._lock:
            try:
                self._conn.send((list(batch), checkpoint))
                kind, value = self._conn.recv()
            except (EOFError, OSError) as error:
                # Killed (out of memory?): this batch is lost to the database (it is in WARC,
                # and a resumed run fetches it again); the next batch gets a new worker.
                self._process.kill()
                self._process.wait()
                self._conn.close()
                self._start()
                raise IngestFailed(f"the ingest worker died: {error or 'pipe closed'}") from None
        if kind != "ok":
            raise IngestFailed(value)
        statuses: list[str] = value
        return statuses

    def close(self) -> None:
        with self._lock, contextlib.suppress(OSError, ValueError):  # already gone
            self._conn.send(None)
        self._process.wait()
        self._conn.close()

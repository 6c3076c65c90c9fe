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
import threading
from collections.abc import Sequence
from multiprocessing.connection import Connection
from pathlib import Path

from parsers.child import start_child
from parsers.record import QARecord
from storage import Archive, Capture
from storage.runs import RunCheckpoint

Batch = Sequence[tuple[QARecord | None, Capture]]


class IngestFailed(Exception):
    """The worker could not commit a batch; the message is the worker's error."""


def _serve(conn: Connection, db_url: str | None, data_dir: str) -> None:
    archive = Archive.open(db_url, data_dir=Path(data_dir))
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
                results = archive.ingest_many(batch, checkpoint=checkpoint)
            except Exception as error:  # reported to the crawl, which counts the batch failed
                conn.send(("error", f"{type(error).__name__}: {error}"))
            else:
                conn.send(("ok", [result.status for result in results]))
    finally:
        archive.close()


class IngestWorker:
    def __init__(self, db_url: str | None, data_dir: Path) -> None:
        # A new interpreter, not a fork: the crawl process has threads and a reactor.
        self._process, self._conn = start_child(
            "crawler.ingest_worker:_serve", db_url, str(data_dir)
        )
        self._lock = threading.Lock()

    def ingest(self, batch: Batch, checkpoint: RunCheckpoint | None = None) -> list[str]:
        """Blocks until the worker has committed ``batch`` (and ``checkpoint`` with it, in
        the same transaction); call it from a thread. Raises ``IngestFailed``."""
        with self._lock:
            try:
                self._conn.send((list(batch), checkpoint))
                kind, value = self._conn.recv()
            except (EOFError, OSError) as error:
                raise IngestFailed(f"the ingest worker died: {error}") from None
        if kind != "ok":
            raise IngestFailed(value)
        statuses: list[str] = value
        return statuses

    def close(self) -> None:
        with self._lock, contextlib.suppress(OSError, ValueError):  # already gone
            self._conn.send(None)
        self._process.wait()
        self._conn.close()

"""Database ingest in a child process, so it runs on another core than the crawl.

Ingest costs about as much CPU per page as fetching it (SQLAlchemy Core statements for the
page, capture, revision and normalized rows). In a thread it would share the crawl process's
GIL and roughly halve throughput; in one spawned worker process it overlaps with fetching.
One worker keeps batches in order. If the crawl is SIGKILLed the worker finishes or abandons
its current batch (one transaction, so never half-written) and exits when its pipe closes.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from pathlib import Path

from parsers.record import QARecord
from storage import Archive, Capture
from storage.runs import RunCheckpoint

_archive: Archive | None = None


def _open(db_url: str | None, data_dir: str) -> None:
    global _archive
    _archive = Archive.open(db_url, data_dir=Path(data_dir))


def _ingest(
    batch: Sequence[tuple[QARecord | None, Capture]], checkpoint: RunCheckpoint | None
) -> list[str]:
    assert _archive is not None, "worker initializer did not run"
    return [result.status for result in _archive.ingest_many(batch, checkpoint=checkpoint)]


class IngestWorker:
    def __init__(self, db_url: str | None, data_dir: Path) -> None:
        # spawn, not fork: the crawl process has threads (and a reactor) by the time it ends.
        context = multiprocessing.get_context("spawn")
        self._pool = context.Pool(1, initializer=_open, initargs=(db_url, str(data_dir)))

    def ingest(
        self,
        batch: Sequence[tuple[QARecord | None, Capture]],
        checkpoint: RunCheckpoint | None = None,
    ) -> list[str]:
        """Blocks until the worker has committed ``batch`` (and ``checkpoint`` with it, in
        the same transaction); call it from a thread."""
        return self._pool.apply(_ingest, (list(batch), checkpoint))

    def close(self) -> None:
        self._pool.close()
        self._pool.join()

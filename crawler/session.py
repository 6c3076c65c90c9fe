"""One crawl's link to the archive: the run row, the WARC writer and the batched ingest.

An extension owns it (``crawler.extensions.session``: opened when the crawler is built, so
``scrapy crawl`` works as well as ``healthqa crawl``, closed on ``spider_closed``); the WARC
middleware, the pipeline, the spider and the report reach it with ``crawl_session(crawler)``.
Keeping run bookkeeping here, not spread over components, means one object knows which run a
capture belongs to and when everything has been written.

Ingest is batched (``INGEST_BATCH_SIZE`` items or ``INGEST_BATCH_SECONDS``); each batch is one
transaction in the ``IngestWorker`` process, one batch at a time, handed over from a thread, so
database writes never hold the reactor. Each batch carries the run's counters as they were when
it was cut (a ``RunCheckpoint``), stored in the same transaction: a resumed run starts from
them, so the stats of a run killed and resumed cover all of it.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from twisted.internet import task, threads
from twisted.internet.defer import Deferred, succeed
from twisted.python.failure import Failure

from crawler.ingest_worker import IngestWorker, limit_sqlite_cache
from crawler.parsing import CrawlParser
from crawler.seen import SeenUrls
from crawler.stats import CrawlCounts
from parsers.record import QARecord
from storage import Archive, Capture, CaptureSummary
from storage.runs import RunCheckpoint
from storage.warc import RotatingWarcWriter

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

#: Close reasons after which the run is over (stored with its stats); any other reason
#: (Ctrl-C, SIGTERM, an error) leaves it unfinished for ``--resume``.
ENDED_REASONS = frozenset({"finished", "site_unreachable"})

Pending = tuple[QARecord | None, Capture]


class NothingToResume(Exception):
    """``--resume`` was asked for but the archive has no unfinished run for the site."""


class CrawlSession:
    def __init__(
        self,
        archive: Archive,
        counts: CrawlCounts,
        *,
        site: str,
        data_dir: Path,
        run_id: int,
        resumed: bool,
        warc: RotatingWarcWriter,
        worker: IngestWorker,
        parser: CrawlParser,
        batch_size: int,
        batch_seconds: float,
        max_pending_batches: int = 4,
    ) -> None:
        self.archive = archive
        self.site = site
        self.data_dir = data_dir
        self.run_id = run_id
        self.resumed = resumed
        self.warc = warc
        self.worker = worker
        self.parser = parser
        #: The run's counters, in Scrapy's stats collector (``crawler.stats``).
        self.counts = counts
        #: WARC files of earlier segments of a resumed run.
        self.earlier_warc_files: list[str] = []
        self.known = SeenUrls()
        self.stats: dict[str, Any] | None = None
        self._batch: list[Pending] = []
        self._batch_size = batch_size
        self._batch_seconds = batch_seconds
        self._inflight: Deferred[None] = succeed(None)
        self._pending_batches = 0
        self._max_pending = max_pending_batches
        self._waiters: list[Deferred[None]] = []
        self._timer: task.LoopingCall | None = None
        #: Callers of ``close`` waiting for it, and its outcome once known (stats or Failure).
        self._close_waiters: list[Deferred[dict[str, Any]]] = []
        self._close_outcome: dict[str, Any] | Failure | None = None

    @classmethod
    def open(
        cls,
        settings: BaseSettings,
        stats: StatsCollector,
        *,
        site: str,
        arguments: dict[str, Any],
        resume: bool,
    ) -> CrawlSession:
        """Open the archive and start (or, with ``resume``, continue) the site's crawl run."""
        # Every setting is read first: a bad value fails here, before a run row or a child
        # process exists that nothing would close.
        data_dir = Path(settings.get("HEALTHQA_DATA_DIR") or "data")
        parser = CrawlParser.from_settings(settings)
        batch_size = settings.getint("INGEST_BATCH_SIZE")
        batch_seconds = settings.getfloat("INGEST_BATCH_SECONDS")
        max_pending_batches = settings.getint("INGEST_MAX_PENDING_BATCHES", 4)
        ingest_cache_kib = settings.getint("INGEST_SQLITE_CACHE_KIB")
        crawl_cache_kib = settings.getint("CRAWL_SQLITE_CACHE_KIB")
        warc_max_bytes = settings.getint("WARC_MAX_BYTES")
        warc_fsync = settings.getbool("WARC_FSYNC")
        data_dir.mkdir(parents=True, exist_ok=True)
        archive = Archive.open(settings.get("HEALTHQA_DB_URL"), data_dir=data_dir)
        limit_sqlite_cache(archive.engine, crawl_cache_kib)
        run_id: int | None = None
        if resume:
            run_id = archive.unfinished_run(site)
            if run_id is None:
                raise NothingToResume(
                    f"--resume: the archive has no unfinished {site} crawl run to continue; "
                    f"run the same command without --resume to start one"
                )
        else:
            run_id = archive.start_run(site=site, arguments=arguments)
        warc = RotatingWarcWriter(
            data_dir,
            worker_id=str(settings.get("HEALTHQA_WORKER_ID") or "w0"),
            max_bytes=warc_max_bytes,
            fsync=warc_fsync,
        )
        session = cls(
            archive,
            CrawlCounts(stats),
            site=site,
            data_dir=data_dir,
            run_id=run_id,
            resumed=resume,
            warc=warc,
            worker=IngestWorker(settings.get("HEALTHQA_DB_URL"), data_dir, ingest_cache_kib),
            parser=parser,
            batch_size=batch_size,
            batch_seconds=batch_seconds,
            max_pending_batches=max_pending_batches,
        )
        try:
            if resume:
                stored = archive.run_stats(run_id) or {}
                session.counts.restore(stored)
                session.earlier_warc_files = list(stored.get("warc_files", []))
            session.load_known_pages()
        except BaseException:
            session.worker.close()  # no extension exists yet to close it
            raise
        return session

    def load_known_pages(self) -> None:
        """Remember (one bit per article) which pages the archive already holds.

        Only those can have a previous capture to compare against, so every other response
        skips the per-URL ``last_capture`` query, which would otherwise run on the reactor
        thread for every page of a first crawl.
        """
        now = datetime.now(UTC)
        windows = {"now": now, "refresh_after": timedelta(0), "unanswered_after": timedelta(0)}
        for url in self.archive.due_urls(self.site, **windows):
            self.known.add(url)
        for url in self.archive.not_due_urls(self.site, **windows):
            self.known.add(url)

    def last_capture(self, url: str) -> CaptureSummary | None:
        """The archive's last capture of ``url`` (canonical), without a query when it has none."""
        if url not in self.known:
            return None
        return self.archive.last_capture(url)

    # -- ingest -------------------------------------------------------------------------------

    def start(self) -> None:
        """Begin the periodic flush; called when the spider opens (the reactor is running)."""
        self._timer = task.LoopingCall(self.flush)
        self._timer.start(self._batch_seconds, now=False)

    def submit(self, record: QARecord | None, capture: Capture) -> None:
        """Queue one capture (with its record, if it parsed) for the next ingest batch.

        Counted here, as it joins a batch, so a checkpoint counts exactly the captures
        committed with it and before it.
        """
        self._batch.append((record, replace(capture, crawl_run_id=self.run_id)))
        self.counts.count_capture(record, capture)
        if len(self._batch) >= self._batch_size:
            self.flush()

    def counters(self, capture_ids: Any = None) -> dict[str, Any]:
        """The run's stats so far, as a checkpoint stores them and the report prints them;
        ``capture_ids`` names the report's example captures once every batch is ingested."""
        stats = self.counts.to_run_stats(capture_ids)
        stats["warc_files"] = [*self.earlier_warc_files, *self.warc.files_written]
        return stats

    def flush(self) -> Deferred[None]:
        """Hand the current batch to the ingest worker after the batch before it."""
        if not self._batch:
            return self._inflight
        batch, self._batch = self._batch, []
        checkpoint = RunCheckpoint(self.run_id, self.counters())
        self._pending_batches += 1
        self._inflight = self._inflight.addCallback(
            lambda _: self._ingest_in_thread(batch, checkpoint)
        )
        return self._inflight

    def capacity(self) -> Deferred[None]:
        """Fires once at most ``max_pending_batches`` wait for the database.

        The item pipeline awaits it, so when the database falls behind, Scrapy's scraper slot
        fills up and the engine stops fetching: memory stays bounded on any crawl size.
        """
        if self._pending_batches <= self._max_pending:
            return succeed(None)
        waiter: Deferred[None] = Deferred()
        self._waiters.append(waiter)
        return waiter

    def _batch_done(self) -> None:
        self._pending_batches -= 1
        while self._waiters and self._pending_batches <= self._max_pending:
            self._waiters.pop(0).callback(None)

    def _ingest_in_thread(self, batch: list[Pending], checkpoint: RunCheckpoint) -> Deferred[None]:
        deferred = threads.deferToThread(self.worker.ingest, batch, checkpoint)

        def count(statuses: list[str]) -> None:
            for status in statuses:
                self.counts.inc(f"ingest/{status}")

        def report(failure: Any) -> None:
            # The captures are in WARC already; a resumed run re-fetches what is missing here.
            logger.error("ingest of %d captures failed: %s", len(batch), failure.getErrorMessage())
            self.counts.inc("failures/ingest_error", len(batch))

        deferred.addCallbacks(count, report)
        deferred.addBoth(lambda _: self._batch_done())
        return deferred

    def close(self, reason: str) -> Deferred[dict[str, Any]]:
        """Flush everything, close the WARC file and, if the crawl ran to its end, the run.

        A run stopped early (Ctrl-C, an error) stays unfinished so ``--resume`` continues it;
        one stopped because the site never answered is over (there is nothing to resume).
        Idempotent: the first call's ``reason`` decides, every caller gets its own Deferred of
        the same outcome (the extension closes on whichever end of the crawl comes first).
        """
        waiter: Deferred[dict[str, Any]] = Deferred()
        if self._close_outcome is not None:
            self._relay(waiter, self._close_outcome)
            return waiter
        self._close_waiters.append(waiter)
        if len(self._close_waiters) == 1:
            self._close(reason).addBoth(self._closed)
        return waiter

    def _closed(self, outcome: dict[str, Any] | Failure) -> None:
        self._close_outcome = outcome
        waiters, self._close_waiters = self._close_waiters, []
        for waiter in waiters:
            self._relay(waiter, outcome)

    @staticmethod
    def _relay(waiter: Deferred[dict[str, Any]], outcome: dict[str, Any] | Failure) -> None:
        if isinstance(outcome, Failure):
            waiter.errback(outcome)
        else:
            waiter.callback(outcome)

    def _close(self, reason: str) -> Deferred[dict[str, Any]]:
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        finished = self.flush()

        def finish(_: Any) -> dict[str, Any]:
            self.parser.close()
            self.warc.close()
            self.worker.close()
            self.stats = self.counters(self.archive.capture_ids)
            # Captures the database refused are missing from it: keep the run open for --resume.
            if reason in ENDED_REASONS and not self.counts.value("failures/ingest_error"):
                self.archive.finish_run(self.run_id, stats=self.stats, outcome=reason)
            return self.stats

        return finished.addCallback(finish)

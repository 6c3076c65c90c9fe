"""The crawl's counters, kept in Scrapy's stats collector under ``healthqa/...`` keys.

Scrapy already has the place for a crawl's counts: its stats collector, which every component
reaches through ``crawler.stats`` and which ``scrapy crawl`` dumps at the end. Counting there
(instead of in a private object beside it) means a plain ``scrapy crawl doctorqna`` shows the
archive's outcomes next to Scrapy's own, and the run row, the report and a resumed run all read
one source. ``CrawlCounts`` names the keys and converts between them and the run's stored stats
(the dict ``finish_run`` and each ingest checkpoint store, which the report reads):

================================  =================================================
``healthqa/fetched``              captures made (handed to ingest)
``healthqa/retried``              retries scheduled (Retry-After or backoff)
``healthqa/ingest/<status>``      ingest outcomes: new, changed, unchanged, revisit, gone,
                                  failed, not_parsed
``healthqa/failures/<code>``      captures that failed, by error code
``healthqa/parsed``               pages parsed into a record
``healthqa/not_articles``         pages that are no article (FAQ, listing, not found)
``healthqa/missing/<field>``      parsed pages lacking an expected field
``healthqa/responses``            exchanges that got an HTTP response (any status)
``healthqa/network_failures/<c>`` attempts that got no HTTP response, by code
``healthqa/page_requests``        page requests (not id probes) that reached an outcome
``healthqa/pages_received``       page requests answered 2xx or 304
``healthqa/seed_failures``        robots.txt/sitemaps that could not be read (a list)
``healthqa/sitemap_urls``         sitemap entries read
``healthqa/sitemap_skipped/<r>``  sitemap entries skipped (invalid, offsite, too long...)
``healthqa/warned``               parsed pages with at least one parser warning
``healthqa/warnings/<code>``      parser warnings by code
================================  =================================================

The example captures behind each warning and missing field are not counts: they stay here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from crawler.report import EXAMPLES, INGEST_STATUSES, CaptureKey
from parsers.record import EXPECTED_FIELDS, QARecord
from parsers.warnings import WARNING_CODES

if TYPE_CHECKING:
    from scrapy.statscollectors import StatsCollector

PREFIX = "healthqa/"
#: Single counters: the stored stats name them the same, without the prefix.
COUNTERS = (
    "fetched",
    "retried",
    "parsed",
    "not_articles",
    "responses",
    "page_requests",
    "pages_received",
    "sitemap_urls",
    "warned",
)
#: Counters by code: stats key family -> the stored stats' dict of them.
FAMILIES = {
    "failures": "failed_by_reason",
    "missing": "missing_fields",
    "network_failures": "network_failures",
    "sitemap_skipped": "sitemap_skipped",
    "warnings": "warnings",
}
SEED_FAILURES = "seed_failures"


class CrawlCounts:
    """The crawl's ``healthqa/...`` stats, and the run stats made from them."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats
        #: "warning:<code>" / "missing:<field>" -> the first few captures behind it: ids
        #: resolved by an earlier segment of a resumed run, and keys of this segment's captures.
        self.example_ids: dict[str, list[int]] = {}
        self.examples: dict[str, list[CaptureKey]] = {}

    def inc(self, name: str, count: int = 1) -> None:
        """Add ``count`` to ``healthqa/<name>`` (e.g. ``"failures/timeout"``)."""
        self.stats.inc_value(PREFIX + name, count)

    def value(self, name: str) -> int:
        return int(self.stats.get_value(PREFIX + name, 0))

    def family(self, name: str) -> dict[str, int]:
        """``healthqa/<name>/<code>`` counts by code, sorted."""
        start = f"{PREFIX}{name}/"
        return {
            key[len(start) :]: value
            for key, value in sorted(self.stats.get_stats().items())
            if key.startswith(start)
        }

    def count_capture(self, record: QARecord | None, capture: Any) -> None:
        """One capture (a ``storage.Capture``) handed to ingest: a fetch, and a parse if the
        spider parsed it; a parsed page with warnings or missing fields becomes an example."""
        self.inc("fetched")
        if record is not None:
            self.inc("parsed")
            for name in record.missing:
                self.inc(f"missing/{name}")
            if record.warnings:
                self.inc("warned")
                for code in record.warnings:
                    self.inc(f"warnings/{code}")
            key = (capture.url, capture.fetched_at)
            for code in record.warnings:
                self._example(f"warning:{code}", key)
            for name in record.missing:
                self._example(f"missing:{name}", key)
        elif capture.parse_outcome == "not_article":
            self.inc("not_articles")  # FAQ, listing and not-found pages: expected
        elif capture.parse_outcome == "error" and capture.error_code:
            self.inc(f"failures/{capture.error_code}")

    def _example(self, what: str, key: CaptureKey) -> None:
        keys = self.examples.setdefault(what, [])
        if len(keys) + len(self.example_ids.get(what, ())) < EXAMPLES:
            keys.append(key)

    def seed_failed(self, url: str, code: str) -> None:
        """robots.txt or a sitemap could not be read; ``code`` also counts as a failure.

        Listed once per file, even when a resumed run reads it (and fails) again.
        """
        failures = self.stats.get_value(PREFIX + SEED_FAILURES, [])
        failure = f"{url}: {code}"
        if failure not in failures:
            self.stats.set_value(PREFIX + SEED_FAILURES, [*failures, failure])
        self.inc(f"failures/{code}")

    def restore(self, stored: dict[str, Any] | None) -> None:
        """Continue counting from a run's stored stats (its last checkpoint) on resume."""
        stored = stored or {}
        for name in COUNTERS:
            if stored.get(name):
                self.stats.set_value(PREFIX + name, stored[name])
        for status in INGEST_STATUSES:
            if stored.get(status):
                self.stats.set_value(f"{PREFIX}ingest/{status}", stored[status])
        for family, stored_name in FAMILIES.items():
            for code, count in stored.get(stored_name, {}).items():
                self.stats.set_value(f"{PREFIX}{family}/{code}", count)
        if stored.get(SEED_FAILURES):
            self.stats.set_value(PREFIX + SEED_FAILURES, list(stored[SEED_FAILURES]))
        self.example_ids = {what: list(ids) for what, ids in stored.get("examples", {}).items()}

    def coverage(self) -> dict[str, float | None]:
        """Share of parsed pages that had each expected field (``None`` with no pages)."""
        parsed = self.value("parsed")
        if not parsed:
            return dict.fromkeys(EXPECTED_FIELDS)
        missing = self.family("missing")
        return {name: 1 - missing.get(name, 0) / parsed for name in EXPECTED_FIELDS}

    def to_run_stats(
        self,
        capture_ids: Callable[[Sequence[CaptureKey]], dict[CaptureKey, int]] | None = None,
    ) -> dict[str, Any]:
        """The run's stats as stored and reported; ``capture_ids`` (``Archive.capture_ids``)
        turns this segment's examples into capture ids once they are ingested (a checkpoint
        keeps the resolved ones)."""
        known = (
            capture_ids([key for keys in self.examples.values() for key in keys])
            if (capture_ids and self.examples)
            else {}
        )
        examples = {what: list(ids) for what, ids in self.example_ids.items()}
        for what, keys in self.examples.items():
            examples.setdefault(what, []).extend(known[key] for key in keys if key in known)
        warnings = self.family("warnings")
        return {
            **{name: self.value(name) for name in ("fetched", "retried")},
            **{status: self.value(f"ingest/{status}") for status in INGEST_STATUSES},
            "failed_by_reason": self.family("failures"),
            "parsed": self.value("parsed"),
            "not_articles": self.value("not_articles"),
            "coverage": self.coverage(),
            "missing_fields": self.family("missing"),
            "responses": self.value("responses"),
            "network_failures": self.family("network_failures"),
            "page_requests": self.value("page_requests"),
            "pages_received": self.value("pages_received"),
            "seed_failures": list(self.stats.get_value(PREFIX + SEED_FAILURES, [])),
            "sitemap_urls": self.value("sitemap_urls"),
            "sitemap_skipped": self.family("sitemap_skipped"),
            "warned": self.value("warned"),
            "warnings": {code: warnings[code] for code in WARNING_CODES if warnings.get(code)},
            "examples": {what: ids for what, ids in sorted(examples.items()) if ids},
        }

"""The end-of-crawl report: what was fetched, what changed, what failed, and field coverage.

Field coverage is how a scheduled crawl notices that the site changed its layout: parsing
still "works" but a core field goes missing on most pages. ``CoverageThresholds`` decides when
that is bad enough to exit with ``EXIT_COVERAGE``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.table import Table

from parsers.record import EXPECTED_FIELDS, QARecord

#: Exit code of a crawl whose core-field coverage fell below its threshold.
EXIT_COVERAGE = 3

#: Unanswered questions legitimately lack answers, so the answers bar is lower.
DEFAULT_THRESHOLDS: dict[str, float] = {
    "question_body": 0.9,
    "asked_on": 0.9,
    "answers": 0.5,
}
#: Below this many parsed pages the shares are noise and no verdict is given.
DEFAULT_MIN_PAGES = 10

#: How the crawl report and ``reparse`` name the ``not_article`` outcome.
NOT_ARTICLE_LABEL = "not_article (FAQ, listing, not found)"

INGEST_STATUSES = ("new", "changed", "unchanged", "revisit", "gone", "failed", "not_parsed")


@dataclass
class CrawlTally:
    """Counters the crawl updates as it goes; ``to_stats`` is what ``finish_run`` stores."""

    fetched: int = 0
    retried: int = 0
    ingest: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    parsed: int = 0
    not_articles: int = 0
    missing: Counter[str] = field(default_factory=Counter)

    def count_record(self, record: QARecord) -> None:
        self.parsed += 1
        self.missing.update(record.missing)

    def coverage(self) -> dict[str, float | None]:
        """Share of parsed pages that had each expected field (``None`` with no pages)."""
        if not self.parsed:
            return dict.fromkeys(EXPECTED_FIELDS)
        return {name: 1 - self.missing[name] / self.parsed for name in EXPECTED_FIELDS}

    def to_stats(self) -> dict[str, Any]:
        return {
            "fetched": self.fetched,
            "retried": self.retried,
            **{status: self.ingest[status] for status in INGEST_STATUSES},
            "failed_by_reason": dict(sorted(self.failures.items())),
            "parsed": self.parsed,
            "not_articles": self.not_articles,
            "coverage": self.coverage(),
        }


@dataclass(frozen=True, slots=True)
class CoverageThresholds:
    minimum: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_THRESHOLDS))
    min_pages: int = DEFAULT_MIN_PAGES

    @classmethod
    def parse(cls, specs: list[str] | tuple[str, ...], min_pages: int) -> CoverageThresholds:
        """Build from ``field=share`` strings layered over the defaults."""
        minimum = dict(DEFAULT_THRESHOLDS)
        for spec in specs:
            name, sep, value = spec.partition("=")
            if not sep or name not in EXPECTED_FIELDS:
                raise ValueError(
                    f"coverage threshold {spec!r} must be FIELD=SHARE with FIELD one of "
                    f"{', '.join(EXPECTED_FIELDS)}"
                )
            share = float(value)
            if not 0 <= share <= 1:
                raise ValueError(f"coverage share must be between 0 and 1, got {value}")
            minimum[name] = share
        return cls(minimum=minimum, min_pages=min_pages)

    def violations(self, stats: dict[str, Any]) -> list[str]:
        """Human-readable reasons the coverage is too low; empty when it is fine."""
        if stats.get("parsed", 0) < self.min_pages:
            return []
        coverage = stats["coverage"]
        return [
            f"{name}: {coverage[name]:.0%} of parsed pages, below the {share:.0%} threshold"
            for name, share in self.minimum.items()
            if coverage.get(name) is not None and coverage[name] < share
        ]


def render_report(stats: dict[str, Any], console: Console | None = None) -> None:
    """Print the report as two rich tables: outcomes, then field coverage."""
    console = console or Console()
    outcomes = Table(title="Crawl report", show_header=True)
    outcomes.add_column("outcome")
    outcomes.add_column("pages", justify="right")
    # Non-article pages (FAQ topics, listings, "not found") are the ``not_article`` outcome,
    # not failures: the same name ``reparse`` and ``show`` use.
    for name in ("fetched", "retried", *INGEST_STATUSES, "parsed"):
        outcomes.add_row(name, str(stats.get(name, 0)))
    outcomes.add_row(NOT_ARTICLE_LABEL, str(stats.get("not_articles", 0)))
    for reason, count in stats.get("failed_by_reason", {}).items():
        outcomes.add_row(f"failed: {reason}", str(count))
    console.print(outcomes)
    coverage = Table(title="Field coverage (share of parsed pages)")
    coverage.add_column("field")
    coverage.add_column("coverage", justify="right")
    for name, share in stats.get("coverage", {}).items():
        coverage.add_row(name, "-" if share is None else f"{share:.1%}")
    console.print(coverage)

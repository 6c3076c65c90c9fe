"""The end-of-crawl report: what was fetched, what changed, what failed, field coverage and
parser warnings.

Field coverage is how a scheduled crawl notices that the site changed its layout: parsing
still "works" but a core field goes missing on most pages. Warnings are the parser saying it
may have lost something a page shows (``parsers.warnings``). ``CoverageThresholds`` decides
when either is bad enough to exit with ``EXIT_COVERAGE``; the report names a few captures
behind each warning and each field a page lacked, so an operator can turn one into a fixture
(``healthqa fixture add --capture ID``) without re-fetching anything.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.table import Table

from parsers.record import EXPECTED_FIELDS, QARecord
from parsers.warnings import WARNING_CODES

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
#: A share of parsed pages with warnings above this means the layout probably changed.
DEFAULT_MAX_WARNING_SHARE = 0.1
#: Captures named per warning code and per missing field.
EXAMPLES = 5

#: A capture's natural key, resolved to its id once the crawl's batches are ingested.
CaptureKey = tuple[str, datetime]

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
    warned: int = 0  # parsed pages with at least one warning
    warnings: Counter[str] = field(default_factory=Counter)
    #: "warning:<code>" / "missing:<field>" -> the first few captures behind it.
    examples: dict[str, list[CaptureKey]] = field(default_factory=dict)

    def count_record(self, record: QARecord, capture: Any = None) -> None:
        """Count one parsed page; ``capture`` (a ``storage.Capture``) names it as an example."""
        self.parsed += 1
        self.missing.update(record.missing)
        if record.warnings:
            self.warned += 1
            self.warnings.update(record.warnings)
        if capture is not None:
            key = (capture.url, capture.fetched_at)
            for code in record.warnings:
                self._example(f"warning:{code}", key)
            for name in record.missing:
                self._example(f"missing:{name}", key)

    def _example(self, what: str, key: CaptureKey) -> None:
        keys = self.examples.setdefault(what, [])
        if len(keys) < EXAMPLES:
            keys.append(key)

    def coverage(self) -> dict[str, float | None]:
        """Share of parsed pages that had each expected field (``None`` with no pages)."""
        if not self.parsed:
            return dict.fromkeys(EXPECTED_FIELDS)
        return {name: 1 - self.missing[name] / self.parsed for name in EXPECTED_FIELDS}

    def to_stats(
        self,
        capture_ids: Callable[[Sequence[CaptureKey]], dict[CaptureKey, int]] | None = None,
    ) -> dict[str, Any]:
        """The run's stats; ``capture_ids`` (``Archive.capture_ids``) turns the examples into
        capture ids once they are ingested."""
        known = (
            capture_ids([key for keys in self.examples.values() for key in keys])
            if (capture_ids and self.examples)
            else {}
        )
        return {
            "fetched": self.fetched,
            "retried": self.retried,
            **{status: self.ingest[status] for status in INGEST_STATUSES},
            "failed_by_reason": dict(sorted(self.failures.items())),
            "parsed": self.parsed,
            "not_articles": self.not_articles,
            "coverage": self.coverage(),
            "warned": self.warned,
            "warnings": {
                code: self.warnings[code] for code in WARNING_CODES if self.warnings[code]
            },
            "examples": {
                what: [known[key] for key in keys if key in known]
                for what, keys in sorted(self.examples.items())
                if any(key in known for key in keys)
            },
        }


@dataclass(frozen=True, slots=True)
class CoverageThresholds:
    minimum: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_THRESHOLDS))
    min_pages: int = DEFAULT_MIN_PAGES
    max_warning_share: float = DEFAULT_MAX_WARNING_SHARE

    @classmethod
    def parse(
        cls,
        specs: list[str] | tuple[str, ...],
        min_pages: int,
        max_warning_share: float = DEFAULT_MAX_WARNING_SHARE,
    ) -> CoverageThresholds:
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
        if not 0 <= max_warning_share <= 1:
            raise ValueError(f"warning share must be between 0 and 1, got {max_warning_share}")
        return cls(minimum=minimum, min_pages=min_pages, max_warning_share=max_warning_share)

    def violations(self, stats: dict[str, Any]) -> list[str]:
        """Human-readable reasons the coverage is too low (or the parser too often unsure);
        empty when it is fine. Each names a few captures to look at."""
        parsed = stats.get("parsed", 0)
        if parsed < self.min_pages:
            return []
        coverage = stats["coverage"]
        examples = stats.get("examples", {})
        problems = [
            f"{name}: {coverage[name]:.0%} of parsed pages, below the {share:.0%} threshold"
            + _named(examples.get(f"missing:{name}"))
            for name, share in self.minimum.items()
            if coverage.get(name) is not None and coverage[name] < share
        ]
        warned = stats.get("warned", 0) / parsed
        if warned > self.max_warning_share:
            codes = ", ".join(
                f"{code} {count}" + _named(examples.get(f"warning:{code}"))
                for code, count in stats.get("warnings", {}).items()
            )
            problems.append(
                f"pages with parser warnings: {warned:.0%} of parsed pages, above the "
                f"{self.max_warning_share:.0%} threshold ({codes})"
            )
        return problems


def _named(ids: list[int] | None) -> str:
    """``" (capture 12, 34)"`` for the report, so each problem points at pages to look at."""
    return f" (capture {', '.join(map(str, ids))})" if ids else ""


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
    examples = stats.get("examples", {})
    coverage = Table(title="Field coverage (share of parsed pages)")
    coverage.add_column("field")
    coverage.add_column("coverage", justify="right")
    coverage.add_column("captures lacking it")
    for name, share in stats.get("coverage", {}).items():
        lacking = ", ".join(map(str, examples.get(f"missing:{name}", [])))
        coverage.add_row(name, "-" if share is None else f"{share:.1%}", lacking)
    console.print(coverage)
    parsed = stats.get("parsed", 0)
    warned = stats.get("warned", 0)
    warnings = Table(
        title=f"Parser warnings ({warned} of {parsed} parsed pages"
        + (f", {warned / parsed:.1%})" if parsed else ")")
    )
    warnings.add_column("warning")
    warnings.add_column("pages", justify="right")
    warnings.add_column("captures (healthqa fixture add --capture ID)")
    for code, count in stats.get("warnings", {}).items():
        warnings.add_row(code, str(count), ", ".join(map(str, examples.get(f"warning:{code}", []))))
    if not warnings.row_count:
        warnings.add_row("none", "0", "")
    console.print(warnings)

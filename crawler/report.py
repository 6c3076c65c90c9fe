"""The end-of-crawl report: what was fetched, what changed, what failed, and field coverage.

Field coverage is how a scheduled crawl notices that the site changed its layout: parsing
still "works" but a core field goes missing on most pages. ``CoverageThresholds`` decides when
that is bad enough to exit with ``EXIT_COVERAGE``. ``outcome_verdict`` decides when a run
achieved nothing it was asked for (site unreachable, no page fetched) or could not read the
robots.txt or sitemaps it was seeded from, so a scheduled crawl aimed at a dead or broken site
exits non-zero instead of reporting success.
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
#: Exit code of a crawl some of whose captures could not be stored (the database failed): the
#: run stays unfinished so ``--resume`` fetches them again. Also "the crawl could not run".
EXIT_NOT_STORED = 1
#: Exit code of a crawl that fetched no page: the site did not answer (connection refused,
#: DNS failure, timeouts), or answered but no requested page came back 2xx/304.
EXIT_NOTHING_FETCHED = 4
#: Exit code of a crawl whose robots.txt or a sitemap could not be read: pages they list are
#: missing from the run even if others were fetched.
EXIT_SEEDS_UNREADABLE = 5

#: Unanswered questions legitimately lack answers, so the answers bar is lower.
DEFAULT_THRESHOLDS: dict[str, float] = {
    "question_body": 0.9,
    "asked_on": 0.9,
    "answers": 0.5,
}
#: Below this many parsed pages the shares are noise and no verdict is given.
DEFAULT_MIN_PAGES = 10

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
    #: Exchanges that got an HTTP response (any status), and attempts that got none, by code.
    responses: int = 0
    network_failures: Counter[str] = field(default_factory=Counter)
    #: Page requests (not id probes) that reached a final outcome, and page requests of any
    #: kind answered 2xx or 304: the run "fetched something" only if the latter is non-zero.
    page_requests: int = 0
    pages_received: int = 0
    #: robots.txt and sitemaps that could not be read: "<url>: <code>", one per failure.
    seed_failures: list[str] = field(default_factory=list)
    #: Sitemap entries read, and how many were skipped (too long, off-site, over the cap).
    sitemap_urls: int = 0
    sitemap_skipped: Counter[str] = field(default_factory=Counter)

    def count_capture(self, record: QARecord | None, parse_outcome: str, code: str | None) -> None:
        """One capture handed to ingest: a fetch, and a parse if the spider parsed it."""
        self.fetched += 1
        if record is not None:
            self.parsed += 1
            self.missing.update(record.missing)
        elif parse_outcome == "error" and code == "not_an_article":
            self.not_articles += 1  # FAQ and listing pages: expected
        elif parse_outcome == "error" and code:
            self.failures[code] += 1

    @classmethod
    def from_stats(cls, stats: dict[str, Any] | None) -> CrawlTally:
        """The tally a run had stored (its last checkpoint), to continue counting on resume."""
        stats = stats or {}
        return cls(
            fetched=stats.get("fetched", 0),
            retried=stats.get("retried", 0),
            ingest=Counter({s: stats.get(s, 0) for s in INGEST_STATUSES if stats.get(s)}),
            failures=Counter(stats.get("failed_by_reason", {})),
            parsed=stats.get("parsed", 0),
            not_articles=stats.get("not_articles", 0),
            missing=Counter(stats.get("missing_fields", {})),
            responses=stats.get("responses", 0),
            network_failures=Counter(stats.get("network_failures", {})),
            page_requests=stats.get("page_requests", 0),
            pages_received=stats.get("pages_received", 0),
            seed_failures=list(stats.get("seed_failures", [])),
            sitemap_urls=stats.get("sitemap_urls", 0),
            sitemap_skipped=Counter(stats.get("sitemap_skipped", {})),
        )

    def seed_failed(self, url: str, code: str) -> None:
        """robots.txt or a sitemap could not be read; ``code`` also counts as a failure.

        Listed once per file, even when a resumed run reads it (and fails) again.
        """
        failure = f"{url}: {code}"
        if failure not in self.seed_failures:
            self.seed_failures.append(failure)
        self.failures[code] += 1

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
            "missing_fields": dict(sorted(self.missing.items())),
            "responses": self.responses,
            "network_failures": dict(sorted(self.network_failures.items())),
            "page_requests": self.page_requests,
            "pages_received": self.pages_received,
            "seed_failures": list(self.seed_failures),
            "sitemap_urls": self.sitemap_urls,
            "sitemap_skipped": dict(sorted(self.sitemap_skipped.items())),
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
    # Non-article pages (FAQ topics, listings) are stored as failed parses so they can be
    # re-parsed later, but they are expected: show them apart so "failed" means a problem.
    not_articles = stats.get("not_articles", 0)
    shown = {**stats, "failed": stats.get("failed", 0) - not_articles}
    for name in ("fetched", "retried", *INGEST_STATUSES, "parsed"):
        outcomes.add_row(name, str(shown.get(name, 0)))
    outcomes.add_row("not articles (FAQ, listings)", str(not_articles))
    for reason, count in stats.get("failed_by_reason", {}).items():
        outcomes.add_row(f"failed: {reason}", str(count))
    if stats.get("sitemap_urls"):
        outcomes.add_row("sitemap URLs read", str(stats["sitemap_urls"]))
    for reason, count in stats.get("sitemap_skipped", {}).items():
        outcomes.add_row(f"sitemap URLs skipped: {reason}", str(count))
    console.print(outcomes)
    for failure in stats.get("seed_failures", []):
        console.print(f"[red]unreadable robots.txt/sitemap:[/red] {failure}")
    coverage = Table(title="Field coverage (share of parsed pages)")
    coverage.add_column("field")
    coverage.add_column("coverage", justify="right")
    for name, share in stats.get("coverage", {}).items():
        coverage.add_row(name, "-" if share is None else f"{share:.1%}")
    console.print(coverage)


@dataclass(frozen=True, slots=True)
class Verdict:
    """Why a finished crawl must not exit 0: the exit code and one line saying why."""

    exit_code: int
    message: str


def outcome_verdict(stats: dict[str, Any], *, incremental: bool = False) -> Verdict | None:
    """``None`` when the run achieved what it was asked for, else the failure to report.

    An incremental run with nothing due that only probed for new ids (404s) asked for no page,
    so fetching none is a success; any other run that received no page is a failure.
    """
    network: dict[str, int] = stats.get("network_failures", {})
    seed_failures = stats.get("seed_failures", [])
    not_stored = stats.get("failed_by_reason", {}).get("ingest_error", 0)
    if not_stored:
        return Verdict(
            EXIT_NOT_STORED,
            f"{not_stored} capture(s) could not be stored in the archive (see the log); they "
            f"are in the WARC files and the run stays unfinished: run the same command with "
            f"--resume once the database is healthy",
        )
    if stats.get("close_reason") == "site_unreachable" or (
        stats.get("responses", 0) == 0 and network
    ):
        reasons = ", ".join(f"{code} {n}" for code, n in sorted(network.items()))
        return Verdict(
            EXIT_NOTHING_FETCHED,
            f"the site did not answer: {sum(network.values())} attempt(s) failed at the network "
            f"level ({reasons or 'no response'}) and no HTTP response came back; check "
            f"--base-url, DNS and the network, then run again",
        )
    asked = not incremental or stats.get("page_requests", 0) > 0
    if asked and stats.get("pages_received", 0) == 0:
        why = (
            f"robots.txt/sitemap unreadable ({'; '.join(seed_failures[:3])})"
            if seed_failures
            else f"{stats.get('page_requests', 0)} page request(s), none answered 2xx/304"
        )
        return Verdict(
            EXIT_NOTHING_FETCHED,
            f"no page was fetched: {why}; check the seed options and the site",
        )
    if seed_failures:
        shown = "; ".join(seed_failures[:3]) + (" ..." if len(seed_failures) > 3 else "")
        return Verdict(
            EXIT_SEEDS_UNREADABLE,
            f"{len(seed_failures)} robots.txt/sitemap file(s) could not be read ({shown}); the "
            f"pages they list are missing from this run",
        )
    return None


#: ``crawler.fetch_errors`` codes of attempts that got no HTTP response at all.
NETWORK_CODES = frozenset(
    {"timeout", "dns", "connection_refused", "connection_failed", "data_loss"}
)

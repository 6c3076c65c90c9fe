"""The end-of-crawl report: what was fetched, what changed, what failed, field coverage and
parser warnings, and the verdict a scheduled crawl exits with.

Field coverage is how a scheduled crawl notices that the site changed its layout: parsing
still "works" but a core field goes missing on most pages. Warnings are the parser saying it
may have lost something a page shows (``parsers.warnings``). ``CoverageThresholds`` decides
when either is bad enough to exit with ``EXIT_COVERAGE``; the report names a few captures
behind each warning and each field a page lacked, so an operator can turn one into a fixture
(``healthqa fixture add --capture ID``) without re-fetching anything. ``outcome_verdict``
decides when a run achieved nothing it was asked for (site unreachable, no page fetched) or
could not read the robots.txt or sitemaps it was seeded from, so a scheduled crawl aimed at a
dead or broken site exits non-zero instead of reporting success.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.table import Table

from parsers.record import EXPECTED_FIELDS

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
#: A share of parsed pages with warnings above this means the layout probably changed.
DEFAULT_MAX_WARNING_SHARE = 0.1
#: Captures named per warning code and per missing field.
EXAMPLES = 5

#: A capture's natural key, resolved to its id once the crawl's batches are ingested.
CaptureKey = tuple[str, datetime]

#: How the crawl report and ``reparse`` name the ``not_article`` outcome.
NOT_ARTICLE_LABEL = "not_article (FAQ, listing, not found)"

INGEST_STATUSES = ("new", "changed", "unchanged", "revisit", "gone", "failed", "not_parsed")


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
    if stats.get("sitemap_urls"):
        outcomes.add_row("sitemap URLs read", str(stats["sitemap_urls"]))
    for reason, count in stats.get("sitemap_skipped", {}).items():
        outcomes.add_row(f"sitemap URLs skipped: {reason}", str(count))
    console.print(outcomes)
    for failure in stats.get("seed_failures", []):
        console.print(f"[red]unreadable robots.txt/sitemap:[/red] {failure}", soft_wrap=True)
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

"""What one crawl is asked to do, built once and frozen: the crawl plan.

``healthqa crawl`` builds it from its click options, a plain ``scrapy crawl SITE -a ids=...``
from the spider's ``-a`` strings (``plan_fields``); either way the site's spider completes it
once (``SiteSpider.make_plan``: the site's origin, its default seeds). The spider, the archive
session and the distributed worker read that one object, and the run row stores it
(``CrawlPlan.row``), so a run says how it was seeded. ``--ids`` is parsed here, once, into a
range. How the crawl runs (database, data directory, politeness, Scrapy settings) is not part
of the plan: that is ``crawler.run.CrawlOptions``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from parsers.urls import canonicalize_url


def parse_id_range(text: str) -> range:
    """``"203000-203999"`` (inclusive) or a single ``"203000"`` as a range of ids."""
    start, sep, end = text.strip().partition("-")
    try:
        first = int(start)
        last = int(end) if sep else first
    except ValueError:
        raise ValueError(f"--ids must look like 203000-203999, got {text!r}") from None
    if first < 0 or last < first:
        raise ValueError(f"--ids range {text!r} is empty or negative")
    return range(first, last + 1)


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


#: How ``scrapy crawl -a name=value`` strings become plan fields (``urls`` comma-separated),
#: and what a value must look like, for the error that names a bad one.
_WHOLE = "a whole number"
_CONVERTERS: dict[str, tuple[Any, str]] = {
    "base_url": (str, "a URL"),
    "ids": (lambda v: parse_id_range(v) if v else None, "an id range like 203000-203999"),
    "latest": (lambda v: int(v) if v else None, _WHOLE),
    "urls": (lambda v: tuple(u for u in v.split(",") if u.strip()), "URLs"),
    "follow_depth": (int, _WHOLE),
    "refresh_days": (float, "a number of days"),
    "unanswered_days": (float, "a number of days"),
    "discover_misses": (int, _WHOLE),
    **dict.fromkeys(("sitemap", "incremental", "resume"), (_flag, "a flag")),
}


def plan_fields(arguments: Mapping[str, str]) -> dict[str, Any]:
    """The plan fields ``scrapy crawl SITE -a name=value ...`` gives, converted from strings
    (flags are ``1``/``true``/``yes``/``on``); an unknown name is an error, not ignored, and a
    value that does not convert is named in the ``-a`` form the user typed."""
    unknown = sorted(set(arguments) - set(_CONVERTERS))
    if unknown:
        raise ValueError(
            f"unknown spider argument(s) {', '.join(unknown)}; "
            f"known: {', '.join(sorted(_CONVERTERS))}"
        )
    fields = {}
    for name, value in arguments.items():
        convert, form = _CONVERTERS[name]
        try:
            fields[name] = convert(value)
        except ValueError:
            raise ValueError(f"-a {name}={value} is not {form}") from None
    return fields


@dataclass(frozen=True, slots=True)
class CrawlPlan:
    """A crawl's site, origin and seeds; the base URL and seed URLs are canonical."""

    site: str
    #: The site's origin (``--base-url`` replaces the site's own, e.g. with the demo site).
    base_url: str
    ids: range | None = None
    #: 台灣e院: this many questions counting down from the newest Index1.php links.
    latest: int | None = None
    sitemap: bool = False
    urls: tuple[str, ...] = ()
    follow_depth: int = 0
    incremental: bool = False
    resume: bool = False
    refresh_days: float = 30
    unanswered_days: float = 2
    discover_misses: int = 20

    def __post_init__(self) -> None:
        base_url = canonicalize_url(self.base_url).rstrip("/")
        object.__setattr__(self, "base_url", base_url)
        object.__setattr__(
            self, "urls", tuple(canonicalize_url(u, base=base_url) for u in self.urls)
        )

    @property
    def names_seeds(self) -> bool:
        """Whether the plan names any seed; without one a site seeds its default way."""
        return bool(self.ids or self.latest or self.sitemap or self.urls or self.incremental)

    @property
    def refresh_after(self) -> timedelta:
        return timedelta(days=self.refresh_days)

    @property
    def unanswered_after(self) -> timedelta:
        return timedelta(days=self.unanswered_days)

    def row(self) -> dict[str, Any]:
        """What the run row records (``crawl_runs.arguments``)."""
        row: dict[str, Any] = {
            "base_url": self.base_url,
            "ids": f"{self.ids.start}-{self.ids.stop - 1}" if self.ids else None,
            "sitemap": self.sitemap,
            "urls": list(self.urls),
            "follow_depth": self.follow_depth,
            "incremental": self.incremental,
        }
        if self.latest is not None:
            row["latest"] = self.latest
        return row

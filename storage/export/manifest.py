"""The manifest beside every export: what is in the file and how it was made.

A researcher citing an export needs to know which rows it holds (filters, time range, row
count), which parser versions and crawl runs produced them, what every column means, how it
was de-identified, and that the file they have is the file that was written (sha256). The
manifest is deterministic JSON (sorted keys, no timestamp unless the caller passes one) so
re-running an export reproduces it byte for byte.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import Any

#: Bumped when the manifest's structure changes, so readers can tell layouts apart.
MANIFEST_VERSION = 1

#: Keys ``write_export`` fills itself; ``manifest_extra`` may not override them.
RESERVED_KEYS: frozenset[str] = frozenset(
    {
        "manifest_version",
        "format",
        "format_notes",
        "rows",
        "files",
        "schema",
        "filters",
        "parser_versions",
        "crawl_runs",
        "time_range",
        "deidentification",
    }
)


class ManifestCollector:
    """Gathers provenance from rows as they stream past, without holding the rows.

    Put it anywhere in the row pipeline with ``rows = collector.observe(rows)`` (before a
    projection that drops ``parser_version``, for example) and pass it to ``write_export``,
    which reads ``summary()`` once the stream is exhausted. A configured column missing from a
    row is an error rather than a silently empty list; set it to ``None`` to not collect it.
    ``time_column`` values should be ISO dates/datetimes (or ``date``/``datetime``
    objects), which order correctly as text.
    """

    def __init__(
        self,
        *,
        parser_version_column: str | None = "parser_version",
        crawl_run_column: str | None = "crawl_run_id",
        time_column: str | None = None,
    ) -> None:
        self.parser_version_column = parser_version_column
        self.crawl_run_column = crawl_run_column
        self.time_column = time_column
        self.parser_versions: set[str] = set()
        self.crawl_runs: set[Any] = set()
        self.time_min: str | None = None
        self.time_max: str | None = None

    def observe(self, rows: Iterable[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
        """Yield ``rows`` unchanged, recording provenance from each."""
        for row in rows:
            self._record(row)
            yield row

    def _record(self, row: Mapping[str, Any]) -> None:
        if self.parser_version_column is not None:
            value = _required(row, self.parser_version_column)
            if value is not None:
                self.parser_versions.add(str(value))
        if self.crawl_run_column is not None:
            value = _required(row, self.crawl_run_column)
            if value is not None:
                self.crawl_runs.add(value)
        if self.time_column is not None:
            value = _required(row, self.time_column)
            if value is not None:
                text = value.isoformat() if isinstance(value, date | datetime) else str(value)
                if self.time_min is None or text < self.time_min:
                    self.time_min = text
                if self.time_max is None or text > self.time_max:
                    self.time_max = text

    def summary(self) -> dict[str, Any]:
        """Manifest fragment: sorted provenance lists and the time range (``None`` if unset)."""
        time_range = None
        if self.time_column is not None:
            time_range = {"column": self.time_column, "min": self.time_min, "max": self.time_max}
        return {
            "parser_versions": sorted(self.parser_versions),
            "crawl_runs": sorted(self.crawl_runs, key=lambda v: (str(type(v)), v)),
            "time_range": time_range,
        }


def _required(row: Mapping[str, Any], column: str) -> Any:
    try:
        return row[column]
    except KeyError:
        raise KeyError(
            f"ManifestCollector expects column {column!r} in every row; "
            f"row has {sorted(row)} (set the collector's column to None to skip it)"
        ) from None


def build_manifest(
    *,
    fmt: str,
    rows: int,
    files: list[dict[str, Any]],
    format_notes: Mapping[str, Any] | None = None,
    schema: list[dict[str, str]],
    filters: Mapping[str, Any] | None,
    provenance: Mapping[str, Any] | None,
    deidentification: Mapping[str, Any] | None,
    extra: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """Assemble the manifest dict; ``extra`` adds caller keys but cannot override ours.

    ``format_notes`` says how the file's text differs from the archive's (the CSV formula
    guard), so nobody mistakes a written form for the archived one.
    """
    clash = sorted(RESERVED_KEYS & set(extra or {}))
    if clash:
        raise ValueError(f"manifest_extra may not set reserved manifest keys: {clash}")
    provenance = provenance or {"parser_versions": [], "crawl_runs": [], "time_range": None}
    return {
        **(extra or {}),
        "manifest_version": MANIFEST_VERSION,
        "format": fmt,
        "format_notes": dict(format_notes) if format_notes else None,
        "rows": rows,
        "files": files,
        "schema": schema,
        "filters": dict(filters or {}),
        "parser_versions": provenance["parser_versions"],
        "crawl_runs": provenance["crawl_runs"],
        "time_range": provenance["time_range"],
        "deidentification": dict(deidentification) if deidentification else None,
    }


def _iso_dates(value: Any) -> str:
    """Filters often hold dates (``since=date(2024, 1, 1)``); record them as ISO text."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} {value!r} is not JSON serialisable")


def manifest_bytes(manifest: Mapping[str, Any]) -> bytes:
    """Canonical JSON: sorted keys, readable indentation, UTF-8, trailing newline."""
    try:
        text = json.dumps(
            manifest, ensure_ascii=False, indent=2, sort_keys=True, default=_iso_dates
        )
    except TypeError as error:
        raise ValueError(
            f"manifest values must be JSON types (filters, manifest_extra): {error}"
        ) from None
    return (text + "\n").encode("utf-8")

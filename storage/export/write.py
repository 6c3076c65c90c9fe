"""``write_export``: one call from a row stream to a checked data file plus its manifest.

The caller owns the query; this function owns everything after it, in one order that
cannot be skipped: de-identify each row (if asked), check it against the schema, stream it
into a staged file, hash the file, write the manifest, then commit both atomically.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storage.export.atomic import StaleCleanup, clean_stale, staged_outputs
from storage.export.deidentify import DeidentifyPlan
from storage.export.manifest import ManifestCollector, build_manifest, manifest_bytes
from storage.export.schema import ExportSchema
from storage.export.writers import CSV_FORMULA_GUARD_NOTE, FORMATS, WRITERS

#: What each format's manifest says about how its text differs from the archive's.
FORMAT_NOTES: dict[str, dict[str, str]] = {"csv": {"formula_guard": CSV_FORMULA_GUARD_NOTE}}


@dataclass(frozen=True, slots=True)
class ExportResult:
    """Where the export landed and what the manifest says about it."""

    path: Path
    manifest_path: Path
    rows: int
    sha256: str
    bytes: int
    #: What earlier, killed exports had left in the output directory and was cleaned up.
    stale: StaleCleanup


def manifest_path_for(out: Path) -> Path:
    """``<out>.manifest.json``, beside the data file."""
    return out.with_name(out.name + ".manifest.json")


def write_export(
    rows: Iterable[Mapping[str, Any]],
    *,
    schema: ExportSchema,
    fmt: str,
    out: Path,
    force: bool = False,
    filters: Mapping[str, Any] | None = None,
    collector: ManifestCollector | None = None,
    deidentify: DeidentifyPlan | None = None,
    manifest_extra: Mapping[str, Any] | None = None,
) -> ExportResult:
    """Stream ``rows`` into ``out`` as ``fmt`` and write ``<out>.manifest.json`` beside it.

    ``rows`` must carry exactly the schema's columns (after ``deidentify`` has replaced the
    name column). ``collector`` is read after the stream ends, so the caller must have wrapped
    the stream with ``collector.observe``. Nothing is left behind on any error, existing
    outputs are only replaced with ``force=True`` and survive a failed replacement, and what
    killed exports left in the directory is cleaned first (``ExportResult.stale``).
    """
    if fmt not in WRITERS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    manifest_path = manifest_path_for(out)
    stream = (deidentify.apply(row) for row in rows) if deidentify else rows
    stale = clean_stale(out.parent)
    with staged_outputs([out, manifest_path], force=force) as (data, manifest_file):
        count = WRITERS[fmt](stream, schema, data.tmp)
        sha256, size = data.sha256()
        manifest = build_manifest(
            fmt=fmt,
            rows=count,
            files=[{"name": out.name, "sha256": sha256, "bytes": size}],
            format_notes=FORMAT_NOTES.get(fmt),
            schema=schema.describe(),
            filters=filters,
            provenance=collector.summary() if collector else None,
            deidentification=deidentify.settings() if deidentify else None,
            extra=manifest_extra,
        )
        manifest_file.tmp.write_bytes(manifest_bytes(manifest))
    return ExportResult(out, manifest_path, count, sha256, size, stale)

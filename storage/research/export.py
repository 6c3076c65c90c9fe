"""``healthqa export``: archive query -> de-identification -> export writer, all streamed.

The query side (``export_rows``) and the file side (``storage.export``) each stay ignorant of
the other; this module is the only place that knows both, so the export's schema, manifest
provenance and de-identification plan are decided once.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Engine

from storage.export import (
    Column,
    Deidentifier,
    DeidentifyPlan,
    ExportResult,
    ExportSchema,
    ManifestCollector,
    write_export,
)
from storage.research.export_rows import QUESTION_SCHEMA, iter_question_rows
from storage.search import SearchFilters

#: Free-text columns scrubbed under ``--deidentify`` (``column.field`` reaches into lists).
SCRUBBED_COLUMNS: tuple[str, ...] = (
    "page_title",
    "question_title",
    "question_body",
    "answers.body",
    "explanation",
    "links.title",
    "links.question_snippet",
    "links.reply_snippet",
)


def deidentified_schema(schema: ExportSchema = QUESTION_SCHEMA) -> ExportSchema:
    """The schema with the asker's name column replaced by the pseudonym, in place."""
    return ExportSchema(
        tuple(
            Column.of("asker_id", "string", "Pseudonymous asker id (keyed HMAC of name + site)")
            if c.name == "asker_name"
            else c
            for c in schema.columns
        )
    )


def export_questions(
    engine: Engine,
    *,
    fmt: str,
    out: Path | BinaryIO,
    filters: SearchFilters | None = None,
    deidentify_key: bytes | None = None,
    force: bool = False,
    manifest_out: Path | None = None,
) -> ExportResult:
    """Write one row per question matching ``filters`` (the search filters, so a search and
    an export with the same options select the same questions), in page-id order.

    ``out`` is a file path, or an open binary stream such as standard output (then the
    manifest goes to ``manifest_out``, if given); see ``write_export``."""
    collector = ManifestCollector(time_column="asked_on")
    rows = collector.observe(iter_question_rows(engine, filters))
    plan = (
        DeidentifyPlan(Deidentifier(deidentify_key), text_columns=SCRUBBED_COLUMNS)
        if deidentify_key is not None
        else None
    )
    return write_export(
        rows,
        schema=deidentified_schema() if plan else QUESTION_SCHEMA,
        fmt=fmt,
        out=out,
        force=force,
        filters=_given(filters),
        collector=collector,
        deidentify=plan,
        manifest_out=manifest_out,
    )


def _given(filters: SearchFilters | None) -> dict[str, Any]:
    """The filters actually set, JSON-ready, for the manifest."""
    if filters is None:
        return {}
    values = {f: getattr(filters, f) for f in filters.__dataclass_fields__}
    return {
        k: v.isoformat() if isinstance(v, date) else v for k, v in values.items() if v is not None
    }

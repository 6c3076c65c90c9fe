"""The declared question fields (``parsers.schema``) against every place that spells them:
the record, the ``questions`` columns and their length limits, the ingest checks, the export
rows and the search filters. A field changed in one place and not the others fails here."""

from __future__ import annotations

import dataclasses
from datetime import date

from sqlalchemy import String
from storage_factory import make_capture, make_record

from parsers.record import QARecord
from parsers.schema import QUESTION_FIELDS, value_of
from storage import Archive
from storage.ingest import _LIMITS
from storage.models import Question
from storage.research.export_rows import QUESTION_SCHEMA, iter_question_rows
from storage.search import SearchFilters


def test_every_field_is_a_record_path_and_a_questions_column() -> None:
    record = make_record(3)
    columns = Question.__table__.columns
    for field in QUESTION_FIELDS:
        value_of(record, field)  # raises if the path is not the record's
        assert field.column in columns, field
        column_type = columns[field.column].type
        if isinstance(column_type, String) and column_type.length is not None:
            assert column_type.length == field.max_length, field
        else:
            assert field.max_length is None, field


def test_bounded_fields_are_checked_at_ingest_with_their_limit() -> None:
    for field in QUESTION_FIELDS:
        if field.max_length is not None:
            assert _LIMITS[f"record.{field.column}"] == field.max_length, field


def test_export_columns_and_values_are_the_declared_fields(archive: Archive) -> None:
    exported = {column.name: column for column in QUESTION_SCHEMA.columns}
    for field in QUESTION_FIELDS:
        assert exported[field.name].description == field.description
        assert exported[field.name].type.kind == field.type
    records: list[QARecord] = [make_record(n) for n in (1, 2)]
    archive.ingest_many([(record, make_capture(record.url)) for record in records])
    rows = {row["url"]: row for row in iter_question_rows(archive.engine)}
    for record in records:
        for field in QUESTION_FIELDS:
            value = rows[record.canonical_url][field.name]
            expected = value_of(record, field)
            if isinstance(value, date):
                value = value.isoformat()
            assert value == expected, field.name


def test_search_filters_name_declared_fields() -> None:
    filters = {f.name for f in dataclasses.fields(SearchFilters)}
    for field in QUESTION_FIELDS:
        if field.search_filter is not None:
            assert field.search_filter in filters, field

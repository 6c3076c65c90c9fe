"""The declared fields (``parsers/record.py``, walked by ``parsers.schema``) against every
place that spells them: the record, the ``questions``/``answers``/``captures`` columns and
their length limits, the ingest checks, the export schema and its values, ``qa_flat`` and
its list in docs/schema.md, the missing-field list and the search filters. A field changed
in one place and not the others fails here."""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import String, inspect
from storage_factory import make_capture, make_record

from parsers.record import EXPECTED_FIELDS, SPARSE_FIELDS, QARecord
from parsers.schema import (
    ANSWER_FIELDS,
    CAPTURE_FIELDS,
    COVERAGE,
    QUESTION_FIELDS,
    missing_fields,
    value_of,
)
from storage import Archive, SearchFilters
from storage.flat import FIRST
from storage.ingest import _LIMITS
from storage.models import Answer, CaptureRow, Question
from storage.research.export_rows import QUESTION_SCHEMA, iter_question_rows
from storage.search import filter_conditions

ROOT = Path(__file__).resolve().parents[2]
TABLES = ((QUESTION_FIELDS, Question), (ANSWER_FIELDS, Answer), (CAPTURE_FIELDS, CaptureRow))


def _record() -> QARecord:
    """A record with every declared field set, the 台灣e院 ones included."""
    record = make_record(3)
    answers = tuple(
        dataclasses.replace(answer, hospital=f"Hospital {i}")
        for i, answer in enumerate(record.answers)
    )
    return dataclasses.replace(record, answers=answers, view_count=1234)


def test_every_field_is_a_record_path_and_a_column_of_its_declared_length() -> None:
    record = _record()
    for declared, model in TABLES:
        columns = model.__table__.columns
        for field in declared:
            source = record.answers[0] if declared is ANSWER_FIELDS else record
            assert value_of(source, field) is not None, field  # the path is the record's
            if field.names_table is not None:
                continue  # a name kept once per site, referenced by id
            column = columns[field.name]
            assert column.nullable == field.nullable, field
            if isinstance(column.type, String) and column.type.length is not None:
                assert column.type.length == field.max_length, field
            else:
                assert field.max_length is None, field


def test_migrations_create_the_declared_columns(archive: Archive) -> None:
    inspector = inspect(archive.engine)
    for declared, model in TABLES:
        present = {c["name"] for c in inspector.get_columns(model.__tablename__)}
        stored = {f.name for f in declared if f.names_table is None}
        assert stored <= present, model.__tablename__


def test_bounded_fields_are_checked_at_ingest_with_their_limit() -> None:
    for field in QUESTION_FIELDS:
        if field.max_length is not None:
            assert _LIMITS[f"record.{field.name}"] == field.max_length, field
    for field in ANSWER_FIELDS:
        if field.max_length is not None and field.names_table is None:
            assert _LIMITS[f"answer.{field.name}"] == field.max_length, field


def test_export_columns_and_values_are_the_declared_fields(archive: Archive) -> None:
    exported = {column.name: column for column in QUESTION_SCHEMA.columns}
    for field in (*QUESTION_FIELDS, *CAPTURE_FIELDS):
        assert exported[field.name].description == field.description
        assert exported[field.name].type.kind == field.type
    answer = dict(exported["answers"].type.item.fields)  # type: ignore[union-attr]
    assert list(answer) == ["position", *(f.name for f in ANSWER_FIELDS)]
    for field in ANSWER_FIELDS:
        assert answer[field.name].kind == field.type
        assert field.description in exported["answers"].description
    records = [_record(), make_record(1)]
    archive.ingest_many([(record, make_capture(record.url)) for record in records])
    rows = {row["url"]: row for row in iter_question_rows(archive.engine)}

    def plain(value: object) -> object:
        return value.isoformat() if isinstance(value, date) else value

    for record in records:
        row = rows[record.canonical_url]
        for field in (*QUESTION_FIELDS, *CAPTURE_FIELDS):
            assert plain(row[field.name]) == value_of(record, field), field.name
        for exported_answer, answer in zip(row["answers"], record.answers, strict=True):
            for field in ANSWER_FIELDS:
                assert plain(exported_answer[field.name]) == value_of(answer, field), field
        assert archive.record(record.canonical_url) == record  # and the mapping round-trips


def _qa_flat_columns(archive: Archive) -> list[str]:
    return [c["name"] for c in inspect(archive.engine).get_columns("qa_flat")]


def test_qa_flat_carries_every_declared_field_under_its_flat_name(archive: Archive) -> None:
    columns = _qa_flat_columns(archive)
    expected = [f.name for f in (*QUESTION_FIELDS, *CAPTURE_FIELDS)]
    expected += [FIRST + f.name for f in ANSWER_FIELDS]
    assert set(expected) <= set(columns)
    record = _record()
    archive.ingest_many([(record, make_capture(record.url))])
    with archive.engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT * FROM qa_flat").mappings().one()
    for field in (*QUESTION_FIELDS, *CAPTURE_FIELDS):
        value = row[field.name]
        assert (str(value) if field.type == "date" else value) == value_of(record, field)
    for field in ANSWER_FIELDS:
        value = row[FIRST + field.name]
        expected_value = value_of(record.answers[0], field)
        assert (str(value) if field.type == "date" else value) == expected_value, field


def test_docs_list_the_qa_flat_columns(archive: Archive) -> None:
    text = (ROOT / "docs/schema.md").read_text(encoding="utf-8")
    section = text.split("## `qa_flat`", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"`([a-z_]+)`", section.split("-->", 1)[1])
    columns = _qa_flat_columns(archive)
    # The first reply's columns are described by rule (``first_`` + each answer field), so a
    # new answer field needs no edit there; the examples must still be real columns.
    first_reply = [FIRST + f.name for f in ANSWER_FIELDS]
    assert [c for c in columns if c in first_reply] == first_reply
    assert [c for c in listed if c not in first_reply] == [
        c for c in columns if c not in first_reply
    ]
    assert {c for c in listed if c in first_reply} <= set(columns)


def test_missing_fields_check_what_their_names_say() -> None:
    assert set(EXPECTED_FIELDS) == set(COVERAGE)
    record = make_record(2)
    assert missing_fields(record) == ()
    bare = dataclasses.replace(record, asker=dataclasses.replace(record.asker, age_label=None))
    assert missing_fields(bare) == ("asker.age",)
    assert missing_fields(dataclasses.replace(record, answers=())) == ("answers",)


def test_sparse_fields_are_the_declared_ones() -> None:
    assert {"hospital", "view_count"} <= SPARSE_FIELDS


@pytest.mark.parametrize("field", [f for f in QUESTION_FIELDS if f.search_filter])
def test_search_filters_filter_on_their_declared_column(field) -> None:  # type: ignore[no-untyped-def]
    assert field.search_filter in {f.name for f in dataclasses.fields(SearchFilters)}
    value = {"int": 30, "date": date(2024, 1, 1), "string": "female"}[field.type]
    conditions = filter_conditions(SearchFilters(**{field.search_filter: value}))
    sql = " ".join(str(condition) for condition in conditions)
    assert f"questions.{field.name}" in sql, sql

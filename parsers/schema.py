"""The record's declared fields (``parsers/record.py``), walked once and grouped by where
the archive keeps them, plus what ``QARecord.missing`` checks.

A field is declared beside its dataclass field (``parsers.fields.declare``); this module
turns those declarations into the tuples every other layer derives from: the ``questions``
and ``answers`` columns, their length limits and the record-to-row mapping (``storage``),
the export columns and their descriptions, ``qa_flat``, and the search filters.
``tests/storage/test_schema_declaration.py`` holds each of those to the declaration, so a
field changed in one place and not the others fails a test instead of drifting.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from parsers.fields import KEY, Field
from parsers.record import EXPECTED_FIELDS, Answer, Asker, QARecord

__all__ = [
    "ANSWER_FIELDS",
    "CAPTURE_FIELDS",
    "COVERAGE",
    "FIELDS_BY_NAME",
    "QUESTION_FIELDS",
    "Field",
    "missing_fields",
    "value_of",
]


def _declared(cls: type, prefix: str = "") -> list[Field]:
    """The declared fields of ``cls`` in field order, with their record path and nullability;
    a nested record (``asker``) contributes its own declared fields in its place."""
    found = []
    for item in fields(cls):
        spec = item.metadata.get(KEY)
        if spec is not None:
            nullable = "None" in str(item.type)
            found.append(replace(spec, path=prefix + item.name, nullable=nullable))
        elif item.name == "asker":
            found += _declared(Asker, prefix="asker.")
    return found


_RECORD_FIELDS = _declared(QARecord)

#: Question-level content, kept in ``questions`` (one row per page), in export order.
QUESTION_FIELDS: tuple[Field, ...] = tuple(f for f in _RECORD_FIELDS if not f.observation)
#: What a page said at one capture, kept in ``captures`` and left out of the content hash.
CAPTURE_FIELDS: tuple[Field, ...] = tuple(f for f in _RECORD_FIELDS if f.observation)
#: One reply's fields, kept in ``answers`` (``path`` is the ``Answer`` attribute).
ANSWER_FIELDS: tuple[Field, ...] = tuple(_declared(Answer))

FIELDS_BY_NAME: dict[str, Field] = {f.name: f for f in (*QUESTION_FIELDS, *CAPTURE_FIELDS)}

#: What each name of ``QARecord.missing`` (``EXPECTED_FIELDS``) checks: the record path
#: whose value a complete page has. These names are part of archived records and their
#: content hash, so they keep their spelling (``asker.age`` is the age phrase).
COVERAGE: dict[str, str] = {
    "page_title": "page_title",
    "question_title": "question_title",
    "question_body": "question_body",
    "asker.name": "asker.name",
    "asker.age": "asker.age_label",
    "asker.sex": "asker.sex",
    "asked_on": "asked_on",
    "answers": "answers",
    "explanation": "explanation",
    "similar": "similar",
    "related_faq": "related_faq",
}


def _at(record: object, path: str) -> Any:
    value = record
    for part in path.split("."):
        value = getattr(value, part)
    return value


def value_of(record: object, field: Field) -> object:
    """``field``'s value in ``record`` (a ``QARecord``, or an ``Answer`` for answer fields)."""
    return _at(record, field.path)


def missing_fields(
    record: QARecord, expected: tuple[str, ...] = EXPECTED_FIELDS
) -> tuple[str, ...]:
    """The ``expected`` coverage names (in their order) whose value ``record`` lacks: the
    one definition of ``QARecord.missing`` every parser and the demo site's truth use."""
    return tuple(name for name in expected if not _at(record, COVERAGE[name]))

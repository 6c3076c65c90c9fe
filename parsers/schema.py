"""The question-level fields of a record, declared once: the flat name a user meets, its
type, the longest value the archive keeps, what it means, and where it sits in ``QARecord``.

The export schema takes its question columns (names, types, descriptions) from here, and
``tests/architecture/test_architecture_schema.py`` holds the SQL columns, their length
limits, the ingest checks and the search filters to it, so a field added or changed in one
place and not the others fails a test instead of drifting.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a question.

    ``name`` is the flat name (export column, and the name in the docs); ``path`` is where
    the value sits in ``QARecord`` (``asker.age_min``); ``column`` is the ``questions``
    column that stores it; ``max_length`` bounds text the archive keeps (``None``: an
    unbounded text or not text); ``search_filter`` names the ``SearchFilters`` field that
    filters on it, if any.
    """

    name: str
    type: str
    description: str
    path: str
    column: str
    max_length: int | None = None
    search_filter: str | None = None


QUESTION_FIELDS: tuple[Field, ...] = (
    Field("language", "string", "Page language (html lang or URL segment)", "language",
          "language", 20),
    Field("page_title", "string", "Document title as shown", "page_title", "page_title"),
    Field("question_title", "string", "Question headline", "question_title", "title"),
    Field("question_body", "string", "Question text, one paragraph per line",
          "question_body", "body"),
    Field("asker_name", "string", "Asker name as shown (pseudonymised with --deidentify)",
          "asker.name", "asker_name", 300),
    Field("asker_age_min", "int", "Lower bound of the asker's stated age, inclusive",
          "asker.age_min", "age_min", search_filter="age_min"),
    Field("asker_age_max", "int", "Upper bound of the asker's stated age, inclusive",
          "asker.age_max", "age_max", search_filter="age_max"),
    Field("asker_age_label", "string", "Age phrase as shown (e.g. 30~39 year old)",
          "asker.age_label", "age_label", 100),
    Field("asker_sex", "string", "female, male or null", "asker.sex", "sex", 10,
          search_filter="sex"),
    Field("asked_on", "date", "Ask Date", "asked_on", "asked_on",
          search_filter="asked_from"),
)  # fmt: skip

FIELDS_BY_NAME: dict[str, Field] = {field.name: field for field in QUESTION_FIELDS}


def value_of(record: object, field: Field) -> object:
    """``field``'s value in ``record`` (a ``QARecord``), following its dotted path."""
    value = record
    for part in field.path.split("."):
        value = getattr(value, part)
    return value

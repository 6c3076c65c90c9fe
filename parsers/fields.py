"""How a record field is declared: its flat name, type and meaning, written once beside the
field itself in ``parsers/record.py``.

Everything downstream reads these declarations (``parsers.schema`` walks them): the archive's
columns, their length limits and the record-to-row mapping (``storage``), the export schema,
``qa_flat`` and the docs' column lists are derived from them or tested against them, so adding
an optional field is a record line, its parser and one migration.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

#: The ``dataclasses.field`` metadata key that holds a field's ``Field``.
KEY = "healthqa"


@dataclass(frozen=True, slots=True)
class Field:
    """One declared field.

    ``name`` is the flat name a user meets (export column, ``qa_flat`` column, docs);
    ``type`` is the export's logical type (``string``, ``int``, ``date``...); ``max_length``
    bounds text the archive keeps (``None``: unbounded, or not text). The column that stores
    it has its name too (``questions.asker_sex``, ``answers.hospital``); ``names_table``
    says the value is a name kept once per site in that table (``doctors``) and referenced
    by id; ``observation`` marks what the page said at one capture rather than content
    (stored with the capture, left out of the content hash). ``sparse`` fields were added
    after records were first archived: written to a record's JSON only when set, so older
    records keep their JSON and content hash. ``search_filter`` names the ``SearchFilters``
    field that filters on it, if any.

    ``path`` (where the value sits in ``QARecord``, e.g. ``asker.age_min``) and
    ``nullable`` are filled in by ``parsers.schema`` from the dataclass it is declared on.
    """

    name: str
    type: str
    description: str
    max_length: int | None = None
    names_table: str | None = None
    observation: bool = False
    sparse: bool = False
    search_filter: str | None = None
    path: str = ""
    nullable: bool = True


def declare(
    name: str, type: str, description: str, *, default: Any = dataclasses.MISSING, **options: Any
) -> Any:
    """A dataclass field carrying its declaration; ``options`` are ``Field``'s."""
    spec = Field(name, type, description, **options)
    return dataclasses.field(default=default, metadata={KEY: spec})

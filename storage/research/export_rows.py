"""Stream one flat export row per question, in page-id order, in bounded memory.

Rows are fetched by keyset pagination (``pages.id > last`` in batches), never with OFFSET and
never all at once: each batch costs a few indexed queries whatever the archive size, and the
order is the page id, so two exports of an unchanged archive list the same rows in the same
order (the byte-identical-rerun guarantee rests on this). Nested answers and links are
fetched per batch with ``IN`` lists and attached in Python.

Every statement runs in one read-only transaction that sees one snapshot of the archive
(``snapshot``), so an export taken while a crawl writes is the archive as it was at the
export's first read: no question added halfway, no answers from a later revision.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, and_, select
from sqlalchemy.orm import aliased

from parsers.schema import ANSWER_FIELDS, CAPTURE_FIELDS, QUESTION_FIELDS, Field
from storage.export.schema import ExportSchema
from storage.models import (
    Answer,
    Department,
    Doctor,
    Explanation,
    Link,
    Page,
    Question,
    Site,
)
from storage.models import (
    CaptureRow as Capture,
)
from storage.search import SearchFilters, filter_conditions
from storage.timeutil import from_db

ANSWER_TYPE = "struct<position:int," + ",".join(f"{f.name}:{f.type}" for f in ANSWER_FIELDS) + ">"
LINK_TYPE = (
    "struct<kind:string,position:int,title:string,url:string,question_snippet:string,"
    "reply_snippet:string,doctor:string,department:string>"
)

QUESTION_SCHEMA = ExportSchema.of(
    [
        ("page_id", "int", "Archive page id; stable within one archive, the export's sort key"),
        ("url", "string", "Canonical page URL"),
        ("site", "string", "Site the page belongs to (e.g. doctorqna)"),
        ("external_id", "string", "The site's own article id"),
        ("state", "string", "active, or gone when the site stopped serving the page"),
        *((field.name, field.type, field.description) for field in QUESTION_FIELDS),
        ("answer_count", "int", "Number of doctor replies"),
        (
            "answers",
            f"list<{ANSWER_TYPE}>",
            "Doctor replies in page order: position (0 first), "
            + ", ".join(f"{f.name} ({f.description})" for f in ANSWER_FIELDS),
        ),
        ("explanation", "string", "The More Info text, one paragraph per line"),
        ("explanation_headings", "list<string>", "Sub-headings of the explanation"),
        ("links", f"list<{LINK_TYPE}>", "Similar Q&A and Related FAQ links in page order"),
        ("parser_version", "string", "Parser version that extracted the current content"),
        (
            "warnings",
            "list<string>",
            "What the parser was unsure of reading that content (codes in docs/parsers.md); "
            "empty for a clean record",
        ),
        ("captured_at", "datetime", "Fetch time (UTC) of the capture the content came from"),
        ("crawl_run_id", "int", "Crawl run of that capture"),
        *((field.name, field.type, field.description) for field in CAPTURE_FIELDS),
    ]
)

_NAMES = QUESTION_SCHEMA.names
_questions = Question.__table__
_captures = Capture.__table__
_answers_t = Answer.__table__
_NAME_TABLES: dict[str, Any] = {"doctors": Doctor, "departments": Department}

#: Questions per round trip: big enough to amortise the 5 queries, small enough for RAM.
BATCH = 500


def iter_question_rows(
    engine: Engine, filters: SearchFilters | None = None, *, batch: int = BATCH
) -> Iterator[dict[str, Any]]:
    """Yield ``QUESTION_SCHEMA`` rows for questions matching ``filters``.

    The filter SQL is the search's own (``storage.search``), so both select the same
    questions; ``SearchQueryError`` reports a contradictory filter before any row is read.
    """
    conditions = filter_conditions(filters or SearchFilters())
    last_id = 0
    with engine.connect() as conn, snapshot(conn):
        while True:
            ids = list(
                conn.scalars(
                    select(Page.id)
                    .join(Question, Question.page_id == Page.id)
                    .where(Page.id > last_id, *conditions)
                    .order_by(Page.id)
                    .limit(batch)
                )
            )
            if not ids:
                return
            yield from _rows_for(conn, ids)
            last_id = ids[-1]


@contextmanager
def snapshot(conn: Connection) -> Iterator[Connection]:
    """One read-only transaction over one snapshot, for every statement run inside.

    PostgreSQL: ``REPEATABLE READ READ ONLY`` (a plain connection is ``READ COMMITTED``,
    where each statement sees the commits made since the previous one). SQLite: one
    ``BEGIN`` (the engine's, see ``storage.engine``) whose WAL snapshot starts at the first
    read; writers go on committing meanwhile and the export does not see them.
    """
    if conn.dialect.name == "postgresql":
        conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
    with conn.begin() as transaction:
        yield conn
        transaction.rollback()  # read-only: nothing to commit


def _rows_for(conn: Any, ids: list[int]) -> Iterator[dict[str, Any]]:
    answers = _answers(conn, ids)
    links = _links(conn, ids)
    explanations = {
        page_id: (text, headings)
        for page_id, text, headings in conn.execute(
            select(Explanation.page_id, Explanation.text, Explanation.headings).where(
                Explanation.page_id.in_(ids)
            )
        )
    }
    content_capture = and_(
        Capture.page_id == Page.id, Capture.fetched_at == Page.content_fetched_at
    )
    query = (
        select(
            Page.id,
            Page.url,
            Site.name.label("site"),
            Page.external_id,
            Page.state,
            *(_questions.c[f.name].label(f.name) for f in QUESTION_FIELDS),
            Question.parser_version,
            Page.content_fetched_at.label("captured_at"),
            Capture.crawl_run_id,
            Capture.warnings,
            *(_captures.c[f.name].label(f.name) for f in CAPTURE_FIELDS),
        )
        .join(Question, Question.page_id == Page.id)
        .join(Site, Site.id == Page.site_id)
        .outerjoin(Capture, content_capture)
        .where(Page.id.in_(ids))
        .order_by(Page.id)
    )
    result = conn.execute(query)
    keys = tuple(result.keys())
    for row in result:
        values = dict(zip(keys, row, strict=True))
        page_id = values.pop("id")
        text, headings = explanations.get(page_id, (None, []))
        page_answers = answers.get(page_id, [])
        values["captured_at"] = from_db(values["captured_at"])
        values.update(
            page_id=page_id,
            answer_count=len(page_answers),
            answers=page_answers,
            explanation=text,
            explanation_headings=list(headings or []),
            links=links.get(page_id, []),
            warnings=list(values["warnings"] or []),
        )
        yield {name: values[name] for name in _NAMES}


def _answers(conn: Any, ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
    query = (
        select(
            Answer.page_id,
            Answer.position,
            *(_answer_column(field) for field in ANSWER_FIELDS),
        )
        .outerjoin(Doctor, Doctor.id == Answer.doctor_id)
        .outerjoin(Department, Department.id == Answer.department_id)
        .where(Answer.page_id.in_(ids))
        .order_by(Answer.page_id, Answer.position)
    )
    _group(conn.execute(query), grouped)
    return grouped


def _answer_column(field: Field) -> Any:
    """A declared answer field's column, under its flat name (names from their tables)."""
    if field.names_table is not None:
        return _NAME_TABLES[field.names_table].name.label(field.name)
    return _answers_t.c[field.name].label(field.name)


# Aliases made once: an ``aliased()`` entity registers events and holds reference cycles, so
# one per batch left cyclic garbage that piled up between collections (the export's peak
# memory grew with the number of batches).
_LINK_DOCTOR = aliased(Doctor)
_LINK_DEPARTMENT = aliased(Department)


def _links(conn: Any, ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
    link_doctor, link_department = _LINK_DOCTOR, _LINK_DEPARTMENT
    query = (
        select(
            Link.page_id,
            Link.kind,
            Link.position,
            Link.title,
            Link.target_url.label("url"),
            Link.question_snippet,
            Link.reply_snippet,
            link_doctor.name.label("doctor"),
            link_department.name.label("department"),
        )
        .outerjoin(link_doctor, link_doctor.id == Link.doctor_id)
        .outerjoin(link_department, link_department.id == Link.department_id)
        .where(Link.page_id.in_(ids))
        .order_by(Link.page_id, Link.kind.desc(), Link.position)  # similar before related_faq
    )
    _group(conn.execute(query), grouped)
    return grouped


def _group(result: Any, grouped: dict[int, list[dict[str, Any]]]) -> None:
    """Each row as a dict of its columns but the first, listed under the first (the page id).

    ``dict(zip(keys, row))`` with the keys read once: ``Row._asdict`` rebuilds its key view
    for every row and was the costliest call of a large export."""
    keys = tuple(result.keys())[1:]
    for page_id, *values in result:
        grouped[page_id].append(dict(zip(keys, values, strict=True)))

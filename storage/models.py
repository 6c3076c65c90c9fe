"""The archive's tables as SQLAlchemy 2.0 typed models.

The models are the single description of the schema: Alembic migrations are checked
against them (``tests/storage/test_schema.py``) and the ingest/search code builds Core
statements from their ``__table__``. Search structures that only exist on one dialect (the
SQLite FTS5 table and its triggers, the PostgreSQL ``tsvector`` column) and the ``qa_flat``
view (``storage.flat``) live in the migrations, not here, because they are not portable tables.
The columns of the record's declared fields (``parsers/record.py``) are made from their
declarations, so a new field needs no line here.

Timestamps are stored as naive UTC (``storage.timeutil``) so SQLite and PostgreSQL compare
them the same way. A question, its explanation and its answers are keyed by ``page_id``:
a Q&A page holds exactly one question, and sharing the key lets search rows, the FTS rowid
and the page URL line up without extra joins.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeEngine

from parsers.schema import ANSWER_FIELDS, CAPTURE_FIELDS, QUESTION_FIELDS, Field

#: Deterministic constraint names so migrations can refer to them on every dialect.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

PARSE_OUTCOMES = ("ok", "error", "revisit", "not_parsed", "not_article")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def declared_type(field: Field) -> TypeEngine[Any]:
    """The SQL type of a declared field: bounded text is ``VARCHAR(max_length)``."""
    if field.type == "int":
        return Integer()
    if field.type == "date":
        return Date()
    if field.type != "string":
        raise TypeError(f"no SQL type for {field.name}'s {field.type!r}")
    return String(field.max_length) if field.max_length is not None else Text()


def _add_declared_columns(model: type[Base], declared: tuple[Field, ...]) -> None:
    """One column per declared field stored in ``model``'s table (SQLAlchemy maps a column
    assigned to a declarative class after its creation like one written in its body)."""
    for field in declared:
        if field.names_table is None:
            column = mapped_column(declared_type(field), nullable=field.nullable)
            setattr(model, field.name, column)


class Site(Base):
    """A crawled website; every other row hangs off one so several sites can share a database."""

    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class CrawlRun(Base):
    """One invocation of the crawler, so a capture can be traced to the command that made it."""

    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    arguments: Mapped[dict[str, Any]] = mapped_column(JSON)
    stats: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    outcome: Mapped[str | None] = mapped_column(String(50))


class Page(Base):
    """A canonical URL. ``content_hash`` identifies the version held in the normalized tables.

    ``content_fetched_at`` is when the capture behind that version was fetched, so a
    re-parse of an older capture can never overwrite newer content.
    """

    __tablename__ = "pages"
    __table_args__ = (CheckConstraint("state IN ('active', 'gone')", name="state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    external_id: Mapped[str | None] = mapped_column(String(100))
    first_seen: Mapped[datetime] = mapped_column(DateTime)
    last_seen: Mapped[datetime] = mapped_column(DateTime)
    state: Mapped[str] = mapped_column(String(10), default="active")
    content_hash: Mapped[str | None] = mapped_column(String(64))
    content_fetched_at: Mapped[datetime | None] = mapped_column(DateTime)


Index("ix_pages_site_external_id", Page.site_id, Page.external_id)


class CaptureRow(Base):
    """One HTTP fetch as archived in WARC, whether or not it parsed (``storage.Capture`` as a row).

    ``(url, fetched_at)`` identifies a fetch, so re-ingesting it (a re-parse after a parser
    fix) updates its parse outcome instead of adding a second row.
    """

    __tablename__ = "captures"
    __table_args__ = (
        UniqueConstraint("url", "fetched_at", name="uq_captures_url_fetched_at"),
        CheckConstraint(
            "parse_outcome IN ('ok', 'error', 'revisit', 'not_parsed', 'not_article')",
            name="parse_outcome",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    page_id: Mapped[int | None] = mapped_column(ForeignKey("pages.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    crawl_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    fetched_at: Mapped[datetime] = mapped_column(DateTime)
    http_status: Mapped[int] = mapped_column(Integer)
    payload_digest: Mapped[str | None] = mapped_column(String(100))
    warc_file: Mapped[str | None] = mapped_column(String(500))
    warc_offset: Mapped[int | None] = mapped_column(BigInteger)
    warc_length: Mapped[int | None] = mapped_column(BigInteger)
    content_type: Mapped[str | None] = mapped_column(String(200))
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    parse_outcome: Mapped[str] = mapped_column(String(20))
    error_code: Mapped[str | None] = mapped_column(String(50))
    error_message: Mapped[str | None] = mapped_column(Text)
    parser_version: Mapped[str | None] = mapped_column(String(50))
    #: Warning codes of the record this capture gave (``parsers.warnings``); null: no record.
    warnings: Mapped[list[str] | None] = mapped_column(JSON)
    #: The page's ``rel=canonical`` when the archive did not accept it (another site or
    #: another article); NULL when accepted or absent. See ``storage.records.page_identity``.
    declared_canonical: Mapped[str | None] = mapped_column(String(2000))


#: What the page said at this fetch (``parsers.schema.CAPTURE_FIELDS``: the view count
#: 台灣e院 shows): an observation, not content.
_add_declared_columns(CaptureRow, CAPTURE_FIELDS)
Index("ix_captures_page_id_fetched_at", CaptureRow.page_id, CaptureRow.fetched_at)


class Revision(Base):
    """Each distinct extracted version of a page, as record JSON, with the capture that first
    showed it, so edits to a reply or explanation stay visible after the tables move on."""

    __tablename__ = "revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id"), index=True)
    first_capture_id: Mapped[int] = mapped_column(ForeignKey("captures.id"))
    content_hash: Mapped[str] = mapped_column(String(64))
    parser_version: Mapped[str] = mapped_column(String(50))
    record_json: Mapped[str] = mapped_column(Text)


class Doctor(Base):
    """A replying doctor, unique per site so answers can be counted across pages."""

    __tablename__ = "doctors"
    __table_args__ = (UniqueConstraint("site_id", "name", name="uq_doctors_site_id_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    name: Mapped[str] = mapped_column(String(300))


class Department(Base):
    """A medical department as the site names it, unique per site."""

    __tablename__ = "departments"
    __table_args__ = (UniqueConstraint("site_id", "name", name="uq_departments_site_id_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    name: Mapped[str] = mapped_column(String(300))


class Question(Base):
    """The current question of a page plus the page-level fields needed to rebuild its record.

    The record's question fields (``parsers.schema.QUESTION_FIELDS``) get their columns from
    their declaration, below the class; the columns here are the archive's own.
    """

    __tablename__ = "questions"

    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id"), primary_key=True)
    seo_title: Mapped[str | None] = mapped_column(Text)
    source_url: Mapped[str] = mapped_column(String(2000))
    parser_version: Mapped[str] = mapped_column(String(50))
    missing: Mapped[list[str]] = mapped_column(JSON)
    #: Character bigrams of the title, question and replies' Chinese (``storage.cjk``): the
    #: search index reads them, nobody else needs to. NULL for text without Chinese.
    search_cjk: Mapped[str | None] = mapped_column(Text)


class Answer(Base):
    """One reply of the current version; ``position`` is its 0-based order on the page.

    Declared answer fields (``parsers.schema.ANSWER_FIELDS``) get their columns below the
    class, except names kept once per site (doctor, department), referenced by id here.
    """

    __tablename__ = "answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    doctor_id: Mapped[int | None] = mapped_column(ForeignKey("doctors.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)


_add_declared_columns(Question, QUESTION_FIELDS)
_add_declared_columns(Answer, ANSWER_FIELDS)
Index("ix_questions_asked_on", Question.__table__.c.asked_on)


class Explanation(Base):
    """The "More Info" text of the current version."""

    __tablename__ = "explanations"

    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id"), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    headings: Mapped[list[str]] = mapped_column(JSON)


class Link(Base):
    """A Similar Q&A teaser or Related FAQ topic on a page, in page order per ``kind``.

    ``target_page_id`` is filled when the target URL is (or later becomes) an archived page,
    so the link graph can be walked inside the database.
    """

    __tablename__ = "links"
    __table_args__ = (CheckConstraint("kind IN ('similar', 'related_faq')", name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    question_snippet: Mapped[str | None] = mapped_column(Text)
    reply_snippet: Mapped[str | None] = mapped_column(Text)
    doctor_id: Mapped[int | None] = mapped_column(ForeignKey("doctors.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    target_url: Mapped[str | None] = mapped_column(String(2000), index=True)
    target_page_id: Mapped[int | None] = mapped_column(ForeignKey("pages.id"), index=True)

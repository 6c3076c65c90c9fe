"""``questions.title`` and ``questions.body`` become ``question_title`` and ``question_body``,
the names the exports, ``qa_flat`` and ``parsers/record.py`` give them, so every column of
a declared field carries its flat name.

SQLite rewrites the full-text triggers and the ``questions_search`` view that name the
columns itself (``ALTER TABLE ... RENAME COLUMN``); the FTS5 columns keep their names
(``title``, ``body``, ``replies``, ``explanation``). PostgreSQL keeps views right but not a
function's text, so the search-vector function is made again with the new names.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

from storage.flat import recreate_qa_flat

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | None = None
depends_on: str | None = None

RENAMED = {"title": "question_title", "body": "question_body"}


def _search_vector_function(title: str, body: str) -> str:
    """Migration 0008's function, over the given column names."""
    return f"""CREATE OR REPLACE FUNCTION questions_search_vector() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_vector :=
            setweight(to_tsvector('english', coalesce(NEW.{title}, '')), 'A')
            || setweight(to_tsvector('english', coalesce(NEW.{body}, '')), 'B')
            || setweight(to_tsvector('english', coalesce(
                (SELECT string_agg(body, E'\\n' ORDER BY position)
                 FROM answers WHERE page_id = NEW.page_id), '')), 'C')
            || setweight(to_tsvector('english', coalesce(
                (SELECT text FROM explanations WHERE page_id = NEW.page_id), '')), 'D')
            || setweight(to_tsvector('english', coalesce(NEW.search_cjk, '')), 'B');
        RETURN NEW;
    END
    $$"""


def _rename(names: dict[str, str]) -> None:
    op.execute("DROP VIEW qa_flat")
    for old, new in names.items():
        op.execute(f"ALTER TABLE questions RENAME COLUMN {old} TO {new}")
    if op.get_bind().dialect.name == "postgresql":
        title, body = names.values()
        op.execute(_search_vector_function(title, body))
    recreate_qa_flat(op.get_bind())


def upgrade() -> None:
    _rename(RENAMED)


def downgrade() -> None:
    _rename({new: old for old, new in RENAMED.items()})

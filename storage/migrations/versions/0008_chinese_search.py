"""Chinese search: ``questions.search_cjk``, the character bigrams of a question's Chinese.

FTS5's ``unicode61`` tokenizer and PostgreSQL's parser read a run of Han characters as one
word, so "頭痛" inside "最近頭痛的情況" was never found (``storage.cjk`` says why bigrams and not
FTS5's ``trigram`` tokenizer). Ingest now writes the bigrams of the title, question and replies
into ``search_cjk``; on SQLite it is a fifth column of ``questions_fts`` (the view
``questions_search`` gains ``cjk``), on PostgreSQL it joins ``search_vector`` with the body's
weight. Existing questions are backfilled here; English questions have no bigrams (NULL) and
keep their search documents as they were.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.cjk import index_text

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None

_TOKENIZE = "tokenize = 'porter unicode61 remove_diacritics 2'"
_REPLIES = """(SELECT group_concat(body, char(10)) FROM
    (SELECT body FROM answers WHERE page_id = {page} ORDER BY position))"""
_EXPLANATION = "(SELECT text FROM explanations WHERE page_id = {page})"
_TRIGGERS = ("questions_fts_insert", "questions_fts_delete", "questions_fts_update")


def _sqlite_index(with_cjk: bool) -> list[str]:
    """The view, the external-content FTS5 table and its triggers (0003's, plus ``cjk``)."""
    columns = "title, body, replies, explanation" + (", cjk" if with_cjk else "")

    def document(row: str) -> str:
        values = (
            f"{row}.title, {row}.body, {_REPLIES.format(page=f'{row}.page_id')}, "
            f"{_EXPLANATION.format(page=f'{row}.page_id')}"
        )
        return values + (f", {row}.search_cjk" if with_cjk else "")

    add = f"INSERT INTO questions_fts(rowid, {columns}) VALUES (new.page_id, {document('new')});"
    remove = (
        f"INSERT INTO questions_fts(questions_fts, rowid, {columns}) "
        f"VALUES ('delete', old.page_id, {document('old')});"
    )
    cjk = ", q.search_cjk AS cjk" if with_cjk else ""
    return [
        f"""CREATE VIEW questions_search AS
        SELECT q.page_id AS page_id, q.title AS title, q.body AS body,
            {_REPLIES.format(page="q.page_id")} AS replies,
            {_EXPLANATION.format(page="q.page_id")} AS explanation{cjk}
        FROM questions q""",
        f"""CREATE VIRTUAL TABLE questions_fts USING fts5(
            {columns}, content = 'questions_search', content_rowid = 'page_id', {_TOKENIZE}
        )""",
        f"CREATE TRIGGER questions_fts_insert AFTER INSERT ON questions BEGIN {add} END",
        f"CREATE TRIGGER questions_fts_delete AFTER DELETE ON questions BEGIN {remove} END",
        f"""CREATE TRIGGER questions_fts_update AFTER UPDATE ON questions BEGIN
            {remove}
            {add}
        END""",
        "INSERT INTO questions_fts(questions_fts) VALUES ('rebuild')",
    ]


def _drop_sqlite_index() -> None:
    for name in _TRIGGERS:
        op.execute(f"DROP TRIGGER {name}")
    op.execute("DROP TABLE questions_fts")
    op.execute("DROP VIEW questions_search")


def _postgresql_function(with_cjk: bool) -> str:
    cjk = (
        "\n            || setweight(to_tsvector('english', coalesce(NEW.search_cjk, '')), 'B')"
        if with_cjk
        else ""
    )
    return f"""CREATE OR REPLACE FUNCTION questions_search_vector() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_vector :=
            setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A')
            || setweight(to_tsvector('english', coalesce(NEW.body, '')), 'B')
            || setweight(to_tsvector('english', coalesce(
                (SELECT string_agg(body, E'\\n' ORDER BY position)
                 FROM answers WHERE page_id = NEW.page_id), '')), 'C')
            || setweight(to_tsvector('english', coalesce(
                (SELECT text FROM explanations WHERE page_id = NEW.page_id), '')), 'D'){cjk};
        RETURN NEW;
    END
    $$"""


def _backfill() -> None:
    """Bigrams for every question already archived (those with Chinese in them)."""
    conn = op.get_bind()
    replies = "SELECT page_id, body FROM answers ORDER BY page_id, position"
    by_page: dict[int, list[str]] = {}
    for page_id, body in conn.exec_driver_sql(replies):
        by_page.setdefault(page_id, []).append(body)
    updates = []
    for page_id, title, body in conn.exec_driver_sql("SELECT page_id, title, body FROM questions"):
        terms = index_text([title, body, *by_page.get(page_id, ())])
        if terms is not None:
            updates.append({"page_id": page_id, "terms": terms})
    if updates:
        conn.execute(
            sa.text("UPDATE questions SET search_cjk = :terms WHERE page_id = :page_id"), updates
        )


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        _drop_sqlite_index()
    op.add_column("questions", sa.Column("search_cjk", sa.Text(), nullable=True))
    if not sqlite:
        op.execute(_postgresql_function(with_cjk=True))
    _backfill()
    if sqlite:
        for statement in _sqlite_index(with_cjk=True):
            op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        _drop_sqlite_index()
        op.drop_column("questions", "search_cjk")
        for statement in _sqlite_index(with_cjk=False):
            op.execute(statement)
    else:
        op.execute(_postgresql_function(with_cjk=False))
        op.drop_column("questions", "search_cjk")
        op.execute("UPDATE questions SET title = title")  # rebuild every search_vector

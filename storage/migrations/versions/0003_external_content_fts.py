"""SQLite: make ``questions_fts`` an external-content FTS5 table over the view
``questions_search`` instead of keeping its own copy of every question's text.

The copy doubled the text stored per question and a third of FTS indexing time went into
writing it. Snippets now read the text through the view. The delete trigger hands FTS5 the
old document, which is still whole because ingest deletes a question before its replies and
explanation. PostgreSQL is unchanged.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

_TOKENIZE = "tokenize = 'porter unicode61 remove_diacritics 2'"
_REPLIES = """(SELECT group_concat(body, char(10)) FROM
    (SELECT body FROM answers WHERE page_id = {page} ORDER BY position))"""
_EXPLANATION = "(SELECT text FROM explanations WHERE page_id = {page})"


def _document(page: str) -> str:
    return f"{_REPLIES.format(page=page)}, {_EXPLANATION.format(page=page)}"


_ADD = f"""INSERT INTO questions_fts(rowid, title, body, replies, explanation)
    VALUES (new.page_id, new.title, new.body, {_document("new.page_id")});"""
_REMOVE = f"""INSERT INTO questions_fts(questions_fts, rowid, title, body, replies, explanation)
    VALUES ('delete', old.page_id, old.title, old.body, {_document("old.page_id")});"""

_OLD_TRIGGERS = ("questions_fts_insert", "questions_fts_delete", "questions_fts_update")

_UPGRADE = [
    *(f"DROP TRIGGER {name}" for name in _OLD_TRIGGERS),
    "DROP TABLE questions_fts",
    f"""CREATE VIEW questions_search AS
    SELECT q.page_id AS page_id, q.title AS title, q.body AS body,
        {_REPLIES.format(page="q.page_id")} AS replies,
        {_EXPLANATION.format(page="q.page_id")} AS explanation
    FROM questions q""",
    f"""CREATE VIRTUAL TABLE questions_fts USING fts5(
        title, body, replies, explanation,
        content = 'questions_search', content_rowid = 'page_id', {_TOKENIZE}
    )""",
    f"CREATE TRIGGER questions_fts_insert AFTER INSERT ON questions BEGIN {_ADD} END",
    f"CREATE TRIGGER questions_fts_delete AFTER DELETE ON questions BEGIN {_REMOVE} END",
    f"""CREATE TRIGGER questions_fts_update AFTER UPDATE ON questions BEGIN
        {_REMOVE}
        {_ADD}
    END""",
    "INSERT INTO questions_fts(questions_fts) VALUES ('rebuild')",
]

_DOWNGRADE = [
    *(f"DROP TRIGGER {name}" for name in _OLD_TRIGGERS),
    "DROP TABLE questions_fts",
    f"""CREATE VIRTUAL TABLE questions_fts USING fts5(
        title, body, replies, explanation, {_TOKENIZE}
    )""",
    f"CREATE TRIGGER questions_fts_insert AFTER INSERT ON questions BEGIN {_ADD} END",
    """CREATE TRIGGER questions_fts_delete AFTER DELETE ON questions BEGIN
        DELETE FROM questions_fts WHERE rowid = old.page_id;
    END""",
    f"""CREATE TRIGGER questions_fts_update AFTER UPDATE ON questions BEGIN
        DELETE FROM questions_fts WHERE rowid = old.page_id;
        {_ADD}
    END""",
    """INSERT INTO questions_fts(rowid, title, body, replies, explanation)
    SELECT page_id, title, body, replies, explanation FROM questions_search""",
    "DROP VIEW questions_search",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in _UPGRADE:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in _DOWNGRADE:
            op.execute(statement)

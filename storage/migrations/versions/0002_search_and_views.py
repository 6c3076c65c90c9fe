"""Full-text search (SQLite FTS5 / PostgreSQL tsvector) and the ``qa_flat`` view.

The search document of a question is its title, body, replies and explanation. It is built
when the ``questions`` row is written, which is why ingest writes answers and explanations
first and the question last (``storage.ingest``). On SQLite the document lives in the FTS5
table ``questions_fts`` (rowid = ``questions.page_id``) so Datasette's search box works on
it; on PostgreSQL it is ``questions.search_vector`` with a GIN index.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

_SQLITE_DOCUMENT = """
    INSERT INTO questions_fts(rowid, title, body, replies, explanation)
    VALUES (
        new.page_id, new.title, new.body,
        (SELECT group_concat(body, char(10)) FROM
            (SELECT body FROM answers WHERE page_id = new.page_id ORDER BY position)),
        (SELECT text FROM explanations WHERE page_id = new.page_id)
    );
"""

_SQLITE = [
    """CREATE VIRTUAL TABLE questions_fts USING fts5(
        title, body, replies, explanation,
        tokenize = 'porter unicode61 remove_diacritics 2'
    )""",
    f"CREATE TRIGGER questions_fts_insert AFTER INSERT ON questions BEGIN {_SQLITE_DOCUMENT} END",
    """CREATE TRIGGER questions_fts_delete AFTER DELETE ON questions BEGIN
        DELETE FROM questions_fts WHERE rowid = old.page_id;
    END""",
    f"""CREATE TRIGGER questions_fts_update AFTER UPDATE ON questions BEGIN
        DELETE FROM questions_fts WHERE rowid = old.page_id;
        {_SQLITE_DOCUMENT}
    END""",
]

_POSTGRESQL = [
    "ALTER TABLE questions ADD COLUMN search_vector tsvector",
    "CREATE INDEX ix_questions_search_vector ON questions USING gin (search_vector)",
    """CREATE FUNCTION questions_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_vector :=
            setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A')
            || setweight(to_tsvector('english', coalesce(NEW.body, '')), 'B')
            || setweight(to_tsvector('english', coalesce(
                (SELECT string_agg(body, E'\\n' ORDER BY position)
                 FROM answers WHERE page_id = NEW.page_id), '')), 'C')
            || setweight(to_tsvector('english', coalesce(
                (SELECT text FROM explanations WHERE page_id = NEW.page_id), '')), 'D');
        RETURN NEW;
    END
    $$""",
    """CREATE TRIGGER questions_search_vector BEFORE INSERT OR UPDATE ON questions
        FOR EACH ROW EXECUTE FUNCTION questions_search_vector()""",
]

#: Plain SQL valid on both dialects, so `sqlite3 archive.sqlite` users need nothing else.
_QA_FLAT = """
CREATE VIEW qa_flat AS
SELECT
    p.id AS page_id,
    p.url AS url,
    s.name AS site,
    p.external_id AS external_id,
    p.state AS state,
    q.page_title AS page_title,
    q.seo_title AS seo_title,
    q.title AS question_title,
    q.body AS question_body,
    q.asker_name AS asker_name,
    q.age_min AS age_min,
    q.age_max AS age_max,
    q.age_label AS age_label,
    q.sex AS sex,
    q.asked_on AS asked_on,
    q.language AS language,
    (SELECT count(*) FROM answers ac WHERE ac.page_id = q.page_id) AS answer_count,
    doc.name AS first_doctor,
    dep.name AS first_department,
    a.body AS first_reply,
    a.replied_on AS first_replied_on,
    length(e.text) AS explanation_length,
    p.first_seen AS first_seen,
    p.content_fetched_at AS captured_at,
    p.last_seen AS last_seen
FROM questions q
JOIN pages p ON p.id = q.page_id
JOIN sites s ON s.id = p.site_id
LEFT JOIN answers a ON a.page_id = q.page_id AND a.position = 0
LEFT JOIN doctors doc ON doc.id = a.doctor_id
LEFT JOIN departments dep ON dep.id = a.department_id
LEFT JOIN explanations e ON e.page_id = q.page_id
"""


def upgrade() -> None:
    statements = _SQLITE if op.get_bind().dialect.name == "sqlite" else _POSTGRESQL
    for statement in [*statements, _QA_FLAT]:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP VIEW qa_flat")
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("questions_fts_insert", "questions_fts_delete", "questions_fts_update"):
            op.execute(f"DROP TRIGGER {trigger}")
        op.execute("DROP TABLE questions_fts")
    else:
        op.execute("DROP TRIGGER questions_search_vector ON questions")
        op.execute("DROP FUNCTION questions_search_vector()")
        op.execute("DROP INDEX ix_questions_search_vector")
        op.execute("ALTER TABLE questions DROP COLUMN search_vector")

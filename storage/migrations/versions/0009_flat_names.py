"""One flat name per field: the asker's columns and ``qa_flat`` take the export's names.

``questions.age_min``, ``age_max``, ``age_label`` and ``sex`` become ``asker_age_min``,
``asker_age_max``, ``asker_age_label`` and ``asker_sex``, the names the exports, ``qa_flat``
and the docs use (``parsers/record.py`` declares them). ``qa_flat`` is made again from the
declaration (``storage.flat``): its asker columns are renamed the same way, the first
reply's text is ``first_body`` (was ``first_reply``, the ``body`` of ``answers``), and it
gains ``first_hospital`` and ``view_count`` (台灣e院, migration 0007).

Plain ``ALTER TABLE ... RENAME COLUMN`` on both dialects: SQLite's batch mode would copy the
table and drop the full-text triggers that hang on it.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

from storage.flat import recreate_qa_flat

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None

RENAMED = {
    "age_min": "asker_age_min",
    "age_max": "asker_age_max",
    "age_label": "asker_age_label",
    "sex": "asker_sex",
}

#: The view as migration 0002 made it, for the downgrade.
_QA_FLAT_0002 = """
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
    op.execute("DROP VIEW qa_flat")
    for old, new in RENAMED.items():
        op.execute(f"ALTER TABLE questions RENAME COLUMN {old} TO {new}")
    recreate_qa_flat(op.get_bind())


def downgrade() -> None:
    op.execute("DROP VIEW qa_flat")
    for old, new in RENAMED.items():
        op.execute(f"ALTER TABLE questions RENAME COLUMN {new} TO {old}")
    op.execute(_QA_FLAT_0002)

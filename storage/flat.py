"""``qa_flat``: one row per question in plain SQL, its columns derived from the record's
declared fields (``parsers.schema``) under their flat names.

The view is made by migrations, but its columns follow the declaration: a migration that
adds a declared field's column ends with ``recreate_qa_flat``, which drops the view and
makes it again over the columns the database holds at that point. Built from what exists
rather than from a list frozen in each migration, an old archive upgrading through every
migration gets, at each step, the view that step's columns allow, and at the head the view
the declaration describes (``tests/storage/test_schema_declaration.py`` checks that).
"""

from __future__ import annotations

from sqlalchemy import Connection, inspect

from parsers.schema import ANSWER_FIELDS, CAPTURE_FIELDS, QUESTION_FIELDS

#: Answer fields appear as the first reply's, under this prefix (``first_doctor``).
FIRST = "first_"
_NAME_TABLES = {"doctors": "doc", "departments": "dep"}


def qa_flat_select(columns: dict[str, set[str]]) -> str:
    """The view's SELECT over the tables' ``columns`` (table name: column names present)."""

    def present(table: str, column: str) -> bool:
        return column in columns.get(table, set())

    question = [f"q.{f.name} AS {f.name}" for f in QUESTION_FIELDS if present("questions", f.name)]
    first = [
        f"{_NAME_TABLES[f.names_table]}.name AS {FIRST}{f.name}"
        if f.names_table
        else f"a.{f.name} AS {FIRST}{f.name}"
        for f in ANSWER_FIELDS
        if f.names_table or present("answers", f.name)
    ]
    observed = [
        f"(SELECT c.{f.name} FROM captures c WHERE c.page_id = p.id"
        f" AND c.fetched_at = p.content_fetched_at ORDER BY c.id LIMIT 1) AS {f.name}"
        for f in CAPTURE_FIELDS
        if present("captures", f.name)
    ]
    selected = [
        "p.id AS page_id",
        "p.url AS url",
        "s.name AS site",
        "p.external_id AS external_id",
        "p.state AS state",
        *question,
        "q.seo_title AS seo_title",
        "(SELECT count(*) FROM answers ac WHERE ac.page_id = q.page_id) AS answer_count",
        *first,
        "length(e.text) AS explanation_length",
        "p.first_seen AS first_seen",
        "p.content_fetched_at AS captured_at",
        "p.last_seen AS last_seen",
        *observed,
    ]
    return (
        "SELECT\n    "
        + ",\n    ".join(selected)
        + """
FROM questions q
JOIN pages p ON p.id = q.page_id
JOIN sites s ON s.id = p.site_id
LEFT JOIN answers a ON a.page_id = q.page_id AND a.position = 0
LEFT JOIN doctors doc ON doc.id = a.doctor_id
LEFT JOIN departments dep ON dep.id = a.department_id
LEFT JOIN explanations e ON e.page_id = q.page_id"""
    )


def recreate_qa_flat(conn: Connection) -> None:
    """Drop ``qa_flat`` and make it again over the columns the database has now."""
    inspector = inspect(conn)
    columns = {
        table: {column["name"] for column in inspector.get_columns(table)}
        for table in ("questions", "answers", "captures")
    }
    conn.exec_driver_sql("DROP VIEW IF EXISTS qa_flat")
    conn.exec_driver_sql(f"CREATE VIEW qa_flat AS\n{qa_flat_select(columns)}")

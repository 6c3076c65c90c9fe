"""``healthqa export --out``: hostile output paths get one line and a documented exit status,
and ``--out -`` writes to standard output.

Exit status 2: the path can never work as written (empty, a directory, too long a name,
Parquet to a terminal). Exit status 1: the system refused to write it (read-only file system,
``/proc``, a path through a file, a closed pipe). Never a traceback.
"""

from __future__ import annotations

import csv
import errno
import hashlib
import io
import json
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner, Result
from research_data import Built

from crawler.cli.research import export

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-c", "from crawler.cli import main; main()"]


def run_export(built: Built, *args: str) -> Result:
    return CliRunner().invoke(
        export, ["--db", built.db_url, "--data-dir", str(built.data_dir), *args]
    )


def assert_one_line_error(result: Result, status: int, *fragments: str) -> None:
    assert result.exit_code == status, result.output
    assert isinstance(result.exception, SystemExit | None), result.exception
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_empty_out_is_a_usage_error(
    built: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_export(built, "--format", "jsonl", "--out", "")
    assert_one_line_error(result, 2, "names no file", "questions.jsonl")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize(
    ("name", "message"), [("", "is a directory"), ("new/", "names no file")], ids=["dir", "slash"]
)
def test_out_naming_a_directory_is_a_usage_error(
    built: Built, tmp_path: Path, name: str, message: str
) -> None:
    result = run_export(built, "--format", "jsonl", "--out", f"{tmp_path}/{name}")
    assert_one_line_error(result, 2, message)
    assert os.listdir(tmp_path) == []


def test_path_under_a_file_names_the_file(built: Built, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = run_export(built, "--format", "csv", "--out", str(tmp_path / "notes.txt" / "x.csv"))
    assert_one_line_error(result, 1, "notes.txt is a file, not a directory")
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_proc_is_refused_in_one_line(built: Built) -> None:
    result = run_export(built, "--format", "jsonl", "--out", "/proc/healthqa-export.jsonl")
    assert_one_line_error(result, 1, "cannot write /proc/healthqa-export.jsonl")


def test_a_230_character_name_works_and_a_longer_one_is_refused(
    built: Built, tmp_path: Path
) -> None:
    long_name = tmp_path / ("q" * 224 + ".jsonl")  # 230 characters
    result = run_export(built, "--format", "jsonl", "--out", str(long_name))
    assert result.exit_code == 0, result.output
    assert long_name.exists() and long_name.with_name(long_name.name + ".manifest.json").exists()
    assert sorted(os.listdir(tmp_path)) == sorted(
        [long_name.name, long_name.name + ".manifest.json"]
    )

    too_long = tmp_path / ("r" * 244 + ".jsonl")  # fits alone, not with .manifest.json
    result = run_export(built, "--format", "jsonl", "--out", str(too_long))
    assert_one_line_error(result, 2, "file name too long", "at most 241 bytes")
    assert not too_long.exists()


def test_write_errors_the_system_reports_are_one_line(
    built: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_open = os.open

    def read_only(path: object, flags: int, *args: object) -> int:
        if flags & os.O_CREAT:
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", read_only)
    result = run_export(built, "--format", "parquet", "--out", str(tmp_path / "q.parquet"))
    monkeypatch.undo()
    assert_one_line_error(result, 1, "q.parquet", "read-only", "writable disk")


@pytest.mark.slow
def test_a_real_read_only_file_system_is_refused_in_one_line(built: Built, tmp_path: Path) -> None:
    """A read-only tmpfs mounted in a private mount namespace (``unshare``): the real EROFS."""
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("unshare(1) is not installed")
    mount_point = tmp_path / "ro"
    mount_point.mkdir()
    out = mount_point / "q.jsonl"
    script = f'mount -t tmpfs -o ro none {mount_point} || exit 99; exec "$@"'
    command = [unshare, "-rm", "sh", "-c", script, "sh", *CLI, "export", "--format", "jsonl"]
    command += ["--out", str(out), "--db", built.db_url, "--data-dir", str(built.data_dir)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    if done.returncode == 99 or "unshare failed" in done.stderr:
        pytest.skip(f"this machine does not allow private mounts: {done.stderr.strip()}")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        f"Error: cannot write {out}: Read-only file system (EROFS); the file system is "
        "read-only; choose an output path on a writable disk"
    ]


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_dash_writes_the_rows_to_stdout_and_no_file(built: Built, tmp_path: Path, fmt: str) -> None:
    os.chdir(tmp_path)
    result = run_export(built, "--format", fmt, "--out", "-")
    assert result.exit_code == 0, result.output
    assert os.listdir(tmp_path) == [], "no file named '-' and no manifest"
    if fmt == "jsonl":
        urls = [json.loads(line)["url"] for line in result.stdout.splitlines()]
    else:
        urls = [row["url"] for row in csv.DictReader(io.StringIO(result.stdout, newline=""))]
    assert urls == [r.url for r in built.records]
    assert "rows -> standard output" in result.stderr, "the summary stays out of the data"


def test_dash_with_manifest_writes_the_manifest_of_the_streamed_bytes(
    built: Built, tmp_path: Path
) -> None:
    manifest = tmp_path / "q.manifest.json"
    result = run_export(built, "--format", "jsonl", "--out", "-", "--manifest", str(manifest))
    assert result.exit_code == 0, result.output
    written = json.loads(manifest.read_text(encoding="utf-8"))
    assert written["files"] == [
        {
            "name": "-",
            "sha256": hashlib.sha256(result.stdout_bytes).hexdigest(),
            "bytes": len(result.stdout_bytes),
        }
    ]
    assert written["rows"] == len(built.records)
    again = run_export(built, "--format", "jsonl", "--out", "-", "--manifest", str(manifest))
    assert_one_line_error(again, 1, "already exists", "--force")


def test_manifest_option_is_only_for_stdout(built: Built, tmp_path: Path) -> None:
    out, manifest = tmp_path / "q.jsonl", tmp_path / "m.json"
    result = run_export(built, "--format", "jsonl", "--out", str(out), "--manifest", str(manifest))
    assert result.exit_code == 2
    assert "--manifest is only for --out -" in result.output
    assert os.listdir(tmp_path) == []


def test_parquet_to_a_pipe_is_a_valid_file(built: Built) -> None:
    result = run_export(built, "--format", "parquet", "--out", "-")
    assert result.exit_code == 0, result.output
    table = pq.read_table(io.BytesIO(result.stdout_bytes))
    assert table.column("url").to_pylist() == [r.url for r in built.records]


@pytest.mark.slow
def test_parquet_to_a_terminal_is_refused(built: Built, tmp_path: Path) -> None:
    controller, terminal = pty.openpty()
    try:
        done = subprocess.run(
            [*CLI, "export", "--format", "parquet", "--out", "-", "--db", built.db_url],
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=terminal,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(terminal)
        os.close(controller)
    assert done.returncode == 2, done.stderr
    assert "refusing to write binary Parquet to a terminal" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_a_reader_that_leaves_early_gets_one_line_and_no_manifest(
    built: Built, tmp_path: Path
) -> None:
    manifest = tmp_path / "m.json"
    archive = ["--db", built.db_url, "--data-dir", str(built.data_dir)]
    child = subprocess.Popen(
        [*CLI, "export", "--format", "jsonl", "--out", "-", "--manifest", str(manifest), *archive],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # the reader exits before a single row is written
    stderr = child.stderr.read()
    child.wait(timeout=120)
    assert child.returncode == 1, stderr
    assert stderr.strip().splitlines() == [
        "Error: export to standard output stopped: the command reading the output exited "
        "before the export was complete (EPIPE)"
    ]
    assert not manifest.exists(), "an incomplete export gets no manifest"

"""Every read command driven with hostile arguments: one line, the documented exit status,
never a traceback (issue 10). Runs through the root group, exactly as a user's shell does.

The statuses are those of docs/cli.md ("Exit status"): 1 the command could not do its job,
2 bad usage. 70 (an internal error) must never appear here: it would mean a bug.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from research_data import Built

from crawler.cli import cli

HUGE = "99999999999999999999"


def run(built: Built, *args: str) -> Result:
    where = ["--db", built.db_url, "--data-dir", str(built.data_dir)]
    command, rest = (args[:2], args[2:]) if args[0] == "db" else (args[:1], args[1:])
    return CliRunner().invoke(cli, [*command, *where, *rest])


def assert_clean_failure(result: Result, status: int) -> None:
    assert result.exit_code == status, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    error_lines = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(error_lines) == 1, result.output


CASES: list[tuple[tuple[str, ...], int]] = [
    (("search", "pain", "--age-max", HUGE), 2),
    (("search", "pain", "--age-min", HUGE), 2),
    (("search", "pain", "--age-min", "-1"), 2),
    (("search", "pain", "--age-min", "50", "--age-max", "20"), 2),
    (("search", "pain", "--limit", HUGE), 2),
    (("search", "pain", "--since", "2024-13-45"), 2),
    (("search", "pain", "--since", "2024-05-01", "--until", "2023-01-01"), 2),
    (("search", ""), 2),
    (("search", '"'), 2),
    (("search", "-pain"), 2),
    (("search", "( ) * ;"), 2),
    (("search", "x" * 2000), 2),
    (("search", " ".join(["word"] * 40)), 2),
    (("search", "pain", "--department", ""), 2),
    (("search", "pain", "--site", "nosuch"), 2),
    (("search", "pain", "--doctor", "Dr. Nobody"), 2),
    (("search", "pain", "--sex", "other"), 2),
    (("show", HUGE), 1),
    (("show", "0"), 1),
    (("show", ""), 1),
    (("show", "http://["), 1),
    (("show", "https://doctorqna.com/en/article/1"), 1),
    (("show", "-1"), 2),
    (("stats", "--top", HUGE), 2),
    (("stats", "--top", "0"), 2),
    (("stats", "--site", ""), 2),
    (("stats", "--site", "nosuch"), 2),
    (("reparse", "--site", "nosuch"), 2),
    (("reparse", "--since-version", ""), 2),
    (("reparse", "--since-version", "abc"), 2),
    (("export", "--format", "xml", "--out", "x"), 2),
    (("export", "--format", "csv", "--out", "x.csv", "--age-max", HUGE), 2),
    (("export", "--format", "csv", "--out", "x.csv", "--department", "Gastro"), 2),
    (("values", "departments"), 2),
    (("values", "doctor", "--top", HUGE), 2),
    (("values", "site", "--site", "nosuch"), 2),
]


@pytest.mark.parametrize(("args", "status"), CASES, ids=[" ".join(c[0])[:60] for c in CASES])
def test_hostile_arguments_fail_cleanly(
    built: Built,
    args: tuple[str, ...],
    status: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert_clean_failure(run(built, *args), status)
    assert not (tmp_path / "x.csv").exists()


def test_sql_in_a_query_is_searched_as_words(built: Built) -> None:
    result = run(built, "search", "'; DROP TABLE pages; --", "--json")
    assert result.exit_code == 0, result.output
    assert "showing 0 of 0 hit(s)" in result.stderr
    assert "pages" in run(built, "db", "info").output


@pytest.mark.parametrize("plot", ["missing/folder/chart.png", "chart.xyz", "chart"])
def test_stats_plot_is_refused_before_the_tables_print(
    built: Built, plot: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(built, "stats", "--plot", plot)
    assert_clean_failure(result, 2)
    assert "Questions per month" not in result.output and "answered" not in result.output
    assert not (tmp_path / "missing").exists()


def test_stats_plot_writes_a_chart_where_asked(
    built: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(built, "stats", "--plot", "chart.svg")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "chart.svg").read_text().lstrip().startswith("<?xml")


def test_debug_shows_the_traceback_the_one_line_hides(built: Built) -> None:
    hidden = CliRunner().invoke(cli, ["search", "pain", "--db", "nonsense://x"])
    assert_clean_failure(hidden, 2)
    assert "--db is not a database URL" in hidden.output
    shown = CliRunner().invoke(cli, ["--debug", "search", "pain", "--db", "nonsense://x"])
    assert shown.exit_code != 0 and shown.exception is not None
    assert not isinstance(shown.exception, SystemExit)


@pytest.mark.parametrize("command", [["show", "1"], ["stats"], ["search", "question"]])
def test_a_closed_pipe_exits_0_without_a_traceback(built: Built, command: list[str]) -> None:
    """``healthqa show 1 | head -1``: the reader goes away before the output is written."""
    args = [*command, "--db", built.db_url, "--data-dir", str(built.data_dir)]
    if command[0] == "show":
        args[1] = built.records[0].url
    child = subprocess.Popen(
        [sys.executable, "-c", "from crawler.cli import main; main()", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "COLUMNS": "80"},
    )
    assert child.stdout is not None
    child.stdout.close()  # like `| head` that has already exited: every write hits EPIPE
    _, stderr = child.communicate(timeout=60)
    assert child.returncode == 0, stderr.decode()
    assert b"Traceback" not in stderr and b"Error" not in stderr

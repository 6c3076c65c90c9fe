"""Acceptance: a WARC written by real GNU wget imports with --site doctorqna, once."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from import_helpers import capture_rows, counts, run_import, run_stats
from wget_site import WgetCapture

from crawler.cli import cli


def test_wget_warc_imports_twenty_questions_and_the_503s_as_captures(
    wget_warc: WgetCapture, tmp_path: Path
) -> None:
    assert wget_warc.faulted > 0 and wget_warc.responses_503 > 0  # the retries happened
    data = tmp_path / "data"
    first = run_import(wget_warc.warc, "--site", "doctorqna", "--data-dir", data)
    assert first.exit_code == 0, first.output
    after_first = counts(data)
    assert after_first["questions"] == len(wget_warc.article_ids) == 20
    assert after_first["revisions"] == 20
    rows = capture_rows(data)
    assert len(rows) == after_first["captures"] == 20 + wget_warc.responses_503
    unavailable = [row for row in rows if row["http_status"] == 503]
    assert len(unavailable) == wget_warc.responses_503
    assert {row["parse_outcome"] for row in unavailable} == {"not_parsed"}
    assert {row["parse_outcome"] for row in rows if row["http_status"] == 200} == {"ok"}
    # Every capture points into wget's own file; wget's metadata/resource records are not
    # captures.
    assert {row["warc_file"] for row in rows} == {str(wget_warc.warc.resolve())}
    assert "skipped: metadata_record" in first.output
    assert "skipped: resource_record" in first.output

    second = run_import(wget_warc.warc, "--site", "doctorqna", "--data-dir", data)
    assert second.exit_code == 0, second.output
    assert counts(data) == after_first
    first_run, second_run = run_stats(data)
    assert (first_run["imported"], first_run["new"]) == (len(rows), 20)
    assert second_run["imported"] == 0
    assert second_run["skipped"]["already_imported"] == len(rows)  # type: ignore[index]


def test_show_names_the_source_file(wget_warc: WgetCapture, tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run_import(wget_warc.warc, "--site", "doctorqna", "--data-dir", data).exit_code == 0
    url = capture_rows(data)[0]["url"]
    shown = CliRunner().invoke(cli, ["show", str(url), "--json", "--data-dir", str(data)])
    assert shown.exit_code == 0, shown.output
    assert str(wget_warc.warc.resolve()) in shown.output

"""Acceptance: the wget WARC's records imported through a CDXJ index, by range requests only;
and ``healthqa cdx`` indexing the archive's own WARC files with cdxj-indexer."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from cdxj_indexer.main import write_cdx_index
from click.testing import CliRunner
from import_helpers import counts, run_import, run_stats
from range_server import serve_ranges
from wget_site import WgetCapture

from crawler.cli import cli


def _index(warc: Path, out: Path) -> list[str]:
    """A CDXJ index of ``warc`` as the Common Crawl URL index returns one (cdxj-indexer)."""
    with out.open("w") as stream:
        write_cdx_index(stream, [str(warc)], {"sort": True, "dir_root": str(warc.parent)})
    return out.read_text().splitlines()


def test_cdx_import_fetches_only_ranges_and_resumes(wget_warc: WgetCapture, tmp_path: Path) -> None:
    served = tmp_path / "crawl-data"
    served.mkdir()
    shutil.copy(wget_warc.warc, served / "site.warc.gz")
    index = tmp_path / "site.cdxj"
    lines = _index(served / "site.warc.gz", index)
    data = tmp_path / "data"
    with serve_ranges(served, fail_first=2) as (prefix, log):
        args = ("--cdx", index, "--warc-prefix", prefix, "--site", "doctorqna")
        first = run_import(*args, "--data-dir", data)
        assert first.exit_code == 0, first.output
        assert log.unranged == 0  # never a whole-file download
        assert log.ranged == len(lines) + 2  # one per index line, plus the two retried 503s
        after = counts(data)
        assert after["questions"] == 20
        assert after["captures"] == 20 + wget_warc.responses_503
        second = run_import(*args, "--data-dir", data)
        assert second.exit_code == 0, second.output
    assert counts(data) == after
    responses = sum(1 for line in lines if json.loads(line.split(" ", 2)[2]).get("status"))
    stats = run_stats(data)[-1]
    assert stats["skipped"]["already_imported"] == responses  # type: ignore[index]
    # Only the index lines without a capture key (wget's own metadata) were fetched again.
    assert log.ranged == len(lines) + 2 + (len(lines) - responses)


def test_cdx_import_reports_bad_lines_and_failed_fetches(
    wget_warc: WgetCapture, tmp_path: Path
) -> None:
    served = tmp_path / "crawl-data"
    served.mkdir()
    shutil.copy(wget_warc.warc, served / "site.warc.gz")
    index = tmp_path / "site.cdxj"
    lines = _index(served / "site.warc.gz", index)
    gone = lines[0].replace('"site.warc.gz"', '"missing.warc.gz"')
    index.write_text("\n".join([lines[-1], "not a cdx line", gone, *lines[1:4]]) + "\n")
    data = tmp_path / "data"
    with serve_ranges(served) as (prefix, _log):
        result = run_import(
            "--cdx",
            index,
            "--warc-prefix",
            prefix,
            "--site",
            "doctorqna",
            "--retries",
            "0",
            "--data-dir",
            data,
        )
    assert result.exit_code == 5, result.output
    problems = run_stats(data)[0]["problems"]
    assert isinstance(problems, list) and len(problems) == 2
    assert "line 2: not a CDXJ line" in problems[0]
    assert "index line 3" in problems[1] and "missing.warc.gz" in problems[1]
    assert counts(data)["captures"] >= 3  # the good lines were imported all the same


def test_healthqa_cdx_indexes_the_archive_for_another_import(
    wget_warc: WgetCapture, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    copied = run_import(wget_warc.warc, "--site", "doctorqna", "--copy", "--data-dir", data)
    assert copied.exit_code == 0, copied.output
    result = CliRunner().invoke(cli, ["cdx", "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    lines = (data / "index.cdxj").read_text().splitlines()
    assert lines == sorted(lines)
    entries = [json.loads(line.split(" ", 2)[2]) for line in lines]
    assert {entry["filename"].split("/")[0] for entry in entries} == {"warc"}
    assert sum(entry.get("status") == "200" for entry in entries) == 20
    # The index leads a second archive to every record, by range requests.
    with serve_ranges(data) as (prefix, log):
        other = tmp_path / "other"
        again = run_import(
            "--cdx",
            data / "index.cdxj",
            "--warc-prefix",
            prefix,
            "--site",
            "doctorqna",
            "--data-dir",
            other,
        )
        assert again.exit_code == 0, again.output
        assert log.unranged == 0
    assert counts(other)["questions"] == 20

"""A crawl that fails after its archive session opened still closes it.

Scrapy drops a crawl whose middleware cannot be built without opening or closing the spider,
so no ``spider_closed`` fires; the session's ingest worker (a child process) and its run row
must not be left as if the crawl were still going.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from crawl_helpers import open_archive, rows

HELPER = Path(__file__).with_name("crawl_failing_start.py")


@pytest.mark.parametrize(
    ("setting", "expected_runs"),
    [
        # Read by BackoffRetryMiddleware.from_crawler, built after the archive session opened:
        # the run was started; it stays unfinished (nothing was fetched, nothing is passed as
        # done) for --resume.
        ("RETRY_BACKOFF_BASE=soon", [(None, None)]),
        # Read by the session itself: it fails before starting a run or a child process.
        ("INGEST_BATCH_SIZE=soon", []),
    ],
)
def test_a_crawl_failing_to_start_leaves_no_child_process_and_no_false_run(
    tmp_path: Path, setting: str, expected_runs: list[tuple[None, None]]
) -> None:
    result = subprocess.run(
        [sys.executable, str(HELPER), str(tmp_path), setting],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert "soon" in report["error"]
    # The ingest worker, if the session started one, has been closed and reaped.
    assert report["children"] == []
    with open_archive(tmp_path) as archive:
        runs = rows(archive, "SELECT outcome, ended_at FROM crawl_runs")
        captures = rows(archive, "SELECT COUNT(*) FROM captures")
    assert runs == expected_runs
    assert captures == [(0,)]

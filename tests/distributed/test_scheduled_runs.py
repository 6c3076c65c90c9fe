"""Cron/systemd safety: an overlapping run exits 75 untouched; a dead run's lock is taken over."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from crawl_helpers import crawl_command, open_archive, rows, run_crawl

from demo_site.config import DemoSiteConfig
from demo_site.server import serve_demo_site
from storage.runlock import EXIT_LOCKED

pytestmark = pytest.mark.slow

HOLDER_FILE = "archive.sqlite.crawl-doctorqna.holder.json"


def _start(base_url: str, data_dir: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        crawl_command(base_url, data_dir, *args),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def _wait_until(condition: object, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while not condition():  # type: ignore[operator]
        assert process.poll() is None, f"run ended early: {process.communicate()}"
        assert time.monotonic() < deadline, "the run made no progress"
        time.sleep(0.05)


def _holder_pid(data_dir: Path) -> int | None:
    try:
        return int(json.loads((data_dir / HOLDER_FILE).read_text())["pid"])
    except (OSError, ValueError, KeyError):
        return None


def test_overlapping_run_exits_75_and_writes_nothing(tmp_path: Path) -> None:
    with serve_demo_site(DemoSiteConfig(pages=150, seed=33, fault_rate=0.0)) as server:
        first, last = server.site.id_range()
        running = _start(server.base_url, tmp_path, "--ids", f"{first}-{last}")
        _wait_until(lambda: server.log.snapshot().total >= 10, running)
        # Frozen mid-crawl, it still holds the lock: the overlap is certain, not a race.
        running.send_signal(signal.SIGSTOP)
        try:
            second = run_crawl(server.base_url, tmp_path, "--incremental", expect=EXIT_LOCKED)
            served_while_locked = server.log.snapshot().total
        finally:
            running.send_signal(signal.SIGCONT)
        _, errors = running.communicate(timeout=180)
        assert running.returncode == 0, errors[-3000:]
        served = server.log.snapshot().requests
        paths = [server.site.path_for(i) for i in server.site.article_ids()]

    message = " ".join(second.stdout.split())  # rich wraps lines at the terminal width
    assert "another run holds the lock" in message
    assert f"pid {running.pid}" in message
    archive = open_archive(tmp_path)
    assert rows(archive, "SELECT outcome FROM crawl_runs") == [("finished",)]
    duplicates = rows(
        archive,
        "SELECT url FROM captures WHERE parse_outcome = 'ok' GROUP BY url HAVING COUNT(*) > 1",
    )
    assert duplicates == []
    assert [p for p in paths if served[p] != 1] == []
    assert served_while_locked < sum(served.values())


def test_lock_left_by_a_killed_run_is_taken_over_and_named(tmp_path: Path) -> None:
    with serve_demo_site(DemoSiteConfig(pages=60, seed=34, fault_rate=0.0)) as server:
        first, last = server.site.id_range()
        killed = _start(server.base_url, tmp_path, "--ids", f"{first}-{last}")
        _wait_until(lambda: _holder_pid(tmp_path) == killed.pid, killed)
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=30)
        assert _holder_pid(tmp_path) == killed.pid  # nobody cleaned up after the kill
        scheduled = run_crawl(server.base_url, tmp_path, "--incremental")

    message = " ".join(scheduled.stdout.split())  # rich wraps lines at the terminal width
    assert "Took over the run lock left by a run that died" in message
    assert f"pid {killed.pid}" in message
    # The run that took over released the lock properly when it finished.
    assert _holder_pid(tmp_path) is None

"""``healthqa demo`` as the quick start (issue 10): a second run re-visits the same URLs and
says nothing changed; page ids, full URLs and next steps are printed even at 80 columns; a
busy port never makes a copy of the archive under new URLs."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

CLI = [sys.executable, "-c", "from crawler.cli import main; main()"]
PAGES = "25"


def demo(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "demo", "--pages", PAGES, "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env={**os.environ, "COLUMNS": "80"},
    )


def pages(data_dir: Path) -> set[str]:
    with sqlite3.connect(data_dir / "archive.sqlite") as db:
        return {url for (url,) in db.execute("SELECT url FROM pages")}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
def test_a_second_demo_revisits_the_same_pages_and_says_nothing_changed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    port = free_port()
    first = demo(data, "--port", str(port))
    assert first.returncode == 0, first.stderr[-3000:]
    assert "Crawl report" in first.stdout
    urls = pages(data)
    assert urls and all(url.startswith(f"http://127.0.0.1:{port}/") for url in urls)
    # Page ids and whole URLs, one per line, at 80 columns; then what to run next.
    sample = [line for line in first.stdout.splitlines() if line.strip().startswith("http")]
    assert sample and all(line.strip() in urls for line in sample)
    assert "  page " in first.stdout
    for step in ("healthqa show", "healthqa search", "healthqa export", "datasette"):
        assert step in first.stdout
    assert "source .venv/bin/activate" in first.stdout

    again = demo(data)  # no --port: the archive's own port
    assert again.returncode == 0, again.stderr[-3000:]
    assert "Nothing changed since the last crawl" in again.stdout
    assert "Crawl report" not in again.stdout and "parsed" not in again.stdout
    assert pages(data) == urls

    with socket.socket() as busy:  # the archive's port taken: refuse, do not duplicate
        busy.bind(("127.0.0.1", port))
        busy.listen()
        refused = demo(data)
    assert refused.returncode == 1
    assert f"port {port} is busy" in refused.stderr and "new URLs" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert pages(data) == urls

"""Start ``healthqa crawl --redis`` workers and seeders as real processes, and wait on them."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from crawl_helpers import crawl_command, run_crawl

#: Short idle/stale times keep the tests quick; the production defaults are 30 s each.
FAST_EXIT = ["--idle-seconds", "1", "--stale-seconds", "5"]


def shared_args(redis_url: str, prefix: str, db_url: str) -> list[str]:
    return ["--redis", redis_url, "--redis-prefix", prefix, "--db", db_url]


def start_worker(
    base_url: str, data_dir: Path, worker_id: str, *args: str
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        crawl_command(base_url, data_dir, "--worker-id", worker_id, *FAST_EXIT, *args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def seed(base_url: str, data_dir: Path, *args: str) -> str:
    return run_crawl(base_url, data_dir, "--seed-only", *args).stdout


def finish(process: subprocess.Popen[str], timeout: float = 180) -> tuple[str, str]:
    stdout, stderr = process.communicate(timeout=timeout)
    assert process.returncode == 0, (
        f"exit {process.returncode}\nstdout:\n{stdout[-3000:]}\nstderr:\n{stderr[-5000:]}"
    )
    return stdout, stderr

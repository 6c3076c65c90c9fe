"""The run lock must stop a second overlapping run and survive the death of its holder.

Each scenario runs the holder in a real separate process, because both lock kinds are
per-process (flock) or per-connection (advisory) and a same-process test would prove nothing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from storage.runlock import RunLock, RunLocked

HOLDER_SCRIPT = textwrap.dedent(
    """
    import sys, time
    from storage.runlock import RunLock
    lock = RunLock(sys.argv[1], sys.argv[2]).acquire()
    print("locked", flush=True)
    time.sleep(60)
    """
)


def _start_holder(db_url: str, name: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER_SCRIPT, db_url, name],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "locked"
    return process


def _kill(process: subprocess.Popen[str]) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'archive.sqlite'}"
    return request.getfixturevalue("postgres_server_url")


def test_overlapping_run_is_refused_and_names_the_holder(db_url: str) -> None:
    name = f"crawl:test-{uuid.uuid4().hex[:8]}"
    holder = _start_holder(db_url, name)
    try:
        with pytest.raises(RunLocked) as refused, RunLock(db_url, name):
            pass
        assert refused.value.holder
        assert "another run holds the lock" in str(refused.value)
    finally:
        _kill(holder)


def test_lock_of_a_killed_run_is_taken_over(db_url: str) -> None:
    name = f"crawl:test-{uuid.uuid4().hex[:8]}"
    holder = _start_holder(db_url, name)
    _kill(holder)
    with RunLock(db_url, name) as lock:
        if sa.make_url(db_url).get_backend_name() == "sqlite":
            assert lock.stale_holder is not None
            assert lock.stale_holder.pid == holder.pid


def test_released_lock_can_be_taken_again_and_other_names_do_not_collide(db_url: str) -> None:
    name = f"crawl:test-{uuid.uuid4().hex[:8]}"
    with RunLock(db_url, name), RunLock(db_url, name + "-other"):
        pass
    with RunLock(db_url, name) as again:
        assert again.stale_holder is None

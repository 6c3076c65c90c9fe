"""One scheduled crawl per site and archive at a time.

Cron and systemd timers fire whether or not the previous run finished. Two crawls writing the
same archive would fetch everything twice and race on the same pages, so a run takes a lock
first and an overlapping run exits at once with ``EXIT_LOCKED``.

The lock lives where the archive lives, so it covers every machine that writes it:

* PostgreSQL: a session-level advisory lock held on a dedicated connection. The server drops
  it when that connection dies, so a killed run never leaves a stale lock behind.
* SQLite: an ``flock`` on a file beside the database. The kernel drops it when the process
  dies; the holder's pid is kept in a side file so a new run can say whose stale lock it took
  over.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

import sqlalchemy as sa
from filelock import FileLock, Timeout

#: Process exit code of a run that found another run holding the lock (EX_TEMPFAIL: "try later").
EXIT_LOCKED = 75


class RunLocked(Exception):
    """Another run holds the lock; ``holder`` describes it when known."""

    def __init__(self, name: str, holder: str | None) -> None:
        self.name = name
        self.holder = holder
        detail = f" (held by {holder})" if holder else ""
        super().__init__(
            f"another run holds the lock '{name}'{detail}; this run exits without crawling. "
            f"It is safe to retry once that run ends."
        )


@dataclass(frozen=True, slots=True)
class LockHolder:
    pid: int
    host: str
    started_at: str

    def describe(self) -> str:
        return f"pid {self.pid} on {self.host} since {self.started_at}"

    @classmethod
    def current(cls) -> LockHolder:
        return cls(
            pid=os.getpid(),
            host=socket.gethostname(),
            started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for ``pg_try_advisory_lock`` (Python's hash() is salted)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class RunLock:
    """Context manager holding the run lock ``name`` for the archive at ``db_url``.

    ``stale_holder`` is set when a lock left by a dead process was taken over, so the caller
    can log it.
    """

    def __init__(self, db_url: str, name: str) -> None:
        self.db_url = db_url
        self.name = name
        self.stale_holder: LockHolder | None = None
        self._engine: sa.Engine | None = None
        self._connection: sa.Connection | None = None
        self._file_lock: FileLock | None = None
        self._info_path: Path | None = None

    def acquire(self) -> RunLock:
        url = sa.make_url(self.db_url)
        if url.get_backend_name() == "postgresql":
            self._acquire_advisory()
        elif url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            self._acquire_file(Path(url.database))
        else:
            raise ValueError(f"no run lock for database URL {url.render_as_string()}")
        return self

    def release(self) -> None:
        if self._connection is not None:
            self._connection.execute(
                sa.text("SELECT pg_advisory_unlock(:key)"), {"key": advisory_key(self.name)}
            )
            self._connection.close()
            self._connection = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
        if self._file_lock is not None:
            if self._info_path is not None:
                self._info_path.unlink(missing_ok=True)
            self._file_lock.release()
            self._file_lock = None

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()

    def _acquire_advisory(self) -> None:
        self._engine = sa.create_engine(self.db_url, poolclass=sa.pool.NullPool)
        connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        key = advisory_key(self.name)
        got = connection.execute(sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": key})
        if got.scalar():
            self._connection = connection
            return
        holder = connection.execute(
            sa.text(
                "SELECT a.pid, a.client_addr, a.backend_start FROM pg_locks l "
                "JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.granted "
                "AND l.objsubid = 1 AND l.classid::bigint = :high AND l.objid::bigint = :low"
            ),
            {"high": (key >> 32) & 0xFFFFFFFF, "low": key & 0xFFFFFFFF},
        ).first()
        connection.close()
        self._engine.dispose()
        self._engine = None
        described = (
            f"server backend {holder.pid} from {holder.client_addr or 'local socket'} "
            f"since {holder.backend_start:%Y-%m-%d %H:%M:%S}"
            if holder
            else None
        )
        raise RunLocked(self.name, described)

    def _acquire_file(self, database: Path) -> None:
        safe_name = "".join(c if c.isalnum() or c in "-_" else "_" for c in self.name)
        lock_path = database.with_name(f"{database.name}.{safe_name}.lock")
        info_path = lock_path.with_suffix(".holder.json")
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        file_lock = FileLock(lock_path, timeout=0)
        try:
            file_lock.acquire()
        except Timeout:
            holder = _read_holder(info_path)
            raise RunLocked(self.name, holder.describe() if holder else None) from None
        previous = _read_holder(info_path)
        if previous is not None:
            # We got the flock, so whoever wrote this file is gone without cleaning up.
            self.stale_holder = previous
        info_path.write_text(json.dumps(asdict(LockHolder.current())))
        self._file_lock = file_lock
        self._info_path = info_path


def _read_holder(path: Path) -> LockHolder | None:
    try:
        data = json.loads(path.read_text())
        return LockHolder(
            pid=int(data["pid"]), host=str(data["host"]), started_at=str(data["started_at"])
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None

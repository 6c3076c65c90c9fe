"""Distributed crawl benchmark: the same crawl with 1 and with 2 ``healthqa crawl`` workers.

    .venv/bin/python bench/distributed.py [--pages 5000] [--workers 1,2]

The demo site is pre-rendered (``write_static_site``, as ``healthqa demo-site --static-dir``)
and served by a threaded static file server in its own process, so the site costs as little
CPU as possible and is the same for every run. For each worker count: a fresh PostgreSQL
schema and Redis key prefix, one ``--seed-only`` step (not timed), then N worker processes
started together (``--no-politeness``). Throughput is pages / (last capture - first capture)
from the archive's own timestamps, so process start-up and the idle wait before workers
leave count for neither run; wall time including them is printed too. The 1-worker run is
the baseline of the ratio. Worker CPU (crawl and ingest processes, not PostgreSQL's) shows how
many of the machine's cores one worker already keeps busy. Goal: 2 workers >= 1.5x one worker.

Cores are pinned with ``taskset`` (``--no-pin`` to leave them free), so the figure says what
scales rather than who won the scheduler: the first ``--db-cores`` of this process's cores
serve the database side (this run's PostgreSQL backends, found by their
``application_name`` and pinned as they connect, and the static site server); each worker
(with its ingest and parse processes) gets the next remaining core, round robin. Only this
run's backends are pinned, never the shared server's other sessions. With fewer cores than
database + workers, workers share cores, and the printed layout says so: on a 2-core machine
one core is the database's and every worker is on the other, so 2 workers can only show
what a second crawl process adds on the same core (overlapping waits), not a second core.
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import redis
import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.cli.demo_site import write_static_site  # noqa: E402
from demo_site.config import DemoSiteConfig  # noqa: E402
from demo_site.site import DemoSite  # noqa: E402

CLI = [sys.executable, "-c", "from crawler.cli import main; main()"]

#: Article pages have no file extension; serve them as HTML, like the live demo site.
STATIC_SERVER = """
import functools, http.server, sys
class Handler(http.server.SimpleHTTPRequestHandler):
    def guess_type(self, path):
        return super().guess_type(path) if "." in path.rsplit("/", 1)[-1] else "text/html"
    def log_message(self, *args):
        pass
handler = functools.partial(Handler, directory=sys.argv[2])
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), handler).serve_forever()
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"static server did not start on port {port}")


@dataclass(frozen=True)
class Layout:
    """Which cores the database side and each worker may run on (empty: not pinned)."""

    database: tuple[int, ...]
    workers: tuple[int, ...]

    @classmethod
    def plan(cls, db_cores: int, pin: bool) -> Layout:
        cores = tuple(sorted(os.sched_getaffinity(0)))
        if not pin or len(cores) <= db_cores:
            return cls((), ())
        return cls(cores[:db_cores], cores[db_cores:])

    def worker_prefix(self, n: int) -> list[str]:
        if not self.workers:
            return []
        return ["taskset", "-c", str(self.workers[n % len(self.workers)])]

    def describe(self, count: int) -> str:
        if not self.workers:
            return "not pinned"
        placed = ", ".join(f"w{n}: {self.workers[n % len(self.workers)]}" for n in range(count))
        shared = " (workers share a core)" if count > len(self.workers) else ""
        return f"database + site: cores {_cores(self.database)}; {placed}{shared}"


def _cores(cores: tuple[int, ...]) -> str:
    return ",".join(map(str, cores))


def pin(pid: int, cores: tuple[int, ...]) -> bool:
    """Pin every thread of ``pid``; False if it is gone or may not be pinned by this user."""
    command = ["taskset", "-a", "-p", "-c", _cores(cores), str(pid)]
    return subprocess.run(command, capture_output=True).returncode == 0


class BackendPinner(threading.Thread):
    """Pins this run's PostgreSQL backends (by ``application_name``) as they connect."""

    def __init__(self, admin: sa.Engine, application: str, cores: tuple[int, ...]) -> None:
        super().__init__(daemon=True)
        self.admin, self.application, self.cores = admin, application, cores
        self.pinned: set[int] = set()
        self.failed: set[int] = set()
        self.done = threading.Event()

    def run(self) -> None:
        query = sa.text("SELECT pid FROM pg_stat_activity WHERE application_name = :name")
        while not self.done.wait(0.2):
            with self.admin.connect() as conn:
                pids = set(conn.execute(query, {"name": self.application}).scalars())
            for pid in pids - self.pinned - self.failed:
                (self.pinned if pin(pid, self.cores) else self.failed).add(pid)


def fresh_schema(admin: sa.Engine, base_url: str) -> tuple[str, str]:
    schema = f"bench_dist_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = make_url(base_url).update_query_dict(
        {"options": f"-csearch_path={schema}", "application_name": schema}
    )
    return schema, url.render_as_string(hide_password=False)


def crawl_args(
    base_url: str, data_dir: Path, redis_url: str, prefix: str, db: str, *extra: str
) -> list[str]:
    return [
        *CLI,
        "crawl",
        "doctorqna",
        "--base-url",
        base_url,
        "--data-dir",
        str(data_dir),
        "--no-politeness",
        "--log-level",
        "WARNING",
        "--redis",
        redis_url,
        "--redis-prefix",
        prefix,
        "--db",
        db,
        *extra,
    ]


def run_workers(
    count: int,
    base_url: str,
    id_range: str,
    work: Path,
    redis_url: str,
    db: str,
    layout: Layout,
    pinner: BackendPinner | None,
) -> dict[str, float]:
    prefix = f"bench_{uuid.uuid4().hex[:10]}"
    try:
        subprocess.run(
            crawl_args(
                base_url, work / "seed", redis_url, prefix, db, "--seed-only", "--ids", id_range
            ),
            check=True,
            capture_output=True,
        )
        cpu_before = _children_cpu()
        started = time.perf_counter()
        if pinner is not None:
            pinner.start()
        workers = [
            subprocess.Popen(
                layout.worker_prefix(n)
                + crawl_args(
                    base_url,
                    work / f"w{n}",
                    redis_url,
                    prefix,
                    db,
                    "--worker-id",
                    f"w{n}",
                    "--idle-seconds",
                    "1",
                ),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for n in range(count)
        ]
        for worker in workers:
            _, errors = worker.communicate()
            if worker.returncode != 0:
                raise RuntimeError(f"worker exited {worker.returncode}: {errors[-2000:]}")
        wall = time.perf_counter() - started
        cpu = _children_cpu() - cpu_before
    finally:
        if pinner is not None:
            pinner.done.set()
        server = redis.Redis.from_url(redis_url)
        keys = list(server.scan_iter(match=f"{prefix}:*"))
        if keys:
            server.delete(*keys)
    engine = sa.create_engine(db)
    with engine.connect() as conn:
        pages, first, last = conn.execute(
            sa.text(
                "SELECT COUNT(*), MIN(fetched_at), MAX(fetched_at) FROM captures "
                "WHERE parse_outcome = 'ok'"
            )
        ).one()
    engine.dispose()
    span = (last - first).total_seconds()
    print(f"  captures from {first:%H:%M:%S.%f} to {last:%H:%M:%S.%f} UTC")
    return {"pages": pages, "span": span, "rate": pages / span, "wall": wall, "cpu": cpu}


def _children_cpu() -> float:
    """User+system seconds of finished child processes (workers and their ingest processes)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--workers", default="1,2", help="Worker counts, first is the baseline.")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "HEALTHQA_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
    )
    parser.add_argument("--db-cores", type=int, default=1, help="cores for the database side")
    parser.add_argument("--no-pin", action="store_true", help="leave every process unpinned")
    options = parser.parse_args()
    counts = [int(n) for n in options.workers.split(",")]
    layout = Layout.plan(options.db_cores, not options.no_pin)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    admin = sa.create_engine(options.postgres, isolation_level="AUTOCOMMIT")
    with tempfile.TemporaryDirectory(prefix="bench-distributed-") as tmp:
        work = Path(tmp)
        site = DemoSite(DemoSiteConfig(pages=options.pages, seed=5, fault_rate=0.0), base_url)
        files = write_static_site(site, work / "site", base_url)
        first, last = site.id_range()
        static = subprocess.Popen(
            [sys.executable, "-c", STATIC_SERVER, str(port), str(work / "site")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if layout.database and not pin(static.pid, layout.database):
            print("the static site server could not be pinned", file=sys.stderr)
        try:
            wait_for_port(port)
            print(f"{files} static files, {options.pages} articles at {base_url}")
            results: dict[int, dict[str, float]] = {}
            for count in counts:
                schema, db = fresh_schema(admin, options.postgres)
                pinner = BackendPinner(admin, schema, layout.database) if layout.database else None
                print(f"{count} worker(s), {layout.describe(count)}", flush=True)
                try:
                    results[count] = run_workers(
                        count,
                        base_url,
                        f"{first}-{last}",
                        work / f"run{count}",
                        options.redis,
                        db,
                        layout,
                        pinner,
                    )
                finally:
                    with admin.connect() as conn:
                        conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
                load = os.getloadavg()[0]
                row = results[count]
                print(
                    f"{count} worker(s): {row['pages']:.0f} pages in {row['span']:.1f} s of "
                    f"crawling = {row['rate']:.1f} pages/s (wall {row['wall']:.1f} s incl. "
                    f"start-up and idle exit; load {load:.1f}); worker CPU {row['cpu']:.0f} s "
                    f"= {row['cpu'] / row['wall']:.2f} cores over the wall time"
                    + (
                        f"; backends pinned {len(pinner.pinned)}, not pinnable {len(pinner.failed)}"
                        if pinner
                        else ""
                    )
                )
        finally:
            static.terminate()
            static.wait()
    admin.dispose()
    baseline = results[counts[0]]["rate"]
    for count in counts[1:]:
        ratio = results[count]["rate"] / baseline
        verdict = "met" if count != 2 or ratio >= 1.5 else "NOT met"
        print(
            f"{count} workers / {counts[0]}: {ratio:.2f}x"
            + (f" (goal 1.5x {verdict})" if count == 2 else "")
        )


if __name__ == "__main__":
    main()

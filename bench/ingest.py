"""Ingest rate into an empty archive and into a large one, against a plain-table baseline.

Three timings of the same generated records, in one process:

* baseline: the records as JSON text rows in one plain SQLite table (``bench/storage.py``'s
  baseline): the least any durable SQLite store of them costs;
* empty: ``Archive.ingest_many`` into a new archive (SQLite, or a fresh PostgreSQL schema);
* grown (``--base FILE``, SQLite): the same records into a copy of an existing archive, e.g.
  100,000 questions from ``bench/generate.py``: the rate once the archive is that big;
  on PostgreSQL ``--base-records N`` first fills the fresh schema with N generated
  questions and runs ``ANALYZE`` (untimed), then times the same records onto them.

Each is reported as records per second of wall time and of this process's CPU time (SQLite
runs in the process, so its CPU rate is what the code costs, whatever the machine's load).
PostgreSQL's own work is in its server backends: when the server runs on this machine their
CPU time is read from ``/proc`` too, so "client + server" CPU says what one record costs
both sides, whatever the load. Goals: SQLite >= 0.6x the baseline, and at 100,000 questions
no more than 15% slower than empty; PostgreSQL >= 1,000 records/s.

    .venv/bin/python bench/ingest.py --records 10000 [--batch 500] [--base bench-100k.sqlite]
    .venv/bin/python bench/ingest.py --records 10000 --backend postgresql [--base-records 100000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from corpus import Corpus, capture_for  # noqa: E402 - bench/ is on sys.path as the script's dir
from generate import generate  # noqa: E402
from sqlalchemy import create_engine  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from parsers.record import QARecord  # noqa: E402
from storage import Archive  # noqa: E402

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
#: Record numbers start here, so they never collide with a ``bench/generate.py`` archive's.
FIRST = 5_000_000


def records(count: int) -> list[QARecord]:
    corpus = Corpus()  # the generator's vocabulary, so the index grows like the base's
    corpus.random.seed(FIRST)
    return [corpus.record(n) for n in range(FIRST, FIRST + count)]


def timed(action: object) -> tuple[float, float]:
    started, cpu = time.perf_counter(), time.process_time()
    action()  # type: ignore[operator]
    return time.perf_counter() - started, time.process_time() - cpu


def baseline(batch: list[QARecord], directory: Path) -> tuple[float, float]:
    db = sqlite3.connect(directory / "baseline.sqlite", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE records (url TEXT PRIMARY KEY, record TEXT)")

    def write() -> None:
        db.execute("BEGIN")
        db.executemany(
            "INSERT INTO records VALUES (?, ?)", ((r.url, r.to_json(indent=None)) for r in batch)
        )
        db.execute("COMMIT")

    result = timed(write)
    db.close()
    return result


def ingest(url: str, batch: list[QARecord], size: int) -> tuple[float, float, float | None]:
    """Wall and CPU seconds of this process, and of the PostgreSQL backends (None if unknown)."""
    with Archive.open(url) as archive:

        def write() -> None:
            for offset in range(0, len(batch), size):
                chunk = batch[offset : offset + size]
                archive.ingest_many(
                    [(r, capture_for(r, FIRST + offset + i)) for i, r in enumerate(chunk)]
                )

        server_before = server_cpu(archive)
        wall, cpu = timed(write)
        server_after = server_cpu(archive)
        if server_before is None or server_after is None:
            return wall, cpu, None
        return wall, cpu, server_after - server_before


def analyze(url: str) -> None:
    """Refresh the planner's statistics after the bulk load, as autovacuum does on a default
    server. Without them (autovacuum off, as on the shared test server) the planner still
    thinks the tables are nearly empty and scans pages, answers and links once per batch:
    the server's CPU per record then grows with the archive (measured 6x at 100,000)."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()


def server_cpu(archive: Archive) -> float | None:
    """CPU seconds used so far by the database's client backends, when PostgreSQL runs on
    this machine (``/proc`` shows its processes); ``None`` for SQLite or a remote server."""
    if archive.engine.dialect.name != "postgresql":
        return None
    with archive.engine.connect() as conn:
        pids = conn.exec_driver_sql(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND backend_type = 'client backend'"
        ).scalars()
        total = 0.0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                return None
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


@contextmanager
def postgres_schema(server: str) -> Iterator[str]:
    """A fresh PostgreSQL schema's URL, dropped afterwards."""
    schema = f"bench_ingest_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        url = make_url(server).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--records", type=int, default=10_000)
    options.add_argument("--batch", type=int, default=500)
    options.add_argument("--base", type=Path, help="SQLite archive to copy and grow")
    options.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    options.add_argument("--postgres-url", default=POSTGRES_URL, help="server database to use")
    options.add_argument(
        "--base-records", type=int, default=0, help="PostgreSQL: questions to ingest first"
    )
    args = options.parse_args()
    print(f"{args.records:,} records, batch {args.batch}, load {_load()}", flush=True)
    batch = records(args.records)
    n = len(batch)
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        base_wall, base_cpu = baseline(batch, directory)
        print(f"baseline: {n / base_wall:,.0f}/s wall, {n / base_cpu:,.0f}/s CPU", flush=True)
        rows = []
        if args.backend == "postgresql":
            with postgres_schema(args.postgres_url) as url:
                rows.append(("empty", *ingest(url, batch, args.batch)))
            if args.base_records:
                with postgres_schema(args.postgres_url) as url:
                    started = time.perf_counter()
                    generate(url, args.base_records, quiet=True)
                    analyze(url)
                    print(
                        f"base of {args.base_records:,} questions built in "
                        f"{time.perf_counter() - started:,.0f} s (untimed), load {_load()}",
                        flush=True,
                    )
                    grown_rate = ingest(url, batch, args.batch)
                    rows.append((f"onto {args.base_records:,} questions", *grown_rate))
        else:
            rows.append(
                ("empty", *ingest(f"sqlite:///{directory / 'empty.sqlite'}", batch, args.batch))
            )
            if args.base:
                grown = directory / "grown.sqlite"
                shutil.copyfile(args.base, grown)
                grown_rate = ingest(f"sqlite:///{grown}", batch, args.batch)
                rows.append((f"onto {args.base.name}", *grown_rate))
    for name, wall, cpu, server in rows:
        print(
            f"{args.backend} {name}: {n / wall:,.0f}/s wall ({base_wall / wall:.2f}x baseline), "
            f"{n / cpu:,.0f}/s CPU ({base_cpu / cpu:.2f}x baseline)"
        )
        if server is not None:
            print(
                f"  PostgreSQL backends: {n / server:,.0f}/s of server CPU; client + server "
                f"{n / (cpu + server):,.0f} records per CPU-second (goal 1,000/s wall)"
            )
    if len(rows) == 2:
        (_, wall0, cpu0, _), (_, wall1, cpu1, _) = rows
        print(
            f"grown vs empty: {wall0 / wall1:.2f}x wall rate, {cpu0 / cpu1:.2f}x CPU rate "
            f"(goal >= 0.85x)"
        )
    print(f"load at the end {_load()}")


def _load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()

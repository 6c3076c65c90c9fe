"""Crawl runs: when a crawl started and ended, with what arguments, and how it went.

A run id is stamped on every capture it makes, so ``--resume`` can skip what a run already
fetched and a report can be rebuilt for any past run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, select, update

from storage import models
from storage.names import NameCache, site_id

_runs = models.CrawlRun.__table__
_sites = models.Site.__table__
_captures = models.CaptureRow.__table__
STREAM_BATCH = 1000


def start_run(conn: Connection, cache: NameCache, *, site: str, arguments: dict[str, Any]) -> int:
    row = {
        "site_id": site_id(conn, site, cache),
        "started_at": datetime.now(UTC).replace(tzinfo=None),
        "arguments": arguments,
    }
    return conn.execute(_runs.insert().values(row).returning(_runs.c.id)).scalar_one()


def add_run_arguments(conn: Connection, run_id: int, extra: dict[str, Any]) -> None:
    """Add ``extra`` to a run's stored arguments: what a component learns once the run has
    started (a distributed worker's crawl id) is recorded beside what it was started with."""
    stored = conn.execute(
        select(_runs.c.arguments).where(_runs.c.id == run_id).with_for_update()
    ).scalar_one_or_none()
    if stored is None:
        raise KeyError(f"no crawl run with id {run_id}")
    conn.execute(update(_runs).where(_runs.c.id == run_id).values(arguments={**stored, **extra}))


def finish_run(conn: Connection, run_id: int, *, stats: dict[str, Any], outcome: str) -> None:
    result = conn.execute(
        update(_runs)
        .where(_runs.c.id == run_id)
        .values(ended_at=datetime.now(UTC).replace(tzinfo=None), stats=stats, outcome=outcome)
    )
    if result.rowcount != 1:
        raise KeyError(f"no crawl run with id {run_id}")


@dataclass(frozen=True, slots=True)
class RunCheckpoint:
    """A crawl's counters at the moment one ingest batch was cut, stored with that batch.

    Written in the batch's own transaction, so a run's stored stats always describe exactly
    the captures the database holds: after a kill, ``--resume`` continues from them and the
    finished run's stats cover every segment. ``counters`` are the crawler's; the ingest
    outcomes (``new``, ``changed``...) are added up here from the batch's results.
    """

    run_id: int
    counters: dict[str, Any]


def checkpoint_run(
    conn: Connection, checkpoint: RunCheckpoint, statuses: Sequence[str], names: Sequence[str]
) -> None:
    """Store ``checkpoint`` plus the run's ingest outcomes so far (``names``) and this batch's."""
    stored = conn.execute(
        select(_runs.c.stats).where(_runs.c.id == checkpoint.run_id).with_for_update()
    ).scalar_one_or_none()
    previous = stored or {}
    counts = Counter(statuses)
    outcomes = {name: int(previous.get(name, 0)) + counts[name] for name in names}
    conn.execute(
        update(_runs)
        .where(_runs.c.id == checkpoint.run_id)
        .values(stats={**checkpoint.counters, **outcomes})
    )


def run_stats(conn: Connection, run_id: int) -> dict[str, Any] | None:
    return conn.execute(select(_runs.c.stats).where(_runs.c.id == run_id)).scalar_one_or_none()


def unfinished_run(conn: Connection, site: str) -> int | None:
    query = (
        select(_runs.c.id)
        .join(_sites, _sites.c.id == _runs.c.site_id)
        .where(_sites.c.name == site, _runs.c.ended_at.is_(None))
        .order_by(_runs.c.id.desc())
        .limit(1)
    )
    return conn.execute(query).scalar_one_or_none()


def captured_urls(engine: Engine, run_id: int, *, batch: int = STREAM_BATCH) -> Iterator[str]:
    """Distinct fetched URLs of a run, in URL order, a page of rows per short read.

    Keyset pages rather than one open cursor, so a long consumer (a resuming crawler that
    also writes) never holds a read transaction open for the whole stream.
    """
    after = ""
    while True:
        query = (
            select(_captures.c.url)
            .where(_captures.c.crawl_run_id == run_id, _captures.c.url > after)
            .group_by(_captures.c.url)
            .order_by(_captures.c.url)
            .limit(batch)
        )
        with engine.connect() as conn:
            urls = list(conn.execute(query).scalars())
        yield from urls
        if len(urls) < batch:
            return
        after = urls[-1]


def last_statuses(
    engine: Engine, run_id: int, *, batch: int = STREAM_BATCH
) -> Iterator[tuple[str, int]]:
    """``(url, http_status)`` of each URL's latest capture in the run, in URL order.

    One keyset-paged query for what ``--resume`` needs to know about every URL the run
    fetched; two queries per URL made resuming a 20,000-page run take longer than 30 s.
    """
    newer = _captures.alias("newer")
    later = (
        select(newer.c.id)
        .where(
            newer.c.crawl_run_id == run_id,
            newer.c.url == _captures.c.url,
            newer.c.fetched_at > _captures.c.fetched_at,
        )
        .exists()
    )
    after = ""
    while True:
        query = (
            select(_captures.c.url, _captures.c.http_status)
            .where(_captures.c.crawl_run_id == run_id, _captures.c.url > after, ~later)
            .order_by(_captures.c.url)
            .limit(batch)
        )
        with engine.connect() as conn:
            found = [(row.url, row.http_status) for row in conn.execute(query)]
        yield from found
        if len(found) < batch:
            return
        after = found[-1][0]

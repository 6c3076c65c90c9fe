"""Questions the crawler asks about pages: what was fetched last, what is due again.

All answers come from ``pages``/``captures`` so a crawl can be scheduled from the archive
alone, without a separate state file to keep in sync.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, Connection, Engine, and_, cast, exists, func, not_, or_, select

from parsers.record import QARecord
from parsers.schema import CAPTURE_FIELDS
from parsers.urls import canonicalize_url
from storage import models
from storage.records import rebuild_record
from storage.runs import STREAM_BATCH
from storage.timeutil import from_db, to_db

_pages = models.Page.__table__
_sites = models.Site.__table__
_captures = models.CaptureRow.__table__
_questions = models.Question.__table__
_answers = models.Answer.__table__
_explanations = models.Explanation.__table__
_links = models.Link.__table__
_doctors = models.Doctor.__table__
_departments = models.Department.__table__


@dataclass(frozen=True, slots=True)
class CaptureSummary:
    """The latest fetch of a URL, enough for a conditional re-fetch and a revisit decision.

    ``answered`` is ``None`` when the page has no extracted content yet.
    """

    url: str
    fetched_at: datetime
    http_status: int
    payload_digest: str | None
    etag: str | None
    last_modified: str | None
    warc_file: str | None
    warc_offset: int | None
    warc_length: int | None
    answered: bool | None


def _has_answer() -> Any:
    return exists().where(_answers.c.page_id == _pages.c.id)


def last_capture(conn: Connection, url: str) -> CaptureSummary | None:
    """Latest capture of the page at ``url`` (any spelling), else of that exact URL."""
    page = conn.execute(
        select(_pages.c.id, _pages.c.content_hash, _has_answer().label("answered")).where(
            _pages.c.url == canonicalize_url(url)
        )
    ).first()
    where = _captures.c.page_id == page.id if page else _captures.c.url == url
    row = conn.execute(
        select(_captures).where(where).order_by(_captures.c.fetched_at.desc()).limit(1)
    ).first()
    if row is None:
        return None
    answered = bool(page.answered) if page and page.content_hash is not None else None
    return _summary(row, answered)


def capture_with_payload(conn: Connection, digest: str) -> CaptureSummary | None:
    """The earliest 200 capture with this payload digest that has a WARC record: what an
    imported revisit record refers to."""
    row = conn.execute(
        select(_captures)
        .where(
            _captures.c.payload_digest == digest,
            _captures.c.http_status == 200,
            _captures.c.warc_file.is_not(None),
            _captures.c.parse_outcome != "revisit",
        )
        .order_by(_captures.c.fetched_at, _captures.c.id)
        .limit(1)
    ).first()
    return _summary(row, None) if row is not None else None


def _summary(row: Any, answered: bool | None) -> CaptureSummary:
    return CaptureSummary(
        url=row.url,
        fetched_at=from_db(row.fetched_at),  # type: ignore[arg-type]
        http_status=row.http_status,
        payload_digest=row.payload_digest,
        etag=row.etag,
        last_modified=row.last_modified,
        warc_file=row.warc_file,
        warc_offset=row.warc_offset,
        warc_length=row.warc_length,
        answered=answered,
    )


def _due_condition(now: datetime, refresh_after: timedelta, unanswered_after: timedelta) -> Any:
    now = to_db(now)
    return and_(
        _pages.c.state == "active",
        or_(
            and_(_has_answer(), _pages.c.last_seen < now - refresh_after),
            and_(not_(_has_answer()), _pages.c.last_seen < now - unanswered_after),
        ),
    )


def due_urls(
    engine: Engine,
    site: str,
    *,
    now: datetime,
    refresh_after: timedelta,
    unanswered_after: timedelta,
    batch: int = STREAM_BATCH,
) -> Iterator[str]:
    """Active pages last fetched longer ago than their refresh interval (unanswered questions
    are re-checked sooner, since a reply is what researchers wait for)."""
    condition = _due_condition(now, refresh_after, unanswered_after)
    return _stream_urls(engine, site, condition, batch)


def not_due_urls(
    engine: Engine,
    site: str,
    *,
    now: datetime,
    refresh_after: timedelta,
    unanswered_after: timedelta,
    batch: int = STREAM_BATCH,
) -> Iterator[str]:
    """Every other page of the site (recently fetched, or gone)."""
    condition = not_(_due_condition(now, refresh_after, unanswered_after))
    return _stream_urls(engine, site, condition, batch)


def _stream_urls(
    engine: Engine, site: str, condition: Any, batch: int = STREAM_BATCH
) -> Iterator[str]:
    after = 0
    while True:
        query = (
            select(_pages.c.id, _pages.c.url)
            .join(_sites, _sites.c.id == _pages.c.site_id)
            .where(_sites.c.name == site, _pages.c.id > after, condition)
            .order_by(_pages.c.id)
            .limit(batch)
        )
        with engine.connect() as conn:
            rows = conn.execute(query).all()
        yield from (row.url for row in rows)
        if len(rows) < batch:
            return
        after = rows[-1].id


def max_external_id(conn: Connection, site: str) -> int | None:
    """Largest numeric external id of the site; non-numeric ids are ignored."""
    external = _pages.c.external_id
    if conn.dialect.name == "postgresql":
        numeric = external.regexp_match("^[0-9]{1,18}$")
    else:
        numeric = and_(
            external.op("GLOB", is_comparison=True)("[0-9]*"),
            not_(external.op("GLOB", is_comparison=True)("*[^0-9]*")),
            func.length(external) <= 18,
        )
    query = (
        select(func.max(cast(external, BigInteger)))
        .join(_sites, _sites.c.id == _pages.c.site_id)
        .where(_sites.c.name == site, numeric)
    )
    value = conn.execute(query).scalar()
    return int(value) if value is not None else None


def load_record(conn: Connection, page_id_or_url: int | str) -> QARecord | None:
    """The page's current version rebuilt from the normalized tables, or ``None``."""
    if isinstance(page_id_or_url, str):
        where = _pages.c.url == canonicalize_url(page_id_or_url)
    else:
        where = _pages.c.id == page_id_or_url
    content_capture = and_(
        _captures.c.page_id == _pages.c.id,
        _captures.c.fetched_at == _pages.c.content_fetched_at,
        _captures.c.parse_outcome == "ok",
    )
    page = conn.execute(
        select(
            _pages.c.id,
            _pages.c.url,
            _pages.c.external_id,
            _sites.c.name.label("site"),
            _captures.c.warnings,
            *(_captures.c[field.name] for field in CAPTURE_FIELDS),
        )
        .join(_sites, _sites.c.id == _pages.c.site_id)
        .outerjoin(_captures, content_capture)
        .where(where)
    ).first()
    if page is None:
        return None
    question = conn.execute(select(_questions).where(_questions.c.page_id == page.id)).first()
    if question is None:
        return None
    answers = conn.execute(
        select(
            _answers,
            _doctors.c.name.label("doctor"),
            _departments.c.name.label("department"),
        )
        .outerjoin(_doctors, _doctors.c.id == _answers.c.doctor_id)
        .outerjoin(_departments, _departments.c.id == _answers.c.department_id)
        .where(_answers.c.page_id == page.id)
        .order_by(_answers.c.position)
    ).all()
    explanation = conn.execute(
        select(_explanations).where(_explanations.c.page_id == page.id)
    ).first()
    links = conn.execute(
        select(
            _links,
            _doctors.c.name.label("doctor"),
            _departments.c.name.label("department"),
        )
        .outerjoin(_doctors, _doctors.c.id == _links.c.doctor_id)
        .outerjoin(_departments, _departments.c.id == _links.c.department_id)
        .where(_links.c.page_id == page.id)
        .order_by(_links.c.kind, _links.c.position)
    ).all()
    return rebuild_record(
        canonical_url=page.url,
        site=page.site,
        external_id=page.external_id,
        question=question,
        answers=answers,
        explanation=explanation,
        links=links,
        warnings=page.warnings,
        observed={field.name: page._mapping[field.name] for field in CAPTURE_FIELDS},
    )


def capture_ids(
    conn: Connection, keys: Sequence[tuple[str, datetime]]
) -> dict[tuple[str, datetime], int]:
    """Ids of the captures with these ``(url, fetched_at)`` keys (the ones archived)."""
    wanted = {(url, to_db(fetched_at)): (url, fetched_at) for url, fetched_at in keys}
    found: dict[tuple[str, datetime], int] = {}
    for url in sorted({url for url, _ in wanted}):
        rows = conn.execute(
            select(_captures.c.id, _captures.c.fetched_at).where(_captures.c.url == url)
        )
        for capture_id, fetched_at in rows:
            key = wanted.get((url, fetched_at))
            if key is not None:
                found[key] = capture_id
    return found

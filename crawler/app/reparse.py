"""Re-extract archived captures with the current parser, without touching the network.

After a parser fix the archive must reflect what the new parser reads in the bytes already
collected. For every page the latest capture that carried a body is re-parsed, plus every
capture whose parse failed (a fix may rescue it). The body comes from the capture's WARC
record, decoded exactly as during the crawl (``storage.warc``), and the result goes through
``Archive.ingest`` like any crawl result, so revisions, failure codes and search stay right:
a page gets a new revision only where the output changed, and a capture whose parse used to
fail and now succeeds becomes ``ok``.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Engine, Row, and_, or_, select
from sqlalchemy.orm import aliased

import parsers
from parsers.budget import pool_from_env
from parsers.errors import ParseError
from parsers.record import QARecord
from storage.capture import Capture, failed_parse
from storage.models import CaptureRow, Page, Site
from storage.records import NON_CONTENT_FIELDS, encode_record, page_identity
from storage.timeutil import from_db
from storage.warc import WarcReadError, read_response

if TYPE_CHECKING:
    from storage import Archive

#: Outcomes whose capture has a response body worth parsing (revisits and redirects do not).
PARSEABLE = ("ok", "error", "not_article")


class ParseFunction(Protocol):
    """``parsers.parse``'s signature; a wrapper with it can be injected to test a change."""

    def __call__(
        self, body: bytes, url: str, headers: Mapping[str, str] | None = None, *, site: str | None
    ) -> QARecord: ...


@dataclass
class ReparseReport:
    """What a re-parse did. ``field_changes`` counts records whose field changed."""

    captures: int = 0
    changed: int = 0
    unchanged: int = 0
    recovered: int = 0  # failed before, parse now
    newly_failing: int = 0  # parsed before, fail now (the archived content is kept)
    not_articles: Counter[str] = field(default_factory=Counter)  # FAQ, listing, not found
    skipped: int = 0  # not_article captures the same parser version already judged
    failures: Counter[str] = field(default_factory=Counter)  # error code -> captures
    unreadable: list[str] = field(default_factory=list)  # WARC problems, one message each
    field_changes: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True, slots=True)
class _Pending:
    """A re-parse result waiting for its batch, with what is needed to report on it."""

    record: QARecord | None
    capture: Capture
    previous: QARecord | None  # current content before the re-parse (latest captures only)
    old_outcome: str
    latest: bool


@dataclass(frozen=True, slots=True)
class _Target:
    row: Row[Any]  # the captures row's columns
    site: str


def reparse(
    archive: Archive,
    *,
    data_dir: str | Path,
    site: str | None = None,
    since_version: str | None = None,
    parse: ParseFunction | None = None,
    everything: bool = False,
    batch: int = 200,
    jobs: int = 1,
    progress: Callable[[int], None] | None = None,
) -> ReparseReport:
    """Re-parse the target captures and ingest the results in batches of ``batch``.

    ``since_version`` limits the run to captures first parsed by that parser version or a
    later one (versions compare by their numbers), for when a bug entered in version V.
    A ``not_article`` capture (FAQ, listing, not found) already judged by the current parser
    version cannot come out differently, so it is skipped unless ``everything`` is set;
    without that, every crawl would add its FAQ pages to every later re-parse.
    ``progress`` is called with the number of captures handled so far after each batch.
    Without ``parse``, pages are parsed as the crawl parses them: in worker processes under
    the per-page budget (``parsers.budget``), so one hostile page cannot hang the run.

    ``jobs`` pages are read and parsed at once (one parse worker process each), while this
    thread stays the one writer: results are ingested in capture order, as with one job, so
    the archive ends up the same whatever ``jobs`` is.
    """
    if parse is None:
        with pool_from_env(workers=max(1, jobs)) as pool:
            return reparse(
                archive,
                data_dir=data_dir,
                site=site,
                since_version=since_version,
                everything=everything,
                parse=pool.parse,
                batch=batch,
                jobs=jobs,
                progress=progress,
            )
    report = ReparseReport()
    pending: list[_Pending] = []

    def wanted() -> Iterator[_Target]:
        for target in _targets(archive.engine, site):
            if since_version and not _at_least(target.row.parser_version, since_version):
                continue
            if not everything and _judged(target):
                report.skipped += 1
                continue
            yield target

    def work(target: _Target) -> _Parsed | str:
        return _read_and_parse(target, Path(data_dir), parse)

    with ThreadPoolExecutor(max(1, jobs), thread_name_prefix="healthqa-reparse") as threads:
        for target, parsed in _in_order(threads, work, wanted(), window=4 * max(1, jobs)):
            report.captures += 1
            item = _reported(target, parsed, archive, report)
            if item is not None:
                pending.append(item)
            if len(pending) >= batch:
                _flush(archive, pending, report)
                if progress:
                    progress(report.captures)
    _flush(archive, pending, report)
    if progress:
        progress(report.captures)
    return report


def _in_order(
    threads: ThreadPoolExecutor,
    work: Callable[[_Target], _Parsed | str],
    targets: Iterator[_Target],
    *,
    window: int,
) -> Iterator[tuple[_Target, _Parsed | str]]:
    """``(target, work(target))`` in the order of ``targets``, with up to ``window`` of them
    in the threads at once: memory stays bounded and the writer sees one fixed order."""
    running: deque[tuple[_Target, Future[_Parsed | str]]] = deque()
    for target in targets:
        running.append((target, threads.submit(work, target)))
        if len(running) >= window:
            done, future = running.popleft()
            yield done, future.result()
    while running:
        done, future = running.popleft()
        yield done, future.result()


def _targets(engine: Engine, site: str | None) -> Iterator[_Target]:
    """Each page's latest body-carrying capture plus every failed one, by capture id.

    Keyset pagination keeps memory flat however many captures the archive holds.
    """
    newer = aliased(CaptureRow)
    has_newer = (
        select(newer.id)
        .where(
            newer.page_id == CaptureRow.page_id,
            newer.parse_outcome.in_(PARSEABLE),
            newer.warc_file.is_not(None),
            or_(
                newer.fetched_at > CaptureRow.fetched_at,
                and_(newer.fetched_at == CaptureRow.fetched_at, newer.id > CaptureRow.id),
            ),
        )
        .exists()
    )
    conditions = [
        CaptureRow.parse_outcome.in_(PARSEABLE),
        CaptureRow.warc_file.is_not(None),
        CaptureRow.warc_offset.is_not(None),
        or_(
            CaptureRow.parse_outcome == "error",
            CaptureRow.page_id.is_(None),
            ~has_newer,
        ),
    ]
    if site is not None:
        conditions.append(Site.name == site)
    last_id = 0
    with engine.connect() as conn:
        while True:
            rows = conn.execute(
                select(
                    *CaptureRow.__table__.c,
                    Site.name.label("site_name"),
                    (~has_newer).label("is_latest"),
                    Page.content_hash.label("page_content_hash"),
                )
                .join(Site, Site.id == CaptureRow.site_id)
                .outerjoin(Page, Page.id == CaptureRow.page_id)
                .where(CaptureRow.id > last_id, *conditions)
                .order_by(CaptureRow.id)
                .limit(500)
            ).all()
            if not rows:
                return
            for row in rows:
                yield _Target(row, row.site_name)
            last_id = rows[-1].id


def _judged(target: _Target) -> bool:
    """A non-article capture that the current parser version already parsed."""
    row = target.row
    return row.parse_outcome == "not_article" and (
        row.parser_version == parsers.parser_version(target.site)
    )


@dataclass(frozen=True, slots=True)
class _Parsed:
    """A capture read and parsed: the record, or the ``ParseError`` that stopped it, and the
    content hash the archive will give the record (``storage.records.encode_record``)."""

    capture: Capture
    record: QARecord | None
    error: ParseError | None
    digest: str | None = None


def _read_and_parse(target: _Target, data_dir: Path, parse: ParseFunction) -> _Parsed | str:
    """The work one job does for one capture, in a thread: read its WARC record and parse
    it (in a parse worker process). A WARC problem comes back as its message."""
    row = target.row
    try:
        response = read_response(data_dir, row.warc_file, row.warc_offset, row.warc_length)
    except WarcReadError as exc:
        return f"capture {row.id} ({row.url}): {exc}"
    capture = Capture(
        url=row.url,
        fetched_at=from_db(row.fetched_at),
        http_status=row.http_status,
        site=target.site,
        payload_digest=row.payload_digest,
        warc_file=row.warc_file,
        warc_offset=row.warc_offset,
        warc_length=row.warc_length,
        content_type=row.content_type,
        etag=row.etag,
        last_modified=row.last_modified,
        crawl_run_id=row.crawl_run_id,
    )
    try:
        record = parse(response.body, row.url, response.headers, site=target.site)
    except ParseError as exc:
        return _Parsed(capture, None, exc)
    # Filed as ingest files it, so the hash is the one ingest would store.
    filed = page_identity(record, row.url, target.site).record
    return _Parsed(capture, record, None, encode_record(filed)[1] if filed else None)


def _reported(
    target: _Target, parsed: _Parsed | str, archive: Archive, report: ReparseReport
) -> _Pending | None:
    """Count the outcome in ``report``; what is to be ingested, if anything (writer thread)."""
    row = target.row
    if isinstance(parsed, str):
        report.unreadable.append(parsed)
        return None
    latest = bool(row.is_latest) and row.page_id is not None
    if parsed.error is not None:
        failed = failed_parse(parsed.capture, parsed.error, parsers.parser_version(target.site))
        counter = report.not_articles if failed.parse_outcome == "not_article" else report.failures
        counter[parsed.error.code] += 1
        return _Pending(None, failed, None, row.parse_outcome, latest)
    assert parsed.record is not None
    # Only a page's latest capture sets its current content (an older one that now parses
    # becomes a past revision), so only it is compared field by field, with the content read
    # here, before this capture's batch is ingested. A record with the page's current content
    # hash will be "unchanged", so nothing is read for it: reading the previous record (five
    # queries) was ~80% of the writer's time, and most pages of a re-parse do not change.
    changes = latest and parsed.digest != row.page_content_hash
    previous = archive.record(row.page_id) if changes else None
    ok = replace(parsed.capture, parse_outcome="ok", parser_version=parsed.record.parser_version)
    return _Pending(parsed.record, ok, previous, row.parse_outcome, latest)


def _flush(archive: Archive, pending: list[_Pending], report: ReparseReport) -> None:
    """Ingest a batch; the archive's verdict (changed or not) is what the report counts."""
    if not pending:
        return
    results = archive.ingest_many([(item.record, item.capture) for item in pending])
    for item, result in zip(pending, results, strict=True):
        if item.record is None:
            report.newly_failing += item.old_outcome == "ok"
            continue
        report.recovered += item.old_outcome in ("error", "not_article")
        if result.status in ("new", "changed"):
            report.changed += 1
            if item.latest:
                report.field_changes.update(changed_fields(item.previous, item.record))
        else:
            report.unchanged += 1
    pending.clear()


def changed_fields(before: QARecord | None, after: QARecord) -> list[str]:
    """Content fields that differ (asker split into ``asker.<part>``); all when none before."""
    old = _flat(before) if before is not None else {}
    new = _flat(after)
    return [name for name, value in new.items() if before is None or old.get(name) != value]


def _flat(record: QARecord) -> dict[str, Any]:
    data = record.to_dict()
    for name in NON_CONTENT_FIELDS:
        data.pop(name, None)  # a sparse field is absent when unset
    asker = data.pop("asker")
    data.update({f"asker.{key}": value for key, value in asker.items()})
    return data


def _at_least(version: str | None, floor: str) -> bool:
    """Compare parser versions by their numeric parts (``doctorqna-1.10`` > ``doctorqna-1.9``)."""
    return version is not None and _numbers(version) >= _numbers(floor)


def _numbers(version: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", version))

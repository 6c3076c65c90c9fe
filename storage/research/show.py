"""Everything the archive knows about one page, for ``healthqa show``.

The current record comes from ``Archive.record`` (the one place that rebuilds records from
the tables); this module adds the provenance a researcher needs to trust or cite it: every
capture of the URL and every distinct extracted version (revision) with the capture that
first showed it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from parsers.record import QARecord
from parsers.urls import canonicalize_url
from storage.models import CaptureRow as Capture
from storage.models import Page, Revision
from storage.timeutil import from_db

if TYPE_CHECKING:
    from storage import Archive


#: Page ids are 64-bit integers on every backend; a larger number cannot be a page.
MAX_PAGE_ID = 2**63 - 1


@dataclass(frozen=True, slots=True)
class PageDetail:
    page_id: int
    url: str
    state: str
    first_seen: str
    last_seen: str
    record: QARecord | None  # None when no capture of the page ever parsed
    captures: list[dict[str, Any]]  # oldest first
    revisions: list[dict[str, Any]]  # oldest first, each with its full record

    def to_dict(self) -> dict[str, Any]:
        return {
            "page_id": self.page_id,
            "url": self.url,
            "state": self.state,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "record": self.record.to_dict() if self.record else None,
            "captures": self.captures,
            "revisions": self.revisions,
        }


def find_page_id(archive: Archive, id_or_url: str) -> int | None:
    """A page id from a number or a URL (canonicalised the way the crawler stores it)."""
    if id_or_url.isdigit():
        number = int(id_or_url)
        return number if number <= MAX_PAGE_ID else None
    try:
        canonical = canonicalize_url(id_or_url)
    except ValueError:  # not a URL at all (e.g. "http://["): it can only match verbatim
        canonical = id_or_url
    with archive.engine.connect() as conn:
        for url in dict.fromkeys((canonical, id_or_url)):
            page_id = conn.scalar(select(Page.id).where(Page.url == url))
            if page_id is not None:
                return page_id
    return None


def page_detail(archive: Archive, id_or_url: str) -> PageDetail | None:
    page_id = find_page_id(archive, id_or_url)
    if page_id is None:
        return None
    with Session(archive.engine) as session:
        page = session.get(Page, page_id)
        if page is None:
            return None
        captures = [
            {
                "capture_id": c.id,
                "fetched_at": _iso(c.fetched_at),
                "http_status": c.http_status,
                "parse_outcome": c.parse_outcome,
                "error_code": c.error_code,
                "warnings": c.warnings,
                "parser_version": c.parser_version,
                "crawl_run_id": c.crawl_run_id,
                "warc_file": c.warc_file,
                "warc_offset": c.warc_offset,
                "warc_length": c.warc_length,
                "payload_digest": c.payload_digest,
            }
            for c in session.scalars(
                select(Capture)
                .where(Capture.page_id == page_id)
                .order_by(Capture.fetched_at, Capture.id)
            )
        ]
        revisions = [
            {
                "revision_id": r.id,
                "first_capture_id": r.first_capture_id,
                "first_fetched_at": _iso(fetched_at),
                "parser_version": r.parser_version,
                "content_hash": r.content_hash,
                "record": json.loads(r.record_json),
            }
            for r, fetched_at in session.execute(
                select(Revision, Capture.fetched_at)
                .join(Capture, Capture.id == Revision.first_capture_id)
                .where(Revision.page_id == page_id)
                .order_by(Capture.fetched_at, Revision.id)
            )
        ]
    return PageDetail(
        page_id=page_id,
        url=page.url,
        state=page.state,
        first_seen=_iso(page.first_seen),
        last_seen=_iso(page.last_seen),
        record=archive.record(page_id),
        captures=captures,
        revisions=revisions,
    )


def _iso(value: Any) -> str:
    stamp = from_db(value)
    return stamp.isoformat() if stamp else ""

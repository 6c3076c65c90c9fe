"""Find one archived capture by id or URL, for commands that work on its exact bytes
(``healthqa fixture add --capture``): the crawl report names captures by id, a person knows
the page's URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import or_, select

from parsers.urls import canonicalize_url
from storage.models import CaptureRow, Page, Site
from storage.timeutil import from_db

if TYPE_CHECKING:
    from storage import Archive


class CaptureNotFound(LookupError):
    """No capture with a WARC record matches; the message says what was looked for."""


@dataclass(frozen=True, slots=True)
class ArchivedCapture:
    """Where a capture's response lies in the WARC files, and what the archive knows of it."""

    id: int
    url: str
    site: str
    fetched_at: datetime
    http_status: int
    parse_outcome: str
    parser_version: str | None
    warnings: tuple[str, ...] | None
    warc_file: str
    warc_offset: int
    warc_length: int | None


def find_capture(archive: Archive, id_or_url: str) -> ArchivedCapture:
    """The capture with this id, or the latest capture of this URL (as fetched, or of the
    page it canonicalises to) that has a WARC record."""
    query = (
        select(*CaptureRow.__table__.c, Site.name.label("site_name"))
        .join(Site, Site.id == CaptureRow.site_id)
        .where(CaptureRow.warc_file.is_not(None), CaptureRow.warc_offset.is_not(None))
    )
    if id_or_url.isdigit():
        query = query.where(CaptureRow.id == int(id_or_url))
        what = f"capture {id_or_url}"
    else:
        page_ids = select(Page.id).where(Page.url == canonicalize_url(id_or_url))
        query = query.where(
            or_(CaptureRow.url == id_or_url, CaptureRow.page_id.in_(page_ids))
        ).order_by(CaptureRow.fetched_at.desc(), CaptureRow.id.desc())
        what = f"a capture of {id_or_url}"
    with archive.engine.connect() as conn:
        found = conn.execute(query.limit(1)).first()
    if found is None:
        raise CaptureNotFound(
            f"the archive holds no {what} with a WARC record "
            "(see `healthqa show URL` for the page's captures)"
        )
    row = found
    return ArchivedCapture(
        id=row.id,
        url=row.url,
        site=row.site_name,
        fetched_at=from_db(row.fetched_at),
        http_status=row.http_status,
        parse_outcome=row.parse_outcome,
        parser_version=row.parser_version,
        warnings=tuple(row.warnings) if row.warnings is not None else None,
        warc_file=row.warc_file,
        warc_offset=row.warc_offset,
        warc_length=row.warc_length,
    )

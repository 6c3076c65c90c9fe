"""Any site whose pages declare a schema.org ``QAPage`` (JSON-LD or microdata).

This is the fallback that lets the archive keep structured records from sites nobody has
written a parser for yet: it trusts only what the page declares about itself.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urljoin, urlsplit

from parsers.errors import UnsupportedSite
from parsers.lines import Document
from parsers.record import Answer, Asker, QARecord
from parsers.schema import missing_fields
from parsers.urls import canonicalize_url

VERSION = "qapage/2"


def site_of(url: str) -> str:
    """The site name the generic parser records: the host without ``www.``."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def parse_document(doc: Document, url: str) -> QARecord:
    """The record a page's own QAPage data describes; ``UnsupportedSite`` if it has none."""
    qa = doc.qa
    if qa is None:
        raise UnsupportedSite(
            f"no parser for {site_of(url) or url!r} and no schema.org QAPage data", url=url
        )
    answers = tuple(
        Answer(doctor_name=a.author, department=None, body=a.text, replied_on=a.date)
        for a in qa.answers
        if a.text
    )
    asker = Asker(name=qa.author)
    base = urljoin(url, doc.base) if doc.base else url
    canonical = canonicalize_url(doc.canonical, base=base) if doc.canonical else None
    record = QARecord(
        url=url,
        canonical_url=canonical or canonicalize_url(url),
        site=site_of(url),
        external_id=qa.identifier,
        language=doc.lang,
        page_title=doc.title,
        seo_title=doc.title,
        question_title=qa.name,
        question_body=qa.text,
        asker=asker,
        asked_on=qa.date,
        answers=answers,
        parser_version=VERSION,
    )
    return replace(record, missing=missing_fields(record))

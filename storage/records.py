"""The mapping between a ``QARecord`` and the archive's rows, in both directions.

Kept in one module so that what ingest writes and what ``Archive.record`` rebuilds can never
drift apart: ``tests/storage`` checks that a record survives the round trip unchanged.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from parsers import sites
from parsers.record import (
    SPARSE_FIELDS,
    Answer,
    Asker,
    Explanation,
    QARecord,
    RelatedFAQ,
    SimilarQA,
)
from parsers.schema import ANSWER_FIELDS, CAPTURE_FIELDS, QUESTION_FIELDS, Field, value_of
from parsers.urls import canonicalize_url
from storage.cjk import index_text

#: Fields that say where and how a record was produced, not what the page said: two
#: captures that differ only in these hold the same content and make no new revision.
#: (``warnings`` are the parser's doubts, stored with each capture: ``captures.warnings``;
#: ``view_count`` is what the page said at capture time: ``captures.view_count``.)
NON_CONTENT_FIELDS: tuple[str, ...] = (
    "url",
    "parser_version",
    "warnings",
    *(field.path for field in CAPTURE_FIELDS),
)


class IngestError(ValueError):
    """A record or capture the archive refuses; nothing of its batch was written."""


@dataclass(frozen=True, slots=True)
class PageIdentity:
    """Which page a capture belongs to: its URL and external id, and the canonical the page
    declared when it was not accepted (``rejected_canonical``), to keep on the capture."""

    url: str
    external_id: str | None
    record: QARecord | None
    rejected_canonical: str | None = None


def _site_key(url: str) -> tuple[str, str, int | None]:
    """Scheme, host without a leading ``www.``, and port: what "the same site" means."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    return parts.scheme.lower(), host, parts.port


def page_identity(record: QARecord | None, fetched_url: str, site: str) -> PageIdentity:
    """File a capture of ``fetched_url`` (a page of ``site``) under its canonical page, safely.

    The site's own package says which URLs are question pages and what id they carry
    (``parsers.sites.external_id``): storage holds no site's URL shape. A question page gets a
    page row even when its fetch gave no record if its site says so (doctorqna does).

    A page's ``rel=canonical`` is accepted only when it is on the same site and names the
    fetched article (the same article id; for a URL that is not an article, only the URL
    itself). Anything else, an off-site canonical or one naming another article, would
    attach this fetch to a page that was never fetched, merge two pages into one or give
    this one a foreign external id: it is rejected, the record is rewritten to the fetched
    URL (and the id that URL carries), and the declared value is returned for the capture.
    """
    fetched = canonicalize_url(fetched_url)
    fetched_id = sites.external_id(site, fetched)
    if record is None:
        kept_id = fetched_id if sites.failed_fetches_make_pages(site) else None
        return PageIdentity(fetched, kept_id, None)
    declared = canonicalize_url(record.canonical_url, base=fetched)
    declared_id = sites.external_id(site, declared)
    if declared == fetched or (
        _site_key(declared) == _site_key(fetched)
        and fetched_id is not None
        and declared_id == fetched_id
    ):
        if record.canonical_url != declared:
            record = replace(record, canonical_url=declared)
        return PageIdentity(declared, declared_id or record.external_id, record)
    # The parser may have taken the id from the canonical; only the fetched URL's counts now.
    external_id = fetched_id
    if external_id is None and record.external_id != declared_id:
        external_id = record.external_id  # e.g. schema.org data, not the canonical URL
    kept = replace(record, canonical_url=fetched, external_id=external_id)
    return PageIdentity(fetched, external_id, kept, rejected_canonical=declared)


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls))
    return names


def _as_dict(value: Any) -> dict[str, Any]:
    """The JSON encoder's hook for the record's nested dataclasses: the C encoder walks
    strings and tuples itself, and field names are looked up once per class, so this costs
    a fraction of ``QARecord.to_dict`` (whose per-object ``dataclasses.fields`` call and
    Python recursion made it the costliest step of ingest)."""
    return {
        name: item
        for name in _field_names(type(value))
        if (item := getattr(value, name)) is not None or name not in SPARSE_FIELDS
    }


#: Compact JSON with readable non-ASCII: the content hash is defined over this encoding.
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_as_dict).encode


def encode_record(record: QARecord) -> tuple[str, str]:
    """The record's JSON (for its revision) and content hash, encoding each field once.

    The hash is SHA-256 of the compact JSON of ``record.to_dict()`` minus
    ``NON_CONTENT_FIELDS``, so it identifies content: two captures that differ only in those
    fields hold the same content. Both texts are joined from the same per-field encodings
    instead of encoding the ~5 KB record twice.
    """
    parts = [
        (name, f"{_encode(name)}:{_encode(value)}")
        for name in _field_names(type(record))
        if (value := getattr(record, name)) is not None or name not in SPARSE_FIELDS
    ]
    content = ",".join(text for name, text in parts if name not in NON_CONTENT_FIELDS)
    digest = hashlib.sha256(f"{{{content}}}".encode()).hexdigest()
    return "{" + ",".join(text for _, text in parts) + "}", digest


def parse_date(value: str | None, field: str) -> date | None:
    """ISO dates only, as the record contract promises; anything else is refused loudly."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise IngestError(f"{field} is not an ISO date (YYYY-MM-DD): {value!r}") from None


@dataclass(frozen=True, slots=True)
class RecordRows:
    """The normalized rows of one record, minus ids the ingest resolves (doctors, pages)."""

    question: dict[str, Any]
    answers: list[dict[str, Any]]
    explanation: dict[str, Any] | None
    links: list[dict[str, Any]]


def record_rows(record: QARecord) -> RecordRows:
    """Split a record into row dicts; doctor/department names stay names until ingest."""
    question = {
        field.name: _stored(value_of(record, field), field, field.path) for field in QUESTION_FIELDS
    }
    question |= {
        "seo_title": record.seo_title,
        "source_url": record.url,
        "parser_version": record.parser_version,
        "missing": list(record.missing),
        "search_cjk": index_text(
            [record.question_title, record.question_body, *(a.body for a in record.answers)]
        ),
    }
    answers = [
        {
            "position": position,
            **{
                # Names kept once per site (doctors) stay names until ingest resolves them.
                field.name: _stored(
                    value_of(answer, field), field, f"answers[{position}].{field.path}"
                )
                for field in ANSWER_FIELDS
            },
        }
        for position, answer in enumerate(record.answers)
    ]
    explanation = (
        {"text": record.explanation.text, "headings": list(record.explanation.headings)}
        if record.explanation
        else None
    )
    links = [
        {
            "kind": "similar",
            "position": position,
            "title": item.title,
            "question_snippet": item.question_snippet,
            "reply_snippet": item.reply_snippet,
            "doctor": item.doctor_name,
            "department": item.department,
            "target_url": item.url,
        }
        for position, item in enumerate(record.similar)
    ] + [
        {
            "kind": "related_faq",
            "position": position,
            "title": item.topic,
            "question_snippet": None,
            "reply_snippet": None,
            "doctor": None,
            "department": item.department,
            "target_url": item.url,
        }
        for position, item in enumerate(record.related_faq)
    ]
    return RecordRows(question, answers, explanation, links)


def _stored(value: Any, field: Field, where: str) -> Any:
    """A declared field's value as its column holds it (ISO date text becomes a date)."""
    return parse_date(value, where) if field.type == "date" else value


def _from_row(row: Any, field: Field, key: str) -> Any:
    value = getattr(row, key)
    return _iso(value) if field.type == "date" else value


def rebuild_record(
    *,
    canonical_url: str,
    site: str,
    external_id: str | None,
    question: Any,
    answers: list[Any],
    explanation: Any | None,
    links: list[Any],
    warnings: list[str] | None = None,
    observed: dict[str, Any] | None = None,
) -> QARecord:
    """Inverse of ``record_rows`` from query rows whose doctor/department ids became names;
    ``warnings`` and ``observed`` (the ``CAPTURE_FIELDS`` by name, e.g. ``view_count``) come
    from the capture the content came from."""
    observed = observed or {}
    declared: dict[str, Any] = {"asker": {}}
    for field in QUESTION_FIELDS:
        value = _from_row(question, field, field.name)
        if field.path.startswith("asker."):
            declared["asker"][field.path.removeprefix("asker.")] = value
        else:
            declared[field.path] = value
    declared["asker"] = Asker(**declared["asker"])
    for field in CAPTURE_FIELDS:
        declared[field.path] = observed.get(field.name)
    return QARecord(
        url=question.source_url,
        canonical_url=canonical_url,
        site=site,
        external_id=external_id,
        seo_title=question.seo_title,
        **declared,
        answers=tuple(
            Answer(**{field.path: _from_row(a, field, field.name) for field in ANSWER_FIELDS})
            for a in answers
        ),
        explanation=(
            Explanation(text=explanation.text, headings=tuple(explanation.headings))
            if explanation is not None
            else None
        ),
        similar=tuple(
            SimilarQA(
                title=link.title,
                url=link.target_url,
                question_snippet=link.question_snippet,
                doctor_name=link.doctor,
                department=link.department,
                reply_snippet=link.reply_snippet,
            )
            for link in links
            if link.kind == "similar"
        ),
        related_faq=tuple(
            RelatedFAQ(topic=link.title, department=link.department, url=link.target_url)
            for link in links
            if link.kind == "related_faq"
        ),
        parser_version=question.parser_version,
        missing=tuple(question.missing),
        warnings=tuple(warnings or ()),
    )


def _iso(value: date | str | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()

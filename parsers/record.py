"""The typed, immutable record every parser returns and every other layer consumes.

The record is the contract between the parsers, the archive and the researchers' exports, so
it is deliberately plain: frozen dataclasses of strings, ints, tuples and nested records.
Dates are ISO strings (``"2023-12-23"``) so that a record round-trips through JSON without
loss and ``expected.json`` fixtures stay readable. Key order in ``to_dict()`` follows the
field order below and never changes, so serialised records diff cleanly.

Text conventions (shared by every parser and by the hand-written fixtures):

* entities are decoded, NBSP and other Unicode spaces become a plain space, zero-width
  characters are dropped, runs of spaces collapse to one and every line is stripped; text
  is Unicode NFC;
* multi-line fields (question body, reply body, explanation text) keep one paragraph, heading,
  list item or table row per line, joined by ``"\\n"``, with no blank lines;
* ordered-list items without a visible number get ``"1. "``, ``"2. "``... prefixed, as a browser
  would render them; unordered items are kept as they read, without a bullet;
* a table row is its cells joined by ``" | "``;
* absent values are ``None`` (scalars) or empty tuples (lists), never empty strings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Any

from parsers.fields import KEY, declare

#: Fields a complete Q&A article has. ``QARecord.missing`` lists the ones a page lacked, in
#: this order, so a crawl report can measure field coverage and notice a layout change.
EXPECTED_FIELDS: tuple[str, ...] = (
    "page_title",
    "question_title",
    "question_body",
    "asker.name",
    "asker.age",
    "asker.sex",
    "asked_on",
    "answers",
    "explanation",
    "similar",
    "related_faq",
)


@dataclass(frozen=True, slots=True)
class Asker:
    """Who asked, as the asker line states it (``Chen, 30~39 year old female``).

    ``age_label`` is the age phrase as shown (``"30~39 year old"``, ``"under 18"``,
    ``"65 and above"``); ``age_min``/``age_max`` are its inclusive bounds (``under 18`` is
    ``None``..17, ``65 and above`` is 65..``None``, ``45 years old`` is 45..45).
    ``sex`` is ``"female"``, ``"male"`` or ``None``.
    """

    name: str | None = declare(
        "asker_name",
        "string",
        "Asker name as shown (pseudonymised with --deidentify)",
        default=None,
        max_length=300,
    )
    age_min: int | None = declare(
        "asker_age_min",
        "int",
        "Lower bound of the asker's stated age, inclusive",
        default=None,
        search_filter="asker_age_min",
    )
    age_max: int | None = declare(
        "asker_age_max",
        "int",
        "Upper bound of the asker's stated age, inclusive",
        default=None,
        search_filter="asker_age_max",
    )
    age_label: str | None = declare(
        "asker_age_label",
        "string",
        "Age phrase as shown (e.g. 30~39 year old)",
        default=None,
        max_length=100,
    )
    sex: str | None = declare(
        "asker_sex",
        "string",
        "female, male or null",
        default=None,
        max_length=10,
        search_filter="asker_sex",
    )


@dataclass(frozen=True, slots=True)
class Answer:
    """One doctor's reply, in page order (``Dr. <name> reply <Department>`` ... ``Reply Date:``)."""

    doctor_name: str | None = declare(
        "doctor", "string", "Replying doctor as shown", max_length=300, names_table="doctors"
    )
    department: str | None = declare(
        "department",
        "string",
        "The reply's department as the site names it",
        max_length=300,
        names_table="departments",
    )
    body: str = declare("body", "string", "Reply text, one paragraph per line")
    replied_on: str | None = declare("replied_on", "date", "Date of the reply", default=None)
    #: 台灣e院 names the doctor's hospital (``答復者：<hospital>／<department>／<doctor>``).
    hospital: str | None = declare(
        "hospital",
        "string",
        "The replying doctor's hospital as the reply names it (台灣e院; null elsewhere)",
        default=None,
        sparse=True,
    )


@dataclass(frozen=True, slots=True)
class Explanation:
    """The long-form "More Info" text; ``headings`` are its sub-headings in order.

    Headings also stand on their own lines inside ``text`` so the text reads as shown.
    """

    text: str
    headings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SimilarQA:
    """A "Similar Q&A" teaser. ``title`` is the *target page's SEO title*, not its question."""

    title: str
    url: str | None = None
    question_snippet: str | None = None
    doctor_name: str | None = None
    department: str | None = None
    reply_snippet: str | None = None


@dataclass(frozen=True, slots=True)
class RelatedFAQ:
    """A "Related FAQ" topic with the department shown beside it."""

    topic: str
    department: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class QARecord:
    """Everything extracted from one Q&A article page.

    ``page_title`` is the document title as shown (``"<SEO title> - <Department>"``);
    ``seo_title`` is that title without the trailing department, which is what other pages'
    Similar Q&A teasers call this page. ``external_id`` is the site's own article id as a
    string. ``missing`` names the ``EXPECTED_FIELDS`` this page lacked; ``warnings`` are the
    codes (``parsers.warnings.WARNING_CODES``) of what the parser is unsure of: a record with
    warnings may have lost something the page shows.
    """

    url: str
    canonical_url: str
    site: str
    external_id: str | None = None
    language: str | None = declare(
        "language",
        "string",
        "Page language (html lang or URL segment)",
        default=None,
        max_length=20,
    )
    page_title: str | None = declare(
        "page_title", "string", "Document title as shown", default=None
    )
    seo_title: str | None = None
    question_title: str | None = declare(
        "question_title", "string", "Question headline", default=None
    )
    question_body: str | None = declare(
        "question_body",
        "string",
        "Question text, one paragraph per line",
        default=None,
    )
    asker: Asker = field(default_factory=Asker)
    asked_on: str | None = declare(
        "asked_on", "date", "Date the question was asked", default=None, search_filter="asked_from"
    )
    answers: tuple[Answer, ...] = ()
    explanation: Explanation | None = None
    similar: tuple[SimilarQA, ...] = ()
    related_faq: tuple[RelatedFAQ, ...] = ()
    parser_version: str
    missing: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    #: How many times the page says it was viewed when it was captured: an observation of
    #: the capture, not content of the page (``storage.records.NON_CONTENT_FIELDS``).
    view_count: int | None = declare(
        "view_count",
        "int",
        "Views the page showed when the content's capture was fetched (台灣e院; null elsewhere)",
        default=None,
        observation=True,
        sparse=True,
    )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict in field order (tuples become lists)."""
        return _to_plain(self)

    def to_json(self, *, indent: int | None = 2) -> str:
        """Stable JSON text: field order kept, non-ASCII kept readable."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> QARecord:
        """Inverse of ``to_dict``; unknown keys are rejected so stale fixtures are noticed."""
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown QARecord keys: {sorted(unknown)}")
        values = dict(data)
        values["asker"] = Asker(**(values.get("asker") or {}))
        values["answers"] = tuple(Answer(**a) for a in values.get("answers") or ())
        explanation = values.get("explanation")
        values["explanation"] = (
            Explanation(text=explanation["text"], headings=tuple(explanation.get("headings", ())))
            if explanation
            else None
        )
        values["similar"] = tuple(SimilarQA(**s) for s in values.get("similar") or ())
        values["related_faq"] = tuple(RelatedFAQ(**r) for r in values.get("related_faq") or ())
        values["missing"] = tuple(values.get("missing") or ())
        values["warnings"] = tuple(values.get("warnings") or ())
        return cls(**values)

    @classmethod
    def from_json(cls, text: str) -> QARecord:
        return cls.from_dict(json.loads(text))


#: Fields added after records were first archived (declared ``sparse``), written only when
#: set: a record of a site that has no such value (every doctorqna record) keeps the exact
#: JSON, and so the content hash and revisions, it had before the field existed.
SPARSE_FIELDS: frozenset[str] = frozenset(
    f.name
    for cls in (QARecord, Asker, Answer)
    for f in fields(cls)
    if KEY in f.metadata and f.metadata[KEY].sparse
)


def _to_plain(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        return {
            f.name: _to_plain(getattr(value, f.name))
            for f in fields(value)
            if f.name not in SPARSE_FIELDS or getattr(value, f.name) is not None
        }
    if isinstance(value, tuple | list):
        return [_to_plain(v) for v in value]
    return value

"""Records and captures built in code, so storage tests do not wait on the parsers.

``make_record(n)`` gives a different, fully populated article per ``n`` with realistic
shapes (several replies, a multi-paragraph explanation, Similar Q&A and Related FAQ links
that point at neighbouring articles). ``row_counts`` is the idempotence yardstick: rows per
table plus the search index.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text

from parsers.record import Answer, Asker, Explanation, QARecord, RelatedFAQ, SimilarQA
from storage import Archive, Capture
from storage.models import Base

SITE = "doctorqna"
BASE_ID = 200_000
T0 = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
DOCTORS = ("Li Wei", "Anna Smith", "Omar Haddad", "Chen Jing")
DEPARTMENTS = ("Cardiology", "Dermatology", "Pediatrics", "Gastroenterology")
TOPICS = (
    ("chest pain after running", "palpitations"),
    ("itchy rash on the arms", "eczema"),
    ("child has a fever at night", "fever"),
    ("stomach ache after meals", "reflux"),
)


def article_url(n: int) -> str:
    return f"https://doctorqna.com/en/article/{BASE_ID + n}"


def make_record(n: int, **overrides: Any) -> QARecord:
    topic, keyword = TOPICS[n % len(TOPICS)]
    department = DEPARTMENTS[n % len(DEPARTMENTS)]
    answers = tuple(
        Answer(
            doctor_name=DOCTORS[(n + i) % len(DOCTORS)],
            department=department,
            body=f"Reply {i} to question {n}: {keyword} is common.\nRest and see a doctor.",
            replied_on=(T0.date() + timedelta(days=n % 300 + i)).isoformat(),
        )
        for i in range(n % 3 + 1)
    )
    record = QARecord(
        url=article_url(n),
        canonical_url=article_url(n),
        site=SITE,
        external_id=str(BASE_ID + n),
        language="en",
        page_title=f"What causes {topic}? (case {n}) - {department}",
        seo_title=f"What causes {topic}? (case {n})",
        question_title=f"Question {n}: {topic}",
        question_body=f"I have had {topic} for {n % 9 + 1} days.\nWhat should I do?",
        asker=Asker(
            name=f"Asker{n}",
            age_min=20 + n % 5 * 10,
            age_max=29 + n % 5 * 10,
            age_label=f"{20 + n % 5 * 10}~{29 + n % 5 * 10} year old",
            sex=("female", "male")[n % 2],
        ),
        asked_on=(T0.date() + timedelta(days=n % 300)).isoformat(),
        answers=answers,
        explanation=Explanation(
            text=f"About {keyword}\n{keyword.capitalize()} has many causes.\nTreatment\nSee a GP.",
            headings=("About " + keyword, "Treatment"),
        ),
        similar=(
            SimilarQA(
                title=f"What causes {topic}? (case {n + 1})",
                url=article_url(n + 1),
                question_snippet=f"I have had {topic}",
                doctor_name=DOCTORS[(n + 1) % len(DOCTORS)],
                department=department,
                reply_snippet=f"{keyword} is common",
            ),
        ),
        related_faq=(RelatedFAQ(topic=f"{keyword} FAQ", department=department, url=None),),
        parser_version="test-1",
    )
    return replace(record, **overrides) if overrides else record


def make_capture(url: str, *, minutes: int = 0, **overrides: Any) -> Capture:
    values: dict[str, Any] = {
        "url": url,
        "fetched_at": T0 + timedelta(minutes=minutes),
        "http_status": 200,
        "site": SITE,
        "payload_digest": f"sha1:{abs(hash((url, minutes))):x}",
        "warc_file": "warc/test-00000.warc.gz",
        "warc_offset": 1000 * minutes,
        "warc_length": 900,
        "content_type": "text/html; charset=utf-8",
        "parse_outcome": "ok",
        "parser_version": "test-1",
    }
    values.update(overrides)
    return Capture(**values)


def pair(n: int, *, minutes: int = 0, **record_overrides: Any) -> tuple[QARecord, Capture]:
    record = make_record(n, **record_overrides)
    return record, make_capture(record.url, minutes=minutes)


def row_counts(archive: Archive) -> dict[str, int]:
    """Rows per table, plus the search index, so idempotence checks see everything."""
    counts: dict[str, int] = {}
    with archive.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            counts[table.name] = conn.execute(select(func.count()).select_from(table)).scalar_one()
        if conn.dialect.name == "sqlite":
            index = "SELECT count(*) FROM questions_fts"
        else:
            index = "SELECT count(*) FROM questions WHERE search_vector IS NOT NULL"
        counts["search_index"] = conn.execute(text(index)).scalar_one()
    return counts

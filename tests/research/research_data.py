"""A small, fully known archive for the researcher tests.

Each question is ingested through ``Archive.ingest_many`` with a capture pointing at a real
gzip WARC record, exactly as the crawler leaves things. The WARC payload is the record's
JSON, read back by ``json_parse`` (the stand-in parser tests inject into ``reparse``), so
re-parsing is tested without depending on the HTML parser's progress.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from research_warc import append_response

from parsers.errors import ExtractionFailed
from parsers.record import Answer, Asker, Explanation, QARecord, RelatedFAQ, SimilarQA
from storage import Archive, Capture

SITE = "doctorqna"
DEPARTMENTS = ("Gastroenterology", "Cardiology", "Dermatology")
DOCTORS = ("Chen Shidian", "Lin Meihua", "Wang Hao")
SEXES = ("female", "male", None)
QUESTIONS = 12
PARSER_VERSION = "test-1"
FETCHED_AT = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def make_record(i: int) -> QARecord:
    """Question ``i`` (1-based): departments, doctors and sexes cycle; every 4th is unanswered.

    Question 2 carries an e-mail address and a phone number for the de-identification tests.
    """
    department = DEPARTMENTS[i % 3]
    asked = date(2023, 1 + i % 6, 10)
    answered = i % 4 != 0
    topic = {"Gastroenterology": "stomach ulcer", "Cardiology": "palpitations"}.get(
        department, "itchy rash"
    )
    body = f"Question {i} about my {topic}.\nIt started {i} weeks ago."
    if i == 2:
        body += "\nPlease write to chen.family@example.com or call 0912-345-678."
    answers = (
        (
            Answer(
                doctor_name=DOCTORS[i % 3],
                department=department,
                body=f"Hello, {topic} needs an examination (case {i}).",
                replied_on=(asked + timedelta(days=1 + i % 3)).isoformat(),
            ),
        )
        if answered
        else ()
    )
    return QARecord(
        url=f"https://doctorqna.com/en/article/{200000 + i}",
        canonical_url=f"https://doctorqna.com/en/article/{200000 + i}",
        site=SITE,
        external_id=str(200000 + i),
        language="en",
        page_title=f"About {topic} {i} - {department}",
        seo_title=f"About {topic} {i}",
        question_title=f"Worried about {topic} ({i})",
        question_body=body,
        asker=Asker(
            name=f"Asker{i % 5}",
            age_min=30,
            age_max=39,
            age_label="30~39 year old",
            sex=SEXES[i % 3],
        ),
        asked_on=asked.isoformat(),
        answers=answers,
        explanation=Explanation(
            text=f"About {topic}\nMore text {i}.", headings=(f"About {topic}",)
        ),
        similar=(
            SimilarQA(
                title=f"Similar to {i}",
                url=f"https://doctorqna.com/en/article/{200000 + (i % QUESTIONS) + 1}",
                question_snippet="Another question ...",
                doctor_name=DOCTORS[0],
                department=department,
                reply_snippet="Hello ...",
            ),
        ),
        related_faq=(RelatedFAQ(topic=topic.title(), department=department),),
        parser_version=PARSER_VERSION,
        missing=() if answered else ("answers",),
    )


def json_parse(
    body: bytes, url: str, headers: Mapping[str, str] | None = None, *, site: str | None = None
) -> QARecord:
    """Stand-in parser: the archived payload is the record JSON; ``not json`` fails."""
    if not body.startswith(b"{"):
        raise ExtractionFailed("payload is not a record", url=url)
    return QARecord.from_json(body.decode("utf-8"))


@dataclass
class Built:
    archive: Archive
    data_dir: Path
    records: list[QARecord]
    db_url: str


def build_archive(
    archive: Archive, data_dir: Path, *, first: int = 1, count: int = QUESTIONS
) -> list[QARecord]:
    """Archive questions ``first`` .. ``first + count - 1`` plus one page whose capture
    failed to parse, in one crawl run."""
    warc = data_dir / "warc" / "test-00001.warc.gz"
    warc.parent.mkdir(parents=True, exist_ok=True)
    records = [make_record(i) for i in range(first, first + count)]
    run_id = archive.start_run(site=SITE, arguments={"test": True})
    items: list[tuple[QARecord | None, Capture]] = []
    for n, record in enumerate(records):
        offset, length = append_response(
            warc, record.url, record.to_json().encode(), gzip_body=True
        )
        items.append((record, _capture(record.url, warc, offset, length, run_id, first + n)))
    failed_url = f"https://doctorqna.com/en/article/{300000 + first}"
    offset, length = append_response(warc, failed_url, b"<html>broken</html>")
    items.append(
        (
            None,
            _capture(
                failed_url,
                warc,
                offset,
                length,
                run_id,
                first + count,
                parse_outcome="error",
                error_code="extraction_failed",
            ),
        )
    )
    archive.ingest_many(items)
    archive.finish_run(run_id, stats={"fetched": len(items)}, outcome="finished")
    return records


def _capture(
    url: str, warc: Path, offset: int, length: int, run_id: int, n: int, **extra: str
) -> Capture:
    return Capture(
        url=url,
        fetched_at=FETCHED_AT + timedelta(minutes=n),
        http_status=200,
        site=SITE,
        warc_file=str(warc.relative_to(warc.parent.parent)),
        warc_offset=offset,
        warc_length=length,
        content_type="text/html; charset=utf-8",
        parser_version=PARSER_VERSION,
        crawl_run_id=run_id,
        **({"parse_outcome": "ok"} | extra),
    )

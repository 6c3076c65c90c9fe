"""Ingest semantics: statuses, idempotence, revisions, round trips, bad input."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from sqlalchemy import select, text
from storage_factory import SITE, article_url, make_capture, make_record, pair, row_counts

from parsers.record import Answer
from storage import Archive, IngestError
from storage.models import CaptureRow, Link, Page, Revision


def _statuses(results) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.status for r in results]


def test_same_batch_twice_changes_nothing(archive: Archive) -> None:
    batch = [pair(n) for n in range(20)]
    assert _statuses(archive.ingest_many(batch)) == ["new"] * 20
    before = row_counts(archive)
    assert _statuses(archive.ingest_many(batch)) == ["unchanged"] * 20
    assert row_counts(archive) == before
    assert before["pages"] == before["questions"] == before["revisions"] == 20
    assert before["search_index"] == 20


def test_unchanged_recapture_adds_only_a_capture(archive: Archive) -> None:
    archive.ingest(*pair(1))
    before = row_counts(archive)
    record, _ = pair(1)
    result = archive.ingest(record, make_capture(record.url, minutes=60))
    assert result.status == "unchanged"
    after = row_counts(archive)
    assert after.pop("captures") == before.pop("captures") + 1
    assert after == before


def test_changed_record_keeps_the_earlier_version_as_a_revision(archive: Archive) -> None:
    original, first_capture = pair(3)
    first = archive.ingest(original, first_capture)
    edited_answer = replace(original.answers[0], body="Edited reply: please see a cardiologist.")
    edited = replace(original, answers=(edited_answer, *original.answers[1:]))
    before = row_counts(archive)
    second = archive.ingest(edited, make_capture(edited.url, minutes=30))
    assert (first.status, second.status) == ("new", "changed")
    after = row_counts(archive)
    assert after["revisions"] == before["revisions"] + 1
    assert after["captures"] == before["captures"] + 1
    assert after["answers"] == before["answers"] and after["pages"] == before["pages"]
    assert archive.record(first.page_id) == edited  # type: ignore[arg-type]
    with archive.engine.connect() as conn:
        revisions = conn.execute(
            select(Revision.record_json, Revision.first_capture_id)
            .where(Revision.page_id == first.page_id)
            .order_by(Revision.id)
        ).all()
    assert [r.first_capture_id for r in revisions] == [first.capture_id, second.capture_id]
    assert json.loads(revisions[0].record_json)["answers"][0]["body"] == original.answers[0].body
    assert [h.page_id for h in archive.search("cardiologist")] == [first.page_id]
    # Re-ingesting the whole history again is still a no-op.
    archive.ingest_many([(original, first_capture), (edited, make_capture(edited.url, minutes=30))])
    assert row_counts(archive) == after


def test_parser_version_alone_is_not_a_change(archive: Archive) -> None:
    archive.ingest(*pair(2))
    record = make_record(2, parser_version="test-2")
    result = archive.ingest(record, make_capture(record.url, minutes=5, parser_version="test-2"))
    assert result.status == "unchanged"
    assert row_counts(archive)["revisions"] == 1


def test_record_round_trips_through_the_tables(archive: Archive) -> None:
    records = [make_record(n) for n in range(6)]
    sparse = replace(
        make_record(6),
        asker=replace(make_record(6).asker, age_min=None, age_max=None, age_label=None),
        answers=(Answer(doctor_name=None, department=None, body="Anonymous reply"),),
        explanation=None,
        similar=(),
        related_faq=(),
        missing=("explanation", "similar", "related_faq"),
    )
    archive.ingest_many([(r, make_capture(r.url)) for r in [*records, sparse]])
    for record in [*records, sparse]:
        assert archive.record(record.url) == record
    assert archive.record(article_url(999)) is None


def test_text_that_bulk_copy_must_escape_round_trips(archive: Archive) -> None:
    """PostgreSQL writes content with COPY, whose text format gives tabs, newlines,
    backslashes and a literal ``\\N`` meanings: a record full of them comes back unchanged."""
    hostile = "tab\there\\back\\slash \\N\r\nline\u00a0é 頭痛 ✓ \\. end"
    base = make_record(7)
    record = replace(
        base,
        question_title=hostile,
        question_body=f"{hostile}\n\\N",
        answers=(replace(base.answers[0], body=hostile),),
        explanation=replace(
            base.explanation,  # type: ignore[arg-type]
            text=f"{hostile}\nbackslashword",
            headings=("\\N", 'quote " and \t tab'),
        ),
        similar=(replace(base.similar[0], title=hostile, question_snippet="\\N"),),
    )
    archive.ingest(record, make_capture(record.url))
    assert archive.record(record.url) == record
    assert [hit.question_title for hit in archive.search("backslashword")] == [hostile]


def test_older_capture_with_other_content_only_adds_history(archive: Archive) -> None:
    record, capture = pair(4, minutes=100)
    archive.ingest(record, capture)
    old = make_record(4, question_body="An older wording of the question.")
    result = archive.ingest(old, make_capture(old.url, minutes=10))
    assert result.status == "changed"
    assert archive.record(old.url) == record
    assert row_counts(archive)["revisions"] == 2
    again = archive.ingest(old, make_capture(old.url, minutes=10))
    assert again.status == "unchanged"
    assert row_counts(archive)["revisions"] == 2


def test_unparsed_captures_get_page_rows_only_for_article_urls(archive: Archive) -> None:
    failed = archive.ingest(
        None,
        make_capture(
            article_url(7),
            parse_outcome="error",
            error_code="extraction_failed",
            parser_version="x",
        ),
    )
    robots = archive.ingest(
        None, make_capture("https://doctorqna.com/robots.txt", parse_outcome="not_parsed")
    )
    revisit = archive.ingest(None, make_capture(article_url(7), minutes=9, parse_outcome="revisit"))
    assert (failed.status, robots.status, revisit.status) == ("failed", "not_parsed", "revisit")
    assert failed.page_id is not None and revisit.page_id == failed.page_id
    assert robots.page_id is None
    with archive.engine.connect() as conn:
        page = conn.execute(select(Page).where(Page.id == failed.page_id)).one()
        codes = conn.execute(select(CaptureRow.error_code).order_by(CaptureRow.id)).scalars()
        assert list(codes) == ["extraction_failed", None, None]
    assert (page.external_id, page.state, page.content_hash) == ("200007", "active", None)
    assert archive.last_capture(article_url(7)).answered is None  # type: ignore[union-attr]


def test_reparse_of_a_failed_capture_updates_it_in_place(archive: Archive) -> None:
    url = article_url(8)
    archive.ingest(None, make_capture(url, parse_outcome="error", error_code="extraction_failed"))
    record = make_record(8)
    result = archive.ingest(record, make_capture(url, parser_version="test-2"))
    assert result.status == "new"
    counts = row_counts(archive)
    assert counts["captures"] == 1 and counts["questions"] == 1
    with archive.engine.connect() as conn:
        row = conn.execute(select(CaptureRow)).one()
    assert (row.parse_outcome, row.error_code, row.parser_version) == ("ok", None, "test-2")


def test_404_marks_a_known_page_gone_and_a_later_record_revives_it(archive: Archive) -> None:
    record, capture = pair(9)
    archive.ingest(record, capture)
    gone = archive.ingest(
        None, make_capture(record.url, minutes=5, http_status=404, parse_outcome="not_parsed")
    )
    assert gone.status == "gone"
    again = archive.ingest(
        None, make_capture(record.url, minutes=6, http_status=410, parse_outcome="not_parsed")
    )
    assert again.status == "not_parsed"
    with archive.engine.connect() as conn:
        assert conn.execute(select(Page.state)).scalar_one() == "gone"
    back = archive.ingest(record, make_capture(record.url, minutes=10))
    assert back.status == "unchanged"
    with archive.engine.connect() as conn:
        assert conn.execute(select(Page.state)).scalar_one() == "active"


def test_links_point_at_archived_pages_whichever_arrives_first(archive: Archive) -> None:
    archive.ingest(*pair(10))  # links to article 11, not archived yet
    archive.ingest(*pair(11))
    with archive.engine.connect() as conn:
        rows = conn.execute(
            select(Link.page_id, Link.target_page_id, Page.url)
            .join(Page, Page.id == Link.target_page_id)
            .where(Link.kind == "similar")
            .order_by(Link.page_id)
        ).all()
    assert [row.url for row in rows] == [article_url(11)]


def test_doctors_and_departments_are_shared_across_pages(archive: Archive) -> None:
    archive.ingest_many([pair(n) for n in range(12)])
    counts = row_counts(archive)
    assert counts["doctors"] == 4 and counts["departments"] == 4
    with archive.engine.connect() as conn:
        per_doctor = conn.execute(
            text(
                "SELECT d.name, count(*) FROM answers a JOIN doctors d ON d.id = a.doctor_id "
                "GROUP BY d.name ORDER BY d.name"
            )
        ).all()
    assert sum(n for _, n in per_doctor) == counts["answers"]


@pytest.mark.parametrize(
    ("record_overrides", "capture_overrides", "message"),
    [
        ({"asked_on": "23/12/2023"}, {}, "asked_on is not an ISO date"),
        ({}, {"parse_outcome": "error"}, "needs no record"),
        ({}, {"parse_outcome": "parsed"}, "is not one of"),
        ({"site": "othersite"}, {}, "record site 'othersite'"),
        (
            {"answers": (Answer("D" * 400, None, "A reply."),)},
            {},
            "doctor name is 400 characters, longer than the 300",
        ),
        ({}, {"url": article_url(1) + "?q=" + "x" * 2100}, "capture.url is 2142 characters"),
        ({}, {"etag": '"' + "e" * 600 + '"'}, "capture.etag is 602 characters"),
    ],
)
def test_bad_items_are_refused_and_the_batch_writes_nothing(
    archive: Archive, record_overrides: dict, capture_overrides: dict, message: str
) -> None:
    good = pair(0)
    bad_record = make_record(1, **record_overrides)
    bad = (bad_record, make_capture(**{"url": bad_record.url, **capture_overrides}))
    with pytest.raises(IngestError, match=message) as caught:
        archive.ingest_many([good, bad])
    assert "item 1" in str(caught.value)
    assert set(row_counts(archive).values()) == {0}
    assert archive.ingest(*good).status == "new"  # the archive is still usable


def test_record_none_with_ok_outcome_is_refused(archive: Archive) -> None:
    with pytest.raises(IngestError, match="needs a record"):
        archive.ingest(None, make_capture(article_url(1)))


def test_default_location_is_created_and_migrated(tmp_path) -> None:  # type: ignore[no-untyped-def]
    data_dir = tmp_path / "nested" / "data"
    with Archive.open(data_dir=data_dir) as archive:
        assert archive.url.endswith("nested/data/archive.sqlite")
        archive.ingest(*pair(0))
    with Archive.open(data_dir=data_dir) as archive:
        assert archive.record(article_url(0)) == make_record(0)
        assert archive.max_external_id(SITE) == 200_000

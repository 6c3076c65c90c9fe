"""``encode_record`` must keep the content hash of every archived page stable: a different
hash for the same content would make every re-crawl report "changed" and add a revision."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

import pytest
from storage_factory import make_record

from parsers.record import Answer, QARecord
from storage.records import NON_CONTENT_FIELDS, encode_record

FIXTURES = sorted((Path(__file__).parents[2] / "fixtures" / "doctorqna").glob("*/expected.json"))


def reference_hash(record: QARecord) -> str:
    """The hash as first defined (and stored in existing archives)."""
    content = {k: v for k, v in record.to_dict().items() if k not in NON_CONTENT_FIELDS}
    text = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def records() -> list[QARecord]:
    made = [QARecord.from_dict(json.loads(p.read_text(encoding="utf-8"))) for p in FIXTURES]
    unusual = make_record(1)
    unusual = replace(
        unusual,
        question_title='Fièvre "aiguë" \\ 头痛 \u2028 tab\there',
        answers=(Answer(None, None, "línea\nnueva ✓", None),),
        explanation=None,
    )
    return [*made, make_record(2), unusual]


@pytest.mark.parametrize("record", records(), ids=lambda r: r.url)
def test_encoding_matches_to_dict_and_the_original_hash(record: QARecord) -> None:
    record_json, digest = encode_record(record)
    assert json.loads(record_json) == record.to_dict()
    assert digest == reference_hash(record)


def test_non_content_fields_do_not_change_the_hash() -> None:
    record = make_record(3)
    moved = replace(record, url=record.url + "?utm=x", parser_version="other")
    assert encode_record(moved)[1] == encode_record(record)[1]
    assert encode_record(replace(record, question_body="edited"))[1] != encode_record(record)[1]


def test_a_view_count_is_an_observation_and_a_hospital_is_content() -> None:
    """台灣e院 shows a view count that grows with every visit: two captures that differ only
    in it hold the same content (no new revision); the replying doctor's hospital is content."""
    record = replace(make_record(4), view_count=10)
    assert encode_record(replace(record, view_count=11))[1] == encode_record(record)[1]
    with_hospital = replace(
        record, answers=tuple(replace(a, hospital="臺北醫院") for a in record.answers)
    )
    assert encode_record(with_hospital)[1] != encode_record(record)[1]
    assert json.loads(encode_record(with_hospital)[0]) == with_hospital.to_dict()


def test_unset_sparse_fields_leave_the_json_as_it_was() -> None:
    """A record without a hospital or view count (every doctorqna record) encodes exactly as
    before those fields existed, so archived hashes and revisions stay valid."""
    record = make_record(5)
    text, _ = encode_record(record)
    assert '"hospital"' not in text and '"view_count"' not in text
    assert encode_record(replace(record, view_count=3))[0] != text

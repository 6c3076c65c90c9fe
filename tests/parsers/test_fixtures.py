"""Every saved page must parse to its hand-written expected record (or expected error).

The fixtures are the parsers' independent oracle: a failure prints a unified diff with the
fixture's expectation as ``-`` lines and the parser's output as ``+`` lines.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from parsers.errors import ERROR_CODES
from parsers.fixtures import (
    FixtureCase,
    FixtureError,
    discover,
    expected_file_for,
    expected_text_for,
    run_case,
)

FIXTURES_ROOT = Path(__file__).resolve().parents[2] / "fixtures"
CASES = discover(FIXTURES_ROOT)
SEED_CASES = ("doctorqna/seed_div", "doctorqna/seed_semantic", "doctorqna/seed_tables")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fixture_parses_to_expected(case: FixtureCase) -> None:
    result = run_case(case)
    if not result.ok:
        detail = f"\n{result.detail}" if result.detail else ""
        pytest.fail(f"{case.name} differs from its fixture:\n{result.diff}{detail}", pytrace=False)


def test_seed_markups_expect_the_identical_record() -> None:
    """Three layouts of one page: the record must not depend on markup."""
    texts = {name: (FIXTURES_ROOT / name / "expected.json").read_bytes() for name in SEED_CASES}
    assert len(set(texts.values())) == 1, f"seed expectations differ: {sorted(texts)}"
    pages = {(FIXTURES_ROOT / name / "page.html").read_bytes() for name in SEED_CASES}
    assert len(pages) == len(SEED_CASES), "seed markups must actually differ"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_expected_file_is_canonical(case: FixtureCase) -> None:
    """Files on disk are exactly what ``fixtures update`` writes, so updates diff cleanly."""
    on_disk = expected_file_for(case).read_text(encoding="utf-8")
    assert on_disk == expected_text_for(case)
    if case.expected_error is not None:
        assert case.expected_error in ERROR_CODES


def test_fixture_set_covers_the_required_cases() -> None:
    names = {c.name for c in CASES}
    required = {
        *SEED_CASES,
        "doctorqna/unanswered",
        "doctorqna/two_replies",
        "doctorqna/no_more_info",
        "doctorqna/more_info_lists_table",
        "doctorqna/asker_no_name",
        "doctorqna/asker_under_18",
        "doctorqna/asker_65_and_above",
        "doctorqna/asker_45_years_old",
        "doctorqna/cjk_text",
        "doctorqna/heavy_entities",
        "doctorqna/big5",
        "doctorqna/truncated",
        "doctorqna/listing_page",
        "doctorqna/not_found_page",
        "doctorqna/minified_inline_split",
        "qapage/other_site",
        *(
            f"ehospital/{name}"
            for name in (
                "answered",
                "without_hospital",
                "unanswered",
                "no_topics",
                "entities",
                "listing_page",
                "big5_header_only",
                "big5_meta_only",
                "big5_undeclared",
                "not_found",
            )
        ),
    }
    assert required <= names, f"missing fixture cases: {sorted(required - names)}"


def _make_case(root: Path, name: str, meta: str, expected: str | None = None) -> Path:
    case_dir = root / name
    case_dir.mkdir(parents=True)
    (case_dir / "page.html").write_bytes(b"<html></html>")
    (case_dir / "meta.json").write_text(meta, encoding="utf-8")
    if expected is not None:
        (case_dir / "expected_error.json").write_text(expected, encoding="utf-8")
    return case_dir


@pytest.mark.parametrize(
    ("meta", "expected", "message"),
    [
        ('{"headers": {}}', '{"error": "not_an_article"}', "'url'"),
        ('{"url": "https://x.org/1", "headers": {"A": 1}}', '{"error": "x"}', "'headers'"),
        ("{not json", '{"error": "x"}', "not valid UTF-8 JSON"),
        ('{"url": "https://x.org/1"}', None, "needs exactly one of"),
        ('{"url": "https://x.org/1"}', '{"code": "x"}', '{"error": "<ParseError code>"}'),
    ],
)
def test_malformed_case_folders_are_reported_with_the_file_to_fix(
    tmp_path: Path, meta: str, expected: str | None, message: str
) -> None:
    _make_case(tmp_path, "site/bad", meta, expected)
    with pytest.raises(FixtureError, match=re.escape(message)) as raised:
        discover(tmp_path)
    assert str(tmp_path / "site" / "bad") in str(raised.value)


def test_a_bare_case_name_must_be_unambiguous(tmp_path: Path) -> None:
    meta = '{"url": "https://x.org/1"}'
    for group in ("one", "two"):
        _make_case(tmp_path, f"{group}/same", meta, '{"error": "not_an_article"}')
    assert [c.name for c in discover(tmp_path, ("two/same",))] == ["two/same"]
    with pytest.raises(FixtureError, match="ambiguous"):
        discover(tmp_path, ("same",))

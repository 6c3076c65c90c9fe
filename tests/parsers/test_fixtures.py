"""Every saved page must parse to its hand-written expected record (or expected error).

The fixtures are the parsers' independent oracle: a failure prints a unified diff with the
fixture's expectation as ``-`` lines and the parser's output as ``+`` lines.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from parsers.errors import ERROR_CODES
from parsers.fixtures import FixtureCase, discover, expected_file_for, expected_text_for, run_case

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
    }
    assert required <= names, f"missing fixture cases: {sorted(required - names)}"

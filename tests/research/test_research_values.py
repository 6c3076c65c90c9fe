"""``healthqa values``: the existing filter values with the questions each selects."""

from __future__ import annotations

import json
from collections import Counter

from click.testing import CliRunner, Result
from research_data import Built

from crawler.cli import cli


def invoke(built: Built, *args: str) -> Result:
    return CliRunner().invoke(
        cli, ["values", "--db", built.db_url, "--data-dir", str(built.data_dir), *args]
    )


def test_departments_with_the_questions_a_filter_selects(built: Built) -> None:
    result = invoke(built, "department", "--json")
    assert result.exit_code == 0, result.output
    listed = [json.loads(line) for line in result.stdout.splitlines()]
    expected = Counter(
        department
        for record in built.records
        for department in {a.department for a in record.answers if a.department}
    )
    assert {row["department"]: row["questions"] for row in listed} == dict(expected)
    counts = [row["questions"] for row in listed]
    assert counts == sorted(counts, reverse=True)


def test_doctors_and_sites_as_a_table(built: Built) -> None:
    doctors = invoke(built, "doctor", "--top", "2")
    assert doctors.exit_code == 0, doctors.output
    assert "2 of 3 doctor value(s)" in doctors.output
    sites = invoke(built, "site")
    assert "doctorqna" in sites.output
    assert str(len(built.records)) in sites.output


def test_an_unknown_kind_or_site_is_a_usage_error(built: Built) -> None:
    assert invoke(built, "departement").exit_code == 2
    unknown = invoke(built, "doctor", "--site", "doctorqa")
    assert unknown.exit_code == 2
    assert "'doctorqna'" in unknown.output

"""``healthqa stats`` figures against the known test archive, and the PNG it draws."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import date
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from research_data import Built

from crawler.app.plot import plot_stats
from crawler.cli.research import stats as stats_command
from storage.research.stats import UNANSWERED, collect_stats, median_from_histogram


@given(st.lists(st.integers(min_value=-5, max_value=400), min_size=1, max_size=60))
def test_histogram_median_equals_statistics_median(values: list[int]) -> None:
    assert median_from_histogram(Counter(values)) == statistics.median(values)


def test_histogram_median_of_nothing_is_none() -> None:
    assert median_from_histogram(Counter()) is None


def test_figures_match_the_records(built: Built) -> None:
    figures = collect_stats(built.archive.engine)
    records = built.records
    answered = [r for r in records if r.answers]
    assert (figures.questions, figures.answered) == (len(records), len(answered))
    assert figures.answer_rate == len(answered) / len(records)
    months = Counter(r.asked_on[:7] for r in records)
    assert figures.per_month == sorted(months.items())
    departments = Counter(r.answers[0].department if r.answers else UNANSWERED for r in records)
    assert dict(figures.per_department) == departments
    assert [n for _, n in figures.per_department] == sorted(departments.values(), reverse=True)
    delays = [
        (date.fromisoformat(r.answers[0].replied_on) - date.fromisoformat(r.asked_on)).days
        for r in answered
    ]
    assert figures.median_reply_days == statistics.median(delays)
    doctors = Counter(a.doctor_name for r in records for a in r.answers)
    assert dict(figures.top_doctors) == doctors


def test_site_filter_and_unknown_site(built: Built) -> None:
    assert collect_stats(built.archive.engine, site="doctorqna").questions == len(built.records)
    nothing = collect_stats(built.archive.engine, site="no-such-site")
    assert (nothing.questions, nothing.answer_rate, nothing.median_reply_days) == (0, None, None)


def test_cli_prints_tables_and_writes_a_png(built: Built, tmp_path: Path) -> None:
    png = tmp_path / "stats.png"
    result = CliRunner().invoke(
        stats_command,
        ["--db", built.db_url, "--data-dir", str(built.data_dir), "--plot", str(png)],
    )
    assert result.exit_code == 0, result.output
    assert f"{len(built.records)} questions" in result.output
    assert "Questions per department" in result.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_of_an_empty_archive_still_draws(built: Built, tmp_path: Path) -> None:
    empty = collect_stats(built.archive.engine, site="no-such-site")
    out = plot_stats(empty, tmp_path / "empty.png")
    assert out.stat().st_size > 1000

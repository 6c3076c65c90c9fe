"""Dates as pages write them, to ISO strings."""

from __future__ import annotations

import pytest

from parsers.dates import parse_date


@pytest.mark.parametrize(
    "text",
    [
        "2023/12/23",
        "2023-12-23",
        "2023.12.23",
        "Dec 23, 2023",
        "December 23, 2023",
        "23 Dec 2023",
        "23 December 2023",
        "Dec. 23 2023",
        "Ask Date: 2023/12/23 10:31",
        "2023-12-23T10:00:00+08:00",
        "２０２３／１２／２３",
        "2023年12月23日",
    ],
)
def test_every_written_style_gives_the_iso_date(text: str) -> None:
    assert parse_date(text) == "2023-12-23"


def test_single_digit_month_and_day() -> None:
    assert parse_date("2024/1/5") == "2024-01-05"


@pytest.mark.parametrize(
    "text", ["2023/13/01", "2023-02-30", "Foo 23, 2023", "yesterday", "", None, "12/23"]
)
def test_invalid_or_absent_dates_are_none(text: str | None) -> None:
    assert parse_date(text) is None

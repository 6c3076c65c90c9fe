"""``healthqa search`` and ``healthqa show`` through the real CLI against the known archive."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner, Result
from research_data import Built

from crawler.cli import cli
from crawler.cli.research import EXIT_BAD_QUERY, search, show


def invoke(command, built: Built, *args: str) -> Result:
    """Through the root group, as a user runs it (errors become one line there)."""
    return CliRunner().invoke(
        cli, [command.name, "--db", built.db_url, "--data-dir", str(built.data_dir), *args]
    )


def test_json_hits_are_the_matching_questions(built: Built) -> None:
    result = invoke(search, built, "ulcer", "--json")
    assert result.exit_code == 0, result.output
    hits = [json.loads(line) for line in result.stdout.splitlines()]
    expected = {r.url for r in built.records if "ulcer" in r.question_body}
    assert {h["url"] for h in hits} == expected
    assert all("[ulcer]" in h["snippet"] for h in hits)
    assert [h["rank"] for h in hits] == sorted((h["rank"] for h in hits), reverse=True)


def test_filters_narrow_the_hits(built: Built) -> None:
    result = invoke(search, built, "needs", "--json", "--answered", "--doctor", "Lin Meihua")
    assert result.exit_code == 0, result.output
    urls = {json.loads(line)["url"] for line in result.stdout.splitlines()}
    assert urls == {
        r.url for r in built.records if r.answers and r.answers[0].doctor_name == "Lin Meihua"
    }
    limited = invoke(search, built, "question", "--json", "--limit", "3")
    assert len(limited.stdout.splitlines()) == 3


def test_table_output_highlights_and_names_the_question(built: Built) -> None:
    result = invoke(search, built, "palpitations")
    assert result.exit_code == 0, result.output
    assert "Worried about palpitations" in result.output
    assert "hit(s) for 'palpitations'" in result.output


def test_search_says_how_many_it_shows_of_how_many_match(built: Built) -> None:
    """Issue 10: "20 hit(s)" when 79 questions matched hid the limit."""
    everything = invoke(search, built, "question", "--json", "--limit", "1000")
    total = len(everything.stdout.splitlines())
    assert total > 3
    assert f"showing {total} of {total} hit(s)" in everything.stderr
    result = invoke(search, built, "question", "--limit", "2")
    assert result.exit_code == 0, result.output
    assert f"showing 2 of {total} hit(s) for 'question' (--limit {total} for more)" in (
        " ".join(result.output.split())
    )


@pytest.mark.parametrize("args", [["-ulcer", "needs"], ["--", "-ulcer", "needs"]])
def test_a_query_may_start_with_an_excluded_word(built: Built, args: list[str]) -> None:
    """``search -ulcer needs`` used to fail in click's option parser."""
    result = invoke(search, built, "--json", "--limit", "1000", *args)
    assert result.exit_code == 0, result.output
    urls = {json.loads(line)["url"] for line in result.stdout.splitlines()}
    plain = invoke(search, built, "needs", "--json", "--limit", "1000")
    with_ulcer = invoke(search, built, "needs ulcer", "--json", "--limit", "1000")
    everything = {json.loads(line)["url"] for line in plain.stdout.splitlines()}
    excluded = {json.loads(line)["url"] for line in with_ulcer.stdout.splitlines()}
    assert excluded and urls == everything - excluded


def test_an_unknown_option_is_still_refused(built: Built) -> None:
    result = invoke(search, built, "needs", "--jsonn")
    assert result.exit_code == 2
    assert "No such option" in result.output


@pytest.mark.parametrize(
    ("option", "value", "close"),
    [
        ("--department", "Gastro", "Gastroenterology"),
        ("--department", "cardiology", "Cardiology"),
        ("--doctor", "Lin Meihau", "Lin Meihua"),
        ("--site", "doctorqa", "doctorqna"),
    ],
)
def test_an_unknown_filter_value_lists_the_close_existing_ones(
    built: Built, option: str, value: str, close: str
) -> None:
    result = invoke(search, built, "needs", option, value)
    assert result.exit_code == EXIT_BAD_QUERY
    line = " ".join(result.output.split())
    assert f"no {option[2:]} {value!r} in the archive" in line and repr(close) in line
    assert f"healthqa values {option[2:]}" in line


@pytest.mark.parametrize("query", ['""', "-ulcer", "( ) *"])
def test_unsearchable_query_is_a_clear_error_with_exit_2(built: Built, query: str) -> None:
    result = invoke(search, built, query)
    assert result.exit_code == EXIT_BAD_QUERY
    assert "Error:" in result.output


def test_show_json_has_record_captures_and_revisions(built: Built) -> None:
    record = built.records[1]
    result = invoke(show, built, record.url, "--json")
    assert result.exit_code == 0, result.output
    detail = json.loads(result.output)
    assert detail["record"] == record.to_dict()
    assert [c["parse_outcome"] for c in detail["captures"]] == ["ok"]
    assert detail["captures"][0]["warc_file"].startswith("warc/")
    assert len(detail["revisions"]) == 1
    assert detail["revisions"][0]["record"]["question_title"] == record.question_title
    by_id = invoke(show, built, str(detail["page_id"]), "--json")
    assert json.loads(by_id.output) == detail


def test_show_renders_answers_links_and_failed_pages(built: Built) -> None:
    record = built.records[0]
    result = invoke(show, built, record.url)
    assert result.exit_code == 0, result.output
    for text in (record.question_title, record.answers[0].doctor_name, "Explanation", "Captures"):
        assert text in result.output
    failed = invoke(show, built, "https://doctorqna.com/en/article/300001")
    assert failed.exit_code == 0, failed.output
    assert "extraction_failed" in failed.output
    assert "No capture of this page has parsed yet" in failed.output


def test_show_unknown_page_fails_clearly(built: Built) -> None:
    result = invoke(show, built, "https://doctorqna.com/en/article/999")
    assert result.exit_code == 1
    assert "no archived page" in result.output


def test_search_says_when_it_ranked_only_the_newest_matches(
    built: Built, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bounded ranking (storage.search.RANK_CANDIDATES) is a different answer from ranking
    every match, so the summary line says so instead of passing for the full ranking."""
    everything = invoke(search, built, "question", "--json", "--limit", "1000")
    total = len(everything.stdout.splitlines())
    assert "newest matches" not in everything.stderr
    monkeypatch.setattr("storage.search.RANK_CANDIDATES", 3)
    bounded = invoke(search, built, "question", "--json", "--limit", "2")
    assert bounded.exit_code == 0, bounded.output
    assert len(bounded.stdout.splitlines()) == 2
    assert f"showing 2 of {total} hit(s)" in bounded.stderr
    assert "best-ranked among the 3 newest matches" in bounded.stderr

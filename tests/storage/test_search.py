"""Search: ranking, snippets, every filter, and hostile query text on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from storage_factory import make_capture, make_record, pair

from parsers.record import Answer, QARecord
from storage import Archive, SearchFilters, SearchQueryError
from storage.search import count_matches, parse_query, search, to_fts5, to_tsquery


def _corpus() -> list[QARecord]:
    unanswered = replace(
        make_record(16, question_title="Question 16: sudden dizziness"), answers=()
    )
    title_hit = replace(
        make_record(17, question_title="Migraine with aura"),
        question_body="Flashing lights before the headache.",
    )
    explanation = make_record(18).explanation
    assert explanation is not None
    explanation_hit = replace(
        make_record(18), explanation=replace(explanation, text="Migraine is a headache disorder.")
    )
    return [*(make_record(n) for n in range(16)), unanswered, title_hit, explanation_hit]


CORPUS = _corpus()


@pytest.fixture(scope="module")
def filled(module_db_url: str) -> Iterator[Archive]:
    """Read-only corpus shared by the module's tests (tests that write use ``archive``)."""
    with Archive.open(module_db_url) as archive:
        archive.ingest_many([(r, make_capture(r.url)) for r in CORPUS])
        yield archive


def _matches(record: QARecord, filters: SearchFilters) -> bool:
    """The filters' meaning, restated in Python over the records themselves."""
    asked = date.fromisoformat(record.asked_on) if record.asked_on else None
    low, high = record.asker.age_min, record.asker.age_max
    checks = [
        filters.site is None or record.site == filters.site,
        filters.department is None or filters.department in {a.department for a in record.answers},
        filters.doctor is None or filters.doctor in {a.doctor_name for a in record.answers},
        filters.asked_from is None or (asked is not None and asked >= filters.asked_from),
        filters.asked_to is None or (asked is not None and asked <= filters.asked_to),
        filters.asker_sex is None or record.asker.sex == filters.asker_sex,
        filters.answered is None or bool(record.answers) == filters.answered,
    ]
    if filters.asker_age_min is not None or filters.asker_age_max is not None:
        checks.append(low is not None or high is not None)
        checks.append(
            filters.asker_age_min is None or high is None or high >= filters.asker_age_min
        )
        checks.append(filters.asker_age_max is None or low is None or low <= filters.asker_age_max)
    return all(checks)


def test_hits_are_ranked_with_highlighted_snippets(filled: Archive) -> None:
    hits = filled.search("migraine")
    assert [h.url for h in hits] == [make_record(17).url, make_record(18).url]  # title first
    assert hits[0].rank > hits[1].rank
    assert "[Migraine]" in hits[0].snippet and "[Migraine]" in hits[1].snippet
    assert hits[0].question_title == "Migraine with aura"
    assert hits[0].asked_on == date(2024, 1, 18)


def test_search_covers_title_body_replies_and_explanation(filled: Archive) -> None:
    assert {h.page_id for h in filled.search("dizziness")} == {
        filled.search("dizziness")[0].page_id
    }
    assert len(filled.search("flashing lights")) == 1  # body
    assert len(filled.search('"rest and see a doctor"')) == 18  # replies, as a phrase
    assert len(filled.search("treatment")) == 18  # explanation
    hit = filled.search("dizziness")[0]
    assert (hit.department, hit.doctor_name) == (None, None)


def test_or_and_exclusion(filled: Archive) -> None:
    eczema = {h.page_id for h in filled.search("eczema", limit=100)}
    fever = {h.page_id for h in filled.search("fever", limit=100)}
    both = {h.page_id for h in filled.search("eczema OR fever", limit=100)}
    assert eczema and fever and both == eczema | fever
    rash_not_case_1 = filled.search('itchy -"question 1"', limit=100)
    assert make_record(1).url not in {h.url for h in rash_not_case_1}
    assert len(rash_not_case_1) == len(filled.search("itchy", limit=100)) - 1


@pytest.mark.parametrize(
    "filters",
    [
        SearchFilters(site="doctorqna"),
        SearchFilters(site="elsewhere"),
        SearchFilters(department="Cardiology"),
        SearchFilters(doctor="Li Wei"),
        SearchFilters(asked_from=date(2024, 1, 5), asked_to=date(2024, 1, 10)),
        SearchFilters(asker_sex="female"),
        SearchFilters(asker_age_min=40, asker_age_max=45),
        SearchFilters(asker_age_min=55),
        SearchFilters(answered=False),
        SearchFilters(answered=True, asker_sex="male", department="Dermatology"),
    ],
)
def test_filters(filled: Archive, filters: SearchFilters) -> None:
    expected = {
        r.canonical_url
        for r in CORPUS
        if r.explanation and "Treatment" in r.explanation.text and _matches(r, filters)
    }
    hits = filled.search("treatment", filters, limit=100)
    assert {h.url for h in hits} == expected
    assert len(hits) == len(expected)


def test_filters_select_something() -> None:
    """Guards the table above: each filter there must be able to tell records apart."""
    assert (
        0 < sum(_matches(r, SearchFilters(asker_age_min=40, asker_age_max=45)) for r in CORPUS) < 19
    )
    assert sum(_matches(r, SearchFilters(answered=False)) for r in CORPUS) == 1


def test_limit(filled: Archive) -> None:
    assert len(filled.search("treatment", limit=3)) == 3
    with pytest.raises(SearchQueryError, match="limit"):
        filled.search("treatment", limit=0)


def test_a_reply_edit_moves_the_search_index(archive: Archive) -> None:
    record, capture = pair(0)
    archive.ingest(record, capture)
    edited = replace(record, answers=(Answer("Li Wei", "Cardiology", "Try magnesium."),))
    archive.ingest(edited, make_capture(record.url, minutes=1))
    assert len(archive.search("magnesium")) == 1
    assert archive.search('"rest and see a doctor"') == []


NASTY = [
    '"',
    '""',
    "'",
    "fever'",
    '"unterminated phrase fever',
    "fever)",
    "(fever",
    "fever AND",
    "OR fever",
    "fever OR",
    "NOT fever",
    "fever NEAR(x y)",
    "fever*",
    "*",
    "^fever",
    "title:fever",
    "fever:",
    "fever & !pain | <->",
    "fever'; DROP TABLE questions; --",
    "1' OR '1'='1",
    "fever %s %(x)s ? :match",
    "\\",
    "fever\x00",
    "熱が出る fever",
    "fièvre fever",
]


@pytest.mark.parametrize("query", NASTY)
def test_nasty_queries_search_or_refuse_clearly(filled: Archive, query: str) -> None:
    try:
        hits = filled.search(query)
    except SearchQueryError as error:
        assert str(error)
        return
    assert all(h.url.startswith("https://doctorqna.com/") for h in hits)
    if parse_query(query).groups == ((("fever",),),):
        # Operators and quotes were neutralised: the query means just "fever".
        assert [h.page_id for h in hits] == [h.page_id for h in filled.search("fever")]
        assert hits
    assert len(filled.search("treatment", limit=100)) == 18  # nothing was dropped


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "no words"),
        ("   ", "no words"),
        ("!!! ??? ---", "no words"),
        ("-fever", "not excluded"),
        ("OR OR", "no words"),
        ("x" * 1001, "longer than"),
        (" ".join(["w"] * 40), "more than"),
    ],
)
def test_unsearchable_queries_raise_search_query_error(
    filled: Archive, query: str, message: str
) -> None:
    with pytest.raises(SearchQueryError, match=message):
        filled.search(query)


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        (SearchFilters(asker_sex="other"), "sex must be one of"),
        (SearchFilters(asker_age_min=50, asker_age_max=20), "age_min"),
        (SearchFilters(asked_from=date(2024, 2, 1), asked_to=date(2024, 1, 1)), "asked_from"),
    ],
)
def test_bad_filters_raise_search_query_error(
    filled: Archive, filters: SearchFilters, message: str
) -> None:
    with pytest.raises(SearchQueryError, match=message):
        filled.search("fever", filters)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(query=st.text(alphabet=st.sampled_from("ab fever\"()*:^-+OR AND NOT'%;\\"), max_size=30))
def test_any_query_searches_or_raises_search_query_error(filled: Archive, query: str) -> None:
    try:
        hits = filled.search(query)
    except SearchQueryError:
        return
    assert isinstance(hits, list)


def test_translation_quotes_every_word() -> None:
    parsed = parse_query('Fever "chest pain" OR rash -"night sweats"')
    assert to_fts5(parsed) == ('(("fever" AND "chest pain") OR ("rash")) NOT "night sweats"')
    assert to_tsquery(parsed) == (
        "((('fever') & ('chest' <-> 'pain')) | (('rash'))) & !('night' <-> 'sweats')"
    )


def test_ranking_is_bounded_to_the_newest_candidates(archive: Archive) -> None:
    """A query matching more than ``candidates`` questions ranks only the newest of them (the
    highest page ids, filters applied), so a stop word costs the same in any archive size;
    with fewer matches everything is ranked, and the count is always of every match."""
    strong = [  # archived first: the best matches, with the word in the title
        make_record(n, question_title="Zebrafish zebrafish", question_body="zebrafish bite")
        for n in range(4)
    ]
    weak = [  # archived later: the word once, in the body
        make_record(n, question_body="I was bitten near a zebrafish tank.") for n in range(4, 10)
    ]
    results = [
        *archive.ingest_many([(r, make_capture(r.url)) for r in strong]),
        *archive.ingest_many([(r, make_capture(r.url)) for r in weak]),
    ]
    ids = {r.url: result.page_id for r, result in zip([*strong, *weak], results, strict=True)}
    weak_ids = sorted(ids[r.url] for r in weak)
    assert min(weak_ids) > max(ids[r.url] for r in strong)
    with archive.engine.connect() as conn:
        everything = search(conn, "zebrafish", limit=4, candidates=1000)
        assert {h.page_id for h in everything} == {ids[r.url] for r in strong}
        bounded = search(conn, "zebrafish", limit=3, candidates=3)
        assert {h.page_id for h in bounded} == set(weak_ids[-3:])
        assert [h.rank for h in bounded] == sorted((h.rank for h in bounded), reverse=True)
        female = SearchFilters(asker_sex="female")
        newest_female = sorted(ids[r.url] for r in weak if r.asker.sex == "female")[-2:]
        filtered = search(conn, "zebrafish", female, limit=2, candidates=2)
        assert {h.page_id for h in filtered} == set(newest_female)
        assert count_matches(conn, "zebrafish") == len(strong) + len(weak)

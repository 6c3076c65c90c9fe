"""Full-text search over questions, replies and explanations, one API on both dialects.

User text never reaches the database's query syntax: it is parsed here into words, quoted
phrases, ``OR`` and ``-exclusions`` (the web-search conventions researchers know) and
re-emitted as a well-formed FTS5 ``MATCH`` expression or PostgreSQL ``tsquery``, passed as
a bound parameter. So a query full of quotes, brackets or SQL either searches for its words
or raises ``SearchQueryError`` with a reason, never a database error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    Subquery,
    and_,
    bindparam,
    column,
    exists,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.exc import OperationalError

from storage import cjk, models

MAX_QUERY_CHARS = 1000
MAX_TERMS = 32
#: PostgreSQL snippets look at this much of the explanation (see ``_postgresql_statement``).
HEADLINE_EXPLANATION_CHARS = 1500
#: Characters of context a Chinese snippet keeps before and after the first match.
SNIPPET_BEFORE = 16
SNIPPET_AFTER = 40
SEXES = ("female", "male")
#: Ranking is bounded: a query matching more questions than this ranks only its newest
#: matches (the highest page ids, those archived last, filters applied), so its cost stops
#: growing with the archive. A stop word matches nearly every question, and ranking all of
#: them took 450 ms of CPU at 400,000 questions; a common word with filters joins every
#: match to its question, so its cost grows with this bound (docs/benchmarks.md, "Search at
#: scale"). Fewer matches than this are all ranked, as before; ``count_matches`` still
#: counts every match.
RANK_CANDIDATES = 5_000

_q = models.Question.__table__
_p = models.Page.__table__
_s = models.Site.__table__
_a = models.Answer.__table__
_doc = models.Doctor.__table__
_dep = models.Department.__table__
_e = models.Explanation.__table__
_fts = table("questions_fts", column("rowid"))
_WORD = re.compile(r"\w+")
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_HEADLINE_OPTIONS = (
    'StartSel=[, StopSel=], MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "'
)


class SearchQueryError(ValueError):
    """The query or a filter cannot be searched; the message says what to change."""


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """Optional restrictions; ``None`` means "any". Age bounds match askers whose stated age
    range overlaps ``[asker_age_min, asker_age_max]``; ``department``/``doctor`` match any
    reply. The asker filters carry their fields' flat names (``parsers/record.py``)."""

    site: str | None = None
    department: str | None = None
    doctor: str | None = None
    asked_from: date | None = None
    asked_to: date | None = None
    asker_sex: str | None = None
    asker_age_min: int | None = None
    asker_age_max: int | None = None
    answered: bool | None = None


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One question. ``snippet`` marks matched words ``[like this]``; higher ``rank`` is better.
    ``department`` and ``doctor_name`` are the first reply's."""

    page_id: int
    url: str
    question_title: str | None
    snippet: str
    rank: float
    asked_on: date | None
    department: str | None
    doctor_name: str | None


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """``groups`` are OR-ed; each group is AND-ed phrases (tuples of words). ``excluded``
    phrases remove matches from the whole query."""

    groups: tuple[tuple[tuple[str, ...], ...], ...]
    excluded: tuple[tuple[str, ...], ...]


def parse_query(query: str) -> ParsedQuery:
    """Parse web-search syntax; raise ``SearchQueryError`` if nothing searchable is left."""
    if len(query) > MAX_QUERY_CHARS:
        raise SearchQueryError(f"the query is longer than {MAX_QUERY_CHARS} characters")
    groups: list[list[tuple[str, ...]]] = [[]]
    excluded: list[tuple[str, ...]] = []
    for match in _TOKEN.finditer(query):
        negated, quoted, bare = match.groups()
        if bare is not None:
            if bare == "OR":
                groups.append([])
                continue
            negated, quoted = ("-", bare[1:]) if bare.startswith("-") else ("", bare)
        phrase = tuple(word.lower() for word in _WORD.findall(quoted))
        if phrase:
            (excluded if negated else groups[-1]).append(phrase)
    kept = tuple(tuple(group) for group in groups if group)
    if not kept:
        raise SearchQueryError(
            "the query has no words to search for"
            if not excluded
            else "a query needs at least one word that is not excluded with '-'"
        )
    if sum(len(p) for g in kept for p in g) + sum(len(p) for p in excluded) > MAX_TERMS:
        raise SearchQueryError(f"the query has more than {MAX_TERMS} words")
    return ParsedQuery(kept, tuple(excluded))


def _chinese(words: tuple[str, ...]) -> str | None:
    """The Han characters of a phrase, joined: it is searched as their bigrams (``cjk``)."""
    return "".join(run for word in words for run in cjk.runs(word)) or None


def to_fts5(parsed: ParsedQuery) -> str:
    """An FTS5 MATCH expression; words are quoted so none is read as an operator. Chinese is
    the phrase of its bigrams in the ``cjk`` column (one character: a prefix of them)."""

    def phrase(words: tuple[str, ...]) -> str:
        chinese = _chinese(words)
        if chinese is None:
            return '"' + " ".join(words) + '"'
        if len(chinese) == 1:
            return f'cjk : "{chinese}" *'
        return 'cjk : "' + " ".join(cjk.bigrams(chinese)) + '"'

    expression = " OR ".join(
        "(" + " AND ".join(phrase(p) for p in group) + ")" for group in parsed.groups
    )
    for words in parsed.excluded:
        expression = f"({expression}) NOT {phrase(words)}"
    return expression


def to_tsquery(parsed: ParsedQuery) -> str:
    """A ``to_tsquery`` string; lexemes are quoted and hold only word characters."""

    def phrase(words: tuple[str, ...]) -> str:
        chinese = _chinese(words)
        if chinese is not None:
            if len(chinese) == 1:
                return f"'{chinese}':*"
            words = tuple(cjk.bigrams(chinese))
        return "(" + " <-> ".join(f"'{w}'" for w in words) + ")"

    expression = " | ".join(
        "(" + " & ".join(phrase(p) for p in group) + ")" for group in parsed.groups
    )
    for words in parsed.excluded:
        expression = f"({expression}) & !{phrase(words)}"
    return expression


def search(
    conn: Connection,
    query: str,
    filters: SearchFilters | None = None,
    *,
    limit: int = 20,
    candidates: int | None = None,
) -> list[SearchHit]:
    """Ranked hits for ``query`` restricted by ``filters``, best first: the best ``limit``
    among the newest ``candidates`` matches (``RANK_CANDIDATES`` says why)."""
    parsed = parse_query(query)
    conditions = filter_conditions(filters or SearchFilters())
    if not 1 <= limit <= 1000:
        raise SearchQueryError("limit must be between 1 and 1000")
    bound = max(RANK_CANDIDATES if candidates is None else candidates, limit)
    try:
        if conn.dialect.name == "sqlite":
            params: dict[str, Any] = {"match": to_fts5(parsed)}
            statement = _sqlite_statement(conditions, limit, bound)
        else:
            params = {"tsquery": to_tsquery(parsed)}
            floor = _postgresql_floor(conn, conditions, params, bound)
            statement = _postgresql_statement(conditions, limit, floor)
            if floor is not None:
                params["floor"] = floor
        rows = conn.execute(statement, params).all()
    except OperationalError as error:
        if "fts5" in str(error.orig).lower():
            raise SearchQueryError(f"the search index rejected the query: {error.orig}") from None
        raise
    terms = _chinese_terms(parsed)
    snippets = _chinese_snippets(conn, [row.page_id for row in rows], terms) if terms else {}
    return [
        SearchHit(
            page_id=row.page_id,
            url=row.url,
            question_title=row.question_title,
            snippet=snippets.get(row.page_id) or row.snippet or "",
            rank=float(row.rank),
            asked_on=row.asked_on,
            department=row.department,
            doctor_name=row.doctor_name,
        )
        for row in rows
    ]


def _chinese_terms(parsed: ParsedQuery) -> tuple[str, ...]:
    """The Chinese the query looks for, longest first (each phrase's characters)."""
    found = {_chinese(words) for group in parsed.groups for words in group} - {None}
    return tuple(sorted(found, key=len, reverse=True))  # type: ignore[arg-type]


def _chinese_snippets(
    conn: Connection, page_ids: list[int], terms: tuple[str, ...]
) -> dict[int, str]:
    """Snippets for Chinese queries, cut around the first match in the question, else the
    replies, else the title, with every match marked ``[like this]``. The index holds
    bigrams, which no reader wants to see, so neither FTS5 ``snippet`` nor ``ts_headline``
    can make them."""
    texts: dict[int, list[str]] = {page_id: [] for page_id in page_ids}
    for page_id, title, body in conn.execute(
        select(_q.c.page_id, _q.c.question_title, _q.c.question_body).where(
            _q.c.page_id.in_(page_ids)
        )
    ):
        texts[page_id] += [body or "", title or ""]
    for page_id, body in conn.execute(
        select(_a.c.page_id, _a.c.body).where(_a.c.page_id.in_(page_ids)).order_by(_a.c.position)
    ):
        texts[page_id].insert(-1, body)
    pattern = re.compile("|".join(map(re.escape, terms)))
    snippets = {}
    for page_id, candidates in texts.items():
        for candidate in candidates:
            found = pattern.search(candidate)
            if found:
                start = max(0, found.start() - SNIPPET_BEFORE)
                end = min(len(candidate), found.end() + SNIPPET_AFTER)
                window = " ".join(candidate[start:end].split())
                marked = pattern.sub(lambda m: f"[{m.group(0)}]", window)
                snippets[page_id] = (
                    ("…" if start else "") + marked + ("…" if end < len(candidate) else "")
                )
                break
    return snippets


def count_matches(conn: Connection, query: str, filters: SearchFilters | None = None) -> int:
    """How many questions match ``query`` and ``filters`` in all: the M of "showing N of M"."""
    parsed = parse_query(query)
    conditions = filter_conditions(filters or SearchFilters())
    if conn.dialect.name == "sqlite":
        statement = select(func.count()).select_from(_fts)
        if conditions:
            statement = statement.join(_q, _q.c.page_id == _fts.c.rowid)
        statement = statement.where(text("questions_fts MATCH :match"), and_(True, *conditions))
        params: dict[str, Any] = {"match": to_fts5(parsed)}
    else:
        tsquery = func.to_tsquery(literal_column("'english'::regconfig"), bindparam("tsquery"))
        statement = (
            select(func.count())
            .select_from(_q)
            .where(literal_column("questions.search_vector").op("@@")(tsquery))
            .where(and_(True, *conditions))
        )
        params = {"tsquery": to_tsquery(parsed)}
    try:
        return int(conn.execute(statement, params).scalar_one())
    except OperationalError as error:
        if "fts5" in str(error.orig).lower():
            raise SearchQueryError(f"the search index rejected the query: {error.orig}") from None
        raise


def filter_conditions(filters: SearchFilters) -> list[ColumnElement[bool]]:
    """WHERE conditions over ``questions``/``pages`` for ``filters``, shared with the research
    exports so "the questions a search would consider" means the same thing everywhere."""
    conditions: list[ColumnElement[bool]] = []
    if filters.site is not None:
        # Reached from the question, so a search needs no join to pages for every match.
        conditions.append(
            exists().where(
                _p.c.id == _q.c.page_id, _s.c.id == _p.c.site_id, _s.c.name == filters.site
            )
        )
    if filters.department is not None:
        conditions.append(
            exists().where(
                _a.c.page_id == _q.c.page_id,
                _dep.c.id == _a.c.department_id,
                _dep.c.name == filters.department,
            )
        )
    if filters.doctor is not None:
        conditions.append(
            exists().where(
                _a.c.page_id == _q.c.page_id,
                _doc.c.id == _a.c.doctor_id,
                _doc.c.name == filters.doctor,
            )
        )
    if filters.asked_from and filters.asked_to and filters.asked_from > filters.asked_to:
        raise SearchQueryError("asked_from is after asked_to")
    if filters.asked_from is not None:
        conditions.append(_q.c.asked_on >= filters.asked_from)
    if filters.asked_to is not None:
        conditions.append(_q.c.asked_on <= filters.asked_to)
    if filters.asker_sex is not None:
        if filters.asker_sex not in SEXES:
            raise SearchQueryError(
                f"asker_sex must be one of {', '.join(SEXES)}, not {filters.asker_sex!r}"
            )
        conditions.append(_q.c.asker_sex == filters.asker_sex)
    if filters.asker_age_min is not None or filters.asker_age_max is not None:
        low, high = filters.asker_age_min, filters.asker_age_max
        if low is not None and high is not None and low > high:
            raise SearchQueryError("asker_age_min is greater than asker_age_max")
        youngest, oldest = _q.c.asker_age_min, _q.c.asker_age_max
        conditions.append(or_(youngest.is_not(None), oldest.is_not(None)))
        if low is not None:
            conditions.append(or_(oldest.is_(None), oldest >= low))
        if high is not None:
            conditions.append(or_(youngest.is_(None), youngest <= high))
    if filters.answered is not None:
        answered = exists().where(_a.c.page_id == _q.c.page_id)
        conditions.append(answered if filters.answered else ~answered)
    return conditions


def _first_reply_columns() -> tuple[Any, Any]:
    first = _a.alias("first_answer")
    department = (
        select(_dep.c.name)
        .join(first, first.c.department_id == _dep.c.id)
        .where(first.c.page_id == _q.c.page_id, first.c.position == 0)
        .scalar_subquery()
        .label("department")
    )
    doctor = (
        select(_doc.c.name)
        .join(first, first.c.doctor_id == _doc.c.id)
        .where(first.c.page_id == _q.c.page_id, first.c.position == 0)
        .scalar_subquery()
        .label("doctor_name")
    )
    return department, doctor


def _postgresql_floor(
    conn: Connection,
    conditions: list[ColumnElement[bool]],
    params: dict[str, Any],
    candidates: int,
) -> int | None:
    """The lowest page id among the newest ``candidates`` matches, or ``None`` when fewer
    match (everything is ranked). Found in page-id order with no score computed: PostgreSQL
    would compute ``ts_rank`` for every match before sorting them by page id."""
    tsquery = func.to_tsquery(literal_column("'english'::regconfig"), bindparam("tsquery"))
    vector = literal_column("questions.search_vector")
    newest = (
        select(_q.c.page_id)
        .where(vector.op("@@")(tsquery), and_(True, *conditions))
        .order_by(_q.c.page_id.desc())
        .offset(candidates - 1)
        .limit(1)
    )
    return conn.execute(newest, params).scalar()


def _sqlite_statement(
    conditions: list[ColumnElement[bool]], limit: int, candidates: int
) -> Select[Any]:
    # Rank first, snippet after: SQLite computes every selected column before it sorts, and a
    # snippet re-reads and re-tokenizes a whole document, so it is made only for the hits.
    # bm25 weights: title, body, replies, explanation. Lower bm25 is better, so negate it.
    score = literal_column("bm25(questions_fts, 10.0, 5.0, 2.0, 1.0)")
    newest = select(_fts.c.rowid.label("page_id"), (-score).label("rank")).select_from(_fts)
    if conditions:  # without filters the FTS index alone ranks, with no join per match
        newest = newest.join(_q, _q.c.page_id == _fts.c.rowid)
    # One pass: FTS5 walks its index newest first, scores only the rows that pass the
    # filters, and stops after ``candidates`` of them; the best are then taken from those.
    newest = (
        newest.where(text("questions_fts MATCH :match"), and_(True, *conditions))
        .order_by(_fts.c.rowid.desc())
        .limit(candidates)
        .subquery("newest")
    )
    hits = (
        select(newest.c.page_id, newest.c.rank)
        .order_by(newest.c.rank.desc())
        .limit(limit)
        .cte("hits")
    )
    # The snippet is a subquery per hit: FTS5 finds a row by rowid and MATCH directly, while
    # joining the FTS table to the hits made SQLite scan every match a second time.
    snippet = (
        select(literal_column("snippet(questions_fts, -1, '[', ']', '…', 16)"))
        .select_from(_fts)
        .where(text("questions_fts MATCH :match"), _fts.c.rowid == hits.c.page_id)
        .scalar_subquery()
    )
    return _hit_rows(hits, snippet)


def _postgresql_statement(
    conditions: list[ColumnElement[bool]], limit: int, floor: int | None
) -> Select[Any]:
    english = literal_column("'english'::regconfig")
    tsquery = func.to_tsquery(english, bindparam("tsquery"))
    vector = literal_column("questions.search_vector")
    score = func.ts_rank(vector, tsquery)
    if floor is not None:
        conditions = [*conditions, _q.c.page_id >= bindparam("floor")]
    hits = (
        select(_q.c.page_id, score.label("rank"))
        .join(_p, _p.c.id == _q.c.page_id)
        .where(vector.op("@@")(tsquery), and_(True, *conditions))
        .order_by(score.desc())
        .limit(limit)
        .subquery("hits")
    )
    # Headlines are costly, so they are made only for the hits that made the cut.
    newline = literal_column("E'\\n'")
    replies = (
        select(func.string_agg(_a.c.body, aggregate_order_by(newline, _a.c.position)))
        .where(_a.c.page_id == _q.c.page_id)
        .scalar_subquery()
    )
    # ts_headline parses its whole input, so only the start of a long explanation is given.
    explanation = (
        select(func.left(_e.c.text, HEADLINE_EXPLANATION_CHARS))
        .where(_e.c.page_id == _q.c.page_id)
        .scalar_subquery()
    )
    title, body = _q.c.question_title, _q.c.question_body
    document = func.concat_ws(newline, title, body, replies, explanation)
    snippet = func.ts_headline(english, document, tsquery, _HEADLINE_OPTIONS)
    return _hit_rows(hits, snippet)


def _hit_rows(hits: Subquery, snippet: ColumnElement[Any]) -> Select[Any]:
    """The returned columns for the ranked ``hits``, joined only for the rows that made the cut."""
    department, doctor = _first_reply_columns()
    return (
        select(
            _q.c.page_id,
            _p.c.url,
            _q.c.question_title,
            snippet.label("snippet"),
            hits.c.rank,
            _q.c.asked_on,
            department,
            doctor,
        )
        .select_from(hits)
        .join(_q, _q.c.page_id == hits.c.page_id)
        .join(_p, _p.c.id == _q.c.page_id)
        .order_by(hits.c.rank.desc(), _q.c.page_id)
    )

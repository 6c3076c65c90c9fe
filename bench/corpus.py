"""The benchmarks' generated archive content: deterministic records like real Q&A pages.

A Zipf vocabulary (so words range from stop words to rare ones, as in real text), ~3 KB
explanations, 0-3 replies, 4 Similar Q&A and 2 Related FAQ links per record. Shared by
``bench/storage.py`` (ingest and search), ``bench/generate.py`` (a large archive on disk)
and ``bench/export.py``, so every figure is measured on the same kind of archive.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from parsers.record import (
    Answer,
    Asker,
    Explanation,
    QARecord,
    RelatedFAQ,
    SimilarQA,
)
from storage import Capture, SearchFilters

SITE = "doctorqna"
DEPARTMENTS = [f"Department {i}" for i in range(40)]
DOCTORS = [f"Doctor {i}" for i in range(2000)]


class Corpus:
    """Deterministic pseudo-English: a Zipf-distributed vocabulary like real text."""

    def __init__(self, seed: int = 7) -> None:
        self.random = random.Random(seed)
        syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "pe", "da", "gu", "fi"]
        words = {
            "".join(self.random.choice(syllables) for _ in range(self.random.randint(2, 4)))
            for _ in range(12000)
        }
        self.vocabulary = sorted(words)
        self.random.shuffle(self.vocabulary)
        weights = [1 / (rank + 1) for rank in range(len(self.vocabulary))]
        self.cumulative = list(_accumulate(weights))

    def words(self, count: int) -> list[str]:
        return self.random.choices(self.vocabulary, cum_weights=self.cumulative, k=count)

    def sentence(self, count: int) -> str:
        return " ".join(self.words(count)).capitalize() + "."

    def paragraph(self, sentences: int) -> str:
        return " ".join(self.sentence(self.random.randint(8, 16)) for _ in range(sentences))

    def record(self, n: int) -> QARecord:
        r = self.random
        url = f"https://doctorqna.com/en/article/{200000 + n}"
        department = r.choice(DEPARTMENTS)
        headings = [self.sentence(3) for _ in range(4)]
        explanation = "\n".join(f"{h}\n{self.paragraph(6)}" for h in headings)  # ~3 KB
        low = r.choice([10, 20, 30, 40, 50, 60])
        return QARecord(
            url=url,
            canonical_url=url,
            site=SITE,
            external_id=str(200000 + n),
            language="en",
            page_title=f"{self.sentence(6)} - {department}",
            seo_title=self.sentence(6),
            question_title=self.sentence(8),
            question_body="\n".join(self.paragraph(2) for _ in range(2)),
            asker=Asker(
                name=f"Asker {n}",
                age_min=low,
                age_max=low + 9,
                age_label=f"{low}~{low + 9} year old",
                sex=r.choice(["female", "male"]),
            ),
            asked_on=(date(2020, 1, 1) + timedelta(days=n % 1500)).isoformat(),
            answers=tuple(
                Answer(r.choice(DOCTORS), department, self.paragraph(3), "2024-01-02")
                for _ in range(r.randint(0, 3))
            ),
            explanation=Explanation(text=explanation, headings=tuple(headings)),
            similar=tuple(
                SimilarQA(
                    title=self.sentence(6),
                    url=f"https://doctorqna.com/en/article/{200000 + r.randrange(n + 1)}",
                    question_snippet=self.sentence(10),
                    doctor_name=r.choice(DOCTORS),
                    department=department,
                    reply_snippet=self.sentence(10),
                )
                for _ in range(4)
            ),
            related_faq=tuple(RelatedFAQ(self.sentence(3), department) for _ in range(2)),
            parser_version="bench",
        )


def _accumulate(values: list[float]) -> Iterator[float]:
    total = 0.0
    for value in values:
        total += value
        yield total


def capture_for(record: QARecord, n: int) -> Capture:
    return Capture(
        url=record.url,
        fetched_at=datetime(2024, 1, 1, tzinfo=UTC) + timedelta(seconds=n),
        http_status=200,
        site=SITE,
        payload_digest=f"sha1:{n:032x}",
        warc_file="warc/bench-00000.warc.gz",
        warc_offset=n * 9000,
        warc_length=9000,
        content_type="text/html; charset=utf-8",
        parser_version="bench",
    )


#: The kinds of query researchers type, in the order ``query_mix`` cycles through them.
QUERY_KINDS = (
    "one middling word",
    "common + middling word",
    "one rare word",
    "middling OR rare word",
    "common word + sex/age filters",
)
#: A word in nearly every question: the worst case, timed only where asked for.
STOP_WORD = "stop word"


def query_mix(
    corpus: Corpus, count: int, *, stop_words: bool = False
) -> list[tuple[str, str, SearchFilters | None]]:
    """``count`` searches as ``(kind, query, filters)``, cycling through ``QUERY_KINDS`` (and
    ``STOP_WORD`` last when asked), seeded so every run and every bench times the same mix.

    Words come from vocabulary ranks 200-4000, i.e. words found in roughly 1-25% of
    questions, like "rash" or "fever" in a medical corpus; stop words from ranks 20-30.
    """
    kinds = (*QUERY_KINDS, STOP_WORD) if stop_words else QUERY_KINDS
    r = random.Random(11)
    common, middling, rare = (
        corpus.vocabulary[200:600],
        corpus.vocabulary[600:1500],
        corpus.vocabulary[1500:4000],
    )
    stop = corpus.vocabulary[20:30]
    made: list[tuple[str, str, SearchFilters | None]] = []
    for i in range(count):
        kind = kinds[i % len(kinds)]
        if kind == QUERY_KINDS[0]:
            made.append((kind, r.choice(middling), None))
        elif kind == QUERY_KINDS[1]:
            made.append((kind, f"{r.choice(common)} {r.choice(middling)}", None))
        elif kind == QUERY_KINDS[2]:
            made.append((kind, r.choice(rare), None))
        elif kind == QUERY_KINDS[3]:
            made.append((kind, f"{r.choice(middling)} OR {r.choice(rare)}", None))
        elif kind == QUERY_KINDS[4]:
            filters = SearchFilters(asker_sex="female", asker_age_min=30, asker_age_max=49)
            made.append((kind, r.choice(common), filters))
        else:
            made.append((kind, r.choice(stop), None))
    return made

"""Chinese search speed and index cost, as ratios against baselines measured in this process.

The archive indexes Chinese as character bigrams (``storage/cjk.py``). Measured on an archive
of ``--records`` 台灣e院 questions (the demo site's ground truth) and as many English ones:

* the time of a search for a two-character word (頭痛) and a one-character one against the
  baseline of the same word found with ``LIKE '%word%'`` over titles, questions and replies:
  what FTS5's ``trigram`` tokenizer must fall back to for any word shorter than three
  characters, and what an unsegmented index offers for Chinese at all;
* against an English one-word search on the same archive, which the bigrams must not slow;
* the bigram text as a share of the database, the index's price in space.

    .venv/bin/python bench/search_chinese.py [--records N] [--backends sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from bench.storage import Corpus, capture_for, database  # noqa: E402
from demo_site.config import DemoSiteConfig  # noqa: E402
from demo_site.ehospital import EHospitalSite  # noqa: E402
from storage import Archive  # noqa: E402

CHINESE_WORDS = ("頭痛", "咳嗽", "失眠", "胃痛", "腰痛")
ONE_CHARACTER = ("痛", "咳", "眠")
ENGLISH_WORDS = ("pain", "fever", "rash", "cough", "sleep")
REPEATS = 5


def _median_ms(archive: Archive, words: tuple[str, ...]) -> float:
    times = []
    for _ in range(REPEATS):
        for word in words:
            started = time.perf_counter()
            archive.search(word, limit=20)
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _like_ms(archive: Archive, words: tuple[str, ...]) -> float:
    """The scan a trigram index falls back to for a word of fewer than three characters:
    every match, as ranking them needs."""
    query = text(
        "SELECT q.page_id FROM questions q "
        "WHERE q.question_title LIKE :p OR q.question_body LIKE :p "
        "OR EXISTS (SELECT 1 FROM answers a WHERE a.page_id = q.page_id AND a.body LIKE :p)"
    )
    times = []
    with archive.engine.connect() as conn:
        for _ in range(REPEATS):
            for word in words:
                started = time.perf_counter()
                conn.execute(query, {"p": f"%{word}%"}).all()
                times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure(backend: str, records: list) -> dict[str, float]:
    with (
        tempfile.TemporaryDirectory() as tmp,
        database(backend, Path(tmp)) as (url, _schema),
        Archive.open(url) as archive,
    ):
        for start in range(0, len(records), 500):
            batch = records[start : start + 500]
            archive.ingest_many(
                [(r, replace(capture_for(r, start + i), site=r.site)) for i, r in enumerate(batch)]
            )
        with archive.engine.connect() as conn:
            if backend == "postgresql":
                conn.exec_driver_sql("ANALYZE")
            bigram_bytes, text_bytes = conn.execute(
                text(
                    "SELECT sum(length(search_cjk)), "
                    "sum(length(question_title) + length(question_body)) FROM questions"
                )
            ).one()
        return {
            "two_characters_ms": _median_ms(archive, CHINESE_WORDS),
            "like_ms": _like_ms(archive, CHINESE_WORDS),
            "one_character_ms": _median_ms(archive, ONE_CHARACTER),
            "english_ms": _median_ms(archive, ENGLISH_WORDS),
            "bigram_share": bigram_bytes / text_bytes,
        }


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--records", type=int, default=10_000)
    options.add_argument("--backends", default="sqlite,postgresql")
    args = options.parse_args()
    site = EHospitalSite(DemoSiteConfig(pages=args.records, seed=11))
    chinese = [site.record(q) for q in site.question_ids()]
    corpus = Corpus()
    english = [corpus.record(n) for n in range(len(chinese))]
    print(
        f"{datetime.now(UTC):%Y-%m-%d}: {len(chinese):,} Chinese + {len(english):,} English "
        f"questions, {REPEATS} runs of each query, median"
    )
    print(
        "| backend | 2-char word | LIKE scan (baseline) | ratio | 1 char | English word "
        "| bigrams / question text |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for backend in args.backends.split(","):
        m = measure(backend, chinese + english)
        print(
            f"| {backend} | {m['two_characters_ms']:.1f} ms | {m['like_ms']:.1f} ms | "
            f"{m['two_characters_ms'] / m['like_ms']:.2f}x | {m['one_character_ms']:.1f} ms | "
            f"{m['english_ms']:.1f} ms | {m['bigram_share']:.0%} |"
        )


if __name__ == "__main__":
    main()

"""Write a large generated archive to disk, for the benchmarks that need one already built.

The export and search benchmarks at 1,000,000 questions need an archive that size; building
it takes minutes (it goes through ``Archive.ingest_many``, the real write path, so the
archive is exactly what a crawl would leave), so it is built once and reused. Records come
from ``bench/corpus.py``, streamed in batches: memory stays flat whatever ``--records``.
Running it again on an existing archive adds the records it does not hold yet, so an
interrupted build resumes where it stopped.

Ingest runs at 1-2k records/s on a shared 2-core machine, so 1,000,000 questions would take
hours. ``--copies K`` (SQLite) instead ingests ``--records`` once and appends K - 1 copies
of every question with SQL (new page ids, URLs and article ids; the same text, answers and
links; the search index kept by the archive's own triggers). Each word is then in the same
share of questions as in the ingested part, which is what search and export costs depend
on; revisions are not copied (neither benchmark reads them).

    .venv/bin/python bench/generate.py --records 100000 --copies 10 --db sqlite:///bench.sqlite
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from corpus import Corpus, capture_for  # noqa: E402 - bench/ is on sys.path as the script's dir
from sqlalchemy import func, select  # noqa: E402

from storage import Archive  # noqa: E402
from storage.models import Question  # noqa: E402


def generate(db_url: str, records: int, *, batch: int = 2000, quiet: bool = False) -> int:
    """Fill ``db_url`` up to ``records`` questions; returns how many were added.

    The corpus is deterministic, so record ``n`` is the same in every build: an archive
    resumed after an interruption equals one built in one go.
    """
    corpus = Corpus()
    with Archive.open(db_url) as archive:
        with archive.engine.connect() as conn:
            present = conn.scalar(select(func.count()).select_from(Question)) or 0
        if present >= records:
            return 0
        for n in range(present):  # advance the generator past what is already stored
            corpus.record(n)
        started = time.perf_counter()
        for offset in range(present, records, batch):
            chunk = [corpus.record(n) for n in range(offset, min(offset + batch, records))]
            archive.ingest_many([(r, capture_for(r, offset + i)) for i, r in enumerate(chunk)])
            done = offset + len(chunk)
            if not quiet and (done // batch) % 25 == 0:
                rate = (done - present) / (time.perf_counter() - started)
                load = os.getloadavg()[0]
                print(f"{done:,} questions, {rate:,.0f} records/s, load {load:.1f}", flush=True)
    return max(0, records - present)


#: Per table: the columns shifted by the copy's offsets (``{page}``, ``{capture}``, ...).
_SHIFTED: dict[str, dict[str, str]] = {
    "pages": {
        "id": "id + {page}",
        "url": "'https://doctorqna.com/en/article/' || (external_id + {article})",
        "external_id": "CAST(external_id + {article} AS TEXT)",
    },
    "captures": {
        "id": "id + {capture}",
        "page_id": "page_id + {page}",
        "url": "'https://doctorqna.com/en/article/' || "
        "(CAST(substr(url, 34) AS INTEGER) + {article})",
    },
    "answers": {"id": "id + {answer}", "page_id": "page_id + {page}"},
    "explanations": {"page_id": "page_id + {page}"},
    "links": {"id": "id + {link}", "page_id": "page_id + {page}", "target_page_id": "NULL"},
    "questions": {"page_id": "page_id + {page}"},  # last: its trigger indexes the copy
}


def replicate(path: Path, copies: int, *, index: bool = True, total: int | None = None) -> None:
    """Append ``copies - 1`` copies of every question in the SQLite archive at ``path``.

    ``index=False`` leaves the copies out of the search index (its trigger is dropped while
    copying and put back after): an archive for the export benchmark, built in a fraction of
    the time, whose searches only find the original questions. ``total`` stops at that many
    questions (the last copy takes the first questions only).
    """
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    trigger = db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'questions_fts_insert'"
    ).fetchone()[0]
    if not index:
        db.execute("DROP TRIGGER questions_fts_insert")
    tops = {
        name: db.execute(f"SELECT max(id) FROM {table}").fetchone()[0]
        for name, table in _ID_TABLES.items()
    }
    articles = db.execute("SELECT count(*) FROM pages").fetchone()[0]
    if total is not None and articles != tops["page"]:
        raise SystemExit("--questions needs page ids 1..N, as a generated archive has")
    for copy in range(1, copies):
        bound = tops["page"] if total is None else min(tops["page"], total - copy * articles)
        if bound <= 0:
            break
        started = time.perf_counter()
        offsets = {name: copy * top for name, top in tops.items()}
        offsets["article"] = copy * articles
        db.execute("BEGIN")
        for table, shifted in _SHIFTED.items():
            columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
            values = ", ".join(shifted.get(c, c).format(**offsets) for c in columns)
            key = "page_id" if table != "pages" else "id"
            db.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) SELECT {values} FROM {table} "
                f"WHERE {key} <= {bound}"
            )
        db.execute("COMMIT")
        print(f"copy {copy + 1} of {copies} in {time.perf_counter() - started:.0f} s", flush=True)
    if not index:
        db.execute(trigger)
    db.close()


#: The id each copy is shifted by comes from the largest id of these tables.
_ID_TABLES = {"page": "pages", "capture": "captures", "answer": "answers", "link": "links"}


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--records", type=int, default=1_000_000)
    options.add_argument("--db", required=True, help="archive URL, e.g. sqlite:///bench.sqlite")
    options.add_argument("--batch", type=int, default=2000, help="records per ingest_many call")
    options.add_argument("--copies", type=int, default=1, help="SQLite: copies of the records")
    options.add_argument(
        "--copies-unindexed", action="store_true", help="leave the copies out of the search index"
    )
    options.add_argument("--questions", type=int, help="SQLite: stop the copies at N questions")
    args = options.parse_args()
    started = time.perf_counter()
    added = generate(args.db, args.records, batch=args.batch)
    print(f"added {added:,} questions in {time.perf_counter() - started:.0f} s")
    if args.copies > 1:
        path = Path(args.db.removeprefix("sqlite:///"))
        replicate(path, args.copies, index=not args.copies_unindexed, total=args.questions)


if __name__ == "__main__":
    main()

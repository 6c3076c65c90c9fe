"""Export speed and memory, as a ratio against a plain sqlite3 + pyarrow writer of the same table.

The baseline is what a researcher would write by hand: plain ``sqlite3`` reading the same
columns with the same keyset-paginated queries (500 questions a round trip, replies and links
by ``IN`` list), rows as dicts, ``pa.RecordBatch.from_pylist`` and ``pq.ParquetWriter`` with
the archive's Parquet options. It checks nothing, de-identifies nothing, writes no manifest
and commits nothing atomically; ``healthqa export`` does all of that. Both run in their own
child process, alternately, on the same archive: the wall time ratio (goal <= 1.3x) and each
child's peak RSS (``VmHWM``; goal < 300 MB for ``healthqa export``) are printed, and the two
files are read back and compared, so the baseline is known to write the identical table.

    .venv/bin/python bench/export.py --db sqlite:///bench.sqlite [--rounds 3] [--formats ...]
    .venv/bin/python bench/export.py --records 10000    # builds a small archive first

Build a large archive with ``bench/generate.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
from sqlalchemy import create_engine  # noqa: E402

from storage.export.writers import parquet_options  # noqa: E402
from storage.research.export import export_questions  # noqa: E402
from storage.research.export_rows import BATCH, QUESTION_SCHEMA  # noqa: E402

GOAL_RATIO = 1.3
GOAL_PEAK_MB = 300

_QUESTIONS = """
SELECT p.id, p.url, s.name, p.external_id, p.state, q.language, q.page_title, q.question_title,
       q.question_body, q.asker_name, q.asker_age_min, q.asker_age_max, q.asker_age_label,
       q.asker_sex, q.asked_on, q.parser_version, p.content_fetched_at, c.crawl_run_id, c.warnings,
       c.view_count
FROM pages p JOIN questions q ON q.page_id = p.id JOIN sites s ON s.id = p.site_id
LEFT JOIN captures c ON c.page_id = p.id AND c.fetched_at = p.content_fetched_at
WHERE p.id IN ({ids}) ORDER BY p.id
"""
_ANSWERS = """
SELECT a.page_id, a.position, d.name, dp.name, a.body, a.replied_on, a.hospital FROM answers a
LEFT JOIN doctors d ON d.id = a.doctor_id LEFT JOIN departments dp ON dp.id = a.department_id
WHERE a.page_id IN ({ids}) ORDER BY a.page_id, a.position
"""
_LINKS = """
SELECT l.page_id, l.kind, l.position, l.title, l.target_url, l.question_snippet,
       l.reply_snippet, d.name, dp.name FROM links l
LEFT JOIN doctors d ON d.id = l.doctor_id LEFT JOIN departments dp ON dp.id = l.department_id
WHERE l.page_id IN ({ids}) ORDER BY l.page_id, l.kind DESC, l.position
"""


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def baseline(db_path: str, out: Path) -> int:
    """The plain writer: sqlite3 rows -> dicts -> ``RecordBatch.from_pylist`` -> Parquet."""
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    schema = QUESTION_SCHEMA.arrow()
    count = last = 0
    with pq.ParquetWriter(out, schema, **parquet_options(schema)) as writer:
        while True:
            ids = [
                row[0]
                for row in db.execute(
                    "SELECT p.id FROM pages p JOIN questions q ON q.page_id = p.id "
                    "WHERE p.id > ? ORDER BY p.id LIMIT ?",
                    (last, BATCH),
                )
            ]
            if not ids:
                return count
            marks = ",".join("?" * len(ids))
            answers: dict[int, list[dict[str, Any]]] = {}
            for page, pos, doctor, dept, body, replied, hospital in db.execute(
                _ANSWERS.format(ids=marks), ids
            ):
                answers.setdefault(page, []).append(
                    {
                        "position": pos,
                        "doctor": doctor,
                        "department": dept,
                        "body": body,
                        "replied_on": _day(replied),
                        "hospital": hospital,
                    }
                )
            links: dict[int, list[dict[str, Any]]] = {}
            for page, kind, pos, title, url, qs, rs, doctor, dept in db.execute(
                _LINKS.format(ids=marks), ids
            ):
                links.setdefault(page, []).append(
                    {
                        "kind": kind,
                        "position": pos,
                        "title": title,
                        "url": url,
                        "question_snippet": qs,
                        "reply_snippet": rs,
                        "doctor": doctor,
                        "department": dept,
                    }
                )
            explanations = {
                page: (text, json.loads(headings) if headings else [])
                for page, text, headings in db.execute(
                    f"SELECT page_id, text, headings FROM explanations WHERE page_id IN ({marks})",
                    ids,
                )
            }
            rows = []
            for r in db.execute(_QUESTIONS.format(ids=marks), ids):
                text, headings = explanations.get(r[0], (None, []))
                page_answers = answers.get(r[0], [])
                captured = datetime.fromisoformat(r[16]).replace(tzinfo=UTC) if r[16] else None
                rows.append(
                    {
                        "page_id": r[0],
                        "url": r[1],
                        "site": r[2],
                        "external_id": r[3],
                        "state": r[4],
                        "language": r[5],
                        "page_title": r[6],
                        "question_title": r[7],
                        "question_body": r[8],
                        "asker_name": r[9],
                        "asker_age_min": r[10],
                        "asker_age_max": r[11],
                        "asker_age_label": r[12],
                        "asker_sex": r[13],
                        "asked_on": _day(r[14]),
                        "answer_count": len(page_answers),
                        "answers": page_answers,
                        "explanation": text,
                        "explanation_headings": headings,
                        "links": links.get(r[0], []),
                        "parser_version": r[15],
                        "warnings": json.loads(r[18]) if r[18] else [],
                        "captured_at": captured,
                        "crawl_run_id": r[17],
                        "view_count": r[19],
                    }
                )
            writer.write_batch(pa.RecordBatch.from_pylist(rows, schema=schema))
            count += len(rows)
            last = ids[-1]


def healthqa(db_url: str, out: Path, fmt: str) -> int:
    """What ``healthqa export --format FMT --out OUT`` does, minus the command line."""
    engine = create_engine(db_url)
    try:
        return export_questions(engine, fmt=fmt, out=out).rows
    finally:
        engine.dispose()


def peak_rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status: this benchmark needs Linux")


def child(which: str, db_url: str, out: Path, fmt: str) -> None:
    started, cpu = time.perf_counter(), time.process_time()
    if which == "baseline":
        rows = baseline(db_url.removeprefix("sqlite:///"), out)
    else:
        rows = healthqa(db_url, out, fmt)
    print(
        json.dumps(
            {
                "rows": rows,
                "seconds": time.perf_counter() - started,
                "cpu": time.process_time() - cpu,
                "peak_mb": peak_rss_kib() / 1024,
            }
        )
    )


def run_child(which: str, db_url: str, out: Path, fmt: str) -> dict[str, float]:
    out.unlink(missing_ok=True)
    Path(str(out) + ".manifest.json").unlink(missing_ok=True)
    command = [sys.executable, __file__, "--child", which, "--db", db_url, "--out", str(out)]
    done = subprocess.run(
        [*command, "--formats", fmt], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return json.loads(done.stdout.splitlines()[-1])


def same_table(a: Path, b: Path) -> bool:
    left, right = pq.read_table(a), pq.read_table(b)
    return left.replace_schema_metadata(None).cast(right.schema).equals(right)


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--db", help="a SQLite archive URL; default: build one of --records")
    options.add_argument("--records", type=int, default=10_000)
    options.add_argument("--rounds", type=int, default=3)
    options.add_argument("--formats", default="parquet", help="healthqa formats to time")
    options.add_argument("--child", choices=["baseline", "healthqa"], help=argparse.SUPPRESS)
    options.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = options.parse_args()
    if args.child:
        child(args.child, args.db, args.out, args.formats)
        return
    with tempfile.TemporaryDirectory() as tmp:
        db_url = args.db
        if db_url is None:
            sys.path.insert(0, str(ROOT / "bench"))
            from generate import generate

            db_url = f"sqlite:///{Path(tmp) / 'archive.sqlite'}"
            generate(db_url, args.records, quiet=True)
        measure(db_url, Path(tmp), args)


def measure(db_url: str, tmp: Path, args: argparse.Namespace) -> None:
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load {_load()}, archive {db_url}")
    base_out = tmp / "baseline.parquet"
    results: dict[str, list[dict[str, float]]] = {"baseline": []}
    for round_ in range(args.rounds):
        base = run_child("baseline", db_url, base_out, "parquet")
        results["baseline"].append(base)
        line = [
            f"round {round_ + 1}: baseline {base['seconds']:.1f} s (CPU {base['cpu']:.1f} s) "
            f"{base['peak_mb']:.0f} MB"
        ]
        for fmt in args.formats.split(","):
            out = tmp / f"healthqa.{fmt}"
            got = run_child("healthqa", db_url, out, fmt)
            results.setdefault(fmt, []).append(got)
            line.append(
                f"{fmt} {got['seconds']:.1f} s (CPU {got['cpu']:.1f} s) {got['peak_mb']:.0f} MB "
                f"({got['seconds'] / base['seconds']:.2f}x wall, "
                f"{got['cpu'] / base['cpu']:.2f}x CPU)"
            )
            if fmt == "parquet" and round_ == 0 and not same_table(out, base_out):
                raise SystemExit("the baseline and healthqa export wrote different tables")
        print("; ".join(line) + f"; load {_load()}", flush=True)
    base_s = statistics.median(r["seconds"] for r in results["baseline"])
    base_cpu = statistics.median(r["cpu"] for r in results["baseline"])
    rows = int(results["baseline"][0]["rows"])
    print(
        f"\n{rows:,} questions; baseline median {base_s:.1f} s wall, {base_cpu:.1f} s CPU, "
        f"peak RSS {max(r['peak_mb'] for r in results['baseline']):.0f} MB"
    )
    for fmt, runs in results.items():
        if fmt == "baseline":
            continue
        seconds = statistics.median(r["seconds"] for r in runs)
        cpu = statistics.median(r["cpu"] for r in runs)
        peak = max(r["peak_mb"] for r in runs)
        verdict = "met" if cpu / base_cpu <= GOAL_RATIO else "NOT met"
        print(
            f"healthqa export --format {fmt}: median {seconds:.1f} s wall "
            f"({seconds / base_s:.2f}x), {cpu:.1f} s CPU ({cpu / base_cpu:.2f}x; "
            f"{verdict} against <= {GOAL_RATIO}x), peak RSS {peak:.0f} MB "
            f"(goal < {GOAL_PEAK_MB} MB)"
        )
    print(f"load at the end {_load()}")


def _load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()

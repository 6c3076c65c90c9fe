"""Child process for the constant-memory test: stream generated rows, report peak RSS.

Run as ``python export_memory_child.py <out.parquet> <rows> <stream|list>``. ``list`` first
materialises every row, as a naive implementation would; the test uses it to prove the RSS
bound is tight enough to catch one. Prints ``<baseline_kib> <peak_kib>``: the peak RSS before
any row exists and after the export.

The peak is ``VmHWM`` from ``/proc/self/status``, not ``ru_maxrss``: Linux carries
``ru_maxrss`` across ``execve`` from the forked parent, so a child of a big pytest process
would report the parent's size; ``VmHWM`` belongs to the new address space only.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from storage.export import ExportSchema, write_export

SCHEMA = ExportSchema.of(
    [
        ("external_id", "string", "article id"),
        ("asked_on", "date", "date asked"),
        ("question_body", "string", "question text"),
        ("answers", "list<struct<doctor_name:string,body:string>>", "replies"),
    ]
)
# ~1.2 KB of distinct text per row: 100,000 rows hold ~120 MB of strings if kept in memory.
_FILLER = "The patient reports intermittent chest tightness after exercise. " * 9


def rows(count: int) -> Iterator[dict[str, Any]]:
    for i in range(count):
        yield {
            "external_id": str(200000 + i),
            "asked_on": f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "question_body": f"{i} {_FILLER}",
            "answers": [{"doctor_name": f"Dr. {i % 97}", "body": f"{_FILLER[:400]} {i}"}],
        }


def peak_rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status: this test needs Linux")


def main() -> None:
    out, count, mode = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    baseline = peak_rss_kib()
    source = list(rows(count)) if mode == "list" else rows(count)
    write_export(source, schema=SCHEMA, fmt="parquet", out=out)
    print(baseline, peak_rss_kib())


if __name__ == "__main__":
    main()

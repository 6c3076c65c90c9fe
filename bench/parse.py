"""Parsing speed against two in-process baselines, as ratios (absolute numbers mean little on
a shared machine).

* floor: a bare ``LexborHTMLParser(body)`` - the parse every extraction must pay for;
* typical: a bare ``BeautifulSoup(body, "lxml")`` - what a usual scraper pays before it has
  extracted anything.

Rounds interleave the three so that noise from other processes hits all of them alike; the
median round is reported. Goals: ``parse()`` within 3x of the floor, >= 10x faster than the
typical scraper.

    .venv/bin/python bench/parse.py [--rounds N] [--write-docs]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bs4 import BeautifulSoup
from selectolax.lexbor import LexborHTMLParser

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from parsers import parse  # noqa: E402 - needs the repository root on sys.path first
from parsers.errors import ParseError  # noqa: E402

DOCS = ROOT / "docs" / "benchmarks.md"
SECTION = "## Parsing"


def load_pages() -> list[tuple[bytes, str, dict[str, str] | None, str | None]]:
    pages = []
    for page in sorted(ROOT.glob("fixtures/**/page.html")):
        meta = json.loads((page.parent / "meta.json").read_text(encoding="utf-8"))
        pages.append((page.read_bytes(), meta["url"], meta.get("headers"), meta.get("site")))
    return pages


def _parse_all(pages: list) -> None:
    for body, url, headers, site in pages:
        with contextlib.suppress(ParseError):  # error pages are part of the workload
            parse(body, url, headers, site=site)


def _lexbor_all(pages: list) -> None:
    for body, *_ in pages:
        LexborHTMLParser(body)


def _soup_all(pages: list) -> None:
    for body, *_ in pages:
        BeautifulSoup(body, "lxml")


def _timed(run: Callable[[list], None], pages: list, repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        run(pages)
    return time.perf_counter() - start


def measure(rounds: int, repeat: int) -> dict[str, float]:
    pages = load_pages()
    runners = {"parse": _parse_all, "lexbor": _lexbor_all, "soup": _soup_all}
    for run in runners.values():  # warm caches and imports
        run(pages)
    seconds: dict[str, list[float]] = {name: [] for name in runners}
    for _ in range(rounds):
        for name, run in runners.items():
            seconds[name].append(_timed(run, pages, repeat))
    per_round = len(pages) * repeat
    rate = {name: per_round / statistics.median(times) for name, times in seconds.items()}
    return {
        "pages": len(pages),
        "bytes": sum(len(body) for body, *_ in pages),
        "parse_pages_per_s": rate["parse"],
        "lexbor_pages_per_s": rate["lexbor"],
        "soup_pages_per_s": rate["soup"],
        "parse_vs_lexbor": rate["lexbor"] / rate["parse"],
        "soup_vs_parse": rate["parse"] / rate["soup"],
    }


def report(result: dict[str, float], rounds: int, repeat: int) -> str:
    return "\n".join(
        [
            SECTION,
            "",
            f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()} "
            f"({os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} while measuring: "
            f"other work was running), Python {platform.python_version()}.",
            "",
            f"Command: `.venv/bin/python bench/parse.py --rounds {rounds} --repeat {repeat}` "
            f"({result['pages']:.0f} fixture pages, {result['bytes'] / 1024:.0f} KiB, "
            "median of interleaved rounds).",
            "",
            "| what | pages/s |",
            "| --- | ---: |",
            f"| `parsers.parse()`, decode + full extraction | {result['parse_pages_per_s']:,.0f} |",
            f"| bare `LexborHTMLParser(body)` (floor) | {result['lexbor_pages_per_s']:,.0f} |",
            f"| bare `BeautifulSoup(body, 'lxml')` | {result['soup_pages_per_s']:,.0f} |",
            "",
            f"* full extraction costs **{result['parse_vs_lexbor']:.2f}x** a bare selectolax parse "
            "(goal: within 3x);",
            f"* full extraction is **{result['soup_vs_parse']:.1f}x** faster than a bare "
            "BeautifulSoup parse (goal: >= 10x).",
            "",
        ]
    )


def write_docs(section: str) -> None:
    """Replace only this benchmark's section; other sections belong to other benchmarks."""
    text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Benchmarks\n\n"
    start = text.find(SECTION + "\n")
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + len(SECTION))
        text = text[:start] + section + ("" if end == -1 else text[end + 1 :])
    DOCS.write_text(text, encoding="utf-8")


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--rounds", type=int, default=7)
    options.add_argument("--repeat", type=int, default=20, help="passes over the pages per round")
    options.add_argument("--write-docs", action="store_true", help="update docs/benchmarks.md")
    args = options.parse_args()
    result = measure(args.rounds, args.repeat)
    section = report(result, args.rounds, args.repeat)
    print(section)
    if args.write_docs:
        write_docs(section)


if __name__ == "__main__":
    main()

"""Parsing speed against two in-process baselines, as ratios (absolute numbers mean little on
a shared machine), on three corpora: the fixture pages (small, many layouts), the demo site's
article pages (``demo_site``: head, menu, breadcrumbs, JSON-LD; about 8 KiB), and the
same demo pages grown to the size of a real article page (15-30 KiB: an inline JSON state
script, a mega-menu and a link-heavy footer; the records do not change).

* floor: ``LexborHTMLParser(body)`` and ``body.text()`` - what any selectolax text extractor
  must pay at least;
* typical: ``BeautifulSoup(body, "lxml")`` and ``get_text()`` - what a usual scraper pays to
  get the page's text.

Rounds interleave the three so that noise from other processes hits all of them alike; each
round is timed in CPU time of this process (``time.process_time``: time spent waiting for a
core on the shared machine does not count) and the median round is reported. Goals:
``parse()`` within 3x of the floor (acceptance 4x), >= 10x faster than the typical scraper.

    .venv/bin/python bench/parse.py [--rounds N] [--repeat N] [--demo-pages N] [--write-docs]
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
REAL_SIZE = "Demo pages grown to real-page size"


Page = tuple[bytes, str, dict[str, str] | None, str | None]


def fixture_pages() -> list[Page]:
    pages = []
    # The doctorqna and generic parsers' pages: 台灣e院's have their own site parser, and
    # adding them would change figures measured before that site existed.
    for page in sorted(ROOT.glob("fixtures/**/page.html")):
        if page.parent.parent.name == "ehospital":
            continue
        meta = json.loads((page.parent / "meta.json").read_text(encoding="utf-8"))
        pages.append((page.read_bytes(), meta["url"], meta.get("headers"), meta.get("site")))
    return pages


def demo_pages(count: int) -> list[Page]:
    """Article pages as the demo site serves them: what a crawl of the local site parses."""
    from demo_site import DemoSite, DemoSiteConfig  # bench may import the crawler

    site = DemoSite(DemoSiteConfig(pages=count))
    pages = []
    for article_id in site.article_ids():
        page = site.page(site.path_for(article_id))
        if page.status == 200:
            pages.append((page.body, site.url_for(article_id), page.headers, "doctorqna"))
    return pages


def _chrome(seed: int) -> tuple[str, str, str]:
    """A real site's bulk around the article: head state script, mega-menu, footer links."""
    state = json.dumps(
        {
            "menu": [
                {"id": seed * 1000 + i, "slug": f"topic-{i}", "count": i * 7} for i in range(120)
            ]
        }
    )
    menu = "".join(
        f'<li class="mm-col"><h4>Section {col}</h4><ul>'
        + "".join(
            f'<li><a href="/en/faq/topic-{col}-{i}">Topic {col}.{i}</a></li>' for i in range(10)
        )
        + "</ul></li>"
        for col in range(6)
    )
    footer = "".join(f'<a href="/en/page/{i}">Footer link {i}</a> ' for i in range(30))
    return (
        f'<script id="__STATE__" type="application/json">{state}</script>',
        f'<nav class="mega"><ul>{menu}</ul></nav>',
        f'<div class="site-links">{footer}</div>',
    )


def real_size_pages(pages: list[Page]) -> list[Page]:
    """Demo pages with the chrome of a real page added (bytes that must still parse the same)."""
    grown = []
    for number, (body, url, headers, site) in enumerate(pages):
        head, menu, footer = (part.encode() for part in _chrome(number))
        body = body.replace(b"</head>", head + b"</head>", 1)
        body = body.replace(b"<main", menu + b"<main", 1).replace(b"</body>", footer + b"</body>")
        grown.append((body, url, headers, site))
    return grown


def _parse_all(pages: list) -> None:
    for body, url, headers, site in pages:
        with contextlib.suppress(ParseError):  # error pages are part of the workload
            parse(body, url, headers, site=site)


def _lexbor_all(pages: list) -> None:
    for body, *_ in pages:
        tree = LexborHTMLParser(body)
        if tree.body is not None:
            tree.body.text()


def _soup_all(pages: list) -> None:
    for body, *_ in pages:
        BeautifulSoup(body, "lxml").get_text()


def _timed(run: Callable[[list], None], pages: list, repeat: int) -> float:
    start = time.process_time()
    for _ in range(repeat):
        run(pages)
    return time.process_time() - start


def measure(pages: list[Page], rounds: int, repeat: int) -> dict[str, float]:
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


def _corpus_lines(name: str, result: dict[str, float]) -> list[str]:
    size = result["bytes"] / result["pages"] / 1024
    return [
        f"### {name}: {result['pages']:.0f} pages, {size:.1f} KiB each on average",
        "",
        "| what | pages/s |",
        "| --- | ---: |",
        f"| `parsers.parse()`, decode + full extraction | {result['parse_pages_per_s']:,.0f} |",
        f"| `LexborHTMLParser(body)` + `body.text()` (floor) | "
        f"{result['lexbor_pages_per_s']:,.0f} |",
        f"| `BeautifulSoup(body, 'lxml')` + `get_text()` | {result['soup_pages_per_s']:,.0f} |",
        "",
        f"* full extraction costs **{result['parse_vs_lexbor']:.2f}x** the floor "
        "(goal: within 3x, acceptance 4x);",
        f"* full extraction is **{result['soup_vs_parse']:.1f}x** faster than BeautifulSoup "
        "(goal: >= 10x).",
        "",
    ]


def _verdict(result: dict[str, float]) -> str:
    """Whether the real-size pages meet the goals, said in the report itself so that a
    figure and its verdict can never disagree."""
    ratio, faster = result["parse_vs_lexbor"], result["soup_vs_parse"]
    floor = (
        "**met** (within 3x)"
        if ratio <= 3
        else "**acceptance met** (within 4x, goal 3x not met)"
        if ratio <= 4
        else "**not met**"
    )
    soup = "**met**" if faster >= 10 else "**not met**"
    return (
        f"On the real-size pages: {ratio:.2f}x the floor, {floor}; {faster:.1f}x faster than "
        f"BeautifulSoup, {soup}."
    )


def report(results: dict[str, dict[str, float]], args: argparse.Namespace) -> str:
    lines = [
        SECTION,
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()} "
        f"({os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} while measuring), "
        f"Python {platform.python_version()}.",
        "",
        f"Command: `.venv/bin/python bench/parse.py --rounds {args.rounds} --repeat "
        f"{args.repeat} --demo-pages {args.demo_pages}` (median of interleaved rounds).",
        "",
        "Goal: `parse()` within 3x of the floor (acceptance 4x) on pages of 15-30 KiB and at "
        "least 10x",
        f"faster than BeautifulSoup. {_verdict(results[REAL_SIZE])} Where `parse()` spends its "
        "time: `docs/parsers.md`, Performance.",
        "",
    ]
    for name, result in results.items():
        lines += _corpus_lines(name, result)
    return "\n".join(lines)


def write_docs(section: str) -> None:
    """Replace only this benchmark's section; other sections belong to other benchmarks."""
    text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Benchmarks\n\n"
    start = text.find(SECTION + "\n")
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + len(SECTION))
        section = section.rstrip("\n") + "\n\n"  # a blank line before the next section
        text = text[:start] + section + ("" if end == -1 else text[end + 1 :])
    DOCS.write_text(text, encoding="utf-8")


def check_same_records(demo: list[Page], grown: list[Page]) -> int:
    """How many grown pages parse to another record than their demo page (must be 0: the added
    chrome is exactly what the parser has to see through)."""
    differ = 0
    for (body, url, headers, site), (big, *_) in zip(demo, grown, strict=True):
        try:
            same = parse(body, url, headers, site=site) == parse(big, url, headers, site=site)
        except ParseError:
            continue
        differ += not same
    return differ


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--rounds", type=int, default=7)
    options.add_argument("--repeat", type=int, default=20, help="passes over the pages per round")
    options.add_argument("--demo-pages", type=int, default=200, help="demo site size")
    options.add_argument("--write-docs", action="store_true", help="update docs/benchmarks.md")
    args = options.parse_args()
    demo = demo_pages(args.demo_pages)
    differ = check_same_records(demo, real_size_pages(demo))
    if differ:
        raise SystemExit(f"{differ} grown pages parse differently from their demo page")
    results = {
        "Fixture pages": measure(fixture_pages(), args.rounds, args.repeat),
        # About ten times as many pages: fewer passes keep the two corpora's runs comparable.
        "Demo site article pages": measure(demo, args.rounds, max(1, args.repeat // 10)),
        REAL_SIZE: measure(real_size_pages(demo), args.rounds, max(1, args.repeat // 10)),
    }
    section = report(results, args)
    print(section)
    if args.write_docs:
        write_docs(section)


if __name__ == "__main__":
    main()

"""Worst-case parsing: pages of about 1 MB in shapes chosen to hurt a tree walker, timed
against Lexbor's own parse of the same bytes (issue 11's goal: within 10x).

A crawler meets such pages from broken templates and from hostile servers; the parser must
stay linear in the input, whatever its shape, so one page cannot stall a crawl. The test
suite guards against hangs (``tests/parsers/test_parse_hostile.py``, timeouts far above the
real cost); this script measures the ratio, which a test must not assert on a shared machine.

Each shape wraps the same small article, so every page also gives a record. Times are CPU
time of this process (``time.process_time``), median of interleaved rounds.

    .venv/bin/python bench/parse_hostile.py [--rounds N] [--size BYTES]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from parsers import parse  # noqa: E402 - needs the repository root on sys.path first
from parsers.errors import ParseError  # noqa: E402

URL = "https://doctorqna.com/en/article/200777"
ARTICLE = (
    "<h1>Knee pain?</h1><p>It hurts on stairs.</p>"
    "<p>Ho, 20~29 year old male. Ask Date: 2024/05/01</p>"
    "<p>Dr. Lin Kai reply Orthopedics</p><p>Try ice.</p><p>Reply Date: 2024/05/02</p>"
    "<h2>More Info</h2><p>Knees take load.</p>"
)
GOAL = 10.0


def _page(body: str) -> bytes:
    return f"<html><head><title>Knee Pain</title></head><body>{body}</body></html>".encode()


def _repeat(unit: str, size: int) -> int:
    return max(1, size // len(unit))


def shapes(size: int) -> dict[str, bytes]:
    """Pages of about ``size`` bytes, each stressing one dimension of the tree."""
    inline = _repeat("<b></b>", size)
    blocks = _repeat("<blockquote></blockquote>", size)
    return {
        "nested inline <b>": _page("<b>" * inline + ARTICLE + "</b>" * inline),
        "nested <blockquote>": _page("<blockquote>" * blocks + ARTICLE + "</blockquote>" * blocks),
        "nested <div> with text": _page(
            "<div>x<span>" * _repeat("<div>x<span></span></div>", size)
            + ARTICLE
            + "</span></div>" * _repeat("<div>x<span></span></div>", size)
        ),
        "one element, many attributes": _page(
            "<div "
            + " ".join(f'data-a{i}="{i}"' for i in range(_repeat(' data-a00000="00000"', size)))
            + f">{ARTICLE}</div>"
        ),
        "many paragraphs": _page(
            ARTICLE
            + "<p>Knees take load on stairs.</p>"
            * _repeat("<p>Knees take load on stairs.</p>", size)
        ),
        "text split by comments": _page(
            ARTICLE + "<p>" + "word<!-- -->" * _repeat("word<!-- -->", size) + "</p>"
        ),
        "many links": _page(
            ARTICLE
            + "".join(
                f'<a href="/en/article/{i}">Q {i}</a>'
                for i in range(_repeat('<a href="/en/article/000000">Q 000000</a>', size))
            )
        ),
        "a huge table": _page(
            ARTICLE
            + "<table>"
            + "<tr><td>a</td><td>b</td></tr>" * _repeat("<tr><td>a</td><td>b</td></tr>", size)
            + "</table>"
        ),
    }


def _cpu(work: Callable[[], object]) -> float:
    start = time.process_time()
    work()
    return time.process_time() - start


def _parse(body: bytes) -> None:
    # A refused page costs what it costs; the time is what matters here.
    with contextlib.suppress(ParseError):
        parse(body, URL)


def measure(rounds: int, size: int) -> list[tuple[str, int, float, float]]:
    """Median CPU seconds of Lexbor's parse and of ``parse()`` per shape. Lexbor is quadratic
    on some shapes (a minute on deep ``<div>`` nesting): a first run over 2 s is not repeated."""
    rows = []
    for name, body in shapes(size).items():
        lexbor, ours = [], []
        for _ in range(rounds):
            if not lexbor or lexbor[0] < 2.0:
                lexbor.append(_cpu(lambda body=body: LexborHTMLParser(body)))
            ours.append(_cpu(lambda body=body: _parse(body)))
        rows.append((name, len(body), statistics.median(lexbor), statistics.median(ours)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--size", type=int, default=1_000_000)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load {load:.1f}, median of {args.rounds} "
        f"rounds, goal parse() <= {GOAL:.0f}x Lexbor's parse of the same page"
    )
    print(f"{'shape':32} {'KiB':>6} {'lexbor ms':>10} {'parse() ms':>11} {'ratio':>7}")
    worst = 0.0
    for name, size, lexbor, ours in measure(args.rounds, args.size):
        ratio = ours / lexbor if lexbor else float("inf")
        worst = max(worst, ratio)
        print(f"{name:32} {size / 1024:6.0f} {lexbor * 1e3:10.1f} {ours * 1e3:11.1f} {ratio:6.1f}x")
    print(f"worst ratio {worst:.1f}x: goal {'met' if worst <= GOAL else 'NOT met'}")


if __name__ == "__main__":
    main()

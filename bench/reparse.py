"""``healthqa reparse --jobs N`` against ``--jobs 1`` on the same archive, alternately.

The archive is a demo-site crawl (``healthqa demo --pages N``): real HTML in real WARC files,
parsed by the real parser in its worker processes. Every run re-parses every capture
(``--all``) and ingests the results (unchanged content, so each run does the same work).
Runs alternate (1, N, 1, N, ...) so both see the same machine load; the ratio of the median
wall times is the speed-up. Goal: ``--jobs 2`` >= 1.7x ``--jobs 1`` on 2 cores.

    .venv/bin/python bench/reparse.py [--pages 2000] [--rounds 3] [--jobs 2]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEALTHQA = [sys.executable, "-c", "from crawler.cli import main; main()"]
GOAL = 1.7


def run(arguments: list[str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (the command and its worker processes) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [*HEALTHQA, *arguments],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--pages", type=int, default=2000)
    options.add_argument("--rounds", type=int, default=3)
    options.add_argument("--jobs", type=int, default=2)
    args = options.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-reparse-") as tmp:
        data = str(Path(tmp) / "data")
        print(f"crawling {args.pages} demo pages (healthqa demo), load {load()}", flush=True)
        subprocess.run(
            [*HEALTHQA, "demo", "--pages", str(args.pages), "--data-dir", data, "--port", "0"],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        walls: dict[int, list[float]] = {1: [], args.jobs: []}
        for round_ in range(args.rounds):
            line = []
            for jobs in (1, args.jobs):
                wall, cpu = run(["reparse", "--all", "--jobs", str(jobs), "--data-dir", data])
                walls[jobs].append(wall)
                line.append(f"--jobs {jobs}: {wall:.1f} s wall, {cpu:.1f} s CPU")
            print(f"round {round_ + 1}: " + "; ".join(line) + f"; load {load()}", flush=True)
    one, many = statistics.median(walls[1]), statistics.median(walls[args.jobs])
    verdict = "met" if one / many >= GOAL else "NOT met"
    print(
        f"{args.pages} pages: --jobs 1 median {one:.1f} s ({args.pages / one:.0f} pages/s), "
        f"--jobs {args.jobs} median {many:.1f} s ({args.pages / many:.0f} pages/s): "
        f"{one / many:.2f}x (goal >= {GOAL}x on 2 cores: {verdict}); "
        f"{len(os.sched_getaffinity(0))} CPUs, load {load()}"
    )


if __name__ == "__main__":
    main()

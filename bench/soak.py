"""Soak test (not in CI): a long crawl with faults, killed with SIGKILL again and again.

    .venv/bin/python bench/soak.py [--pages 20000] [--fault-rate 0.1] [--kill-every 30]

Serves a demo site with ``--fault-rate`` of its articles faulty (5xx, 429, resets, truncated
bodies, redirects, slow answers, wrong content types, Big5, oversize bodies) and crawls its
sitemap with ``healthqa crawl --sitemap --no-politeness``. Every ``--kill-every`` seconds the
crawl is SIGKILLed and started again with ``--resume``, until a segment finishes by itself.
Then it checks the archive against the site's ground truth and prints:

* pages lost: articles the site eventually serves whose archived record is missing or wrong
  (goal 0);
* pages duplicated: URLs with more than one parsed capture, or more than one revision of
  unchanged content (goal 0);
* unreadable WARC files (goal 0), and whether the run's stored stats count every capture;
* the peak RSS of the whole crawl process tree (crawl, ingest worker, parse workers; the sum
  of each process's ``VmHWM``, sampled every 0.2 s, over every segment) against 300 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402
from warcio.archiveiterator import ArchiveIterator  # noqa: E402

from bench.process_tree import TreeMemory  # noqa: E402
from demo_site.config import DemoSiteConfig  # noqa: E402
from demo_site.server import serve_demo_site  # noqa: E402
from storage import Archive  # noqa: E402


def crawl_command(base_url: str, data_dir: Path, resume: bool) -> list[str]:
    return [
        sys.executable,
        "-c",
        "from crawler.cli import main; main()",
        "crawl",
        "doctorqna",
        "--sitemap",
        "--base-url",
        base_url,
        "--data-dir",
        str(data_dir),
        "--no-politeness",
        "--log-level",
        "WARNING",
        *(["--resume"] if resume else []),
    ]


def run_segments(
    base_url: str, data_dir: Path, kill_every: float, log: Path
) -> tuple[int, int, float]:
    """Crawl, SIGKILL every ``kill_every`` s, resume, until a segment ends on its own.

    Returns (segments, kills, peak MB of the process tree over all segments)."""
    segments = kills = 0
    peak = 0.0
    while True:
        segments += 1
        with log.open("a") as stderr:
            process = subprocess.Popen(
                crawl_command(base_url, data_dir, resume=segments > 1),
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
            memory = TreeMemory(process.pid).start()
            try:
                process.wait(kill_every)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait()
                kills += 1
            memory.stop()
        peak = max(peak, memory.peak_mb)
        print(
            f"  segment {segments}: exit {process.returncode}, tree peak {memory.describe()}",
            flush=True,
        )
        if process.returncode not in (-signal.SIGKILL,):
            if process.returncode not in (0, 5):  # 5: a faulty sitemap file is a seed failure
                raise SystemExit(f"crawl failed with exit {process.returncode}; see {log}")
            return segments, kills, peak
        if segments > 500:
            raise SystemExit("no segment finished in 500 attempts")


def check(archive: Archive, data_dir: Path, site: object) -> dict[str, object]:
    served = site.eventually_served_ids()  # type: ignore[attr-defined]
    lost = [i for i in served if archive.record(site.url_for(i)) != site.record(i)]  # type: ignore[attr-defined]
    with archive.engine.connect() as conn:
        duplicated_captures = conn.execute(
            text(
                "SELECT COUNT(*) FROM (SELECT url FROM captures WHERE parse_outcome = 'ok' "
                "GROUP BY url HAVING COUNT(*) > 1) d"
            )
        ).scalar_one()
        duplicated_revisions = conn.execute(
            text(
                "SELECT COUNT(*) FROM (SELECT page_id FROM revisions GROUP BY page_id "
                "HAVING COUNT(*) > 1) d"
            )
        ).scalar_one()
        captures = conn.execute(text("SELECT COUNT(*) FROM captures")).scalar_one()
        stats = conn.execute(text("SELECT stats FROM crawl_runs ORDER BY id")).scalars().all()
    unreadable = []
    for path in sorted((data_dir / "warc").glob("*.warc.gz")):
        try:
            with path.open("rb") as stream:
                for _ in ArchiveIterator(stream):
                    pass
        except Exception as error:  # reported, not raised: the soak prints what it found
            unreadable.append(f"{path.name}: {error}")
    last = stats[-1] if stats else {}
    last = last if isinstance(last, dict) else json.loads(last or "{}")
    return {
        "articles served": len(served),
        "lost": len(lost),
        "lost ids (first 10)": lost[:10],
        "duplicated (parsed captures)": duplicated_captures,
        "duplicated (revisions)": duplicated_revisions,
        "unreadable WARC files": unreadable,
        "runs": len(stats),
        "captures": captures,
        "stats count every capture": last.get("fetched") == captures,
    }


def quiet_client_hangups(server: object) -> None:
    """A SIGKILLed crawl resets its connections; the server need not print a traceback each."""
    httpd = server._httpd  # type: ignore[attr-defined]
    report = httpd.handle_error

    def handle_error(request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            report(request, client_address)

    httpd.handle_error = handle_error


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20_000)
    parser.add_argument("--fault-rate", type=float, default=0.10)
    parser.add_argument("--kill-every", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=31)
    args = parser.parse_args()
    started = time.monotonic()
    load_before = os.getloadavg()
    config = DemoSiteConfig(
        pages=args.pages, seed=args.seed, fault_rate=args.fault_rate, cache_size=512
    )
    with (
        serve_demo_site(config) as server,
        tempfile.TemporaryDirectory(prefix="soak-") as directory,
    ):
        data_dir = Path(directory) / "data"
        log = Path(directory) / "crawl.log"
        quiet_client_hangups(server)
        print(
            f"soak: {args.pages} pages, {len(server.site.faulted())} faulty, "
            f"SIGKILL every {args.kill_every:g} s",
            flush=True,
        )
        segments, kills, peak = run_segments(server.base_url, data_dir, args.kill_every, log)
        with Archive.open(None, data_dir=data_dir) as archive:
            found = check(archive, data_dir, server.site)
    elapsed = time.monotonic() - started
    load_after = os.getloadavg()
    print(f"segments: {segments}, SIGKILLs: {kills}, wall time: {elapsed / 60:.1f} min")
    for name, value in found.items():
        print(f"{name}: {value}")
    print(f"peak RSS of the crawl's process tree: {peak:.0f} MB (goal < 300 MB)")
    print(
        f"load average before {load_before[0]:.1f}/{load_before[1]:.1f}, "
        f"after {load_after[0]:.1f}/{load_after[1]:.1f} (1/5 min)"
    )
    ok = found["lost"] == 0 and found["duplicated (parsed captures)"] == 0 and peak < 300
    raise SystemExit(0 if ok and not found["unreadable WARC files"] else 1)


if __name__ == "__main__":
    main()

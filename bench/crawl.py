"""Crawl benchmark: full pipeline vs a fetch-only spider on the same demo site, same run.

    .venv/bin/python bench/crawl.py [--pages 5000]

Both crawls run in their own subprocess (a Twisted reactor runs once per process) against one
demo site served from this process, with the same concurrency (``--no-politeness``). The
fetch-only spider requests the same article URLs and throws the responses away, so
``full / fetch-only`` is the share of raw fetch throughput the pipeline keeps (WARC writing,
parsing, batched ingest into SQLite). Peak RSS is the crawl's whole process tree (the crawl,
its ingest worker and parse workers: the sum of each one's VmHWM, ``bench/process_tree.py``).
CPU per page counts the crawl process alone (the reactor: fetching, WARC, scheduling) against
the fetch-only spider's, and the whole tree (parse and ingest workers too).
Goals: ratio >= 0.60; crawl-process CPU per page <= 1.5x the fetch-only spider's; peak RSS
< 300 MB at ``--pages 20000``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.process_tree import TreeMemory  # noqa: E402
from demo_site.config import DemoSiteConfig  # noqa: E402
from demo_site.server import serve_demo_site  # noqa: E402


def fetch_only_child(base_url: str, first: int, last: int) -> None:
    """The baseline: same URLs, same settings, responses discarded."""
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    class FetchOnly(scrapy.Spider):
        name = "fetch_only"

        async def start(self):  # type: ignore[no-untyped-def]
            for number in range(first, last + 1):
                yield scrapy.Request(
                    f"{base_url}/en/article/{number}",
                    callback=self.parse,
                    meta={"handle_httpstatus_list": [404]},
                )

        def parse(self, response):  # type: ignore[no-untyped-def]
            return None

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.setdict(settings.getdict("NO_POLITENESS"), priority="cmdline")
    # Only Scrapy's own components: no WARC, no archive, no custom duplicate filter.
    settings.setdict(
        {
            "DOWNLOADER_MIDDLEWARES": {},
            "ITEM_PIPELINES": {},
            "EXTENSIONS": {},
            "DUPEFILTER_CLASS": "scrapy.dupefilters.RFPDupeFilter",
            "LOG_LEVEL": "WARNING",
        },
        priority="cmdline",
    )
    process = CrawlerProcess(settings)
    process.crawl(FetchOnly)
    process.start()


def seen_set_memory(count: int = 1_000_000) -> tuple[float, float]:
    """MB held by ``SeenUrls`` vs a set of SHA-1 fingerprints for ``count`` article URLs."""
    import hashlib
    import tracemalloc

    from crawler.seen import SeenUrls

    urls = (f"https://doctorqna.com/en/article/{n}" for n in range(200_000, 200_000 + count))
    tracemalloc.start()
    seen = SeenUrls()
    for url in urls:
        seen.add(url)
    compact = tracemalloc.get_traced_memory()[0] / 1e6
    del seen
    tracemalloc.stop()
    tracemalloc.start()
    fingerprints = {
        hashlib.sha1(f"https://doctorqna.com/en/article/{n}".encode()).digest()
        for n in range(200_000, 200_000 + count)
    }
    plain = tracemalloc.get_traced_memory()[0] / 1e6
    tracemalloc.stop()
    del fingerprints
    return compact, plain


def warc_fsync_cost(records: int = 400) -> tuple[float, float]:
    """Records/s of the WARC writer without and with fsync after every record."""
    from datetime import UTC, datetime

    from demo_site.site import DemoSite
    from storage.warc import HttpRequestData, HttpResponseData, RotatingWarcWriter

    page = DemoSite(DemoSiteConfig(pages=20)).page(
        "/en/article/200001", {"accept-encoding": "gzip"}
    )
    request = HttpRequestData("GET", "http://127.0.0.1/en/article/200001", [("User-Agent", "b")])
    response = HttpResponseData(request.url, 200, list(page.headers.items()), page.body)
    rates = []
    for fsync in (False, True):
        with tempfile.TemporaryDirectory(prefix="bench-warc-") as directory:
            writer = RotatingWarcWriter(Path(directory), fsync=fsync)
            started = time.perf_counter()
            for _ in range(records):
                writer.write_response(request, response, datetime.now(UTC))
            writer.close()
            rates.append(records / (time.perf_counter() - started))
    return rates[0], rates[1]


def timed_child(code: str) -> tuple[float, float, float, float]:
    """Wall seconds, peak RSS (MB) of one ``python -c`` child and all its descendants, CPU
    seconds of the child itself and of its whole tree."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(
            [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr
        )
        memory = TreeMemory(process.pid).start()
        process.wait()
        memory.stop()
        elapsed = time.perf_counter() - started
        if process.returncode != 0:
            stderr.seek(0)
            raise SystemExit(
                f"benchmark child failed ({process.returncode}): {stderr.read()[-2000:]!r}"
            )
    return elapsed, memory.peak_mb, memory.root_cpu, memory.tree_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--micro-only", action="store_true", help="skip the two crawls")
    args = parser.parse_args()
    compact, plain = seen_set_memory()
    print(f"seen set, 1M article URLs: {compact:.2f} MB (fingerprint set: {plain:.1f} MB)")
    plain_rate, fsync_rate = warc_fsync_cost()
    print(
        f"WARC records/s: {plain_rate:.0f} without fsync, {fsync_rate:.0f} with fsync per "
        f"record (ratio {fsync_rate / plain_rate:.2f})"
    )
    if args.micro_only:
        return

    with serve_demo_site(DemoSiteConfig(pages=args.pages, cache_size=256)) as server:
        first, last = server.site.id_range()
        requests = last - first + 1
        fetch_s, fetch_rss, fetch_cpu, _ = timed_child(
            f"import sys; sys.path.insert(0, {str(ROOT)!r}); from bench.crawl import "
            f"fetch_only_child; fetch_only_child({server.base_url!r}, {first}, {last})"
        )
        with tempfile.TemporaryDirectory(prefix="bench-crawl-") as data_dir:
            arguments = [
                "crawl",
                "doctorqna",
                "--ids",
                f"{first}-{last}",
                "--base-url",
                server.base_url,
                "--data-dir",
                data_dir,
                "--no-politeness",
                "--log-level",
                "WARNING",
            ]
            full_s, full_rss, crawl_cpu, tree_cpu = timed_child(
                f"import sys; sys.argv = ['healthqa', *{arguments!r}]\n"
                "from crawler.cli import main\n"
                "main()"
            )
    fetch_rate, full_rate = requests / fetch_s, requests / full_s
    print(f"pages: {args.pages} articles, {requests} ids requested (404 gaps included)")
    print(f"fetch-only: {fetch_rate:7.1f} pages/s  ({fetch_s:.1f} s, peak RSS {fetch_rss:.0f} MB)")
    print(f"full:       {full_rate:7.1f} pages/s  ({full_s:.1f} s, peak RSS {full_rss:.0f} MB)")
    print(f"ratio full/fetch-only: {full_rate / fetch_rate:.2f} (goal >= 0.60)")
    per_page = 1000 / requests
    print(
        f"CPU per page: fetch-only {fetch_cpu * per_page:.2f} ms, crawl process "
        f"{crawl_cpu * per_page:.2f} ms ({crawl_cpu / fetch_cpu:.2f}x, goal <= 1.5x), whole "
        f"tree {tree_cpu * per_page:.2f} ms ({tree_cpu / fetch_cpu:.2f}x)"
    )
    print(f"load at the end {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()

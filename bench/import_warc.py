"""Import benchmark: ``healthqa import`` of a local WARC vs ``healthqa reparse`` of the same
captures, same process, same parse pool settings.

    .venv/bin/python bench/import_warc.py [--pages 1000]

A WARC of ``--pages`` demo articles (gzip bodies, one request record per response, as a
crawl writes them) is imported into a fresh SQLite archive; then ``reparse --all`` re-reads
and re-parses every one of those captures from the WARC by pointer and ingests the results.
Both parse through ``parsers.budget`` worker processes and ingest through
``Archive.ingest_many``, so ``import rate / reparse rate`` is what scanning a file and
deciding what to take costs against reading records back by pointer. Goal: >= 0.80.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.app.reparse import reparse  # noqa: E402
from crawler.app.warc_import import Importer, file_records  # noqa: E402
from demo_site import DemoSite, DemoSiteConfig  # noqa: E402
from parsers.budget import pool_from_env  # noqa: E402
from parsers.errors import ParseError  # noqa: E402
from storage import Archive  # noqa: E402
from storage.warc import HttpRequestData, HttpResponseData, RotatingWarcWriter  # noqa: E402


def write_warc(folder: Path, pages: int) -> Path:
    """The demo site's articles as a crawl would archive them."""
    site = DemoSite(DemoSiteConfig(pages=pages), base_url="https://doctorqna.com")
    writer = RotatingWarcWriter(folder, worker_id="bench")
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for n, article_id in enumerate(site.article_ids()):
        path = site.path_for(article_id)
        page = site.page(path, {"Accept-Encoding": "gzip"})
        url = f"https://doctorqna.com{path}"
        writer.write_response(
            HttpRequestData("GET", url, [("Accept-Encoding", "gzip")]),
            HttpResponseData(url, page.status, list(page.headers.items()), page.body),
            start + timedelta(seconds=n),
        )
    writer.close()
    return folder / writer.files_written[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        warc = write_warc(Path(tmp) / "source", args.pages)
        data = Path(tmp) / "data"
        data.mkdir()
        with Archive.open(data_dir=data) as archive, pool_from_env() as pool:
            with contextlib.suppress(ParseError):  # start the worker before the clock
                pool.parse(b"<html></html>", "https://doctorqna.com/", {}, site="doctorqna")
            importer = Importer(
                archive, data_dir=data, parse=pool.parse, arguments={}, site="doctorqna"
            )
            started = time.perf_counter()
            importer.add_source(file_records(warc))
            report = importer.finish()
            import_seconds = time.perf_counter() - started
            started = time.perf_counter()
            reparsed = reparse(archive, data_dir=data, parse=pool.parse, everything=True)
            reparse_seconds = time.perf_counter() - started
    imported = report.imported
    print(f"pages in the WARC        {args.pages}")
    print(
        f"import   {imported:6d} captures in {import_seconds:6.2f} s = "
        f"{imported / import_seconds:7.1f}/s"
    )
    print(
        f"reparse  {reparsed.captures:6d} captures in {reparse_seconds:6.2f} s = "
        f"{reparsed.captures / reparse_seconds:7.1f}/s"
    )
    ratio = (imported / import_seconds) / (reparsed.captures / reparse_seconds)
    print(f"import / reparse rate    {ratio:.2f}  (goal >= 0.80)")


if __name__ == "__main__":
    main()

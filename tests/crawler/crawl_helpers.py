"""Plumbing for crawl tests: run ``healthqa crawl`` in a subprocess, inspect what it left.

Each crawl runs in its own process because a Twisted reactor cannot be restarted, and because
that is how the crawler runs for real (and how the kill test must run it).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import sys
from base64 import b32encode
from pathlib import Path

import sqlalchemy as sa
from warcio.archiveiterator import ArchiveIterator

from storage import Archive

CLI = [sys.executable, "-c", "from crawler.cli import main; main()"]


def crawl_command(base_url: str, data_dir: Path, *args: str, site: str = "doctorqna") -> list[str]:
    return [
        *CLI,
        "crawl",
        site,
        "--base-url",
        base_url,
        "--data-dir",
        str(data_dir),
        "--no-politeness",
        "--log-level",
        "WARNING",
        *args,
    ]


def run_crawl(
    base_url: str, data_dir: Path, *args: str, expect: int = 0, site: str = "doctorqna"
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        crawl_command(base_url, data_dir, *args, site=site),
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == expect, (
        f"exit {result.returncode}\nstdout:\n{result.stdout[-3000:]}\n"
        f"stderr:\n{result.stderr[-5000:]}"
    )
    return result


def open_archive(data_dir: Path) -> Archive:
    return Archive.open(None, data_dir=data_dir)


def rows(archive: Archive, sql: str, **params: object) -> list[sa.Row]:
    with archive.engine.connect() as conn:
        return list(conn.execute(sa.text(sql), params))


def sha1_digest(data: bytes) -> str:
    return "sha1:" + b32encode(hashlib.sha1(data).digest()).decode()


def read_all_warc(data_dir: Path) -> list[tuple[str, dict[str, str | None], bytes]]:
    """Every record of every WARC file, with plain warcio: raises if any file is unreadable."""
    records = []
    for path in sorted((data_dir / "warc").glob("*.warc.gz")):
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                headers = {
                    "uri": record.rec_headers.get_header("WARC-Target-URI"),
                    "digest": record.rec_headers.get_header("WARC-Payload-Digest"),
                    "encoding": record.http_headers.get_header("Content-Encoding")
                    if record.http_headers
                    else None,
                    "status": record.http_headers.get_statuscode() if record.http_headers else None,
                }
                records.append((record.rec_type, headers, record.raw_stream.read()))
    return records


def decoded(body: bytes, encoding: str | None) -> bytes:
    return gzip.decompress(body) if encoding == "gzip" else body


def stored_stats(data_dir: Path) -> dict:
    """The stats the archive stored for its latest crawl run."""
    archive = open_archive(data_dir)
    value = rows(archive, "SELECT stats FROM crawl_runs ORDER BY id DESC")[0][0]
    return value if isinstance(value, dict) else json.loads(value)

"""Parser warnings end to end: a crawl over pages that lose a reply they show stores the
warnings with each capture, counts them in the report next to field coverage, names the
captures behind them, exits 3 above ``--max-warning-share``, and ``healthqa show`` and
``healthqa export`` carry them.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from crawl_helpers import CLI, open_archive, rows, run_crawl

from parsers import parser_version

FIRST = 300100
CLEAN = range(FIRST, FIRST + 8)
LOSSY = range(FIRST + 8, FIRST + 12)  # the reply's body is an image: the record loses it


def _article(article_id: int) -> bytes:
    body = (
        "<p>Try ice and rest for a week.</p>"
        if article_id in CLEAN
        else '<p><img src="/reply.png" alt="the doctor\'s answer"></p>'
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Knee Pain {article_id} - Orthopedics</title></head><body>"
        f"<h1>Why does my knee hurt on stairs ({article_id})?</h1><p>It hurts going up.</p>"
        "<p>Ho, 20~29 year old male. Ask Date: 2024/05/01</p>"
        f"<p>Dr. Lin Kai reply Orthopedics</p>{body}<p>Reply Date: 2024/05/02</p>"
        "<h2>More Info</h2><p>Knees take load.</p></body></html>"
    ).encode()


class _Site(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        match = re.fullmatch(r"/en/article/(\d+)", self.path)
        if self.path == "/robots.txt":
            self._send(200, b"User-agent: *\nAllow: /\n", "text/plain")
        elif match and int(match.group(1)) in (*CLEAN, *LOSSY):
            self._send(200, _article(int(match.group(1))), "text/html; charset=utf-8")
        else:
            self._send(404, b"not found", "text/plain")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    """``healthqa ARGS`` in a subprocess (a click runner would share this process's state)."""
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def crawled(site: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    data_dir = tmp_path_factory.mktemp("warned")
    result = run_crawl(
        site,
        data_dir,
        "--ids",
        f"{CLEAN.start}-{LOSSY.stop - 1}",
        "--min-coverage-pages",
        "5",
        "--max-warning-share",
        "0.2",
        expect=3,
    )
    return data_dir, result.stdout


def test_warnings_are_stored_with_each_capture(crawled: tuple[Path, str]) -> None:
    data_dir, _ = crawled
    stored = rows(
        open_archive(data_dir),
        "SELECT url, warnings FROM captures WHERE parse_outcome = 'ok' ORDER BY url",
    )
    by_id = {
        int(url.rsplit("/", 1)[1]): (json.loads(w) if isinstance(w, str) else w)
        for url, w in stored
    }
    assert {i for i, codes in by_id.items() if codes} == set(LOSSY)
    assert all(by_id[i] == ["reply_marker_without_answer"] for i in LOSSY)
    assert all(by_id[i] == [] for i in CLEAN)


def test_the_report_counts_warnings_names_captures_and_exits_3(crawled: tuple[Path, str]) -> None:
    data_dir, stdout = crawled
    assert "Parser warnings (4 of 12 parsed pages" in stdout
    assert "pages with parser warnings: 33% of parsed pages, above the 20% threshold" in stdout
    lossy_ids = {
        capture_id
        for (capture_id,) in rows(
            open_archive(data_dir),
            "SELECT id FROM captures WHERE warnings LIKE '%reply_marker_without_answer%'",
        )
    }
    named = re.search(r"reply_marker_without_answer 4 \(capture ([\d, ]+)\)", stdout)
    assert named is not None, stdout
    assert {int(i) for i in named.group(1).split(", ")} == lossy_ids
    run = rows(open_archive(data_dir), "SELECT stats FROM crawl_runs ORDER BY id DESC")[0][0]
    stats = run if isinstance(run, dict) else json.loads(run)
    assert stats["warned"] == 4 and stats["warnings"] == {"reply_marker_without_answer": 4}


def test_show_and_export_carry_the_warnings(crawled: tuple[Path, str], site: str) -> None:
    data_dir, _ = crawled
    lossy = f"{site}/en/article/{LOSSY.start}"
    shown = _cli("show", lossy, "--data-dir", str(data_dir))
    assert shown.returncode == 0, shown.stderr
    assert "reply_marker_without_answer" in shown.stdout
    out = data_dir / "all.jsonl"
    exported = _cli("export", "--format", "jsonl", "--out", str(out), "--data-dir", str(data_dir))
    assert exported.returncode == 0, exported.stderr
    exported_rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    warned = {row["external_id"] for row in exported_rows if row["warnings"]}
    assert warned == {str(i) for i in LOSSY}


def test_warning_share_verdicts_name_the_captures() -> None:
    from datetime import UTC, datetime

    from scrapy.statscollectors import MemoryStatsCollector
    from scrapy.utils.test import get_crawler

    from crawler.report import CoverageThresholds
    from crawler.stats import CrawlCounts
    from parsers.record import QARecord

    class _Capture:
        parse_outcome = "ok"
        error_code = None

        def __init__(self, n: int) -> None:
            self.url = f"https://doctorqna.com/en/article/{n}"
            self.fetched_at = datetime(2024, 1, 1, tzinfo=UTC)

    tally = CrawlCounts(MemoryStatsCollector(get_crawler()))
    for n in range(20):
        warnings = ("reply_marker_without_answer",) if n < 3 else ()
        record = QARecord(
            url="u", canonical_url="u", site="doctorqna", parser_version="t", warnings=warnings
        )
        tally.count_capture(record, _Capture(n))
    stats = tally.to_run_stats(lambda keys: {key: 100 + i for i, key in enumerate(keys)})
    assert stats["warned"] == 3
    assert stats["examples"]["warning:reply_marker_without_answer"] == [100, 101, 102]
    assert CoverageThresholds.parse([], min_pages=10).violations(stats) == [
        "pages with parser warnings: 15% of parsed pages, above the 10% threshold "
        "(reply_marker_without_answer 3 (capture 100, 101, 102))"
    ]
    assert CoverageThresholds.parse([], 10, max_warning_share=0.2).violations(stats) == []
    with pytest.raises(ValueError, match="warning share"):
        CoverageThresholds.parse([], 10, max_warning_share=1.5)


def test_a_warned_capture_becomes_a_fixture_without_refetching(
    crawled: tuple[Path, str], site: str, tmp_path: Path
) -> None:
    """From the report's capture id to a fixture case: the exact archived bytes and headers,
    the parser's current record (with its warning) as the draft expectation."""
    data_dir, stdout = crawled
    named = re.search(r"reply_marker_without_answer 4 \(capture (\d+)", stdout)
    assert named is not None, stdout
    capture_id = named.group(1)
    root = tmp_path / "fixtures"
    added = _cli(
        "fixture",
        "add",
        "--capture",
        capture_id,
        "--root",
        str(root),
        "--name",
        "lossy",
        "--data-dir",
        str(data_dir),
    )
    assert added.returncode == 0, added.stderr
    assert "the parser is unsure of this page: reply_marker_without_answer" in added.stdout
    case = root / "doctorqna" / "lossy"
    meta = json.loads((case / "meta.json").read_text(encoding="utf-8"))
    article_id = int(meta["url"].rsplit("/", 1)[1])
    assert meta["site"] == "doctorqna"  # 127.0.0.1 alone would not choose the parser
    assert meta["capture_id"] == int(capture_id)
    assert meta["headers"] == {"Content-Type": "text/html; charset=utf-8"}
    assert (case / "page.html").read_bytes() == _article(article_id)
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    assert expected["warnings"] == ["reply_marker_without_answer"]
    checked = _cli("fixtures", "check", "--root", str(root))
    assert checked.returncode == 0, checked.stdout
    assert "warnings: reply_marker_without_answer" in checked.stdout
    by_url = _cli(
        "fixture",
        "add",
        "--capture",
        f"{site}/en/article/{CLEAN.start}",
        "--root",
        str(root),
        "--data-dir",
        str(data_dir),
    )
    assert by_url.returncode == 0, by_url.stderr
    missing = _cli(
        "fixture", "add", "--capture", "999999", "--root", str(root), "--data-dir", str(data_dir)
    )
    assert missing.returncode == 1
    assert "no capture 999999 with a WARC record" in missing.stderr


def test_reparse_brings_the_stored_warnings_up_to_date(
    crawled: tuple[Path, str], tmp_path: Path
) -> None:
    """An archive written by a parser that gave no warnings (or an older version) gets them
    from ``healthqa reparse``, from the WARC bytes alone."""
    data_dir = tmp_path / "old"
    shutil.copytree(crawled[0], data_dir)
    archive = open_archive(data_dir)
    with archive.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE captures SET warnings = '[]', parser_version = 'doctorqna/2' "
            "WHERE parse_outcome = 'ok'"
        )
    archive.close()
    result = _cli("reparse", "--data-dir", str(data_dir))
    assert result.returncode == 0, result.stderr
    stored = rows(
        open_archive(data_dir),
        "SELECT parser_version, warnings FROM captures WHERE parse_outcome = 'ok'",
    )
    assert {version for version, _ in stored} == {parser_version("doctorqna")}
    warned = [w for _, w in stored if (json.loads(w) if isinstance(w, str) else w)]
    assert len(warned) == len(LOSSY)

"""Import of files other tools write: Heritrix, Browsertrix, ARC, and damaged input."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner
from foreign_warcs import START, arc, article, browsertrix, heritrix, plain, response
from import_helpers import capture_rows, run_import, run_stats
from sqlalchemy import text
from warcio.warcwriter import WARCWriter

from crawler.cli import cli
from storage import Archive
from storage.engine import default_url
from storage.runlock import EXIT_LOCKED, RunLock
from storage.warc import scan


def test_heritrix_browsertrix_and_arc_files_by_host(tmp_path: Path) -> None:
    files = [heritrix(tmp_path / "h.warc.gz"), browsertrix(tmp_path / "b.warc.gz")]
    files.append(arc(tmp_path / "old.arc"))
    data = tmp_path / "data"
    result = run_import(*(f.path for f in files), "--data-dir", data)
    assert result.exit_code == 0, result.output
    rows = capture_rows(data)
    by_outcome: dict[str, list[str]] = {}
    for row in rows:
        by_outcome.setdefault(str(row["parse_outcome"]), []).append(str(row["url"]))
    articles = [url for f in files for url in f.urls]
    with Archive.open_existing(data_dir=data) as archive:
        for url in articles:
            record = archive.record(url)
            assert record is not None and record.question_title, url
    # Heritrix's later revisit of its first article: resolved by digest, same URL.
    assert by_outcome["revisit"] == [files[0].urls[0]]
    # Browsertrix's www. revisit: the earlier payload parsed again for that URL.
    www = files[1].urls[1].replace("://doctorqna.com", "://www.doctorqna.com")
    assert www in by_outcome["ok"]
    assert sorted(by_outcome["ok"]) == sorted([*articles, www])
    assert by_outcome["not_parsed"] == ["https://doctorqna.com/en/article/1"]  # the 404
    stats = run_stats(data)[0]
    assert stats["skipped"] == {"not_http": 1, "request_record": 6, "warcinfo_record": 1}


def test_damaged_files_give_one_line_each_and_lose_nothing(tmp_path: Path) -> None:
    whole = plain(tmp_path / "whole.warc", 0, 3)
    torn = plain(tmp_path / "torn.warc", 3, 3)
    last = [r for r in scan(torn.path) if r.record_type == "response"][-1]
    torn.path.write_bytes(torn.path.read_bytes()[: last.offset + 900])  # the last page cut
    gz = heritrix(tmp_path / "torn.warc.gz")
    gz.path.write_bytes(gz.path.read_bytes()[:-200])  # the revisit's gzip member torn
    not_warc = tmp_path / "notes.txt"
    not_warc.write_text("these are my notes, not a web archive\n")
    bad_header = tmp_path / "bad.warc"
    bad_header.write_bytes(
        plain(tmp_path / "one.warc", 9, 1).path.read_bytes()
        + b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: lots\r\n\r\n"
    )
    data = tmp_path / "data"
    paths = [whole.path, torn.path, gz.path, not_warc, bad_header]
    result = run_import(*paths, "--data-dir", data)
    assert result.exit_code == 5, result.output
    problems = run_stats(data)[0]["problems"]
    assert isinstance(problems, list) and len(problems) == 4
    for path, problem in zip(paths[1:], problems, strict=True):
        assert problem.startswith(str(path)) and "\n" not in problem
    assert "not a WARC or ARC file" in problems[2]
    printed = [line for line in result.output.splitlines() if line.startswith("unreadable:")]
    assert len(printed) == 4 and all(str(path) in printed[i] for i, path in enumerate(paths[1:]))
    kept = {str(row["url"]) for row in capture_rows(data)}
    assert set(whole.urls) | set(torn.urls[:2]) | set(gz.urls) <= kept
    assert torn.urls[2] not in kept


def test_copy_makes_the_archive_self_contained(tmp_path: Path) -> None:
    source = browsertrix(tmp_path / "b.warc.gz")
    data = tmp_path / "data"
    assert run_import(source.path, "--copy", "--data-dir", data).exit_code == 0
    rows = capture_rows(data)
    assert all(str(row["warc_file"]).startswith("warc/import-") for row in rows)
    source.path.unlink()
    reparsed = CliRunner().invoke(cli, ["reparse", "--data-dir", str(data)])
    assert reparsed.exit_code == 0, reparsed.output
    assert re.search(r"unreadable WARC records\s+│\s+0\s", reparsed.output), reparsed.output
    assert re.search(r"records unchanged\s+│\s+3\s", reparsed.output), reparsed.output


def test_an_import_waits_for_no_crawl_of_the_same_site(tmp_path: Path) -> None:
    source = plain(tmp_path / "p.warc", 0, 1)
    data = tmp_path / "data"
    data.mkdir()
    with RunLock(default_url(data), "crawl-doctorqna"):
        result = run_import(source.path, "--data-dir", data)
    assert result.exit_code == EXIT_LOCKED, result.output
    assert "another run holds the lock" in result.output


def test_a_retry_in_the_same_second_keeps_both_answers(tmp_path: Path) -> None:
    path = tmp_path / "retry.warc.gz"
    url, body = article(0)
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.0")
        for status, payload in (("503 Service Unavailable", b"busy"), ("200 OK", body)):
            response(writer, url, payload, [("Content-Type", "text/html")], START, status=status)
    data = tmp_path / "data"
    assert run_import(path, "--data-dir", data).exit_code == 0
    rows = capture_rows(data)
    assert [row["http_status"] for row in rows] == [503, 200]
    assert run_import(path, "--data-dir", data).exit_code == 0
    assert len(capture_rows(data)) == 2


def test_import_is_idempotent_on_every_backend(db_url: str, tmp_path: Path) -> None:
    source = heritrix(tmp_path / "h.warc.gz")
    args = (source.path, "--db", db_url, "--data-dir", tmp_path / "data")

    def captures() -> int:
        with Archive.open_existing(db_url) as archive, archive.engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM captures")).scalar_one()

    assert run_import(*args).exit_code == 0
    first = captures()
    assert first == len(source.urls) + 2  # the articles, the 404 and the revisit
    again = run_import(*args)
    assert again.exit_code == 0, again.output
    assert captures() == first

"""The fixture commands, run through click against real files and a real HTTP server."""

from __future__ import annotations

import json
import shutil
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from click.testing import CliRunner

from crawler.cli import cli
from crawler.cli.fixtures import fixture_group, fixtures_group
from crawler.identity import USER_AGENT
from parsers.record import QARecord

FIXTURES_ROOT = Path(__file__).resolve().parents[2] / "fixtures"
COPIED = ("doctorqna/seed_div", "doctorqna/listing_page", "qapage/other_site")
SEED_PAGE = (FIXTURES_ROOT / "doctorqna/seed_div/page.html").read_bytes()
LISTING_PAGE = (FIXTURES_ROOT / "doctorqna/listing_page/page.html").read_bytes()
QUESTION_TITLE = "Enlargement of calcified lesions in the liver?"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A private copy of a few real cases, so tests can corrupt and rewrite them."""
    for name in COPIED:
        shutil.copytree(FIXTURES_ROOT / name, tmp_path / "fixtures" / name)
    return tmp_path / "fixtures"


def corrupt_question_title(root: Path) -> Path:
    path = root / "doctorqna/seed_div/expected.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["question_title"] = "Corrupted title"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def test_both_groups_are_on_the_healthqa_cli() -> None:
    assert {"fixtures", "fixture"} <= set(cli.commands)


def test_check_passes_then_reports_a_corrupted_case_with_its_diff(root: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(fixtures_group, ["check", "--root", str(root)])
    assert result.exit_code == 0, result.output
    assert f"{len(COPIED)} passed, 0 failed" in result.output

    corrupt_question_title(root)
    result = runner.invoke(fixtures_group, ["check", "--root", str(root)])
    assert result.exit_code == 1
    assert "FAIL doctorqna/seed_div" in result.output
    assert '-  "question_title": "Corrupted title",' in result.output
    assert f'+  "question_title": "{QUESTION_TITLE}",' in result.output
    assert "ok   qapage/other_site" in result.output
    assert "2 passed, 1 failed" in result.output


def test_check_shows_the_warnings_a_case_carries() -> None:
    result = CliRunner().invoke(
        fixtures_group,
        ["check", "--root", str(FIXTURES_ROOT), "aria_roles_hidden_copies", "seed_div"],
    )
    assert result.exit_code == 0, result.output
    assert "ok   doctorqna/aria_roles_hidden_copies  warnings: structured_data_disagrees" in (
        result.output
    )
    assert "ok   doctorqna/seed_div\n" in result.output
    assert "2 passed, 0 failed, 1 with parser warnings" in result.output


def test_check_selects_cases_by_bare_name_and_rejects_unknown_ones(root: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(fixtures_group, ["check", "--root", str(root), "listing_page"])
    assert result.exit_code == 0, result.output
    assert "1 passed, 0 failed" in result.output
    result = runner.invoke(fixtures_group, ["check", "--root", str(root), "no_such_case"])
    assert result.exit_code == 1
    assert "no fixture case named 'no_such_case'" in result.output


def test_update_shows_the_diff_and_writes_only_after_confirmation(root: Path) -> None:
    runner = CliRunner()
    path = corrupt_question_title(root)
    corrupted = path.read_text(encoding="utf-8")
    original = (FIXTURES_ROOT / "doctorqna/seed_div/expected.json").read_text(encoding="utf-8")

    declined = runner.invoke(fixtures_group, ["update", "--root", str(root)], input="n\n")
    assert declined.exit_code == 1
    assert '-  "question_title": "Corrupted title",' in declined.output
    assert "Rewrite the expectation of 1 case(s): doctorqna/seed_div?" in declined.output
    assert path.read_text(encoding="utf-8") == corrupted

    accepted = runner.invoke(fixtures_group, ["update", "--root", str(root), "--yes"])
    assert accepted.exit_code == 0, accepted.output
    diff_at = accepted.output.index('-  "question_title": "Corrupted title",')
    assert diff_at < accepted.output.index(f"wrote {path}")
    assert path.read_text(encoding="utf-8") == original

    again = runner.invoke(fixtures_group, ["update", "--root", str(root), "--yes"])
    assert "nothing to update" in again.output


def test_update_switches_an_expected_record_to_an_expected_error(root: Path) -> None:
    case_dir = root / "doctorqna/listing_page"
    (case_dir / "expected_error.json").unlink()
    shutil.copy(root / "doctorqna/seed_div/expected.json", case_dir / "expected.json")
    result = CliRunner().invoke(fixtures_group, ["update", "--root", str(root), "--yes"])
    assert result.exit_code == 0, result.output
    assert not (case_dir / "expected.json").exists()
    error = json.loads((case_dir / "expected_error.json").read_text(encoding="utf-8"))
    assert error == {"error": "not_an_article"}


class _SiteHandler(BaseHTTPRequestHandler):
    user_agents: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.user_agents.append(self.headers.get("User-Agent", ""))
        if self.path == "/old/203456":
            self.send_response(301)
            self.send_header("Location", "/en/article/203456")
            self.end_headers()
            return
        pages = {"/en/article/203456": SEED_PAGE, "/en/department/gastro": LISTING_PAGE}
        body = pages.get(self.path)
        if body is None:
            self.send_error(404, "Not Found")
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("ETag", '"seed-v1"')
        self.send_header("Last-Modified", "Sat, 23 Dec 2023 08:00:00 GMT")
        self.send_header("X-Cache", "HIT")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SiteHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _SiteHandler.user_agents = []
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def add(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(fixture_group, ["add", *args, "--root", str(root)])
    return result.exit_code, result.output


def test_add_follows_a_redirect_and_saves_bytes_meta_and_a_draft(tmp_path: Path, site: str) -> None:
    code, output = add(tmp_path, f"{site}/old/203456", "--site", "doctorqna", "--name", "seed")
    assert code == 0, output
    case_dir = tmp_path / "doctorqna/seed"
    assert (case_dir / "page.html").read_bytes() == SEED_PAGE
    meta = json.loads((case_dir / "meta.json").read_text(encoding="utf-8"))
    assert meta["url"] == f"{site}/en/article/203456"
    assert meta["requested_url"] == f"{site}/old/203456"
    assert meta["site"] == "doctorqna"
    assert meta["headers"] == {
        "Content-Type": "text/html; charset=utf-8",
        "Last-Modified": "Sat, 23 Dec 2023 08:00:00 GMT",
        "ETag": '"seed-v1"',
    }
    assert meta["fetched_at"].endswith("+00:00")
    record = QARecord.from_json((case_dir / "expected.json").read_text(encoding="utf-8"))
    assert record.question_title == QUESTION_TITLE
    assert "Review" in output and "expected.json" in output
    assert _SiteHandler.user_agents == [USER_AGENT, USER_AGENT]


def test_add_refuses_to_overwrite_unless_forced(tmp_path: Path, site: str) -> None:
    url = f"{site}/en/article/203456"
    assert add(tmp_path, url, "--site", "doctorqna")[0] == 0
    page = tmp_path / "doctorqna/article_203456/page.html"
    page.write_bytes(b"edited by a person")
    code, output = add(tmp_path, url, "--site", "doctorqna")
    assert code == 1
    assert "already exists; pass --force" in output
    assert page.read_bytes() == b"edited by a person"
    assert add(tmp_path, url, "--site", "doctorqna", "--force")[0] == 0
    assert page.read_bytes() == SEED_PAGE


def test_add_records_an_expected_error_for_a_page_the_parser_rejects(
    tmp_path: Path, site: str
) -> None:
    code, output = add(tmp_path, f"{site}/en/department/gastro", "--site", "doctorqna")
    assert code == 0, output
    case_dir = tmp_path / "doctorqna/department_gastro"
    assert not (case_dir / "expected.json").exists()
    error = json.loads((case_dir / "expected_error.json").read_text(encoding="utf-8"))
    assert error == {"error": "not_an_article"}
    assert "not_an_article" in output


def test_add_fails_clearly_on_404_and_saves_nothing(tmp_path: Path, site: str) -> None:
    code, output = add(tmp_path, f"{site}/en/article/1", "--site", "doctorqna")
    assert code == 1
    assert "answered 404 Not Found; nothing saved" in output
    assert not (tmp_path / "doctorqna").exists()


def test_add_fails_clearly_when_nothing_listens(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, output = add(tmp_path, f"http://127.0.0.1:{port}/en/article/1")
    assert code == 1
    assert "could not fetch" in output and "nothing saved" in output
    assert not any(tmp_path.iterdir())

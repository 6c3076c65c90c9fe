"""``healthqa demo-site``: serving from a subprocess, stopping cleanly, writing static files."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from crawler.cli import cli
from demo_site import DemoSite, DemoSiteConfig
from demo_site.ehospital import EHospitalSite

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def serving(*options: str) -> Iterator[tuple[subprocess.Popen[str], str, str]]:
    """``healthqa demo-site OPTIONS`` in a subprocess: the process, the URL its first line
    announces and its summary line; killed on the way out whatever the test did."""
    command = [sys.executable, "-c", "from crawler.cli import main; main()", "demo-site"]
    process = subprocess.Popen([*command, *options], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        first = process.stdout.readline().split()
        assert first[0] == "serving", first
        yield process, first[1], process.stdout.readline()
    finally:
        process.kill()
        process.wait()


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_serves_from_a_subprocess_until_interrupted(stop: signal.Signals) -> None:
    options = ("--port=0", "--pages=40", "--seed=3", "--fault-rate=0.5", "--faults=500")
    with serving(*options) as (process, base_url, summary):
        assert "40 articles" in summary and "robots" in summary
        robots = httpx.get(f"{base_url}/robots.txt", timeout=10)
        assert "Disallow: /en/private/" in robots.text
        site = DemoSite(DemoSiteConfig(pages=40, seed=3, fault_rate=0.5, faults=("500",)))
        path = next(iter(site.faulted()))
        statuses = [httpx.get(base_url + path, timeout=10).status_code for _ in range(3)]
        assert statuses[0] == 500 and statuses[-1] == 200
        process.send_signal(stop)
        assert process.wait(timeout=20) == 0


def test_writes_the_whole_site_as_static_files(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["demo-site", "--pages=25", "--seed=4", "--static-dir", str(tmp_path), "--port=9911"],
    )
    assert result.exit_code == 0, result.output
    site = DemoSite(DemoSiteConfig(pages=25, seed=4))
    for article_id in site.article_ids():
        path = site.path_for(article_id)
        assert (tmp_path / path.lstrip("/")).read_bytes() == site.page(path).body
    robots = (tmp_path / "robots.txt").read_text()
    assert "Sitemap: http://127.0.0.1:9911/sitemap_index.xml" in robots
    assert (
        "http://127.0.0.1:9911/sitemaps/articles-1.xml"
        in (tmp_path / "sitemap_index.xml").read_text()
    )
    assert (tmp_path / "en/faq/jaundice").read_bytes().startswith(b"<!DOCTYPE html>")
    assert b"Page not found" in (tmp_path / "404.html").read_bytes()
    assert f"wrote {len(list(p for p in tmp_path.rglob('*') if p.is_file()))} files" in (
        result.output
    )


def test_bad_options_are_refused_with_the_reason() -> None:
    runner = CliRunner()
    bad_fault = runner.invoke(cli, ["demo-site", "--faults=500,teapot"])
    assert bad_fault.exit_code == 2 and "teapot" in bad_fault.output
    bad_rate = runner.invoke(cli, ["demo-site", "--fault-rate=2"])
    assert bad_rate.exit_code == 2 and "fault_rate" in bad_rate.output


def test_a_busy_port_is_reported_not_raised() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(cli, ["demo-site", "--pages=5", f"--port={port}"])
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.output


@pytest.mark.slow
def test_serves_the_ehospital_site_with_its_big5_questions() -> None:
    options = ("--site=ehospital", "--port=0", "--pages=12", "--seed=5")
    with serving(*options) as (process, base_url, summary):
        site = EHospitalSite(DemoSiteConfig(pages=12, seed=5), base_url=base_url)
        assert f"{len(site.question_ids())} 台灣e院 questions" in summary
        q_no = site.question_ids()[0]
        page = httpx.get(site.url_for(q_no), timeout=10)
        assert page.status_code == 200
        assert page.content == site.page(f"/doctor/All/ShowDetail.php?q_no={q_no}").body
        index = httpx.get(f"{base_url}/doctor/Index1.php", timeout=10)
        assert f"q_no={site.id_range()[1]}" in index.text
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0


def test_the_ehospital_site_has_no_static_copy(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["demo-site", "--site=ehospital", "--static-dir", str(tmp_path)]
    )
    assert result.exit_code == 2 and "doctorqna site only" in result.output

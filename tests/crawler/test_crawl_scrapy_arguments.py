"""``scrapy crawl SITE -a name=value``: an argument the plan cannot take is one line, exit 2.

Run as a real ``scrapy crawl`` from the repository root (where scrapy.cfg names the project's
settings), as docs/crawler.md shows it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from crawl_helpers import open_archive, rows

from crawler.settings import NO_POLITENESS
from demo_site.config import DemoSiteConfig
from demo_site.server import serve_demo_site

ROOT = Path(__file__).resolve().parents[2]
SCRAPY_CRAWL = [sys.executable, "-m", "scrapy", "crawl", "doctorqna"]


def scrapy_crawl(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A real ``scrapy crawl doctorqna ARGS`` from the repository root into ``data_dir``."""
    return subprocess.run(
        [*SCRAPY_CRAWL, *args, "-s", f"HEALTHQA_DATA_DIR={data_dir}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("argument", "names"),
    [
        ("ids=bogus", "-a ids=bogus is not an id range"),
        ("idz=1-5", "unknown spider argument(s) idz"),
        ("follow_depth=deep", "-a follow_depth=deep is not a whole number"),
    ],
)
def test_a_bad_spider_argument_is_one_line_and_exit_2(
    tmp_path: Path, argument: str, names: str
) -> None:
    data_dir = tmp_path / "data"
    result = scrapy_crawl(data_dir, "-a", argument)
    assert result.returncode == 2, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("scrapy crawl doctorqna: ") and names in last
    assert "docs/crawler.md" in last  # what to do
    # Nothing was started: no archive, no run.
    assert not data_dir.exists()


def test_good_spider_arguments_crawl_and_dump_the_healthqa_stats(tmp_path: Path) -> None:
    """The project's ``crawl`` command hands the spider the plan it read: the crawl runs."""
    data_dir = tmp_path / "data"
    with serve_demo_site(DemoSiteConfig(pages=20, seed=5, fault_rate=0.0)) as server:
        first, _ = server.site.id_range()
        result = scrapy_crawl(
            data_dir,
            *("-a", f"base_url={server.base_url}", "-a", f"ids={first}-{first + 4}"),
            *(f"-s{name}={value}" for name, value in NO_POLITENESS.items()),
        )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "'healthqa/page_requests': 5" in result.stderr
    with open_archive(data_dir) as archive:
        runs = rows(archive, "SELECT outcome, arguments FROM crawl_runs")
    assert len(runs) == 1 and runs[0][0] == "finished"
    assert json.loads(runs[0][1])["ids"] == f"{first}-{first + 4}"  # SQLite: JSON as text

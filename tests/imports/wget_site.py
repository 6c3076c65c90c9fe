"""A WARC written by real GNU wget of the demo site, for the import tests (``conftest``
makes it once per session).

wget is a system package: off CI a machine without it skips these tests with the reason;
under ``CI=true`` its absence fails them, because the acceptance needs a real wget file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from demo_site import DemoSiteConfig, serve_demo_site

#: 20 articles; about a quarter first answer 503 (once or twice) and then 200.
WGET_SITE = DemoSiteConfig(pages=20, seed=1, fault_rate=0.3, faults=("503",))


@dataclass(frozen=True)
class WgetCapture:
    warc: Path
    article_ids: list[int]
    faulted: int  # articles that answered 503 first
    responses_503: int  # 503 answers the server logged


def require_wget() -> str:
    found = shutil.which("wget")
    if found:
        return found
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("GNU wget is not installed, and CI=true requires it (apt-get install wget)")
    pytest.skip("GNU wget is not installed (apt-get install wget)")


def wget_warc_in(folder: Path) -> WgetCapture:
    """wget fetches the 20 articles with --tries=3 --retry-on-http-error=503 into a WARC."""
    wget = require_wget()
    with serve_demo_site(WGET_SITE) as server:
        site = server.site
        ids = site.article_ids()
        urls = folder / "urls.txt"
        urls.write_text("".join(f"{server.base_url}{site.path_for(i)}\n" for i in ids))
        subprocess.run(
            [
                wget,
                f"--warc-file={folder / 'site'}",
                "--no-verbose",
                "--tries=3",
                "--waitretry=1",
                "--retry-on-http-error=503",
                "--input-file",
                str(urls),
                "--output-document",
                os.devnull,
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        statuses = server.log.snapshot().statuses
    return WgetCapture(folder / "site.warc.gz", ids, len(site.faulted()), statuses[503])

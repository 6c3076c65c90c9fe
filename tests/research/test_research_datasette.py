"""A real Datasette process over a small archive: FTS search box and facets from metadata."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from research_data import build_archive

from storage import Archive

METADATA = Path(__file__).parents[2] / "datasette" / "metadata.json"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def datasette_url(tmp_path: Path) -> Iterator[str]:
    data_dir = tmp_path / "data"
    with Archive.open(None, data_dir=data_dir) as archive:
        build_archive(archive, data_dir)
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "datasette",
            str(data_dir / "archive.sqlite"),
            "--metadata",
            str(METADATA),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/-/versions.json", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    raise RuntimeError(
                        f"datasette did not start: {process.stderr.read().decode()}"
                    ) from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.slow
def test_search_box_and_facets_work_on_qa_flat(datasette_url: str) -> None:
    page = httpx.get(f"{datasette_url}/archive/qa_flat", timeout=10)
    assert 'name="_search"' in page.text  # the search box is offered on the view
    data = httpx.get(
        f"{datasette_url}/archive/qa_flat.json",
        params={"_search": "ulcer", "_shape": "objects"},
        timeout=10,
    ).json()
    titles = {row["question_title"] for row in data["rows"]}
    assert titles and all("ulcer" in t for t in titles)
    assert {"first_department", "asker_sex"} <= set(data["facet_results"])
    departments = {v["value"] for v in data["facet_results"]["first_department"]["results"]}
    assert departments == {"Gastroenterology"}
    questions = httpx.get(
        f"{datasette_url}/archive/questions.json",
        params={"_search": "palpitations", "_shape": "objects"},
        timeout=10,
    ).json()
    titles = [row["question_title"] for row in questions["rows"]]
    assert titles and all("palpitations" in title for title in titles)
    assert {"asker_sex", "language"} <= set(questions["facet_results"])
    # FTS syntax characters are escaped, not errors.
    odd = httpx.get(
        f"{datasette_url}/archive/questions.json", params={"_search": 'ulcer" OR ('}, timeout=10
    )
    assert odd.status_code == 200

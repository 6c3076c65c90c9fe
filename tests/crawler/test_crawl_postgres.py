"""The same crawl into PostgreSQL: the ingest worker and run lock work on the server backend."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from crawl_helpers import rows, run_crawl
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from demo_site.config import DemoSiteConfig
from demo_site.server import serve_demo_site
from storage import Archive

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


@pytest.fixture
def postgres_schema_url(postgres_server_url: str) -> Iterator[str]:
    """A private schema per test (search_path), dropped afterwards."""
    schema = f"test_crawl_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        url = make_url(postgres_server_url).update_query_dict(
            {"options": f"-csearch_path={schema}"}
        )
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def test_crawl_into_postgres_matches_ground_truth(postgres_schema_url: str, tmp_path: Path) -> None:
    with serve_demo_site(DemoSiteConfig(pages=60, seed=8)) as server:
        site = server.site
        first, last = site.id_range()
        run_crawl(
            server.base_url, tmp_path, "--db", postgres_schema_url, "--ids", f"{first}-{last}"
        )
        with Archive.open(postgres_schema_url) as archive:
            for article_id in site.article_ids():
                assert archive.record(site.url_for(article_id)) == site.record(article_id)
            finished = rows(archive, "SELECT outcome FROM crawl_runs")
            assert finished == [("finished",)]
    # The database is elsewhere; the WARC files still live in the data dir.
    assert list((tmp_path / "warc").glob("*.warc.gz"))
    assert not (tmp_path / "archive.sqlite").exists()

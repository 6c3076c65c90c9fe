"""Migration 0005: captures of non-article pages, stored as ``error`` before, become
``not_article``; real failures stay ``error``; the constraint admits the new outcome."""

from __future__ import annotations

from datetime import datetime

from alembic import command
from sqlalchemy import text

from storage import Archive
from storage.engine import alembic_config, make_engine

ROWS = [
    ("https://doctorqna.com/en/faq/1", "error", "not_an_article"),
    ("https://doctorqna.com/en/article/9", "error", "page_not_found"),
    ("https://doctorqna.com/en/article/8", "error", "extraction_failed"),
    ("https://doctorqna.com/robots.txt", "not_parsed", None),
]


def test_old_non_article_rows_are_rewritten(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0003")
        conn.execute(text("INSERT INTO sites (name) VALUES ('doctorqna')"))
        for n, (url, outcome, code) in enumerate(ROWS):
            conn.execute(
                text(
                    "INSERT INTO captures (site_id, url, fetched_at, http_status, parse_outcome,"
                    " error_code) VALUES (1, :url, :at, 200, :outcome, :code)"
                ),
                {"url": url, "at": datetime(2024, 1, n + 1), "outcome": outcome, "code": code},
            )
    engine.dispose()
    with Archive.open(db_url) as archive, archive.engine.begin() as conn:
        outcomes = dict(conn.execute(text("SELECT url, parse_outcome FROM captures")).all())
        assert outcomes == {
            ROWS[0][0]: "not_article",
            ROWS[1][0]: "not_article",
            ROWS[2][0]: "error",
            ROWS[3][0]: "not_parsed",
        }
        conn.execute(text("UPDATE captures SET parse_outcome = 'not_article' WHERE id = 3"))
    with Archive.open(db_url) as archive, archive.engine.connect() as conn:
        try:
            with conn.begin():
                conn.execute(text("UPDATE captures SET parse_outcome = 'bogus' WHERE id = 1"))
        except Exception as error:  # the CHECK constraint still refuses unknown outcomes
            assert "parse_outcome" in str(error)
        else:
            raise AssertionError("an unknown parse_outcome was accepted")

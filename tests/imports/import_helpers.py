"""Running ``healthqa import`` in-process and counting what the archive holds."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result
from sqlalchemy import text

from crawler.cli import cli
from storage import Archive


def run_import(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, ["import", *map(str, args)], catch_exceptions=False)


def counts(data_dir: Path) -> dict[str, int]:
    """Rows per table that an import writes, to show what a run added (or did not)."""
    with Archive.open_existing(data_dir=data_dir) as archive, archive.engine.connect() as conn:
        return {
            table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("captures", "questions", "revisions", "pages", "answers", "links")
        }


def capture_rows(data_dir: Path) -> list[dict[str, object]]:
    with Archive.open_existing(data_dir=data_dir) as archive, archive.engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM captures ORDER BY url, fetched_at"))
        return [dict(row._mapping) for row in rows]


def run_stats(data_dir: Path) -> list[dict[str, object]]:
    """Each run's stored stats, oldest first."""
    with Archive.open_existing(data_dir=data_dir) as archive, archive.engine.connect() as conn:
        rows = conn.execute(text("SELECT id FROM crawl_runs ORDER BY id")).scalars().all()
        return [archive.run_stats(run_id) or {} for run_id in rows]
